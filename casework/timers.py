"""Firing due timers: hand out due timers by case, and fire each case's due timers exactly once.

``claim_due`` marks due timer rows as queued (skipping rows another sweeper holds) and returns
their case ids; ``fire_batch`` locks a batch of those cases in one statement (``FOR UPDATE SKIP
LOCKED`` on PostgreSQL) and fires them all in one case step, so one transaction; if any of them
fails, the whole batch is rolled back and each case is fired again one by one (``fire_case``, a
step of its own), so a failing case neither loses nor double-fires the others. A case another
worker holds is skipped: that worker fires it. A timer queued long ago whose worker died is
handed out again by a later sweep; firing is idempotent, because a fired timer's row is gone once
its step commits. The embedded timer thread, the CLI and the Celery tasks all come here.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import exists, or_, select
from sqlalchemy.orm import Session, sessionmaker

import processes
from casework import steps
from db import queue
from db.models import Case, Timer

log = logging.getLogger(__name__)
REQUEUE_AFTER = timedelta(seconds=30)
# Cases fired in one transaction. Larger batches save little more (the round trips saved are a
# case's lock, read and commit) and hold their cases' locks for longer: a person's step on one of
# them waits for the whole batch.
BATCH = 20


@dataclass(frozen=True)
class SweepResult:
    cases: int
    fired: int
    conflicts: int
    failures: int

    def __add__(self, other: SweepResult) -> SweepResult:
        return SweepResult(
            self.cases + other.cases,
            self.fired + other.fired,
            self.conflicts + other.conflicts,
            self.failures + other.failures,
        )


NOTHING = SweepResult(0, 0, 0, 0)


def claim_due(
    sessions: sessionmaker[Session],
    at: datetime,
    *,
    batch: int = 1000,
    requeue_after: timedelta = REQUEUE_AFTER,
) -> list[int]:
    """Mark up to ``batch`` due timers as queued and return their distinct case ids."""
    with steps.own_session(sessions, now=at) as step:
        case_ids = queue.claim(
            step.session,
            Timer,
            due=(Timer.due_at <= at)
            & or_(Timer.queued_at.is_(None), Timer.queued_at <= at - requeue_after)
            & ~exists().where(Case.id == Timer.case_id, Case.step_failed_at.is_not(None)),
            order_by=Timer.due_at,
            batch=batch,
            at=at,
            returning=Timer.case_id,
        )
    return sorted(set(case_ids))


def fire_case(
    sessions: sessionmaker[Session],
    case_id: int,
    at: datetime | None = None,
    *,
    retry: bool = False,
    skip_failing: bool = False,
    actor: str = "system",
) -> int:
    """Fire the due timers of one case in a step of its own; 0 if none or another worker has it.

    A step that fails is rolled back and recorded on the case (``step_failed_at``); the sweep then
    leaves the case alone until someone retries it (``retry``), skipping the failing step if an
    administrator chose to (``skip_failing``).
    """
    at = at or processes.clock.now()
    try:
        with steps.own_session(sessions, now=at, by=actor) as step:
            if not step.lock(case_id, skip_locked=True):
                return 0
            case = step.session.scalar(select(Case).where(Case.id == case_id, Case.status == "open"))
            if case is None or (case.step_failed_at is not None and not retry):
                return 0
            step.case = case
            return processes.fire_timers(step, case, at, skip_failing=skip_failing, actor=actor)
    except processes.EngineFailure as err:
        _record_failure(sessions, case_id, str(err), at)
        raise


def fire_batch(
    sessions: sessionmaker[Session], case_ids: Sequence[int], at: datetime | None = None
) -> SweepResult:
    """Fire the due timers of ``case_ids`` in one transaction; if any case fails, roll the batch
    back and fire each case in a step of its own (where a failure is recorded on its case)."""
    at = at or processes.clock.now()
    if len(case_ids) > 1:
        try:
            return _fire_together(sessions, case_ids, at)
        except Exception as err:  # a conflict, a failing step, a lost connection: one by one
            log.info("a batch of %s cases failed (%s); firing them one by one", len(case_ids), err)
    return sum((_fire_alone(sessions, case_id, at) for case_id in case_ids), NOTHING)


def _fire_together(sessions: sessionmaker[Session], case_ids: Sequence[int], at: datetime) -> SweepResult:
    with steps.own_session(sessions, now=at) as step:
        # One statement locks and reads the batch (and one more its process versions); a case
        # another worker holds, or one whose earlier step failed, is left out.
        cases = step.session.scalars(
            select(Case)
            .where(Case.id.in_(case_ids), Case.status == "open", Case.step_failed_at.is_(None))
            .order_by(Case.id)
            .with_for_update(skip_locked=True, of=Case)
        ).all()
        fired = 0
        for case in cases:
            step.case = case
            fired += processes.fire_timers(step, case, at)
    return SweepResult(len(case_ids), fired, 0, 0)


def _fire_alone(sessions: sessionmaker[Session], case_id: int, at: datetime) -> SweepResult:
    try:
        return SweepResult(1, fire_case(sessions, case_id, at), 0, 0)
    except processes.Conflict:
        log.info("case id %s changed while its timers fired; the next sweep retries", case_id)
        return SweepResult(1, 0, 1, 0)
    except processes.EngineFailure:
        log.exception("timer step failed for case id %s", case_id)
        return SweepResult(1, 0, 0, 1)


def _record_failure(sessions: sessionmaker[Session], case_id: int, message: str, at: datetime) -> None:
    try:
        with steps.own_session(sessions, now=at) as step:
            if not step.lock(case_id):
                return
            case = step.session.get(Case, case_id)
            if case is not None:
                processes.record_failure(step, case, message, at)
    except processes.Conflict:
        log.warning("case id %s changed while its failure was recorded; the next sweep tries again", case_id)


def retry_case(
    sessions: sessionmaker[Session],
    case_id: int,
    *,
    actor: str,
    skip: bool = False,
    at: datetime | None = None,
) -> int:
    """Run a failed case's due timers again now (``skip``: skip the step that fails)."""
    with sessions() as session:
        case = session.get(Case, case_id)
        if case is None or case.step_failed_at is None:
            raise processes.NotAllowed("This case has no failed step to retry.")
    return fire_case(sessions, case_id, at, retry=True, skip_failing=skip, actor=actor)


def batches(case_ids: Sequence[int], size: int = BATCH) -> list[list[int]]:
    """``case_ids`` cut into batches of ``size`` cases, to fire one transaction each."""
    return [list(case_ids[start : start + size]) for start in range(0, len(case_ids), size)]


def sweep(
    sessions: sessionmaker[Session], at: datetime, batch: int = 1000, cases_per_batch: int = BATCH
) -> SweepResult:
    """Fire, in this process, every timer due at or before ``at`` (embedded mode and the CLI)."""
    total = NOTHING
    while case_ids := claim_due(sessions, at, batch=batch, requeue_after=timedelta(0)):
        fired_before = total.fired
        for chunk in batches(case_ids, cases_per_batch):
            total += fire_batch(sessions, chunk, at)
        # Stop at a partial batch, or when a round fired nothing (the rest is held or failing).
        if len(case_ids) < batch or total.fired == fired_before:
            break
    return total
