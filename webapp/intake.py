"""Staff intake (``/intake``): a colleague records a report taken by phone, the out-of-hours line,
email, letter, in person or social media, on the reporter's behalf. The case starts through the
same path as a public report (``casework.reports.submit``: never lost, even when its process
cannot start), records who keyed it, and opens for them."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

import processes
from casework import further_reports, intake, localities, reports
from casework.vocabulary import CHANNELS, INCIDENT_TYPES, PARTY_ROLES, RELATIONS, STRANDS, TENURES
from webapp import intake_form, storage
from webapp.auth import current_row

bp = Blueprint("intake", __name__)
Page = str | Response | tuple[str, int]


def _render(
    values: dict[str, Any], errors: dict[str, str], status: int = 200, problem: str | None = None
) -> tuple[str, int]:
    return render_template(
        "intake/form.html",
        values=values,
        errors=errors,
        problem=problem,
        channels=CHANNELS,
        incident_types=INCIDENT_TYPES,
        strands=STRANDS,
        locality_options=[(str(found.id), found.name) for found in localities.active(storage.session())],
        roles=PARTY_ROLES,
        relations=RELATIONS,
        tenures=TENURES,
        recent=intake.recently_keyed(storage.session(), current_row()),
    ), status


@bp.route("/intake")
def form() -> Page:
    return _render(intake_form.blank(), {})


@bp.route("/intake/people", methods=["POST"])
def people() -> Page:
    """ "Add another person" or "Remove person n": the form again, everything typed kept (its
    buttons post here, so changing the rows saves nothing and is no edit in the audit log)."""
    values = intake_form.submitted(request.form)
    removed = request.form.get("remove_party", "")
    if removed.isdigit():
        del values["parties"][int(removed) : int(removed) + 1]
        values["parties"] = values["parties"] or [intake_form.blank_party()]
    else:
        values["parties"].append(intake_form.blank_party())
    return _render(values, {})


@bp.route("/intake", methods=["POST"])
def submit() -> Page:
    values = intake_form.submitted(request.form)
    data, errors = intake_form.checked(values, localities.active(storage.session()))
    if data is None:
        return _render(values, errors, 422)
    user = current_row()
    try:
        result = further_reports.submit(
            storage.session(),
            reports.Report(**data, keyed_by_id=user.id, keyed_by_name=user.display_name),
            now=processes.clock.now(),
            acknowledgements_per_address=current_app.config["ACKNOWLEDGEMENTS_PER_ADDRESS"],
            user=user,
        )
    except processes.ProcessError:
        problem = (
            "The report could not be saved just now. Nothing is lost on this page: please send it again."
        )
        return _render(values, {}, 500, problem)
    if isinstance(result, further_reports.Matched):
        flash(f"Report added as another incident on open case {result.case_reference}.", "success")
    else:
        flash(f"Report recorded as case {result.case_reference}.", "success")
    return redirect(url_for("cases.show", reference=result.case_reference), 303)
