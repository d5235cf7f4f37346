"""Running cases: each step loads the case, runs the engine and saves, inside the caller's case step.

A step writes the workflow state and the task and timer rows derived from it through the step's
session, hands what happened to the step as typed timeline events, and flushes. The case row
carries a version column, so of two steps racing on one case one is saved and the other's flush
fails; the case step (``casework.steps``) turns that into ``Conflict`` and rolls back.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from db import timeline
from db.models import Case, ProcessVersion, Task, Timer, User
from processes import engine, loops, scoring, specs, task_rows
from processes.clock import frozen_at
from processes.errors import Conflict, FormInvalid, NotAllowed
from processes.forms import validate
from processes.task_rows import Before, get_task, task_view
from processes.types import StepContext, StepResult, TaskView
from processes.validation import separated_from


def _script_engine(step: StepContext | None, case: Case, now: datetime) -> engine.ScriptEngine:
    """Service tasks reach the handlers through the step; a workflow loaded only to be read
    (``step`` None) runs none."""

    def call(operation: str, params: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
        if step is None:
            raise RuntimeError(f"'{operation}' cannot run outside a case step")
        return step.call_service(operation, params, data, case, now)

    return engine.ScriptEngine(call)


def start(
    step: StepContext,
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
    session = step.session
    version = specs.latest_version(session, process_key)
    assert version is not None
    case.process_version = version
    case.updated_at = now
    session.add(case)
    session.flush()
    if reference is not None:
        case.reference = reference(case.id)
    step.record(timeline.Opened(summary, details), case=case, by=actor, at=now)
    return _run_start(step, case, version, data, now, new=True)


def start_again(
    step: StepContext,
    case: Case,
    version: ProcessVersion,
    data: dict[str, Any],
    *,
    now: datetime,
    summary: str,
    actor: str,
) -> StepResult:
    """Start the process of a saved ``case`` whose start failed, on ``version`` (of any process),
    with start ``data``; the timeline says so with ``summary`` by ``actor``."""
    case.process_version = version
    case.status = "open"
    case.updated_at = now
    step.record(timeline.ProcessStarted(summary, {"version": version.version}), case=case, by=actor, at=now)
    return _run_start(step, case, version, data, now, new=False)


def _run_start(
    step: StepContext, case: Case, version: ProcessVersion, data: dict[str, Any], now: datetime, *, new: bool
) -> StepResult:
    # A case saved in this step (``start``) has no task or timer rows yet; one whose start
    # failed earlier (``start_again``) is read as it stands.
    before = Before(frozenset(), frozenset()) if new else None
    with frozen_at(now):
        workflow = engine.new_workflow(specs.fresh_specs(version), _script_engine(step, case, now))
        engine.set_start_data(workflow, data)
        guard = _guard(case, now, fresh=True)
        engine.run_on(workflow, guard)
    return _finish(step, case, workflow, now, guard, before=before)


def _guard(case: Case, now: datetime, *, fresh: bool) -> loops.StepGuard:
    """The runaway-loop count for a step of ``case``; ``fresh`` when a person or a message from
    outside moved the case on, which starts the count again."""
    return loops.StepGuard(case.auto_steps, case.auto_window_started_at, now, fresh=fresh)


def _load(step: StepContext | None, case: Case, now: datetime) -> Any:
    return engine.state_from_json(
        case.workflow_state, specs.fresh_specs(case.process_version), _script_engine(step, case, now)
    )


def _before(workflow: Any) -> Before:
    return Before(
        frozenset(str(t.id) for t in engine.ready_user_tasks(workflow)),
        frozenset(_timer_key(t) for t in engine.waiting_timers(workflow)),
    )


def _timer_key(timer: engine.WaitingTimer) -> tuple[str, str, str, datetime]:
    return (timer.task_id, timer.element_id, timer.name, timer.due_at)


def _finish(
    step: StepContext,
    case: Case,
    workflow: Any,
    now: datetime,
    guard: loops.StepGuard,
    *,
    actor: str = "system",
    before: Before | None = None,
) -> StepResult:
    """Save a step that ran, then hand its spec copy back for the next step to reuse."""
    result = _save(step, case, workflow, now, guard, actor=actor, before=before)
    specs.give_back(case.process_version, engine.pristine_specs(workflow))
    return result


def _save(
    step: StepContext,
    case: Case,
    workflow: Any,
    now: datetime,
    guard: loops.StepGuard,
    *,
    actor: str = "system",
    before: Before | None = None,
) -> StepResult:
    """Write what the step changed: the workflow state and the case row, the task rows that
    opened, closed or were cancelled and the timer rows if the timers changed. With ``before``
    (the rows as the loaded workflow implies them) nothing is read back; without it the case's
    open tasks are read and its timers rewritten."""
    session = step.session
    progress = engine.progress(workflow, now)
    ready = {t.id: t for t in progress.ready}
    open_rows = task_rows.open_rows(session, case, before)
    # Nothing is flushed until all is set: the one flush then writes the case row first, so that
    # a lost race fails on its version before any task row is written.
    with session.no_autoflush:
        for task_id, row in open_rows.items():
            if task_id not in ready:
                row.status = "cancelled"
                row.completed_at = now
                step.record(timeline.TaskCancelled(row.title), case=case, by=actor, at=now)
        still_open = [row for task_id, row in open_rows.items() if task_id in ready]
        created = [
            task_rows.create_task_row(step, case, task, now)
            for task_id, task in ready.items()
            if task_id not in open_rows
        ]
        if before is None or before.timers != {_timer_key(t) for t in progress.timers}:
            session.execute(delete(Timer).where(Timer.case_id == case.id))
            session.add_all(
                Timer(id=t.task_id, case_id=case.id, element_id=t.element_id, name=t.name, due_at=t.due_at)
                for t in progress.timers
            )
        case.workflow_state = progress.state
        guard.keep(case)
        case.updated_at = now
        if progress.completed and case.status != "closed":
            case.status = "closed"
            case.closed_at = now
            step.record(timeline.CaseClosed(), case=case, by=actor, at=now)
    session.flush()  # a lost race fails here; the case step says so as a Conflict
    # The open tasks are known here: no need to ask the database again.
    rows = sorted(still_open, key=lambda row: row.created_at) + created
    return StepResult(case.id, case.reference or "", case.status, tuple(task_view(r) for r in rows))


def _check_separation(session: Session, task: Task, user: User) -> None:
    """Four eyes: a task whose ``not_completed_by`` names other tasks is refused to the person
    who last completed one of them on this case (the approver is not the proposer)."""
    others = separated_from(specs.properties_for(task.case.process_version, task.element_id))
    if not others:
        return
    last = session.scalars(
        select(Task)
        .where(Task.case_id == task.case_id, Task.element_id.in_(others), Task.status == "completed")
        .order_by(Task.completed_at.desc(), Task.created_at.desc())
        .limit(1)
    ).first()
    if last is not None and last.completed_by_id == user.id:
        raise NotAllowed(
            f"You completed “{last.title}” on this case, so someone else must do “{task.title}”: "
            "the same person may not do both."
        )


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


def _fresh_task(session: Session, task_id: str) -> Task:
    """The task as it is now: a claim or a release changes no case row, so no version check
    would catch a task read before the step's lock and changed meanwhile."""
    task = get_task(session, task_id)
    session.refresh(task, ["status", "assignee_id", "assignee"])
    return task


def claim(step: StepContext, task_id: str, user: User, *, now: datetime) -> TaskView:
    session = step.session
    task = _fresh_task(session, task_id)
    _check_may_work(task, user)
    _check_separation(session, task, user)
    if task.assignee_id != user.id:
        task.assignee_id = user.id
        task.assignee = user
        step.record(
            timeline.TaskClaimed(user.display_name, task.title), case=task.case, by=user.display_name, at=now
        )
        session.flush()
    return task_view(task)


def release(step: StepContext, task_id: str, user: User, *, now: datetime) -> TaskView:
    session = step.session
    task = _fresh_task(session, task_id)
    if task.status != "open":
        raise Conflict(f"This task is no longer open (it was {task.status}).")
    if task.assignee_id != user.id:
        raise Conflict("You do not hold this task.")
    task.assignee_id = None
    task.assignee = None
    step.record(
        timeline.TaskReleased(user.display_name, task.title), case=task.case, by=user.display_name, at=now
    )
    session.flush()
    return task_view(task)


def complete(
    step: StepContext,
    task_id: str,
    data: Any,
    *,
    user: User,
    now: datetime,
    expected_case_version: int | None = None,
) -> StepResult:
    """Validate ``data`` against the task's form and complete it; the next tasks become ready."""
    task = get_task(step.session, task_id)
    _check_may_work(task, user)
    _check_separation(step.session, task, user)
    case = task.case
    if expected_case_version is not None and case.version != expected_case_version:
        raise Conflict("The case changed since you opened this task; reload it and try again.")
    fields = specs.form_for(case.process_version, task.element_id)
    clean, errors = validate(fields, data)
    if errors:
        raise FormInvalid(errors)
    workflow = _load(step, case, now)
    before = _before(workflow)
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
    step.record(
        # The answers are stored once, in ``task.submitted``; the timeline line refers to the task.
        timeline.TaskCompleted(user.display_name, task.title, task.id, derived),
        case=case,
        by=user.display_name,
        at=now,
    )
    return _finish(step, case, workflow, now, guard, actor=user.display_name, before=before)


def fire_timers(
    step: StepContext, case: Case, at: datetime, *, skip_failing: bool = False, actor: str = "system"
) -> int:
    """Fire every timer of ``case`` due at or before ``at``; returns how many fired.

    ``skip_failing`` (an administrator's decision) marks a failing step done without its effect.
    A case whose earlier step failed is marked as working again when this step succeeds.
    """
    workflow = _load(step, case, at)
    rows = _before(workflow)
    before = {t.task_id: t for t in engine.waiting_timers(workflow) if t.due_at <= at}
    if not before:
        return 0
    for timer in before.values():
        fired_event = timeline.TimerFired(
            timer.name,
            timer.element_id,
            timer.due_at.isoformat(),
            f"{timer.due_at:%d %b %Y %H:%M}",
            (at - timer.due_at) / timedelta(seconds=1),
        )
        step.record(fired_event, case=case, by="system", at=at)
    guard = _guard(case, at, fresh=False)
    with frozen_at(at):
        skipped = engine.fire_timers(workflow, skip_failing=skip_failing, watch=guard)
    for title in skipped:
        step.record(timeline.StepSkipped(actor, title), case=case, by=actor, at=at)
    if case.step_failed_at is not None:
        step.record(timeline.StepRecovered(actor, bool(skipped)), case=case, by=actor, at=at)
        case.step_failed_at = case.step_failure = None
    fired = len(before) - len({t.task_id for t in engine.waiting_timers(workflow)} & set(before))
    _finish(step, case, workflow, at, guard, before=rows)
    return fired


def record_failure(step: StepContext, case: Case, message: str, at: datetime) -> None:
    """Mark ``case`` as stopped by a failed background step; its timers wait for a retry."""
    case.step_failed_at = at
    case.step_failure = message[:2000]
    step.record(timeline.StepFailed(message), case=case, by="system", at=at)


def deliver_message(
    step: StepContext, case: Case, name: str, payload: dict[str, Any], *, actor: str, now: datetime
) -> StepResult:
    """Send the message ``name`` into the running case (e.g. another incident reported)."""
    workflow = _load(step, case, now)
    before = _before(workflow)
    guard = _guard(case, now, fresh=True)
    with frozen_at(now):
        if not engine.send_message(workflow, name, payload, guard):
            raise Conflict(f"This case is not waiting for '{name}'.")
    step.record(timeline.MessageReceived(name), case=case, by=actor, at=now)
    return _finish(step, case, workflow, now, guard, actor=actor, before=before)


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
