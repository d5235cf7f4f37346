"""Restricting a case to named people, and lifting it, from the case page (supervisors, managers)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

import processes
from casework import case_access, restriction
from db.models import Case
from webapp import storage
from webapp.auth import current_row

bp = Blueprint("restriction", __name__)
Page = Response | tuple[str, int]


@bp.app_template_global("restriction_of")
def _restriction_of(case: Case) -> dict[str, object]:
    """Who may open the case now, and the people a supervisor may name."""
    session = storage.session()
    return {
        "named": case_access.named_people(session, case) if case.restricted else [],
        "choices": case_access.staff_who_may_open_cases(session),
    }


@bp.route("/cases/<reference>/restriction", methods=["POST"])
def restrict(reference: str) -> Page:
    lift = request.form.get("action") == "lift"
    names = None if lift else request.form.getlist("people")
    try:
        people = restriction.set_restriction(
            storage.session(), reference, names, by=current_row(), now=processes.clock.now()
        )
    except case_access.CaseUnknown:
        abort(404)
    except case_access.CaseAccessError as err:
        return render_template("errors/error.html", code=422, message=str(err)), 422
    if lift:
        flash("The restriction is lifted: the case's team can open it again.", "success")
    else:
        flash(
            f"The case is restricted: only {', '.join(u.display_name for u in people)} can open it.",
            "success",
        )
    return redirect(url_for("cases.show", reference=reference, _anchor="restriction"), 303)
