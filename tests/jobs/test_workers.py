"""The scaled mode with real parts: PostgreSQL, a private Redis, Celery worker and beat
processes, and an SMTP server. Timers fire exactly once, even with racing or killed workers."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

import processes
from casework import reports
from db import Database
from db.models import OutboxMessage, Task, TimelineEvent, Timer
from tests.jobs.services import Processes, wait_for

pytestmark = pytest.mark.scaled


def open_overdue_cases(pg: Database, count: int) -> None:
    """Cases reported two days ago: both timers of each (reminder and deadline) are due now."""
    reported = processes.clock.now() - timedelta(days=2)
    with pg.session() as session:
        for i in range(count):
            reports.submit(
                session,
                reports.Report(
                    description=f"Incident number {i} at the flats", location="Elm Court", strands=["race"]
                ),
                now=reported,
            )


def timers_left(pg: Database) -> int:
    with pg.session() as session:
        # The timers due now: firing the deadline arms the supervisors' own 4-hour deadline,
        # which is not due yet and stays.
        due = Timer.due_at <= processes.clock.now()
        return session.scalar(select(func.count()).select_from(Timer).where(due)) or 0


def fired_count(pg: Database) -> int:
    with pg.session() as session:
        return session.scalar(select(func.count()).where(TimelineEvent.kind == "timer_fired")) or 0


def assert_every_timer_fired_exactly_once(pg: Database, cases: int) -> None:
    with pg.session() as session:
        per_case = session.execute(
            select(TimelineEvent.case_id, func.count())
            .where(TimelineEvent.kind == "timer_fired")
            .group_by(TimelineEvent.case_id)
        ).all()
        escalations = session.scalar(
            select(func.count()).where(Task.element_id == "overdue_response", Task.status == "open")
        )
    assert len(per_case) == cases
    assert {count for _, count in per_case} == {2}  # the reminder and the deadline, once each
    assert escalations == cases


def test_two_workers_racing_fire_each_of_2000_timers_exactly_once(pg, procs: Processes, tmp_path):
    open_overdue_cases(pg, 1000)
    assert timers_left(pg) == 2000
    procs.worker("w1")
    procs.worker("w2")
    procs.beat()
    wait_for(lambda: timers_left(pg) == 0, 240, "every timer to fire")
    assert_every_timer_fired_exactly_once(pg, 1000)
    logs = [(tmp_path / f"{name}.log").read_text() for name in ("w1", "w2")]
    assert all("jobs.tasks.fire_timers" in log and "succeeded" in log for log in logs)  # both worked


def test_a_worker_killed_mid_batch_loses_and_duplicates_nothing(pg, procs: Processes):
    open_overdue_cases(pg, 300)
    victim = procs.worker("victim", concurrency=2)
    procs.beat()
    wait_for(lambda: fired_count(pg) >= 40, 120, "the first worker to get going")
    Processes.kill(victim)  # SIGKILL the worker and its pool, mid-batch
    assert timers_left(pg) > 0, "the batch finished before the kill; the test proves nothing"
    procs.worker("rescuer")
    wait_for(lambda: timers_left(pg) == 0, 180, "the remaining timers to fire")
    assert_every_timer_fired_exactly_once(pg, 300)


def submit_while_redis_is_down(app, redis) -> list[str]:
    client = app.test_client()
    redis.stop()
    references = []
    for i in range(5):
        response = client.post(
            "/api/reports",
            json={
                "description": f"Abusive notes through the door, number {i}",
                "location": f"{i} Oak Flats",
                "strands": ["disability"],
                "reporter_email": f"victim{i}@example.org",
            },
        )
        assert response.status_code == 201, response.json
        references.append(response.json["reference"])
    token = client.post("/api/token", json={"username": "officer", "password": "demo"}).json["token"]
    headers = {"Authorization": f"Bearer {token}"}
    for task in client.get("/api/tasks", headers=headers).json["items"][:2]:
        done = client.post(
            f"/api/tasks/{task['id']}/complete",
            headers=headers,
            json={
                "contact_made": True,
                "contact_method": "phone",
                "contact_date": "2026-03-02",
                "response_notes": "Called, visit booked.",
            },
        )
        assert done.status_code == 200, done.json
    return references


def test_with_redis_down_reports_and_completions_succeed_and_mail_follows(
    pg, redis, mailbox, procs: Processes, scaled_env, monkeypatch
):
    from webapp import create_app

    for key, value in scaled_env.items():
        monkeypatch.setenv(key, value)
    app = create_app({"TESTING": True})
    try:
        references = submit_while_redis_is_down(app, redis)
    finally:
        app.extensions["database"].dispose()
    with pg.session() as session:
        pending = session.scalars(select(OutboxMessage).where(OutboxMessage.delivered_at.is_(None))).all()
        assert sorted(m.recipient for m in pending) == [f"victim{i}@example.org" for i in range(5)]

    redis.start()  # same port: the queue is back
    procs.worker("w1")
    procs.beat()
    wait_for(lambda: len(mailbox.messages) == 5, 60, "the acknowledgements to be emailed")
    subjects = sorted(m["Subject"] for m in mailbox.messages)
    assert subjects == sorted(f"Your report {r} has been received" for r in references)
    with pg.session() as session:
        assert session.scalar(select(func.count()).where(OutboxMessage.delivered_at.is_(None))) == 0
