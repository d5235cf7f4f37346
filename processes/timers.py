"""The timer sweep: fire every timer due by an instant, one case per transaction."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from db.models import Case
from processes import runtime
from processes.errors import Conflict, EngineFailure

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SweepResult:
    cases: int
    fired: int
    conflicts: int
    failures: int


def fire_case(sessions: sessionmaker[Session], case_id: int, at: datetime) -> int:
    """Fire the due timers of one case in its own transaction; 0 if there was nothing to do."""
    with sessions() as session:
        case = session.get(Case, case_id)
        if case is None or case.status != "open":
            return 0
        fired = runtime.fire_timers(session, case, at)
        session.commit()
        return fired


def sweep(sessions: sessionmaker[Session], at: datetime, batch: int = 500) -> SweepResult:
    """Fire every timer due at or before ``at``. A case that conflicts is retried next sweep."""
    with sessions() as session:
        case_ids = runtime.due_timer_cases(session, at, limit=batch)
    fired = conflicts = failures = 0
    for case_id in case_ids:
        try:
            fired += fire_case(sessions, case_id, at)
        except Conflict:
            conflicts += 1
        except EngineFailure:
            failures += 1
            log.exception("timer step failed for case id %s", case_id)
    return SweepResult(len(case_ids), fired, conflicts, failures)
