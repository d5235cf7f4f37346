"""Firing timers: hand out due timers by case, and fire one case's due timers exactly once.

``claim_due`` marks due timer rows as queued (skipping rows another sweeper holds) and returns
their case ids; ``fire_case`` locks the case row (``FOR UPDATE SKIP LOCKED`` on PostgreSQL) and
fires what is due in its own transaction. A case another worker holds is skipped: that worker
fires it. A timer queued long ago whose worker died is handed out again by a later sweep; firing
is idempotent, because a fired timer's row is gone once its step commits.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from db.models import Case, Timer
from processes import runtime
from processes.clock import now as clock_now
from processes.errors import Conflict, EngineFailure

log = logging.getLogger(__name__)
REQUEUE_AFTER = timedelta(seconds=30)


@dataclass(frozen=True)
class SweepResult:
    cases: int
    fired: int
    conflicts: int
    failures: int


def claim_due(
    sessions: sessionmaker[Session],
    at: datetime,
    *,
    batch: int = 1000,
    requeue_after: timedelta = REQUEUE_AFTER,
) -> list[int]:
    """Mark up to ``batch`` due timers as queued and return their distinct case ids."""
    with sessions() as session:
        due = (
            select(Timer.id)
            .where(Timer.due_at <= at, or_(Timer.queued_at.is_(None), Timer.queued_at <= at - requeue_after))
            .order_by(Timer.due_at)
            .limit(batch)
            .with_for_update(skip_locked=True)
        )
        case_ids = session.scalars(
            update(Timer)
            .where(Timer.id.in_(due.scalar_subquery()))
            .values(queued_at=at)
            .returning(Timer.case_id)
        ).all()
        session.commit()
    return sorted(set(case_ids))


def fire_case(sessions: sessionmaker[Session], case_id: int, at: datetime | None = None) -> int:
    """Fire the due timers of one case in its own transaction; 0 if none or another worker has it."""
    with sessions() as session:
        case = session.scalar(
            select(Case)
            .where(Case.id == case_id, Case.status == "open")
            .with_for_update(skip_locked=True, of=Case)
        )
        if case is None:
            return 0
        fired = runtime.fire_timers(session, case, at or clock_now())
        session.commit()
        return fired


def sweep(sessions: sessionmaker[Session], at: datetime, batch: int = 1000) -> SweepResult:
    """Fire, in this process, every timer due at or before ``at`` (embedded mode and the CLI)."""
    total_cases = fired = conflicts = failures = 0
    while case_ids := claim_due(sessions, at, batch=batch, requeue_after=timedelta(0)):
        total_cases += len(case_ids)
        fired_before = fired
        for case_id in case_ids:
            try:
                fired += fire_case(sessions, case_id, at)
            except Conflict:
                conflicts += 1
            except EngineFailure:
                failures += 1
                log.exception("timer step failed for case id %s", case_id)
        # Stop at a partial batch, or when a round fired nothing (the rest is held or failing).
        if len(case_ids) < batch or fired == fired_before:
            break
    return SweepResult(total_cases, fired, conflicts, failures)
