"""Running cases: each step loads the case, runs the engine and saves, in the caller's transaction.

A step writes the workflow state, the task and timer rows derived from it and timeline events
through one session, then flushes. The case row carries a version column, so two steps racing
on one case end with one saved and the other raising ``Conflict``; the caller rolls back.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from db.models import Case, Task, TaskCandidateGroup, TimelineEvent, Timer, User
from handlers.registry import ServiceRequest, dispatch
from processes import engine, loops, scoring, specs
from processes.clock import frozen_at
from processes.errors import Conflict, FormInvalid, NotAllowed, TaskNotFound
from processes.forms import validate
from processes.types import StepResult, TaskView


def _script_engine(session: Session, case: Case, now: datetime) -> engine.ScriptEngine:
    def call(operation: str, params: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
        return dispatch(ServiceRequest(operation, params, data, case.id, case.reference or "", session, now))

    return engine.ScriptEngine(call)


def _event(
    session: Session,
    case: Case,
    now: datetime,
    kind: str,
    actor: str,
    summary: str,
    details: dict[str, Any] | None = None,
) -> None:
    session.add(
        TimelineEvent(case_id=case.id, at=now, kind=kind, actor=actor, summary=summary, details=details)
    )


def start(
    session: Session,
    case: Case,
    process_key: str,
    data: dict[str, Any],
    *,
    now: datetime,
    reference: Callable[[int], str] | None = None,
    actor: str = "system",
    summary: str = "Case opened",
    details: dict[str, Any] | None = None,
) -> StepResult:
    """Save the new ``case`` and start the latest version of ``process_key`` for it.

    ``reference`` turns the new case id into its reference, before the engine runs; the
    timeline opens with ``summary`` by ``actor``.
    """
    version = specs.latest_version(session, process_key)
    assert version is not None
    case.process_version = version
    case.updated_at = now
    session.add(case)
    session.flush()
    if reference is not None:
        case.reference = reference(case.id)
    _event(session, case, now, "opened", actor, summary, details)
    with frozen_at(now):
        workflow = engine.new_workflow(specs.fresh_specs(version), _script_engine(session, case, now))
        engine.set_start_data(workflow, data)
        guard = _guard(case, now, fresh=True)
        engine.run_on(workflow, guard)
    return _finish(session, case, workflow, now, guard)


def _guard(case: Case, now: datetime, *, fresh: bool) -> loops.StepGuard:
    """The runaway-loop count for a step of ``case``; ``fresh`` when a person or a message from
    outside moved the case on, which starts the count again."""
    return loops.StepGuard(case.auto_steps, case.auto_window_started_at, now, fresh=fresh)


def _load(session: Session, case: Case, now: datetime) -> Any:
    return engine.state_from_json(
        case.workflow_state, specs.fresh_specs(case.process_version), _script_engine(session, case, now)
    )


def _finish(
    session: Session,
    case: Case,
    workflow: Any,
    now: datetime,
    guard: loops.StepGuard,
    *,
    actor: str = "system",
) -> StepResult:
    """Save a step that ran, then hand its spec copy back for the next step to reuse."""
    result = _save(session, case, workflow, now, guard, actor=actor)
    specs.give_back(case.process_version, engine.pristine_specs(workflow))
    return result


def _save(
    session: Session,
    case: Case,
    workflow: Any,
    now: datetime,
    guard: loops.StepGuard,
    *,
    actor: str = "system",
) -> StepResult:
    progress = engine.progress(workflow, now)
    ready = {t.id: t for t in progress.ready}
    open_rows = {
        row.id: row
        for row in session.scalars(select(Task).where(Task.case_id == case.id, Task.status == "open"))
    }
    for task_id, row in open_rows.items():
        if task_id not in ready:
            row.status = "cancelled"
            row.completed_at = now
            _event(session, case, now, "task_cancelled", actor, f"Task withdrawn: {row.title}")
    still_open = [row for task_id, row in open_rows.items() if task_id in ready]
    created = [
        _create_task_row(session, case, task, now)
        for task_id, task in ready.items()
        if task_id not in open_rows
    ]
    session.execute(delete(Timer).where(Timer.case_id == case.id))
    for timer in progress.timers:
        session.add(
            Timer(
                id=timer.task_id,
                case_id=case.id,
                element_id=timer.element_id,
                name=timer.name,
                due_at=timer.due_at,
            )
        )
    case.workflow_state = progress.state
    guard.keep(case)  # here, not earlier: the queries above would flush the case outside the try
    case.updated_at = now
    if progress.completed and case.status != "closed":
        case.status = "closed"
        case.closed_at = now
        _event(session, case, now, "case_closed", actor, "Case closed")
    try:
        session.flush()
    except StaleDataError as err:
        raise Conflict(
            "The case was changed by someone else at the same time; nothing was saved. "
            "Reload to see its current state."
        ) from err
    except OperationalError as err:
        if "locked" in str(err):
            raise Conflict("The case is being changed by someone else; try again.") from err
        raise
    # The open tasks are known here: no need to ask the database again.
    rows = sorted(still_open, key=lambda row: row.created_at) + created
    return StepResult(case.id, case.reference or "", case.status, tuple(task_view(r) for r in rows))


def _create_task_row(session: Session, case: Case, task: engine.ReadyTask, now: datetime) -> Task:
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
    _event(
        session,
        case,
        now,
        "task_created",
        "system",
        f"New task: {title} (for {who})",
        {"task_id": str(task.id), "groups": groups},
    )
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
        fields=tuple(specs.form_for(version, task.element_id)) if with_form else (),
    )


def step_result(session: Session, case: Case) -> StepResult:
    rows = session.scalars(
        select(Task).where(Task.case_id == case.id, Task.status == "open").order_by(Task.created_at)
    )
    return StepResult(case.id, case.reference or "", case.status, tuple(task_view(r) for r in rows))


def get_task(session: Session, task_id: str) -> Task:
    task = session.get(Task, task_id) if len(task_id) <= 36 else None
    if task is None:
        raise TaskNotFound("There is no such task.")
    return task


def _check_may_work(task: Task, user: User) -> None:
    if task.status != "open":
        raise Conflict(f"This task is no longer open (it was {task.status}).")
    if task.assignee_id is not None and task.assignee_id != user.id:
        holder = task.assignee.display_name if task.assignee else "someone else"
        raise Conflict(f"This task is held by {holder}.")
    if task.assignee_id is None and not set(task.group_names) & set(user.group_names):
        raise NotAllowed(
            "This task is offered to " + ", ".join(task.group_names) + "; you are not in that group."
        )


def claim(session: Session, task_id: str, user: User, *, now: datetime) -> TaskView:
    task = get_task(session, task_id)
    _check_may_work(task, user)
    if task.assignee_id != user.id:
        task.assignee_id = user.id
        task.assignee = user
        _event(
            session,
            task.case,
            now,
            "task_claimed",
            user.display_name,
            f"{user.display_name} took the task: {task.title}",
        )
        session.flush()
    return task_view(task)


def release(session: Session, task_id: str, user: User, *, now: datetime) -> TaskView:
    task = get_task(session, task_id)
    if task.status != "open":
        raise Conflict(f"This task is no longer open (it was {task.status}).")
    if task.assignee_id != user.id:
        raise Conflict("You do not hold this task.")
    task.assignee_id = None
    task.assignee = None
    _event(
        session,
        task.case,
        now,
        "task_released",
        user.display_name,
        f"{user.display_name} gave the task back: {task.title}",
    )
    session.flush()
    return task_view(task)


def complete(
    session: Session,
    task_id: str,
    data: Any,
    *,
    user: User,
    now: datetime,
    expected_case_version: int | None = None,
) -> StepResult:
    """Validate ``data`` against the task's form and complete it; the next tasks become ready."""
    task = get_task(session, task_id)
    _check_may_work(task, user)
    case = task.case
    if expected_case_version is not None and case.version != expected_case_version:
        raise Conflict("The case changed since you opened this task; reload it and try again.")
    fields = specs.form_for(case.process_version, task.element_id)
    clean, errors = validate(fields, data)
    if errors:
        raise FormInvalid(errors)
    workflow = _load(session, case, now)
    ready = engine.ready_task(workflow, task_id, now)
    if ready is None:
        raise Conflict("This task is no longer waiting to be done.")
    derived = scoring.results(fields, ready.properties, clean)
    guard = _guard(case, now, fresh=True)
    with frozen_at(now):
        engine.complete_task(workflow, task_id, {**clean, **derived}, guard)
    task.status = "completed"
    task.completed_at = now
    task.completed_by_id = user.id
    task.assignee_id = user.id
    task.submitted = clean
    _event(
        session,
        case,
        now,
        "task_completed",
        user.display_name,
        f"{user.display_name} completed: {task.title}",
        {"task_id": task.id, "data": clean, **derived},
    )
    return _finish(session, case, workflow, now, guard, actor=user.display_name)


def fire_timers(
    session: Session, case: Case, at: datetime, *, skip_failing: bool = False, actor: str = "system"
) -> int:
    """Fire every timer of ``case`` due at or before ``at``; returns how many fired.

    ``skip_failing`` (an administrator's decision) marks a failing step done without its effect.
    A case whose earlier step failed is marked as working again when this step succeeds.
    """
    workflow = _load(session, case, at)
    before = {t.task_id: t for t in engine.waiting_timers(workflow) if t.due_at <= at}
    if not before:
        return 0
    for timer in before.values():
        _event(
            session,
            case,
            at,
            "timer_fired",
            "system",
            f"Deadline passed: {timer.name} (due {timer.due_at:%d %b %Y %H:%M} UTC)",
            {
                "timer": timer.element_id,
                "due_at": timer.due_at.isoformat(),
                "late_seconds": (at - timer.due_at) / timedelta(seconds=1),
            },
        )
    guard = _guard(case, at, fresh=False)
    with frozen_at(at):
        skipped = engine.fire_timers(workflow, skip_failing=skip_failing, watch=guard)
    for title in skipped:
        _event(session, case, at, "step_skipped", actor, f"{actor} skipped the failed step {title}")
    if case.step_failed_at is not None:
        what = "skipped past" if skipped else "retried"
        _event(
            session, case, at, "step_recovered", actor, f"{actor} {what} the failed step; the case runs on"
        )
        case.step_failed_at = case.step_failure = None
    fired = len(before) - len({t.task_id for t in engine.waiting_timers(workflow)} & set(before))
    _finish(session, case, workflow, at, guard)
    return fired


def record_failure(session: Session, case: Case, message: str, at: datetime) -> None:
    """Mark ``case`` as stopped by a failed background step; its timers wait for a retry."""
    case.step_failed_at = at
    case.step_failure = message[:2000]
    _event(session, case, at, "step_failed", "system", f"A step failed and waits for a retry: {message}")


def deliver_message(
    session: Session, case: Case, name: str, payload: dict[str, Any], *, actor: str, now: datetime
) -> StepResult:
    """Send the message ``name`` into the running case (e.g. another incident reported)."""
    workflow = _load(session, case, now)
    guard = _guard(case, now, fresh=True)
    with frozen_at(now):
        if not engine.send_message(workflow, name, payload, guard):
            raise Conflict(f"This case is not waiting for '{name}'.")
    _event(session, case, now, "message", actor, f"Received: {name.replace('_', ' ')}", {"message": name})
    return _finish(session, case, workflow, now, guard, actor=actor)


def due_timer_cases(session: Session, at: datetime, limit: int = 500) -> list[int]:
    return list(
        session.scalars(
            select(Timer.case_id)
            .where(Timer.due_at <= at)
            .group_by(Timer.case_id)
            .order_by(Timer.case_id)
            .limit(limit)
        )
    )
