"""The modeller, for process owners and administrators: every process and version (who, when,
open cases), the bpmn-js modeller with the Camunda 7 properties panel, validate and deploy from
the browser, upload a .bpmn file, download any version, compare two versions, and move open
cases to the latest version (and back)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from flask import Blueprint, Response, abort, flash, jsonify, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

import processes
from casework import case_moves
from casework import process_models as service
from webapp import storage
from webapp.auth import current_row

bp = Blueprint("modeller", __name__, url_prefix="/modeller")
Page = str | BaseResponse | tuple[str, int]
# Uploaded XML could hold an XHTML script; a browser opening it must not run it on this site.
SAFE_XML = {"Content-Security-Policy": "default-src 'none'; sandbox", "X-Content-Type-Options": "nosniff"}


def _catalogue_page(
    problems: list[processes.Problem] | None = None,
    status: int = 200,
    warnings: list[processes.Problem] | None = None,
) -> tuple[str, int]:
    return render_template(
        "modeller/index.html",
        models=service.catalogue(storage.session()),
        problems=problems or [],
        warnings=warnings or [],
    ), status


@bp.route("/")
def index() -> Page:
    return _catalogue_page()


@bp.route("/upload", methods=["POST"])
def upload() -> Page:
    """Deploy a .bpmn file chosen on the list page (works without JavaScript)."""
    request.max_content_length = service.MAX_BYTES + 100_000  # the file and the form around it
    file = request.files.get("file")
    if file is None or not file.filename:
        return _catalogue_page([processes.Problem("Choose a .bpmn file to upload.")], 422)
    try:
        deployment = service.deploy(
            storage.session(), file.read(service.MAX_BYTES + 1), user=current_row(), filename=file.filename
        )
    except processes.InvalidDiagram as err:
        return _catalogue_page(err.problems, 422, err.warnings)
    if deployment.created:
        flash(f"Deployed {deployment.name} version {deployment.version}.", "success")
    else:
        flash(f"Nothing changed: the file is the same as version {deployment.version}.", "success")
    for warning in deployment.warnings:
        flash(f"Warning: {warning.message}", "warning")
    return redirect(url_for("modeller.index"), 303)


@bp.route("/<key>")
def edit(key: str) -> Page:
    try:
        model = service.find_process(storage.session(), key)
    except processes.UnknownProcess:
        abort(404)
    return render_template("modeller/edit.html", model=model)


@bp.route("/<key>/versions/<int:version>.bpmn")
def download(key: str, version: int) -> Response:
    try:
        number, xml = service.version_xml(storage.session(), key, version)
    except processes.UnknownProcess:
        abort(404)
    inline = request.args.get("inline") == "1"
    disposition = "inline" if inline else f'attachment; filename="{key}-v{number}.bpmn"'
    return Response(xml, mimetype="application/xml", headers={"Content-Disposition": disposition, **SAFE_XML})


@bp.route("/<key>/compare")
def compare(key: str) -> Page:
    try:
        model = service.find_process(storage.session(), key)
    except processes.UnknownProcess:
        abort(404)
    numbers = {v.version for v in model.versions}
    newer = request.args.get("new", type=int) or model.latest.version
    older = request.args.get("old", type=int) or newer - 1
    if newer not in numbers or older not in numbers:
        abort(404)
    changes = service.changes(storage.session(), key, older, newer)
    return render_template("modeller/compare.html", model=model, old=older, new=newer, changes=changes)


@bp.route("/changes", methods=["POST"])
def changes() -> tuple[Response, int]:
    """What deploying the posted diagram would change against the version new cases start on:
    the Deploy button's confirmation."""
    try:
        proposed = service.proposed(storage.session(), _posted_xml())
    except processes.InvalidDiagram as err:
        return _json_problems(err, "The diagram cannot be compared.")
    except service.UnreadableDiagram as err:
        return jsonify({"message": str(err), "errors": [{"message": str(err)}]}), 422
    body: dict[str, Any] = {
        "key": proposed.key,
        "current_version": proposed.current,
        "next_version": proposed.next_version,
        "new_process": proposed.changes is None,
        "same": proposed.changes is not None and proposed.changes.same,
        "elements": [],
        "layout": [],
    }
    if proposed.changes is not None:
        body.update(proposed.changes.as_dict())
    return jsonify(body), 200


@bp.route("/<key>/rollback", methods=["POST"])
def roll_back(key: str) -> Page:
    """Roll back to the previous version: first a page asking to confirm, then (``confirmed``) the
    rollback itself. Works without JavaScript."""
    session = storage.session()
    try:
        model = service.find_process(session, key)
    except processes.UnknownProcess:
        abort(404)
    if request.form.get("confirmed") != "yes":
        return render_template("modeller/rollback.html", model=model)
    try:
        done = service.roll_back(session, key, user=current_row())
    except service.CannotRollBack as err:
        flash(str(err), "error")
    else:
        flash(
            f"Rolled back {done.name}: new cases start on version {done.current} again. Cases already on "
            f"version {done.withdrawn} stay on it until they are moved.",
            "success",
        )
    return redirect(url_for("modeller.index"), 303)


def _json_problems(err: processes.InvalidDiagram, message: str) -> tuple[Response, int]:
    return jsonify(
        {
            "message": message,
            "errors": [p.as_dict() for p in err.problems],
            "warnings": [w.as_dict() for w in err.warnings],
        }
    ), 422


def _posted_xml() -> bytes:
    request.max_content_length = service.MAX_BYTES
    return request.get_data()


@bp.route("/validate", methods=["POST"])
def validate() -> tuple[Response, int]:
    """The modeller's Validate button: every deploy check, nothing deployed."""
    try:
        checked = service.validate(storage.session(), _posted_xml())
    except processes.InvalidDiagram as err:
        return _json_problems(err, "The diagram has problems; fix them before deploying.")
    return jsonify(
        {
            "valid": True,
            "key": checked.key,
            "name": checked.name,
            "errors": [],
            "warnings": [w.as_dict() for w in checked.warnings],
        }
    ), 200


@bp.route("/deploy", methods=["POST"])
def deploy() -> tuple[Response, int]:
    """The modeller's Deploy button: check, then store as the next version."""
    try:
        deployment = service.deploy(storage.session(), _posted_xml(), user=current_row())
    except processes.InvalidDiagram as err:
        return _json_problems(err, "Not deployed: the diagram has problems.")
    body: dict[str, Any] = {
        "key": deployment.key,
        "name": deployment.name,
        "version": deployment.version,
        "created": deployment.created,
        "url": url_for("modeller.index"),
        "errors": [],
        "warnings": [w.as_dict() for w in deployment.warnings],
    }
    return jsonify(body), 201 if deployment.created else 200


def _wants_json() -> bool:
    return request.is_json or request.accept_mimetypes.best == "application/json"


@bp.route("/<key>/migrate", methods=["GET"])
def migrate_preview(key: str) -> Page:
    """Which open cases can move to the latest version, which cannot and why; recent moves."""
    session = storage.session()
    try:
        model = service.find_process(session, key)
    except processes.UnknownProcess:
        abort(404)
    return render_template(
        "modeller/migrate.html",
        model=model,
        checks=case_moves.preview(session, key, now=processes.clock.now()),
        recent=case_moves.recent_moves(session, key),
    )


@bp.route("/<key>/migrate", methods=["POST"])
def migrate(key: str) -> Page | tuple[Response, int]:
    """Move the chosen cases (form field ``reference``, or JSON ``{"references": [...]}``)."""
    payload = request.get_json(silent=True) if request.is_json else None
    references = (
        payload.get("references", []) if isinstance(payload, dict) else request.form.getlist("reference")
    )
    if not isinstance(references, list) or not all(isinstance(r, str) for r in references):
        return jsonify({"message": 'Send {"references": ["HC-..."]}.'}), 422
    try:
        outcomes = case_moves.move_cases(
            storage.session(), key, references, user=current_row(), now=processes.clock.now()
        )
    except processes.UnknownProcess:
        abort(404)
    if _wants_json():
        return jsonify({"outcomes": [asdict(o) for o in outcomes]}), 200
    moved = sum(o.moved for o in outcomes)
    flash(f"Moved {moved} of {len(outcomes)} case{'s' if len(outcomes) != 1 else ''}.", "success")
    for outcome in outcomes:
        if not outcome.moved:
            flash(outcome.message, "error")
    return redirect(url_for("modeller.migrate_preview", key=key), 303)


@bp.route("/cases/<reference>/move-back", methods=["POST"])
def move_back(reference: str) -> Page:
    session = storage.session()
    key = request.form.get("key", "")
    try:
        case_moves.undo_move(session, reference, user=current_row(), now=processes.clock.now())
    except case_moves.NotMovable as err:
        flash(str(err), "error")
    except LookupError:
        abort(404)
    else:
        flash(f"{reference.upper()} is back on the version it ran before.", "success")
    target = url_for("modeller.migrate_preview", key=key) if key else url_for("modeller.index")
    return redirect(target, 303)
