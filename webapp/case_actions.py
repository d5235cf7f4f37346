"""What an officer does to a case from its page: add a person, log another incident, record a
complaint or a request for an ASB Case Review, correct the facts, link cases, put the case on
hold or take it off, cancel it as a duplicate. Each form posts here; the view parses it and calls
the same casework service as the API. A form with something to correct shows the case page again
(422) with the messages linked to the fields and everything typed kept."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from flask import Blueprint, abort, current_app, flash, g, redirect, request, url_for
from werkzeug.wrappers import Response

import processes
from casework import (
    case_events,
    case_people,
    case_review_actions,
    duplicates,
    holds,
    linked_cases,
    people,
    splitting,
)
from casework.casefile import CaseNotFound
from casework.form_errors import Invalid, choice, text
from casework.vocabulary import COMPLAINANTS, COMPLAINT_SUBJECTS, INCIDENT_TYPES, STRANDS
from db.models import PerceptionRuleError
from webapp import cases, storage
from webapp.auth import current_row

bp = Blueprint("case_actions", __name__)
Page = str | Response | tuple[str, int]
DETAILS_MIN, DETAILS_MAX = 5, 10000


@bp.app_template_global("action_form")
def _action_form() -> dict[str, Any]:
    """The case-page form being shown again: its name, its messages and what was typed."""
    return g.get("action_form") or {"form": None, "errors": {}, "values": {}}


@bp.app_template_global("team_choices")
def _team_choices() -> list[tuple[str, str]]:
    return list(people.GROUPS.items())


@bp.app_template_global("typed")
def _typed(form: str, name: str) -> str:
    """What was typed into ``form``'s field ``name`` when the form is shown again, else ''."""
    return next(iter(_typed_all(form, name)), "")


@bp.app_template_global("typed_all")
def _typed_all(form: str, name: str) -> list[str]:
    state = _action_form()
    values: list[str] = state["values"].get(f"{form}-{name}", []) if state["form"] == form else []
    return values


@bp.app_template_global("form_error")
def _form_error(form: str, name: str) -> str | None:
    state = _action_form()
    message: str | None = state["errors"].get(name) if state["form"] == form else None
    return message


def _field(form: str, name: str) -> str:
    return request.form.get(f"{form}-{name}", "")


def _fields(form: str, names: tuple[str, ...]) -> dict[str, object]:
    return {name: _field(form, name) for name in names}


def _again(reference: str, form: str, errors: dict[str, str]) -> Page:
    g.action_form = {"form": form, "errors": errors, "values": request.form.to_dict(flat=False)}
    return cases.show(reference), 422


def _attempt(reference: str, form: str, work: Callable[[], object], done: str, anchor: str) -> Page:
    """Run ``work``; its bad input, a refusal by the process or the perception rule come back as
    messages on the form (field ``details`` when no field is named)."""
    try:
        work()
    except CaseNotFound:
        abort(404)
    except Invalid as err:
        return _again(reference, form, err.errors)
    except PerceptionRuleError as err:
        return _again(reference, form, {"reason" if "needs a reason" in str(err) else "strands": str(err)})
    except processes.ProcessError as err:
        flash(str(err), "error")  # at the top too: a closed case shows no form to hold it
        return _again(reference, form, {"": str(err)})
    flash(done, "success")
    return redirect(url_for("cases.show", reference=reference, _anchor=anchor), 303)


def _details(form: str, what: str) -> str:
    errors: dict[str, str] = {}
    said = text(_field(form, "details"), "details", errors, what=what, least=DETAILS_MIN, most=DETAILS_MAX)
    if errors:
        raise Invalid(errors)
    return said


def _send(reference: str, form: str, what: str, words: str, done: str) -> Page:
    def work() -> object:
        said = _details(form, words)
        user = current_row()
        return case_events.send(
            storage.session(), reference, what, said, actor=user.display_name, now=processes.clock.now()
        )

    return _attempt(reference, form, work, done, "timeline")


@bp.route("/cases/<reference>/incidents", methods=["POST"])
def log_incident(reference: str) -> Page:
    return _send(
        reference, "incident", "incident", "what happened", "The incident is logged; the risk is reassessed."
    )


@bp.route("/cases/<reference>/case-review-requests", methods=["POST"])
def request_case_review(reference: str) -> Page:
    return _send(
        reference,
        "case_review",
        "case_review",
        "what the victim asked for",
        "The case-review request is recorded.",
    )


@bp.route("/cases/<reference>/complaints", methods=["POST"])
def complain(reference: str) -> Page:
    def work() -> object:
        errors: dict[str, str] = {}
        said = text(
            _field("complaint", "details"), "details", errors, what="the complaint", least=5, most=10000
        )
        who = choice(
            _field("complaint", "complainant"), "complainant", errors, COMPLAINANTS, what="who complained"
        )
        name = text(
            _field("complaint", "complainant_name"),
            "complainant_name",
            errors,
            what="their name",
            least=0,
            most=200,
        )
        about = [a for a in request.form.getlist("complaint-about") if a]
        if not about or any(a not in COMPLAINT_SUBJECTS for a in about):
            errors["about"] = "Choose what the complaint is about (one or more)."
        if errors:
            raise Invalid(errors)
        return case_events.complain(
            storage.session(),
            reference,
            said,
            complainant=who,
            complainant_name=name or None,
            about=about,
            actor=current_row().display_name,
            now=processes.clock.now(),
        )

    return _attempt(reference, "complaint", work, "The complaint is recorded.", "timeline")


@bp.route("/cases/<reference>/details", methods=["POST"])
def correct_details(reference: str) -> Page:
    def work() -> object:
        errors: dict[str, str] = {}
        strands = request.form.getlist("details-strands")
        types = request.form.getlist("details-incident_types")
        if not strands or any(s not in STRANDS for s in strands):
            errors["strands"] = "Choose the perceived motivation (one or more): it cannot be removed."
        if any(t not in INCIDENT_TYPES for t in types):
            errors["incident_types"] = "Choose incident types from the list."
        locality = text(
            _field("details", "locality"), "locality", errors, what="the locality", least=0, most=120
        )
        reason = text(_field("details", "reason"), "reason", errors, what="the reason", least=0, most=2000)
        if errors:
            raise Invalid(errors)
        changes = {
            "strands": strands,
            "incident_types": types,
            "locality": locality or None,
            "reason": reason,
        }
        case_events.update_details(
            storage.session(), reference, changes, actor=current_row().display_name, now=processes.clock.now()
        )
        return None

    return _attempt(reference, "details", work, "The facts are corrected.", "report")


@bp.route("/cases/<reference>/case-review-actions", methods=["POST"])
def record_case_review_action(reference: str) -> Page:
    def work() -> object:
        typed_day = _field("review_action", "due_on")
        try:
            due_on = date.fromisoformat(typed_day)
        except ValueError:
            raise Invalid({"due_on": "Enter the due date, for example 2027-01-31."}) from None
        recommendation = case_review_actions.Recommendation(
            _field("review_action", "recommendation"), _field("review_action", "owner"), due_on
        )
        try:
            return case_review_actions.record(
                storage.session(),
                reference,
                recommendation,
                actor=current_row().display_name,
                now=processes.clock.now(),
            )
        except case_review_actions.Invalid as err:
            raise Invalid(err.errors) from err

    return _attempt(reference, "review_action", work, "The recommendation is tracked.", "timeline")


PERSON_FIELDS = (
    "role",
    "name",
    "relation",
    "tenure",
    "address",
    "phone",
    "email",
    "vulnerabilities",
    "communication_needs",
)


@bp.route("/cases/<reference>/people", methods=["POST"])
def add_person(reference: str) -> Page:
    def work() -> object:
        return case_people.add_person(
            storage.session(),
            reference,
            _fields("person", PERSON_FIELDS),
            user=current_row(),
            now=processes.clock.now(),
        )

    return _attempt(reference, "person", work, "The person is added to the case.", "parties")


@bp.route("/cases/<reference>/links", methods=["POST"])
def link(reference: str) -> Page:
    def work() -> object:
        return linked_cases.link(
            storage.session(),
            reference,
            other=_field("link", "other"),
            kind=_field("link", "kind"),
            reason=_field("link", "reason"),
            user=current_row(),
            now=processes.clock.now(),
        )

    return _attempt(reference, "link", work, "The cases are linked.", "links")


@bp.route("/cases/<reference>/hold", methods=["POST"])
def hold(reference: str) -> Page:
    def work() -> object:
        return holds.put_on_hold(
            storage.session(),
            reference,
            reason=_field("hold", "reason"),
            review_on=_field("hold", "review_on"),
            user=current_row(),
            now=processes.clock.now(),
        )

    return _attempt(reference, "hold", work, "The case is on hold.", "links")


@bp.route("/cases/<reference>/hold/end", methods=["POST"])
def end_hold(reference: str) -> Page:
    def work() -> object:
        return holds.take_off_hold(
            storage.session(),
            reference,
            note=_field("unhold", "note"),
            user=current_row(),
            now=processes.clock.now(),
        )

    return _attempt(reference, "unhold", work, "The case is off hold.", "links")


@bp.route("/cases/<reference>/duplicate", methods=["POST"])
def cancel_as_duplicate(reference: str) -> Page:
    def work() -> object:
        return duplicates.cancel_as_duplicate(
            storage.session(),
            reference,
            original=_field("duplicate", "other"),
            reason=_field("duplicate", "reason"),
            user=current_row(),
            now=processes.clock.now(),
        )

    return _attempt(
        reference, "duplicate", work, "The case is closed as a duplicate; its incidents moved.", "links"
    )


@bp.route("/cases/<reference>/incidents/<int:incident_id>/split", methods=["POST"])
def split_incident(reference: str, incident_id: int) -> Page:
    form = f"split-{incident_id}"

    def work() -> object:
        return splitting.split_off(
            storage.session(),
            reference,
            incident_id,
            reason=_field(form, "reason"),
            user=current_row(),
            now=processes.clock.now(),
            acknowledgements_per_address=current_app.config["ACKNOWLEDGEMENTS_PER_ADDRESS"],
        )

    done = "The incident is split off into a case of its own; the two cases are linked."
    return _attempt(reference, form, work, done, "incidents")
