"""The recommendations of an ASB Case Review become tracked actions (issue 14, point 13): each,
with its owner (a group) and due date, is a message into the open case; the diagram's event
subprocess "An ASB Case Review recommendation to carry out" gives the owner's group a task due
that day, and a recommendation not carried out by then goes to the managers and is counted."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

import processes
from casework import steps
from casework.casefile import find_case
from db import timeline
from db.models import Group

MESSAGE = "case_review_action"
LONDON = ZoneInfo("Europe/London")
DUE_AT = time(17, 0)  # the end of the working day the recommendation is due


class Invalid(ValueError):
    """Answers that cannot be taken; ``errors`` says which and why, in plain words."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors


@dataclass(frozen=True)
class Recommendation:
    text: str
    owner: str  # a group's name
    due_on: date


def check(session: Session, recommendation: Recommendation, *, now: datetime) -> dict[str, str]:
    """What is wrong with ``recommendation``, by field."""
    errors: dict[str, str] = {}
    if len(recommendation.text.strip()) < 5:
        errors["recommendation"] = "Write the recommendation (at least 5 characters)."
    groups: dict[str, str] = {name: label for name, label in session.execute(select(Group.name, Group.label))}
    if recommendation.owner not in groups:
        errors["owner"] = "Choose the team that owns it: " + ", ".join(sorted(groups.values())) + "."
    if recommendation.due_on < now.astimezone(LONDON).date():
        errors["due_on"] = "The due date must be today or later."
    return errors


def record(
    session: Session, reference: str, recommendation: Recommendation, *, actor: str, now: datetime
) -> processes.StepResult:
    """Put the recommendation on the timeline and give its owner the task; ``Invalid`` for bad
    answers (nothing is saved), ``Conflict`` when the case is closed."""
    errors = check(session, recommendation, now=now)
    if errors:
        raise Invalid(errors)
    case = find_case(session, reference)
    if case.status != "open":
        raise processes.Conflict(
            f"Case {case.reference} is closed: its recommendations cannot be tracked here."
        )
    due = datetime.combine(recommendation.due_on, DUE_AT, tzinfo=LONDON)
    text = recommendation.text.strip()
    with steps.case_step(session, now=now, by=actor, case=case) as step:
        step.record(
            timeline.CaseReviewRecommendation(
                text, recommendation.owner, f"{recommendation.due_on.day} {recommendation.due_on:%B %Y}"
            )
        )
        payload = {"text": text, "owner": recommendation.owner, "due": due.isoformat()}
        return processes.deliver_message(step, case, MESSAGE, payload, actor=actor, now=now)
