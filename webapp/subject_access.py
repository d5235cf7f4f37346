"""Subject access (managers and admins): search for a person, choose the matches that are them,
download everything held about them as JSON or as a printable HTML page. The search and the
export are written to the audit log by ``casework.subject_access``."""

from __future__ import annotations

import json
import re
from typing import Any

from flask import Blueprint, Response, render_template, request

import processes
from casework import audit, consents, subject_access
from webapp import storage
from webapp.auth import current_row

bp = Blueprint("subject_access", __name__)
Page = str | Response | tuple[str, int]


def _terms(source: Any) -> dict[str, str]:
    return {name: str(source.get(name, "")).strip()[:200] for name in subject_access.SEARCH_FIELDS}


def _actor() -> audit.Actor:
    return audit.Actor.of(current_row(), request.remote_addr)


@bp.route("/subject-access")
def index() -> Page:
    terms = _terms(request.args)
    return _page(terms, searched=any(terms.values()))


def _page(
    terms: dict[str, str],
    *,
    searched: bool,
    chosen: list[str] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Page:
    found = subject_access.Found([])
    errors = dict(errors or {})
    if searched:
        try:
            found = subject_access.search(
                storage.session(),
                dict(terms),
                viewer=current_row(),
                actor=_actor(),
                now=processes.clock.now(),
            )
        except consents.Invalid as err:
            errors.update(err.errors)
            status = 422
    return render_template(
        "subject_access/index.html",
        terms=terms,
        searched=searched,
        matches=found.matches,
        restricted_note=found.note,
        chosen=chosen or [],
        errors=errors,
        withheld=subject_access.WITHHELD,
    ), status


@bp.route("/subject-access/export", methods=["POST"])
def export() -> Page:
    keys = request.form.getlist("who")
    kind = "html" if request.form.get("format") == "html" else "json"
    try:
        data = subject_access.export(
            storage.session(),
            keys,
            viewer=current_row(),
            actor=_actor(),
            now=processes.clock.now(),
            format=kind,
        )
    except consents.Invalid as err:
        return _page(_terms(request.form), searched=True, chosen=keys, errors=err.errors, status=422)
    stem = "subject-access-" + (
        re.sub(r"[^a-z0-9]+", "-", " ".join(data["names"]).lower()).strip("-") or "person"
    )
    if kind == "html":
        body = render_template("subject_access/export.html", data=data)
        mimetype, name = "text/html", f"{stem}.html"
    else:
        body = json.dumps(data, indent=2, ensure_ascii=False)
        mimetype, name = "application/json", f"{stem}.json"
    return Response(
        body,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"},
    )
