"""Cancel a case as a duplicate of another: its incidents move to the case it duplicates (on that
case's timeline, and the engine hears of another incident when it is waiting for one), the two are
linked, and the duplicate's process is ended through the engine (its tasks and timers end) and
the case closed as "duplicate of" the other, all in one case step."""

from __future__ import annotations

from contextlib import suppress
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

import processes
from casework import steps
from casework.casefile import find_case
from casework.form_errors import Invalid, text
from casework.linked_cases import REASON_MAX, REASON_MIN, existing, other_case
from casework.vocabulary import DUPLICATE_OF
from db import timeline
from db.models import Case, CaseLink, TimelineEvent, User

INCIDENT = "further_incident"  # the message that tells the other case's process of an incident


def _when(at: datetime) -> str:
    return f"{at.day} {at:%B %Y}"


def incidents_of(session: Session, case: Case) -> list[str]:
    """The incidents reported on ``case``, as the lines the other case's timeline gets: the report
    that opened it, then each further incident (with the day it was reported)."""
    lines = [f"from case {case.reference}, reported {_when(case.reported_at)}: {case.description}"]
    rows = session.scalars(
        select(TimelineEvent)
        .where(TimelineEvent.case_id == case.id, TimelineEvent.kind == timeline.FurtherIncident.KIND)
        .order_by(TimelineEvent.at, TimelineEvent.id)
    )
    prefix = timeline.FurtherIncident.TITLE + ": "
    lines += [
        f"from case {case.reference}, reported {_when(row.at)}: {row.summary.removeprefix(prefix)}"
        for row in rows
    ]
    return lines


def cancel_as_duplicate(
    session: Session, reference: str, *, original: object, reason: object, user: User, now: datetime
) -> Case:
    """Close case ``reference`` as a duplicate of case ``original`` (a reference); returns that case."""
    case = find_case(session, reference)
    with steps.case_step(session, now=now, user=user, case=case) as step:
        if case.status != "open":
            raise processes.Conflict(
                f"Case {case.reference} is not open; only an open case can be cancelled."
            )
        errors: dict[str, str] = {}
        target = other_case(session, case, original, user, errors)
        why = text(reason, "reason", errors, what="why it is a duplicate", least=REASON_MIN, most=REASON_MAX)
        if target is not None and target.status != "open":
            errors["other"] = (
                f"Case {target.reference} is closed: a duplicate's incidents move to an open case."
            )
        if errors or target is None:
            raise Invalid(errors)
        step.lock(target.id)
        moved = incidents_of(session, case)
        for line in moved:
            step.record(timeline.IncidentsMoved(line), case=target)
        # When the other case is not waiting for news of an incident, its timeline has them.
        with suppress(processes.Conflict):
            processes.deliver_message(step, target, INCIDENT, {}, actor=step.by, now=now)
        row = existing(session, case, target)
        if row is None:
            session.add(
                CaseLink(
                    case_id=case.id,
                    other_case_id=target.id,
                    kind=DUPLICATE_OF,
                    reason=why,
                    created_at=now,
                    created_by=step.by,
                )
            )
        else:
            row.case_id, row.other_case_id, row.kind, row.reason = case.id, target.id, DUPLICATE_OF, why
        step.record(timeline.ClosedAsDuplicate(target.reference or "", len(moved)))
        step.record(timeline.CasesLinked(case.reference or "", "Duplicate", why), case=target)
        processes.end_case(step, case, actor=step.by, now=now)
        step.audit(
            "case-duplicate",
            subject_type="case",
            subject=case.reference,
            detail=f"Closed as a duplicate of case {target.reference}; {len(moved)} incident(s) moved",
        )
    return target
