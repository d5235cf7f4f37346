"""Which cases a person may open, and restricting a case to named people (policy section 9).

- A restricted case (a colleague is a party, say) opens only for the people named on it,
  whatever their role.
- Otherwise managers and admins open any case; everyone else opens the cases of their team
  (a case's ``team`` is one of their groups), the cases they work on (a task of the case
  is, or was, theirs) and the cases they keyed in at staff intake.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import and_, exists, false, or_, select
from sqlalchemy.orm import Session

import processes
from casework.permissions import Permission, allows
from db.models import Case, CaseAccess, Task, User


class CaseAccessError(ValueError):
    """A change to who may open a case that cannot be made (the message says why)."""


class CaseUnknown(LookupError):
    """No case has that reference."""


def not_hidden(user: User) -> Any:
    """A condition on ``Case`` that only hides restricted cases ``user`` is not named on (the inbox:
    tasks are offered by group, and a restricted case's tasks go to its named people only)."""
    return not_hidden_from(user.id)


def not_hidden_from(user_id: int) -> Any:
    named = exists().where(CaseAccess.case_id == Case.id, CaseAccess.user_id == user_id)
    return or_(Case.restricted.is_(False), named)


def openable_by(user: User) -> Any:
    """The rules of the module docstring as a condition on ``Case``, for a list of cases (the
    cases search): the same answer as ``may_open`` for every case, in one query."""
    # Uncorrelated subqueries: each is read once per query, not once per case.
    named = Case.id.in_(select(CaseAccess.case_id).where(CaseAccess.user_id == user.id))
    if not allows(user.role, Permission.OPEN_CASES):
        return and_(Case.restricted.is_(True), named)
    if allows(user.role, Permission.OPEN_ALL_CASES):
        return or_(Case.restricted.is_(False), named)
    works_on = Case.id.in_(worked_on_by(user.id))
    team = Case.team.in_(user.group_names) if user.group_names else false()
    mine = or_(team, works_on, Case.keyed_by_id == user.id)
    return or_(and_(Case.restricted.is_(False), mine), and_(Case.restricted.is_(True), named))


def worked_on_by(user_id: int) -> Any:
    """Ids of the cases where a task is, or was, the person's (held or completed)."""
    held = select(Task.case_id).where(Task.assignee_id == user_id)
    return held.union(select(Task.case_id).where(Task.completed_by_id == user_id))


def may_open_reference(session: Session, user: User, reference: str) -> bool | None:
    """Whether ``user`` may open the case ``reference``; None when there is no such case (the view
    then answers 404). One primary-key lookup in the common cases, the rules applied in Python."""
    row = session.execute(
        select(Case.id, Case.restricted, Case.team).where(Case.reference == reference)
    ).one_or_none()
    return None if row is None else _may_open(session, user, row.id, row.restricted, row.team)


def may_work_on_task(session: Session, user: User, task_id: str) -> bool | None:
    """Whether ``user`` may open or work a task; None when there is no such task. A task opens for
    whoever may open its case, and for the people it is offered to or held by (a process model's
    groups need not match a team), unless its case is restricted to others. The task is read as
    a step on it reads it, so a step that follows in the same transaction reads nothing again."""
    try:
        task = processes.get_task(session, task_id)
    except processes.TaskNotFound:
        return None
    case = task.case
    offered = bool(set(task.group_names) & set(user.group_names))
    if not case.restricted and (offered or task.assignee_id == user.id):
        return True
    return _may_open(session, user, case.id, case.restricted, case.team)


def may_open(session: Session, user: User, case: Case) -> bool:
    """Whether ``user`` may open ``case`` (a row already loaded): the one rule, for lists."""
    return _may_open(session, user, case.id, case.restricted, case.team)


def may_open_id(session: Session, user: User, case_id: int) -> bool:
    case = session.get(Case, case_id)
    return case is not None and may_open(session, user, case)


def opener(session: Session, user: User) -> Callable[[int], bool]:
    """``case id -> may user open it``, by the one rule above, each case looked up once: for
    filtering a list of cases (heatmap, audit log, subject access) after the query."""
    seen: dict[int, bool] = {}

    def opens(case_id: int) -> bool:
        if case_id not in seen:
            seen[case_id] = may_open_id(session, user, case_id)
        return seen[case_id]

    return opens


def restricted_note(count: int) -> str | None:
    """What a list or export says of the ``count`` cases it left out because they are restricted."""
    if count == 0:
        return None
    if count == 1:
        return "1 case is restricted: ask a person named on it."
    return f"{count} cases are restricted: ask a person named on each."


def _may_open(session: Session, user: User, case_id: int, restricted: bool, team: str | None) -> bool:
    """The rules of the module docstring, for one case whose restriction and team are read."""
    if restricted:
        return session.get(CaseAccess, (case_id, user.id)) is not None
    if not allows(user.role, Permission.OPEN_CASES):
        return False
    if allows(user.role, Permission.OPEN_ALL_CASES) or (team is not None and team in user.group_names):
        return True
    works_on = select(Task.id).where(
        Task.case_id == case_id, or_(Task.assignee_id == user.id, Task.completed_by_id == user.id)
    )
    if session.scalar(works_on.limit(1)) is not None:
        return True
    # The colleague who keyed a report taken by phone, in person... opens the case they recorded.
    return session.scalar(select(Case.id).where(Case.id == case_id, Case.keyed_by_id == user.id)) is not None


def case_called(session: Session, reference: str) -> Case | None:
    return session.scalar(select(Case).where(Case.reference == reference))


def named_people(session: Session, case: Case) -> list[User]:
    rows = session.scalars(select(CaseAccess).where(CaseAccess.case_id == case.id))
    return sorted((row.user for row in rows), key=lambda u: u.display_name)


def staff_who_may_open_cases(session: Session) -> list[User]:
    """Active people whose role opens cases: the choices for a restricted case's list."""
    users = session.scalars(select(User).where(User.active.is_(True)).order_by(User.display_name))
    return [user for user in users if allows(user.role, Permission.OPEN_CASES)]
