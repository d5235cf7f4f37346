"""Letters on the case page: write one from a template (filled from the case, previewed and
edited before saving), download its PDF, email it to its recipient or record it printed; and
the process owners' pages to edit the templates, with the fields they may use listed."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

import processes
from casework import letters
from casework.casefile import CaseNotFound, find_case
from db.models import Case, CaseDocument
from handlers.letters import FIELDS, RECIPIENTS
from webapp import storage
from webapp.auth import current_row

bp = Blueprint("letters", __name__)
Page = str | Response | tuple[str, int]


@bp.app_context_processor
def _vocabulary() -> dict[str, Any]:
    return {"letter_recipients": RECIPIENTS}


@bp.app_template_global("case_letters")
def _case_letters(case: Case) -> list[CaseDocument]:
    return letters.for_case(storage.session(), case)


@bp.app_template_global("letter_templates")
def _letter_templates() -> list[letters.TemplateInfo]:
    return letters.template_list(storage.session())


@bp.app_template_global("letter_email")
def _letter_email(case: Case, document: CaseDocument) -> str | None:
    return letters.recipient_email(case, document.recipient or "victim")


def _case_or_404(reference: str) -> Case:
    try:
        return find_case(storage.session(), reference)
    except CaseNotFound:
        abort(404)


def _write(
    case: Case, draft: letters.Draft, title: str, text: str, errors: dict[str, str], status: int = 200
) -> Page:
    return render_template(
        "letters/write.html", case=case, draft=draft, title=title, text=text, errors=errors
    ), status


def _draft(reference: str, template: str | None) -> letters.Draft:
    try:
        return letters.draft(
            storage.session(), reference, template, user=current_row(), now=processes.clock.now()
        )
    except (letters.NotFound, CaseNotFound):
        abort(404)


@bp.route("/cases/<reference>/letters/new", methods=["GET"])
def new(reference: str) -> Page:
    case = _case_or_404(reference)
    template = request.args.get("template")
    if not template:
        return render_template("letters/choose.html", case=case)
    try:
        draft = _draft(reference, template)
    except letters.Invalid as err:
        flash(str(err), "error")
        return redirect(url_for("cases.show", reference=case.reference, _anchor="letters"), 303)
    return _write(case, draft, draft.title, draft.text, {})


@bp.route("/cases/<reference>/letters/new", methods=["POST"])
def save(reference: str) -> Page:
    case = _case_or_404(reference)
    template = request.form.get("template", "")
    title = request.form.get("letter-title", "")
    text = request.form.get("letter-text", "")
    try:
        draft = _draft(reference, template)
    except letters.Invalid as err:  # the template in use cannot be filled: say so on the case
        flash(str(err), "error")
        return redirect(url_for("cases.show", reference=case.reference, _anchor="letters"), 303)
    if request.form.get("do") == "preview":
        return _write(case, draft, title, text, {})
    try:
        letters.save(
            storage.session(),
            reference,
            template=template,
            title=title,
            text=text,
            user=current_row(),
            now=processes.clock.now(),
        )
    except letters.Invalid as err:
        return _write(case, draft, title, text, err.errors, 422)
    flash(f"The letter “{title.strip()}” is saved on the case.", "success")
    return redirect(url_for("cases.show", reference=case.reference, _anchor="letters"), 303)


@bp.route("/cases/<reference>/letters/<int:letter_id>/pdf", methods=["GET"])
def download(reference: str, letter_id: int) -> Response:
    try:
        document = letters.letter_of(storage.session(), reference, letter_id)
    except (letters.NotFound, CaseNotFound):
        abort(404)
    name = "".join(c if c.isalnum() else "-" for c in document.title).strip("-").lower() or "letter"
    response = Response(letters.pdf_of(document), mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{reference.upper()}-{name[:60]}.pdf"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/cases/<reference>/letters/<int:letter_id>/send", methods=["POST"])
def send(reference: str, letter_id: int) -> Page:
    try:
        done = letters.send(
            storage.session(),
            reference,
            letter_id,
            how=request.form.get("how"),
            user=current_row(),
            now=processes.clock.now(),
        )
    except (letters.NotFound, CaseNotFound):
        abort(404)
    except (letters.Invalid, processes.Conflict) as err:
        flash(str(err), "error")
    else:
        flash(f"{done}.", "success")
    return redirect(url_for("cases.show", reference=reference.upper(), _anchor="letters"), 303)


# -- the templates (process owners)


@bp.route("/letters/templates", methods=["GET"])
def templates() -> str:
    return render_template("letters/templates.html", templates=letters.template_list(storage.session()))


def _edit_page(
    info: letters.TemplateInfo, values: dict[str, Any], errors: dict[str, str], status: int
) -> Page:
    return render_template(
        "letters/template.html", info=info, values=values, errors=errors, fields=FIELDS
    ), status


@bp.route("/letters/templates/<key>", methods=["GET"])
def edit_template(key: str) -> Page:
    try:
        info = letters.template_info(storage.session(), key)
    except letters.NotFound:
        abort(404)
    return _edit_page(info, {"title": info.title, "body": info.body}, {}, 200)


@bp.route("/letters/templates/<key>", methods=["POST"])
def save_template(key: str) -> Page:
    try:
        info = letters.template_info(storage.session(), key)
    except letters.NotFound:
        abort(404)
    values = {"title": request.form.get("title", ""), "body": request.form.get("body", "")}
    try:
        letters.save_template(storage.session(), key, **values, user=current_row(), now=processes.clock.now())
    except letters.Invalid as err:
        return _edit_page(info, values, err.errors, 422)
    flash(f"The template “{values['title'].strip()}” is saved; new letters use it.", "success")
    return redirect(url_for("letters.templates"), 303)
