"""What a running case waits for (messages it would take), and ending a case where it stands.

Both read or change the saved workflow; neither hands a SpiffWorkflow object out."""

from __future__ import annotations

from datetime import datetime

from db.models import Case
from processes import engine, runtime
from processes.clock import frozen_at
from processes.errors import Conflict
from processes.types import StepContext, StepResult


def waiting_messages(case: Case, now: datetime) -> list[str]:
    """The message names ``case`` would take now (none for a case that is not open)."""
    if case.status != "open" or not case.workflow_state:
        return []
    with frozen_at(now):
        return engine.waiting_messages(runtime._load(None, case, now))


def end_case(step: StepContext, case: Case, *, actor: str, now: datetime) -> StepResult:
    """Stop the open ``case``'s process: its open tasks are cancelled, its timers deleted and the
    case closed, all saved in ``step`` as any other step is."""
    if case.status != "open":
        raise Conflict(f"Case {case.reference} is not open; there is nothing to end.")
    workflow = runtime._load(step, case, now)
    guard = runtime._guard(case, now, fresh=True)
    with frozen_at(now):
        engine.cancel(workflow)
        return runtime._finish(step, case, workflow, now, guard, actor=actor)
