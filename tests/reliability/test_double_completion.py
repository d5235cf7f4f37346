"""1,000 double completions of the same task from two threads: exactly 1,000 successes and
1,000 clean conflicts, no lost or duplicated step. Prints the counts."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta

from sqlalchemy import func, select

import processes
from casework import reports, tasks
from db.models import Case, Task, TimelineEvent, User
from tests.bpmn.walk import FIRST_RESPONSE
from tests.conftest import T0

PAIRS = 1000


def test_a_thousand_double_completions(database):
    with database.session() as session:
        for i in range(PAIRS):
            reports.submit(
                session,
                reports.Report(
                    description=f"Incident {i} on the estate", location=f"{i} Elm Road", strands=["race"]
                ),
                now=T0 + timedelta(seconds=i),
            )
        task_ids = list(session.scalars(select(Task.id).where(Task.element_id == "first_response")))
    outcomes: Counter[str] = Counter()
    lock = threading.Lock()

    def attempt(task_id: str, who: str, barrier: threading.Barrier) -> None:
        with database.session() as session:
            worker = session.scalars(select(User).where(User.username == who)).one()
            processes.get_task(session, task_id).case.workflow_state  # noqa: B018  both have it open
            barrier.wait()
            try:
                tasks.complete(session, task_id, FIRST_RESPONSE, user=worker, now=T0 + timedelta(hours=1))
                session.commit()
                result = "success"
            except processes.Conflict:
                session.rollback()
                result = "conflict"
        with lock:
            outcomes[result] += 1

    for task_id in task_ids:
        barrier = threading.Barrier(2)
        threads = [
            threading.Thread(target=attempt, args=(task_id, who, barrier))
            for who in ("officer", "supervisor")
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    with database.session() as session:
        completions = session.scalar(select(func.count()).where(TimelineEvent.kind == "task_completed"))
        per_case = Counter(session.scalars(select(Task.case_id).where(Task.element_id == "police_referral")))
        cases = session.scalar(select(func.count()).select_from(Case))
    print(
        f"\ndouble completions: {PAIRS} pairs -> {outcomes['success']} successes, {outcomes['conflict']} "
        f"conflicts, {completions} completion events, {len(per_case)} cases moved on"
    )
    assert outcomes == Counter(success=PAIRS, conflict=PAIRS)
    assert completions == PAIRS and cases == PAIRS
    assert len(per_case) == PAIRS and set(per_case.values()) == {1}  # each case moved on exactly once
