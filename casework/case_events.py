"""Things that happen to an open case from outside its process: another incident, a request for
an ASB Case Review, a complaint about how it was handled. Each is a BPMN message into the
running case (no new case is opened: the TSM counting rule), and each commits on its own."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

import processes
from casework.casefile import find_case
from db.models import TimelineEvent

MESSAGES = {
    "incident": ("further_incident", "Another incident reported"),
    "case_review": ("case_review_requested", "ASB Case Review requested"),
    "complaint": ("complaint_received", "Complaint about the handling of the case"),
}


def send(
    session: Session, reference: str, what: str, details: str, *, actor: str, now: datetime
) -> processes.StepResult:
    """Deliver the message for ``what`` (incident, case_review, complaint) into the open case."""
    message, title = MESSAGES[what]
    case = find_case(session, reference)
    if case.status != "open":
        raise processes.Conflict(
            f"Case {case.reference} is closed. A new report opens a new case; a complaint about a "
            "closed case goes to the complaints team."
        )
    try:
        session.add(
            TimelineEvent(case_id=case.id, at=now, kind=what, actor=actor, summary=f"{title}: {details}")
        )
        result = processes.deliver_message(session, case, message, {}, actor=actor, now=now)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return result


def update_details(
    session: Session, reference: str, changes: dict[str, Any], *, actor: str, now: datetime
) -> None:
    """Correct a case's strands, incident types or locality. The perception rule holds: the
    motivation can be added to or corrected, never removed (``PerceptionRuleError``)."""
    case = find_case(session, reference)
    try:
        for key in ("strands", "incident_types", "locality"):
            if key in changes and changes[key] != getattr(case, key):
                setattr(case, key, changes[key])
                session.add(
                    TimelineEvent(
                        case_id=case.id,
                        at=now,
                        kind="details",
                        actor=actor,
                        summary=f"Changed {key.replace('_', ' ')}",
                        details={key: changes[key]},
                    )
                )
        session.commit()
    except BaseException:
        session.rollback()
        raise
