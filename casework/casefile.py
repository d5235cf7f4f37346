"""What the case page shows: the report, its status, open tasks and the timeline."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

import processes
from db.models import Case, CaseDocument, Referral, Task, TimelineEvent


class CaseNotFound(LookupError):
    pass


@dataclass(frozen=True)
class CaseFile:
    case: Case
    open_tasks: list[processes.TaskView]
    done_tasks: list[Task]
    timeline: list[TimelineEvent]
    referrals: list[Referral]
    documents: list[CaseDocument]

    @property
    def stage(self) -> str:
        if self.case.status == "closed":
            return "Closed"
        return ", ".join(t.title for t in self.open_tasks) or "Waiting"


def find_case(session: Session, reference: str) -> Case:
    case = session.scalar(select(Case).where(Case.reference == reference.strip().upper()))
    if case is None:
        raise CaseNotFound(f"There is no case {reference!r}.")
    return case


def case_file(session: Session, reference: str) -> CaseFile:
    case = find_case(session, reference)
    tasks = list(session.scalars(select(Task).where(Task.case_id == case.id).order_by(Task.created_at)))
    timeline = list(
        session.scalars(
            select(TimelineEvent)
            .where(TimelineEvent.case_id == case.id)
            .order_by(TimelineEvent.at, TimelineEvent.id)
        )
    )
    return CaseFile(
        case,
        [processes.task_view(t) for t in tasks if t.status == "open"],
        [t for t in tasks if t.status == "completed"],
        timeline,
        list(session.scalars(select(Referral).where(Referral.case_id == case.id).order_by(Referral.id))),
        list(
            session.scalars(
                select(CaseDocument).where(CaseDocument.case_id == case.id).order_by(CaseDocument.id)
            )
        ),
    )
