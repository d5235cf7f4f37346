"""What the reporter sees of their own case on the tracking page, in plain words, with nothing
about other people: only the timeline kinds that say what to tell the reporter (``REPORTER``),
their own diary entries, an officer's first name, dates, and the outcome's label."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from db import timeline
from db.models import Case, Task, TaskCandidateGroup, TimelineEvent, Timer, User

# The timers that say when we are next due to contact the reporter (the first response) and,
# when the reporter is the victim, them as the victim (the contact cadence).
REPORTER_TIMERS = ("response_deadline",)
VICTIM_TIMERS = ("response_deadline", "contact_due")
OUTCOMES = {"resolved": "Resolved", "not_resolved": "Not resolved"}
TEAM = "the community safety team"
# The support diagram's choices in words (longest first: victim_support_service before victim_support).
SUPPORT_WORDS = {
    "victim_support_service": "Victim Support",
    "out_of_hours": "out-of-hours support (Assure 24)",
    "victim_support": "victim support",
    "target_hardening": "target hardening (making your home more secure)",
    "cctv": "CCTV",
    "mental_health": "a mental health service",
    "advocacy": "independent advocacy",
    "community_group": "a community or faith group",
}


@dataclass(frozen=True)
class Line:
    """A line of the reporter's timeline: fixed words (``text``, translated on the page); for their
    own diary entry, also what they wrote and when it happened (``day``, ``clock`` as typed, or
    ``happened`` in words for an entry kept before the day was)."""

    at: datetime
    text: str
    said: str | None = None
    day: date | None = None
    clock: str = ""
    happened: str = ""


@dataclass(frozen=True)
class ReporterView:
    reference: str
    reported_at: datetime
    dealt_with_by: str
    next_contact_due: datetime | None
    agreed: list[str]
    closed_at: datetime | None
    outcome: str | None
    open: bool
    lines: list[Line]
    victim: bool


def officer(session: Session, case: Case) -> User | None:
    """The officer dealing with the case: whoever holds its team's newest assigned task (open
    ones first); a supervisor's task (a complaint, a sign-off) does not make them the officer."""
    team_task = (
        select(TaskCandidateGroup.task_id)
        .where(TaskCandidateGroup.group_name == (case.team or "community-safety"))
        .scalar_subquery()
    )
    task = session.scalar(
        select(Task)
        .where(Task.case_id == case.id, Task.assignee_id.is_not(None), Task.id.in_(team_task))
        .order_by((Task.status == "open").desc(), Task.created_at.desc())
        .limit(1)
    )
    return task.assignee if task is not None else None


def first_name(user: User | None) -> str | None:
    name = user.display_name.strip() if user is not None else ""
    return name.split()[0] if name else None


def view_of(session: Session, case: Case, *, victim: bool) -> ReporterView:
    """``victim``: the reporter said it happened to them. Only then are the victim's support and
    contact dates theirs to see; a witness or a third party is not told about the victim."""
    events = list(
        session.scalars(
            select(TimelineEvent)
            .where(TimelineEvent.case_id == case.id)
            .order_by(TimelineEvent.at, TimelineEvent.id)
        )
    )
    due = session.scalar(
        select(Timer.due_at)
        .where(Timer.case_id == case.id, Timer.element_id.in_(VICTIM_TIMERS if victim else REPORTER_TIMERS))
        .order_by(Timer.due_at)
        .limit(1)
    )
    return ReporterView(
        reference=case.reference or "",
        reported_at=case.reported_at,
        dealt_with_by=first_name(officer(session, case)) or TEAM,
        next_contact_due=due if case.status == "open" else None,
        agreed=[_agreed(e) for e in events if victim and e.kind == timeline.SupportAgreed.KIND],
        closed_at=case.closed_at,
        outcome=_outcome(session, case),
        open=case.status == "open",
        lines=[line for e in events if (line := _told(e)) is not None],
        victim=victim,
    )


DIARY = re.compile(r"Diary entry from the reporter \((?P<happened>[^)]*)\): (?P<said>.*)", re.DOTALL)


def _told(event: TimelineEvent) -> Line | None:
    definition = timeline.definition(event.kind)
    if definition is None or definition.REPORTER is None:
        return None
    found = DIARY.match(event.summary) if event.kind == timeline.DiaryEntry.KIND else None
    if found is None:
        return Line(event.at, definition.REPORTER)
    day = (event.details or {}).get("day")
    return Line(
        event.at,
        "Your diary entry",
        said=found["said"],
        day=date.fromisoformat(day) if day else None,
        clock=str((event.details or {}).get("time") or ""),
        happened=found["happened"],
    )


def _agreed(event: TimelineEvent) -> str:
    # The support line is written by the process from the choices made (agencies, measures),
    # never typed: it names no one.
    text = event.summary.removeprefix("Support agreed: ")
    for code, words in SUPPORT_WORDS.items():
        text = re.sub(rf"\b{code}\b", words, text)
    return text


def _outcome(session: Session, case: Case) -> str | None:
    if case.closed_at is None:
        return None
    submitted = session.scalar(
        select(Task.submitted)
        .where(Task.case_id == case.id, Task.element_id == "close_case", Task.status == "completed")
        .order_by(Task.completed_at.desc())
        .limit(1)
    )
    chosen = (submitted or {}).get("outcome")
    return OUTCOMES.get(str(chosen)) if chosen else None
