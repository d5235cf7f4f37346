"""Stopping a case that goes round a diagram loop on its own, at run time, in every mode.

Deploy refuses the loops it can see (``validation.endless_loops``); some it cannot: a timer whose
length comes from case data and is zero, or a loop through a subprocess with a user task on a
branch never taken. ``StepGuard`` is handed to every engine run (a web request, the embedded
timer thread, a Celery worker all go through ``processes.runtime``) and counts the automatic
steps the case takes. The count is kept on the case row (``auto_steps`` from
``auto_window_started_at``), so a loop that takes one turn per timer sweep is caught as surely as
one that spins inside a single run; a person completing a task, or a message from outside,
starts it again. Over the limit the run raises ``EngineFailure``: the step is rolled back and
the case waits on the stuck-work list with a message naming the loop.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from processes.errors import EngineFailure

MAX_AUTOMATIC_STEPS = 200
WINDOW = timedelta(minutes=10)


class StepGuard:
    """Counts a case's automatic steps within ``WINDOW``; call it after each step the engine ran."""

    def __init__(self, steps: int | None, since: datetime | None, now: datetime, *, fresh: bool) -> None:
        if fresh or since is None or now - since >= WINDOW:
            self.before, self.since = 0, now
        else:
            self.before, self.since = steps or 0, since
        self.ran = 0

    @property
    def steps(self) -> int:
        return self.before + self.ran

    def __call__(self, task: Any) -> None:
        self.ran += 1
        if self.steps > MAX_AUTOMATIC_STEPS:
            raise EngineFailure(self._message(_turn(task)))

    def _message(self, turn: list[str]) -> str:
        minutes = int(WINDOW / timedelta(minutes=1))
        return (
            f"The case took more than {MAX_AUTOMATIC_STEPS} automatic steps within {minutes} minutes "
            f"without anyone working on it, going round {' → '.join(turn)}. "
            "A diagram loop that never waits? (A timer whose length comes from the case data and is "
            "zero does not wait.) Nothing of this step was saved; correct the diagram, then retry."
        )

    def keep(self, case: Any) -> None:
        """Write the count on the case, in the same transaction as the step."""
        case.auto_steps = self.steps
        case.auto_window_started_at = self.since


def _label(task: Any) -> str | None:
    spec = task.task_spec
    ident = getattr(spec, "bpmn_id", None)  # the engine's bookkeeping steps have no element
    return f"'{getattr(spec, 'bpmn_name', None) or ident}'" if ident else None


def _earlier(task: Any) -> Any:
    """The task before ``task`` on the case's path (a subprocess's first step follows the
    subprocess's own task in the workflow around it)."""
    if task.parent is not None:
        return task.parent
    workflow = task.workflow
    parent_id = getattr(workflow, "parent_task_id", None)
    return workflow.top_workflow.get_task_from_id(parent_id) if parent_id else None


def _turn(task: Any, longest: int = 1000) -> list[str]:
    """The elements of the last turn round the loop: back along the path the case took (each turn
    adds to it) from the last step to where the same element was last run."""
    labels: list[str] = []
    first = _label(task)
    current = _earlier(task)
    while current is not None and len(labels) < longest:
        label = _label(current)
        if label is not None and label == first:
            break
        if label is not None and label not in labels:
            labels.append(label)
        current = _earlier(current)
    if first is None:
        return [*reversed(labels)] or ["(steps without a name)"]
    return [first, *reversed(labels), first]
