"""A case on hold: put on hold with a reason and a date to look at it again, taken off hold.
The process runs on meanwhile (its deadlines are the policy's); the hold tells the team why the
case is quiet and when to look again."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework import steps
from casework.casefile import find_case
from casework.form_errors import Invalid, day, text
from db import timeline
from db.models import Case, CaseHold, User
from processes import Conflict

REASON_MIN, REASON_MAX = 5, 2000
# The review falls due at the start of the working day, UK time, on the date chosen.
REVIEW_TIME, LONDON = time(9, 0), ZoneInfo("Europe/London")


def current_hold(session: Session, case: Case) -> CaseHold | None:
    return session.scalar(
        select(CaseHold)
        .where(CaseHold.case_id == case.id, CaseHold.lifted_at.is_(None))
        .order_by(CaseHold.id)
    )


def put_on_hold(
    session: Session, reference: str, *, reason: object, review_on: object, user: User, now: datetime
) -> CaseHold:
    """Put the open case on hold until ``review_on`` (YYYY-MM-DD, after today) for ``reason``."""
    case = find_case(session, reference)
    with steps.case_step(session, now=now, user=user, case=case) as step:
        if case.status != "open":
            raise Conflict(f"Case {case.reference} is closed; only an open case can be put on hold.")
        if current_hold(session, case) is not None:
            raise Conflict(f"Case {case.reference} is already on hold.")
        errors: dict[str, str] = {}
        why = text(
            reason, "reason", errors, what="why the case is on hold", least=REASON_MIN, most=REASON_MAX
        )
        when = day(review_on, "review_on", errors, what="the date to review the hold", after=now.date())
        if errors or when is None:
            raise Invalid(errors)
        hold = CaseHold(
            case_id=case.id,
            reason=why,
            review_at=datetime.combine(when, REVIEW_TIME, tzinfo=LONDON),
            placed_at=now,
            placed_by=step.by,
        )
        session.add(hold)
        step.record(timeline.PutOnHold(f"{when.day} {when:%B %Y}", why))
        step.audit("case-on-hold", subject_type="case", subject=case.reference, detail=f"Review on {when}")
    return hold


def take_off_hold(session: Session, reference: str, *, note: object, user: User, now: datetime) -> CaseHold:
    case = find_case(session, reference)
    with steps.case_step(session, now=now, user=user, case=case) as step:
        hold = current_hold(session, case)
        if hold is None:
            raise Conflict(f"Case {case.reference} is not on hold.")
        errors: dict[str, str] = {}
        said = text(note, "note", errors, what="a note", least=0, most=REASON_MAX)
        if errors:
            raise Invalid(errors)
        hold.lifted_at, hold.lifted_by = now, step.by
        step.record(timeline.TakenOffHold("Taken off hold" + (f": {said}" if said else "")))
        step.audit("case-off-hold", subject_type="case", subject=case.reference)
    return hold
