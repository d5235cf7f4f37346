"""A case going round a zero-length timer loop is stopped in a real Celery worker too: beat sweeps
every second, the worker fires one turn a time, and the count kept on the case stops it."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import select

import processes
from casework import process_models
from db import Database
from db.models import Case, User
from tests.jobs.services import Processes, wait_for
from tests.processes.test_runaway_loops import TIMER_LOOP

pytestmark = pytest.mark.scaled


def test_a_celery_worker_stops_a_case_going_round_a_zero_timer(pg: Database, procs: Processes):
    with pg.session() as session:
        owner = session.scalars(select(User).where(User.username == "owner")).one()
        process_models.deploy(session, TIMER_LOOP, user=owner)
        data = {"wait": 0, "turns": 0, "check_every": 0}
        case_id = process_models.start_case(
            session, "data_timer", data, user=owner, now=processes.clock.now()
        ).case_id
    procs.worker("worker")
    procs.beat()

    def failure() -> str | None:
        with pg.session() as session:
            case = session.get(Case, case_id)
            return case.step_failure if case else None

    message = wait_for(failure, 240, "the worker to stop the loop", interval=1)
    assert "more than 200 automatic steps" in message and "'Wait' → 'Count' → 'Again?'" in message
    with pg.session() as session:
        saved = session.get(Case, case_id).workflow_state
    time.sleep(3)  # three more beats: the failed case is left alone
    with pg.session() as session:
        assert session.get(Case, case_id).workflow_state == saved
