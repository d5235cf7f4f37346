"""Stuck and overdue work, for supervisors and managers.

The lists, each with its count:

- ``overdue``: open tasks past their due time;
- ``unclaimed``: open tasks nobody has taken, older than ``unclaimed_hours``;
- ``idle``: open cases where no person has done anything for ``idle_days``. Entries written by
  the system (a timer firing, a task created, a notification) do not count as activity: the
  contact loop's own escalations would otherwise hide a case nobody is working. The case's
  ``last_activity_at`` holds its last person's entry (a trigger keeps it, migration 0025);
- ``dead_end``: open cases waiting on nothing: no open task and no timer. (Every open case also
  accepts the further-incident, case-review and complaint messages, so those are not waits; a
  diagram that waited on a message in its main flow would show here too.)

- ``overdue_actions``: open actions of the case action plans past their due day
  (``casework.actions``), with their owner as the officer.

- ``not_started``: reports kept although the deployed diagram failed as their process started
  (``casework.reports.keep_unstarted``), with the engine's words; a supervisor starts each on
  another version (``casework.unstarted``).

- ``failed``: open cases whose background step (a timer firing) failed: the step was rolled back,
  the error is kept in plain words, and the case waits for someone to retry it (or, for an
  administrator, to skip the failing step). A failed step a person takes (completing a form) is
  rolled back and shown to that person at once, so it never waits here.

Filters: team (a task's candidate group), officer (who holds a task), locality, risk level and
stage (a task's BPMN element). For the case lists, team, officer and stage match a case with an
open task of that kind, so a dead-end case (no open task) never matches them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, case, exists, false, func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from casework import case_access
from casework.reports import NOT_STARTED
from db.models import (
    Case,
    CaseAction,
    ProcessVersion,
    Task,
    TaskCandidateGroup,
    Timer,
    User,
)

KINDS = {
    "overdue": "Past their due time",
    "unclaimed": "Not taken by anyone",
    "idle": "No activity",
    "dead_end": "Waiting on nothing",
    "failed": "A step failed",
    "not_started": "Could not start",
    "overdue_actions": "Actions past their day",
}
SORTS = ("since", "-since", "case", "locality", "risk")
SYSTEM = "system"


@dataclass(frozen=True)
class Thresholds:
    unclaimed_hours: int = 24
    idle_days: int = 14


@dataclass(frozen=True)
class StuckFilters:
    team: str | None = None
    officer: str | None = None
    locality: str | None = None
    risk_level: str | None = None
    stage: str | None = None
    # Whose lists these are: restricted cases they are not named on are left out.
    viewer_id: int | None = None


@dataclass(frozen=True)
class StuckItem:
    kind: str
    case_reference: str
    reason: str
    since: datetime | None
    locality: str | None
    risk_level: str | None
    task_id: str | None = None
    task_title: str | None = None
    stage: str | None = None
    teams: tuple[str, ...] = ()
    officer: str | None = None
    process_key: str | None = None  # a case that could not start: the process to start it on


@dataclass(frozen=True)
class StuckPage:
    kind: str
    counts: dict[str, int]
    items: list[StuckItem]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))


@dataclass(frozen=True)
class Options:
    teams: list[str]
    officers: list[tuple[str, str]]
    localities: list[str]
    stages: list[tuple[str, str]]


def stuck_work(
    session: Session,
    *,
    now: datetime,
    kind: str = "overdue",
    filters: StuckFilters = StuckFilters(),
    thresholds: Thresholds = Thresholds(),
    sort: str = "since",
    page: int = 1,
    per_page: int = 25,
) -> StuckPage:
    """The counts of every list, and one page of the ``kind`` list."""
    queries = {k: _query(k, filters, thresholds, now) for k in KINDS}
    # Every list's count in one statement: one round trip for the page, not one per list.
    counted = [select(func.count()).select_from(q.subquery()).scalar_subquery() for q in queries.values()]
    counts = dict(zip(queries, (n or 0 for n in session.execute(select(*counted)).one()), strict=True))
    page = max(1, page)
    chosen = queries[kind].order_by(*_order(kind, sort)).offset((page - 1) * per_page).limit(per_page)
    items = [_item(kind, row, thresholds) for row in session.execute(chosen)]
    _add_teams(session, items)
    return StuckPage(kind, counts, items, counts[kind], page, per_page)


def options(session: Session) -> Options:
    """What the filters offer: teams with open tasks, officers, localities, open stages."""
    return Options(
        teams=sorted(
            session.scalars(
                select(TaskCandidateGroup.group_name)
                .join(Task, Task.id == TaskCandidateGroup.task_id)
                .where(Task.status == "open")
                .distinct()
            )
        ),
        officers=[
            (u, n)
            for u, n in session.execute(
                select(User.username, User.display_name).where(User.active).order_by(User.display_name)
            )
        ],
        localities=sorted(
            session.scalars(
                select(Case.locality).where(Case.status == "open", Case.locality.is_not(None)).distinct()
            )
        ),
        stages=sorted(
            {
                (e, t)
                for e, t in session.execute(select(Task.element_id, Task.title).where(Task.status == "open"))
            },
            key=lambda stage: stage[1],
        ),
    )


def _case_conditions(filters: StuckFilters, status: str = "open") -> list[ColumnElement[bool]]:
    found: list[ColumnElement[bool]] = [Case.status == status]
    if filters.viewer_id is not None:
        found.append(case_access.not_hidden_from(filters.viewer_id))
    if filters.locality:
        found.append(Case.locality == filters.locality)
    if filters.risk_level:
        found.append(Case.risk_level == filters.risk_level)
    return found


def _task_conditions(filters: StuckFilters) -> list[ColumnElement[bool]]:
    found: list[ColumnElement[bool]] = [Task.status == "open"]
    if filters.team:
        found.append(
            exists().where(
                TaskCandidateGroup.task_id == Task.id, TaskCandidateGroup.group_name == filters.team
            )
        )
    if filters.officer:
        found.append(Task.assignee_id.in_(select(User.id).where(User.username == filters.officer)))
    if filters.stage:
        found.append(Task.element_id == filters.stage)
    return found


def _since(kind: str) -> Any:
    """When a case list's entry became stuck: the last thing a person did (or the report), or for
    a dead end the last step the engine saved."""
    if kind == "dead_end":
        return Case.updated_at
    if kind in ("failed", "not_started"):
        return Case.step_failed_at
    return func.coalesce(Case.last_activity_at, Case.reported_at)


def _actions_query(filters: StuckFilters, now: datetime) -> Select[Any]:
    """Open actions of the case action plans past their day. Actions belong to no team or stage:
    a filter on either leaves none; the officer filter is the action's owner."""
    query = (
        select(CaseAction.id, CaseAction.description, CaseAction.due_at, User.username)
        .add_columns(Case.reference, Case.locality, Case.risk_level)
        .join(Case, Case.id == CaseAction.case_id)
        .join(User, User.id == CaseAction.owner_id)
        .where(CaseAction.status == "open", CaseAction.due_at <= now, *_case_conditions(filters))
    )
    if filters.team or filters.stage:
        query = query.where(false())
    if filters.officer:
        query = query.where(User.username == filters.officer)
    return query


def _query(kind: str, filters: StuckFilters, thresholds: Thresholds, now: datetime) -> Select[Any]:
    if kind == "overdue_actions":
        return _actions_query(filters, now)
    if kind in ("overdue", "unclaimed"):
        query = (
            select(Task.id, Task.title, Task.element_id, Task.created_at, Task.due_at, User.username)
            .add_columns(Case.reference, Case.locality, Case.risk_level)
            .join(Case, Case.id == Task.case_id)
            .outerjoin(User, User.id == Task.assignee_id)
            .where(*_task_conditions(filters), *_case_conditions(filters))
        )
        if kind == "overdue":
            return query.where(Task.due_at < now)
        return query.where(
            Task.assignee_id.is_(None), Task.created_at < now - timedelta(hours=thresholds.unclaimed_hours)
        )
    since = _since(kind).label("since")
    status = NOT_STARTED if kind == "not_started" else "open"
    process_key = (
        select(ProcessVersion.process_key)
        .where(ProcessVersion.id == Case.process_version_id)
        .scalar_subquery()
        .label("process_key")
    )
    query = select(
        Case.reference, Case.locality, Case.risk_level, Case.step_failure, since, process_key
    ).where(*_case_conditions(filters, status))
    if filters.team or filters.officer or filters.stage:
        query = query.where(exists().where(Task.case_id == Case.id, *_task_conditions(filters)))
    if kind == "idle":
        cutoff = now - timedelta(days=thresholds.idle_days)
        quiet = or_(Case.last_activity_at.is_(None), Case.last_activity_at < cutoff)
        return query.where(Case.reported_at < cutoff, quiet)
    if kind in ("failed", "not_started"):
        return query.where(Case.step_failed_at.is_not(None))
    waiting = exists().where(Task.case_id == Case.id, Task.status == "open")
    timers = exists().where(Timer.case_id == Case.id)
    return query.where(~waiting, ~timers)


def _order(kind: str, sort: str) -> tuple[Any, ...]:
    since: Any
    if kind == "overdue_actions":
        since = CaseAction.due_at
    elif kind == "overdue":
        since = Task.due_at
    elif kind == "unclaimed":
        since = Task.created_at
    else:
        since = _since(kind)
    risk = case({"high": 0, "medium": 1, "low": 2}, value=Case.risk_level, else_=3)
    tie = {"overdue": Task.id, "unclaimed": Task.id, "overdue_actions": CaseAction.id}.get(kind, Case.id)
    orders: dict[str, tuple[Any, ...]] = {
        "since": (since, tie),
        "-since": (since.desc(), tie),
        "case": (Case.reference, tie),
        "locality": (Case.locality.is_(None), Case.locality, since, tie),
        "risk": (risk, since, tie),
    }
    return orders.get(sort, orders["since"])


def _item(kind: str, row: Any, thresholds: Thresholds) -> StuckItem:
    if kind == "overdue_actions":
        words = row.description if len(row.description) <= 80 else row.description[:79] + "…"
        reason = f"Action: {words}: past its due day"
        return StuckItem(
            kind, row.reference, reason, row.due_at, row.locality, row.risk_level, officer=row.username
        )
    if kind in ("overdue", "unclaimed"):
        since = row.due_at if kind == "overdue" else row.created_at
        reason = (
            f"{row.title}: past its due time"
            if kind == "overdue"
            else f"{row.title}: not taken for over {thresholds.unclaimed_hours} hours"
        )
        return StuckItem(
            kind,
            row.reference,
            reason,
            since,
            row.locality,
            row.risk_level,
            task_id=row.id,
            task_title=row.title,
            stage=row.element_id,
            officer=row.username,
        )
    reasons = {
        "idle": f"Nothing done by anyone for over {thresholds.idle_days} days",
        "dead_end": "No open task and no timer: the process is waiting on nothing",
        "failed": row.step_failure or "A step failed",
        "not_started": row.step_failure or "The process could not start",
    }
    reason = reasons[kind]
    key = row.process_key if kind == "not_started" else None
    return StuckItem(kind, row.reference, reason, row.since, row.locality, row.risk_level, process_key=key)


def _add_teams(session: Session, items: list[StuckItem]) -> None:
    """Fill in each task's candidate groups (one query for the page)."""
    ids = [item.task_id for item in items if item.task_id]
    if not ids:
        return
    groups: dict[str, list[str]] = {}
    for task_id, name in session.execute(
        select(TaskCandidateGroup.task_id, TaskCandidateGroup.group_name)
        .where(TaskCandidateGroup.task_id.in_(ids))
        .order_by(TaskCandidateGroup.group_name)
    ):
        groups.setdefault(task_id, []).append(name)
    for index, item in enumerate(items):
        if item.task_id:
            items[index] = replace(item, teams=tuple(groups.get(item.task_id, ())))


def export_rows(
    session: Session,
    *,
    now: datetime,
    kind: str,
    filters: StuckFilters = StuckFilters(),
    thresholds: Thresholds = Thresholds(),
    sort: str = "since",
    limit: int = 50_000,
) -> list[StuckItem]:
    """Every item of one list (up to ``limit``), for a CSV file."""
    return stuck_work(
        session, now=now, kind=kind, filters=filters, thresholds=thresholds, sort=sort, per_page=limit
    ).items
