"""Evidence on the case page: upload a file (its type checked by content, its size, a virus scan
when configured), download it (each download is audited by its access rule), and a photo's
thumbnail. An upload with something to correct shows the case page again with the messages and
the description and date kept (the file has to be chosen again: browsers never refill it)."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, request, send_file, url_for
from werkzeug.wrappers import Response

import processes
from casework import audit, consents, evidence, evidence_store
from casework.casefile import CaseNotFound
from db.models import Case, Evidence
from webapp import storage
from webapp.auth import current_row
from webapp.case_notes import again, fields

bp = Blueprint("evidence", __name__)
Page = str | Response | tuple[str, int]
UPLOAD_ENDPOINT = "evidence.upload"
# Room in the request beyond the largest file (the form's other fields), and up to twice the
# largest file is read so that a file over the limit gets a message with the form kept, not a
# bare "too large" page.
HEADROOM = 1024 * 1024


def allow_large_uploads() -> None:
    """The before-request hook (first of all, before any hook reads the form): the evidence upload
    may be larger than other requests."""
    if request.endpoint == UPLOAD_ENDPOINT:
        request.max_content_length = 2 * current_app.config["EVIDENCE_MAX_BYTES"] + HEADROOM


def store() -> evidence_store.EvidenceStore:
    return evidence_store.open_store(current_app.config["EVIDENCE_STORE_URL"])


@bp.app_template_global("case_evidence")
def _case_evidence(case: Case) -> list[Evidence]:
    return evidence.for_case(storage.session(), case)


@bp.app_context_processor
def _vocabulary() -> dict[str, object]:
    return {
        "evidence_kinds": evidence.KIND_LABELS,
        "evidence_max": evidence.megabytes(current_app.config["EVIDENCE_MAX_BYTES"]),
        "megabytes": evidence.megabytes,
    }


@bp.route("/cases/<reference>/evidence", methods=["POST"])
def upload(reference: str) -> Page:
    form = fields("evidence")
    file = request.files.get("evidence-file")
    item = evidence.Upload(
        filename=(file.filename or "") if file else "",
        data=file.read() if file else b"",
        description=form.get("description"),
        taken_on=form.get("taken_on"),
    )
    limits = evidence.Limits(
        current_app.config["EVIDENCE_MAX_BYTES"], current_app.config["CLAMD_ADDRESS"] or None
    )
    try:
        evidence.add(
            storage.session(),
            reference,
            item,
            store=store(),
            limits=limits,
            user=current_row(),
            actor=audit.Actor.of(current_row(), request.remote_addr),
            now=processes.clock.now(),
        )
    except consents.Invalid as err:
        return again(reference, "evidence", err)
    except CaseNotFound:
        abort(404)
    flash("The evidence is saved.", "success")
    return redirect(url_for("cases.show", reference=reference, _anchor="evidence"), 303)


def _found(reference: str, evidence_id: int) -> Evidence:
    try:
        item = evidence.find(storage.session(), reference, evidence_id)
    except CaseNotFound:
        abort(404)
    if item is None:
        abort(404)
    return item


@bp.route("/cases/<reference>/evidence/<int:evidence_id>")
def download(reference: str, evidence_id: int) -> Response:
    item = _found(reference, evidence_id)
    return send_file(
        store().open(item.storage_key),
        mimetype=item.media_type,
        as_attachment=True,
        download_name=item.filename,
        max_age=0,
    )


@bp.route("/cases/<reference>/evidence/<int:evidence_id>/thumbnail")
def thumbnail(reference: str, evidence_id: int) -> Response:
    item = _found(reference, evidence_id)
    if item.thumbnail_key is None:
        abort(404)
    return send_file(store().open(item.thumbnail_key), mimetype="image/jpeg", max_age=0)
