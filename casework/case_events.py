"""Things that happen to an open case from outside its process: another incident, a request for
an ASB Case Review, a complaint about how it was handled. Each is a BPMN message into the
running case (no new case is opened: the TSM counting rule), each in a case step of its own."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

import processes
from casework import localities, steps
from casework.casefile import find_case
from casework.vocabulary import COMPLAINANTS, COMPLAINT_SUBJECTS
from db import timeline

# What each is: the BPMN message it sends, and its timeline event.
MESSAGES: dict[str, tuple[str, type[timeline.FurtherIncident]]] = {
    "incident": ("further_incident", timeline.FurtherIncident),
    "case_review": ("case_review_requested", timeline.CaseReviewRequested),
    "complaint": ("complaint_received", timeline.ComplaintReceived),
    "contact": ("contact_recorded", timeline.ContactRecorded),
}
# Recorded even when the case is not waiting for its message: a contact before the contact
# cadence starts (before support is agreed) is still a contact; there is just nothing to restart.
KEPT_WHEN_NOT_WAITING = {"contact"}


def send(
    session: Session, reference: str, what: str, details: str, *, actor: str, now: datetime
) -> processes.StepResult:
    """Deliver the message for ``what`` (incident, case_review, complaint, contact) into the
    open case."""
    message, event = MESSAGES[what]
    case = find_case(session, reference)
    if case.status != "open":
        raise processes.Conflict(
            f"Case {case.reference} is closed. A new report opens a new case; a complaint about a "
            "closed case goes to the complaints team."
        )
    with steps.case_step(session, now=now, by=actor, case=case) as step:
        step.record(event(details))
        try:
            return processes.deliver_message(step, case, message, {}, actor=actor, now=now)
        except processes.Conflict:
            if what not in KEPT_WHEN_NOT_WAITING:
                raise
            return processes.step_result(session, case)


def complain(
    session: Session,
    reference: str,
    details: str,
    *,
    complainant: str,
    complainant_name: str | None,
    about: list[str],
    actor: str,
    now: datetime,
) -> processes.StepResult:
    """Record a complaint about how the case was handled: who made it (``COMPLAINANTS``, and their
    name if given) and what it is about (``COMPLAINT_SUBJECTS``); the complaint's tasks see both."""
    case = find_case(session, reference)
    if case.status != "open":
        raise processes.Conflict(
            f"Case {case.reference} is closed: a complaint about a closed case goes to the complaints team."
        )
    who = COMPLAINANTS[complainant].lower() + (f", {complainant_name.strip()}" if complainant_name else "")
    subjects = tuple(COMPLAINT_SUBJECTS[a] for a in dict.fromkeys(about))
    with steps.case_step(session, now=now, by=actor, case=case) as step:
        step.record(timeline.ComplaintReceived(details, who, subjects))
        payload = {"complainant": complainant, "complaint_about": list(dict.fromkeys(about))}
        return processes.deliver_message(step, case, "complaint_received", payload, actor=actor, now=now)


def update_details(
    session: Session, reference: str, changes: dict[str, Any], *, actor: str, now: datetime
) -> None:
    """Correct a case's strands, incident types or locality. The perception rule holds: the
    motivation is never removed, and any change to it needs ``changes["reason"]``, keeps the
    strands as first perceived and is on the timeline (``PerceptionRuleError`` otherwise)."""
    case = find_case(session, reference)
    with steps.case_step(session, now=now, by=actor, case=case) as step:
        if "strands" in changes and list(changes["strands"]) != list(case.strands):
            before = list(case.strands)
            original = case.change_strands(changes["strands"], changes.get("reason") or "")
            step.record(
                timeline.StrandsChanged(before, list(case.strands), changes["reason"].strip(), original)
            )
        for key in ("incident_types", "locality"):
            if key in changes and changes[key] != getattr(case, key):
                setattr(case, key, changes[key])
                step.record(timeline.DetailsChanged(key, changes[key]))
        if "locality" in changes:  # a name on the admins' list points the case to that locality
            found = localities.called(session, case.locality)
            case.locality_id = found.id if found is not None else None
            case.locality = found.name if found is not None else case.locality
