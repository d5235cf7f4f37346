"""The task rows of a case: reading a task for a step, the open rows a step starts from, a new row
for a task that became ready, and what the facade shows of a task.

A task is read once a transaction, with what a step on it needs (its groups, its case and the
case's process version) in one statement, and kept until the transaction ends: the access check
of a request and the step that follows it share the read.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import event, select
from sqlalchemy.orm import Session, SessionTransaction, joinedload

from db import timeline
from db.models import Case, Task, TaskCandidateGroup, User
from processes import engine, specs
from processes.errors import TaskNotFound
from processes.forms import FormField, prefilled, prefills
from processes.types import StepContext, StepResult, TaskView


@dataclass(frozen=True)
class Before:
    """The task and timer rows a case has before a step, known from its saved workflow without
    asking the database: every step saves them from the workflow it saves (``runtime._save``), so
    its open task rows are its ready user tasks and its timer rows its waiting timers."""

    open_tasks: frozenset[str]
    timers: frozenset[tuple[str, str, str, datetime]]


def open_rows(session: Session, case: Case, before: Before | None) -> dict[str, Task]:
    """The case's open task rows: those ``before`` names (already loaded ones from the session, one
    query for the rest, none if all are loaded), or without it all the database holds."""
    if before is None:
        query = select(Task).where(Task.case_id == case.id, Task.status == "open")
        return {row.id: row for row in session.scalars(query)}
    rows = _kept(session)
    found = {i: rows[i] for i in before.open_tasks if i in rows}
    missing = before.open_tasks - found.keys()
    if missing:
        found.update((row.id, row) for row in session.scalars(select(Task).where(Task.id.in_(missing))))
    return {i: row for i, row in found.items() if row.status == "open"}


def create_task_row(step: StepContext, case: Case, task: engine.ReadyTask, now: datetime) -> Task:
    session = step.session
    groups = list(task.candidate_groups)
    assignee_id = None
    if task.assignee:
        assignee_id = session.scalar(select(User.id).where(User.username == task.assignee))
    title = task.title
    row = Task(
        id=task.id,
        case_id=case.id,
        element_id=task.element_id,
        title=title,
        status="open",
        assignee_id=assignee_id,
        created_at=now,
        due_at=task.due_at,
        candidate_groups=[TaskCandidateGroup(group_name=g) for g in groups],
    )
    session.add(row)
    who = ", ".join(groups) or task.assignee or "anyone"
    step.record(timeline.TaskCreated(task.id, title, groups, who), case=case, by="system", at=now)
    return row


def task_view(task: Task, *, with_form: bool = False) -> TaskView:
    version = task.case.process_version
    return TaskView(
        id=task.id,
        case_id=task.case_id,
        case_reference=task.case.reference or "",
        element_id=task.element_id,
        title=task.title,
        status=task.status,
        candidate_groups=tuple(task.group_names),
        assignee=task.assignee.username if task.assignee else None,
        created_at=task.created_at,
        due_at=task.due_at,
        documentation=specs.documentation_for(version, task.element_id) if with_form else None,
        fields=tuple(_form(task)) if with_form else (),
    )


def _form(task: Task) -> list[FormField]:
    """The task's form; an open task's ``prefill`` fields start with the case data they name."""
    fields = specs.form_for(task.case.process_version, task.element_id)
    if task.status != "open" or not prefills(fields) or not task.case.workflow_state:
        return fields
    workflow = engine.state_from_json(
        task.case.workflow_state, specs.specs_for(task.case.process_version), None
    )
    return prefilled(fields, engine.task_data(workflow, task.id))


def step_result(session: Session, case: Case) -> StepResult:
    rows = session.scalars(
        select(Task).where(Task.case_id == case.id, Task.status == "open").order_by(Task.created_at)
    )
    return StepResult(case.id, case.reference or "", case.status, tuple(task_view(r) for r in rows))


_KEPT = "processes.task_rows.kept"
_TASK_LOAD = (joinedload(Task.candidate_groups), joinedload(Task.case).joinedload(Case.process_version))


def _kept(session: Session) -> dict[str, Task]:
    kept: dict[str, Task] = session.info.setdefault(_KEPT, {})
    return kept


@event.listens_for(Session, "after_transaction_end")
def _forget_tasks(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:
        session.info.pop(_KEPT, None)


def get_task(session: Session, task_id: str) -> Task:
    task = session.get(Task, task_id, options=_TASK_LOAD) if len(task_id) <= 36 else None
    if task is None:
        raise TaskNotFound("There is no such task.")
    _kept(session)[task_id] = task
    return task
