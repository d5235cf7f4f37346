"""The bound on diagram code in a real Celery worker: a timer firing into code that would use
gigabytes or minutes of CPU becomes a failed step, and the same worker goes on firing timers."""

from __future__ import annotations

import pytest

from db.models import Case
from tests.jobs.services import Processes, wait_for
from tests.processes.test_bounds import ATTACKS, _open_tasks, _started

pytestmark = pytest.mark.scaled


def _failure(pg, case_id: int) -> str | None:
    with pg.session() as session:
        case = session.get(Case, case_id)
        return case.step_failure if case.step_failed_at is not None else None


@pytest.mark.parametrize("attack", ["ljust", "sorting"])
def test_a_worker_firing_into_heavy_code_keeps_a_failed_step_and_goes_on(pg, procs: Processes, attack):
    script, heavy = ATTACKS[attack]
    bad = _started(pg, script, heavy)  # its timer (an hour after 2 March 2026) is long due
    procs.worker("w1", concurrency=1)
    procs.beat()
    wait_for(lambda: _failure(pg, bad) is not None, 120, "the heavy timer step to fail")
    failure = _failure(pg, bad) or ""
    assert "Heavy later" in failure
    assert "memory" in failure or "computer time" in failure
    assert _open_tasks(pg, bad) == ["wait_here"]  # rolled back: as before the step
    good = _started(pg, script, 3)  # the same worker, after the heavy code, fires the next timer
    wait_for(lambda: _open_tasks(pg, good) == ["after"], 60, "a harmless timer step on the same worker")
