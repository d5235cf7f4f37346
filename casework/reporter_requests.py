"""What a reporter does from the tracking page: a diary entry, a request for a call back, a
complaint, a request for an ASB Case Review. Each is on the case's timeline and is something
for the officer to read (a notification to them, or to the case's team when no one holds it).
Complaints and case reviews go through the same services as the API's (``case_events``)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.orm import Session

from casework import audit, case_events, reporter_view, reporters, steps
from db import timeline
from db.models import Case

BY = "The reporter (online)"


def _tell_officer(step: steps.CaseStep, case: Case, message: str) -> None:
    officer = reporter_view.officer(step.session, case)
    reference = case.reference or ""
    if officer is None or not step.notify_person(case.id, reference, officer, message, email=True):
        step.notify_group(case.id, reference, case.team or "community-safety", message, email=True)


def add_diary_entry(
    session: Session,
    case: Case,
    happened: str,
    text: str,
    *,
    ip: str | None,
    now: datetime,
    day: date | None = None,
    clock: str = "",
) -> None:
    """``happened``: when, in words (e.g. "1 December 2026, 14:05"), for the officer; ``day`` and
    ``clock`` (as typed) let the reporter's page write it in their language."""
    with steps.case_step(session, now=now, actor=audit.Actor(None, None, ip), by=BY, case=case) as step:
        step.record(timeline.DiaryEntry(happened, text, day.isoformat() if day else None, clock))
        _tell_officer(step, case, "the reporter added a diary entry: read it on the case's timeline")


def ask_for_call_back(session: Session, case: Case, when: str, *, ip: str | None, now: datetime) -> None:
    with steps.case_step(session, now=now, actor=audit.Actor(None, None, ip), by=BY, case=case) as step:
        step.record(timeline.CallbackRequested(when or "any time"))
        _tell_officer(step, case, "the reporter asked for a call back (see the case's timeline for when)")


def complain(session: Session, case: Case, details: str, about: list[str], *, now: datetime) -> None:
    """Raises ``processes.Conflict`` when the case is not open for a complaint."""
    details_row = _reporter_is(session, case)
    case_events.complain(
        session,
        case.reference or "",
        details,
        complainant="victim" if details_row == "victim" else "reporter",
        complainant_name=None,
        about=about,
        actor=BY,
        now=now,
    )


def ask_for_case_review(session: Session, case: Case, details: str, *, now: datetime) -> None:
    """Raises ``processes.Conflict`` when the case cannot take the request now."""
    case_events.send(session, case.reference or "", "case_review", details, actor=BY, now=now)


def _reporter_is(session: Session, case: Case) -> str | None:
    details = reporters.details_of(session, case.id)
    return details.reporter_is if details is not None else None
