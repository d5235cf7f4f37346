"""The officer's inbox: tasks assigned to me and unassigned tasks of my groups."""

from __future__ import annotations

import math
from dataclasses import dataclass

from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm import Session

import processes
from db.models import Case, Task, TaskCandidateGroup, User

SORTS = {
    "due": (Task.due_at.is_(None), Task.due_at, Task.created_at),
    "-due": (Task.due_at.is_(None), Task.due_at.desc(), Task.created_at),
    "created": (Task.created_at,),
    "-created": (Task.created_at.desc(),),
    "case": (Case.reference,),
    "title": (Task.title,),
}
SCOPES = ("all", "mine", "unassigned")


@dataclass(frozen=True)
class InboxPage:
    items: list[processes.TaskView]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))


def inbox(
    session: Session,
    user: User,
    *,
    scope: str = "all",
    search: str = "",
    sort: str = "due",
    page: int = 1,
    per_page: int = 25,
) -> InboxPage:
    """Open tasks the user can work, sorted by due date (soonest first, undated last)."""
    offered = exists().where(
        TaskCandidateGroup.task_id == Task.id,
        TaskCandidateGroup.group_name.in_(user.group_names or [""]),
    )
    mine = Task.assignee_id == user.id
    unassigned = and_(Task.assignee_id.is_(None), offered)
    visible = {"all": or_(mine, unassigned), "mine": mine, "unassigned": unassigned}[
        scope if scope in SCOPES else "all"
    ]
    query = select(Task).join(Case, Case.id == Task.case_id).where(Task.status == "open", visible)
    if search.strip():
        term = f"%{search.strip()}%"
        query = query.where(
            or_(Case.reference.ilike(term), Task.title.ilike(term), Case.location.ilike(term))
        )
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    page = max(1, page)
    rows = session.scalars(
        query.order_by(*SORTS.get(sort, SORTS["due"])).offset((page - 1) * per_page).limit(per_page)
    )
    return InboxPage([processes.task_view(r) for r in rows], total, page, per_page)
