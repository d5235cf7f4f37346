"""Moving open cases to another version of their process, and undoing a move.

A move is a step like any other, in the caller's transaction: it loads the case, re-plans it on
the target version (ready tasks are planned again on the new version; timers already running
keep their due times), saves the state, task and timer rows, and ends the timeline with an event
holding what an undo needs. Undo puts the case back as it was, as long as nothing has happened to
it since (the move is still the last event on its timeline).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from db import timeline
from db.models import Case, ProcessVersion, Task, TaskCandidateGroup, TimelineEvent
from processes import engine, runtime, specs, task_rows
from processes.clock import frozen_at
from processes.errors import ProcessError
from processes.types import StepContext, StepResult

MOVED = timeline.Migrated.KIND
MOVED_BACK = timeline.MigrationUndone.KIND


class NotMovable(ProcessError):
    """The case cannot move to that version (or back); the message says why."""


@dataclass(frozen=True)
class MoveCheck:
    case_id: int
    reference: str
    version: int
    stage: str
    reasons: tuple[str, ...]

    @property
    def can_move(self) -> bool:
        return not self.reasons


def _stage(session: Session, case: Case) -> str:
    titles = session.scalars(
        select(Task.title).where(Task.case_id == case.id, Task.status == "open").order_by(Task.created_at)
    )
    return ", ".join(titles) or "Waiting"


def blockers(session: Session, case: Case, target: ProcessVersion, now: datetime) -> tuple[str, ...]:
    """Why ``case`` cannot move to ``target``, in plain words; empty when it can."""
    current = case.process_version
    if case.status != "open":
        return ("the case is closed",)
    if current.process_key != target.process_key:
        return (f"it runs another process ({current.process_key})",)
    if current.id == target.id:
        return (f"it is already on version {target.version}",)
    workflow = runtime._load(None, case, now)
    return tuple(engine.migration_blockers(workflow, specs.specs_for(target)))


def preview(session: Session, target: ProcessVersion, now: datetime) -> list[MoveCheck]:
    """Every open case of ``target``'s process on another version: whether it can move, and why not."""
    cases = session.scalars(
        select(Case)
        .join(ProcessVersion, ProcessVersion.id == Case.process_version_id)
        .where(
            Case.status == "open",
            ProcessVersion.process_key == target.process_key,
            ProcessVersion.id != target.id,
        )
        .order_by(Case.id)
    )
    return [
        MoveCheck(
            case.id,
            case.reference or str(case.id),
            case.process_version.version,
            _stage(session, case),
            blockers(session, case, target, now),
        )
        for case in cases
    ]


def _refresh_open_rows(session: Session, case: Case, workflow: Any) -> None:
    """Open task rows take the element id, title and groups of the version the case now runs
    (a task renamed in the new version keeps its row, under its new id)."""
    ready = {str(t.id): t for t in engine.ready_user_tasks(workflow)}
    rows = session.scalars(select(Task).where(Task.case_id == case.id, Task.status == "open"))
    for row in rows:
        task = ready.get(row.id)
        if task is None:
            continue
        spec = task.task_spec
        row.element_id = spec.bpmn_id
        row.title = spec.bpmn_name or spec.bpmn_id
        groups = sorted(engine.candidate_groups(task))
        if groups != row.group_names:
            row.candidate_groups.clear()
            session.flush()
            row.candidate_groups.extend(TaskCandidateGroup(group_name=g) for g in groups)
    session.flush()


def _last_event(session: Session, case: Case) -> TimelineEvent | None:
    return session.scalars(
        select(TimelineEvent)
        .where(TimelineEvent.case_id == case.id)
        .order_by(TimelineEvent.at.desc(), TimelineEvent.id.desc())
        .limit(1)
    ).first()


def move(step: StepContext, case: Case, target: ProcessVersion, *, actor: str, now: datetime) -> StepResult:
    """Move ``case`` to ``target``; raise ``NotMovable`` saying why when it cannot."""
    session = step.session
    reasons = blockers(session, case, target, now)
    if reasons:
        raise NotMovable(f"{case.reference} cannot move: " + "; ".join(reasons) + ".")
    source = case.process_version
    previous = {"state": case.workflow_state, "version_id": source.id, "version": source.version}
    workflow = runtime._load(step, case, now)
    with frozen_at(now):
        engine.migrate(workflow, specs.specs_for(target))
        guard = runtime._guard(case, now, fresh=True)  # a person moved it: the loop count starts again
        engine.run_on(workflow, guard)
    case.process_version = target
    runtime._save(step, case, workflow, now, guard, actor=actor)
    _refresh_open_rows(session, case, workflow)
    step.record(
        timeline.Migrated(
            f"Moved from version {source.version} to version {target.version} of the process",
            {"from": previous, "to_version_id": target.id, "to_version": target.version},
        ),
        case=case,
        by=actor,
        at=now,
    )
    session.flush()
    return task_rows.step_result(session, case)


def can_undo(session: Session, case: Case) -> bool:
    last = _last_event(session, case)
    return last is not None and last.kind == MOVED and case.status == "open"


def undo(step: StepContext, case: Case, *, actor: str, now: datetime) -> StepResult:
    """Put a moved case back on its previous version, as it was before the move."""
    session = step.session
    last = _last_event(session, case)
    if last is None or last.kind != MOVED or case.status != "open":
        raise NotMovable(
            f"{case.reference} cannot be moved back: something has happened to the case since it moved."
        )
    previous = (last.details or {})["from"]
    version = session.get(ProcessVersion, previous["version_id"])
    if version is None:
        raise NotMovable(f"{case.reference} cannot be moved back: its previous version is gone.")
    moved_to = case.process_version.version
    case.process_version = version
    case.workflow_state = previous["state"]
    workflow = runtime._load(step, case, now)
    runtime._save(step, case, workflow, now, runtime._guard(case, now, fresh=True), actor=actor)
    _refresh_open_rows(session, case, workflow)
    step.record(
        timeline.MigrationUndone(
            f"Moved back from version {moved_to} to version {version.version} of the process",
            {"to_version_id": version.id},
        ),
        case=case,
        by=actor,
        at=now,
    )
    session.flush()
    return task_rows.step_result(session, case)
