"""The rest of the case file, beside the report and its tasks (``casework.casefile``): where the
engine stands (who holds each open task, the deadlines running, the news the process can take),
the risk level's history, linked cases, a hold, people's needs, and the words for the codes a
diagram's forms recorded. Read only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

import processes
from casework import case_people, holds, linked_cases
from casework.vocabulary import MESSAGE_LABELS
from db import timeline
from db.models import Case, CaseHold, Task, TimelineEvent, Timer


@dataclass(frozen=True)
class Deadline:
    name: str
    due_at: datetime


@dataclass(frozen=True)
class Overview:
    holders: dict[str, str]  # open task id: the name of the person who holds it
    deadlines: list[Deadline]
    messages: list[str]  # in words
    risk_history: list[TimelineEvent]
    links: list[linked_cases.LinkView]
    hold: CaseHold | None
    needs: dict[int, case_people.Needs]
    words: dict[str, str]  # a diagram's choice ids in words

    @property
    def duplicate_of(self) -> str | None:
        return next((link.reference for link in self.links if link.direction == "duplicate_of"), None)


def _deadline_name(timer: Timer) -> str:
    name = (timer.name or "").strip()
    return name if name and name != timer.element_id else timer.element_id.replace("_", " ").capitalize()


def overview(session: Session, case: Case, now: datetime) -> Overview:
    open_tasks = session.scalars(select(Task).where(Task.case_id == case.id, Task.status == "open"))
    names = {task.id: task.assignee.display_name for task in open_tasks if task.assignee is not None}
    timers = session.scalars(select(Timer).where(Timer.case_id == case.id).order_by(Timer.due_at))
    messages = processes.waiting_messages(case, now)
    risk = session.scalars(
        select(TimelineEvent)
        .where(TimelineEvent.case_id == case.id, TimelineEvent.kind == timeline.RiskRecorded.KIND)
        .order_by(TimelineEvent.at, TimelineEvent.id)
    )
    return Overview(
        holders=names,
        deadlines=[Deadline(_deadline_name(t), t.due_at) for t in timers],
        messages=[MESSAGE_LABELS.get(m, m.replace("_", " ").capitalize()) for m in messages],
        risk_history=list(risk),
        links=linked_cases.links_of(session, case),
        hold=holds.current_hold(session, case),
        needs=case_people.needs_of(session, case),
        words=processes.option_labels(case.process_version),
    )
