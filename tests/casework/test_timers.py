"""Due timers fired in batches: several cases in one transaction, and one by one when a case of
the batch fails, so that no case's timers are lost or fired twice."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import event, func, select

from casework import process_models
from casework import timers as due_timers
from db import Database
from db.models import Case, Task, TimelineEvent, Timer, User
from tests.conftest import T0
from tests.processes.test_step_failures import FRAGILE

LATE = T0 + timedelta(hours=2)


def start_cases(database: Database, divisors: list[int]) -> list[int]:
    """Cases of the fragile process: after its deadline a case with divisor 0 fails."""
    with database.session() as session:
        owner = session.scalars(select(User).where(User.username == "owner")).one()
        process_models.deploy(session, FRAGILE, user=owner)
        return [
            process_models.start_case(session, "fragile", {"divisor": d}, user=owner, now=T0).case_id
            for d in divisors
        ]


def fired(database: Database, case_id: int) -> int:
    with database.session() as session:
        return session.scalar(
            select(func.count()).where(TimelineEvent.case_id == case_id, TimelineEvent.kind == "timer_fired")
        )


def after_deadline(database: Database, case_id: int) -> list[str]:
    with database.session() as session:
        return list(
            session.scalars(
                select(Task.element_id).where(
                    Task.case_id == case_id, Task.status == "open", Task.element_id == "after_the_deadline"
                )
            )
        )


@pytest.fixture
def commits(database: Database) -> Iterator[list[int]]:
    counted: list[int] = []
    listener = lambda _connection: counted.append(1)  # noqa: E731
    event.listen(database.engine, "commit", listener)
    yield counted
    event.remove(database.engine, "commit", listener)


def test_a_batch_of_cases_fires_in_one_transaction(database, commits):
    case_ids = start_cases(database, [2, 5, 10])
    commits.clear()
    result = due_timers.fire_batch(database.sessions, case_ids, LATE)
    assert result.fired == 3 and result.failures == 0
    assert len(commits) == 1  # one transaction for the three cases
    for case_id in case_ids:
        assert fired(database, case_id) == 1
        assert after_deadline(database, case_id) == ["after_the_deadline"]
    again = due_timers.fire_batch(database.sessions, case_ids, LATE + timedelta(minutes=1))
    assert again.fired == 0  # nothing fires twice
    assert all(fired(database, case_id) == 1 for case_id in case_ids)


def test_a_failing_case_is_recorded_and_the_rest_of_its_batch_fires_once(database):
    good, bad, other = start_cases(database, [2, 0, 4])
    result = due_timers.fire_batch(database.sessions, [good, bad, other], LATE)
    assert (result.cases, result.fired, result.failures) == (3, 2, 1)
    for case_id in (good, other):
        assert fired(database, case_id) == 1
        assert after_deadline(database, case_id) == ["after_the_deadline"]
    with database.session() as session:
        failed = session.get(Case, bad)
        assert failed.step_failed_at == LATE and "division by zero" in failed.step_failure
        assert list(session.scalars(select(Timer.element_id).where(Timer.case_id == bad))) == ["too_late"]
        assert session.get(Case, good).step_failed_at is None
    assert fired(database, bad) == 0
    assert after_deadline(database, bad) == []


def test_the_sweep_fires_in_batches_and_leaves_only_the_failing_case(database, monkeypatch):
    monkeypatch.setattr(due_timers, "BATCH", 2)
    case_ids = start_cases(database, [1, 2, 0, 3, 4])
    result = due_timers.sweep(database.sessions, LATE)
    assert (result.cases, result.fired, result.failures, result.conflicts) == (5, 4, 1, 0)
    assert [fired(database, case_id) for case_id in case_ids] == [1, 1, 0, 1, 1]
    again = due_timers.sweep(database.sessions, LATE + timedelta(minutes=5))
    assert again.cases == 0  # the failed case waits for a person to retry it
    assert [fired(database, case_id) for case_id in case_ids] == [1, 1, 0, 1, 1]


def test_a_case_another_worker_holds_is_left_to_it(database):
    if database.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has no row locks: its one writer fires the whole batch")
    held, free = start_cases(database, [2, 3])
    with database.session() as other_worker:
        other_worker.scalar(select(Case.id).where(Case.id == held).with_for_update())
        result = due_timers.fire_batch(database.sessions, [held, free], LATE)
        assert result.fired == 1
        other_worker.rollback()
    assert (fired(database, held), fired(database, free)) == (0, 1)
    assert due_timers.fire_batch(database.sessions, [held, free], LATE).fired == 1
    assert (fired(database, held), fired(database, free)) == (1, 1)
