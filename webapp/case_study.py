"""A supervisor's page for the anonymised case study of a closed case (policy 11.3): the case's
story beside the form, the study checked for anything identifying on every save."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

import processes
from casework import case_studies, casefile
from webapp import storage
from webapp.auth import current_row

bp = Blueprint("case_study", __name__)
Page = str | Response | tuple[str, int]


@bp.route("/cases/<reference>/case-study", methods=["GET"])
def edit(reference: str) -> Page:
    return _page(reference, None, {})


@bp.route("/cases/<reference>/case-study", methods=["POST"])
def save(reference: str) -> Page:
    values = {name: request.form.get(name, "") for name in ("study-title", "study-text")}
    approve = request.form.get("approve") == "true"
    try:
        case_studies.save(
            storage.session(),
            reference,
            values["study-title"],
            values["study-text"],
            approve=approve,
            user=current_row(),
            now=processes.clock.now(),
        )
    except case_studies.Invalid as err:
        return _page(reference, {**values, "approve": "yes" if approve else ""}, err.errors, 422)
    except casefile.CaseNotFound:
        abort(404)
    flash(
        "The case study is approved for the annual report." if approve else "The draft is saved.", "success"
    )
    return redirect(url_for("case_study.edit", reference=reference), 303)


def _page(reference: str, values: dict[str, str] | None, errors: dict[str, str], status: int = 200) -> Page:
    session = storage.session()
    try:
        file = casefile.case_file(session, reference)
    except casefile.CaseNotFound:
        abort(404)
    study = case_studies.for_case(session, file.case)
    if values is None:
        values = {
            "study-title": study.title if study else "",
            "study-text": study.text if study else "",
            "approve": "yes" if study and study.approved else "",
        }
    return render_template(
        "cases/case_study.html", file=file, case=file.case, study=study, values=values, errors=errors
    ), status
