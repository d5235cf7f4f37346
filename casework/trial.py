"""A deploy's trial case: start a case on the diagram as a real one starts, run it to its first
wait, fire timers that take no time, save it, and roll it all back. It finds what the static
checks cannot: a script that raises or sets a value too large to save, a gateway no condition of
which holds on a report's data, a loop through a timer of no length.

Everything runs in a savepoint that is always rolled back, so the caller's transaction is as it
was. Handlers only write to the session (mail goes to the outbox), so nothing leaves the database.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

import processes
from casework import steps
from casework.reports import open_case, sample_report
from casework.vocabulary import PROCESS_KEY
from db.models import Case, Timer

# A loop through timers of no length goes round once a round; a sound diagram's timers of no
# length (a reminder "now") are done well within this.
ROUNDS = 25


def check(session: Session, xml: bytes, filename: str = "diagram.bpmn") -> tuple[processes.Problem, ...]:
    """Raise ``InvalidDiagram`` naming the step a new case would fail at; change nothing. Returns
    the diagram's warnings."""
    problem = None
    warnings: tuple[processes.Problem, ...] = ()
    trial = session.begin_nested()  # flushes the caller's pending rows first, outside the trial
    known = set(session.identity_map.keys())
    try:
        deployment = processes.deploy(session, xml, filename=filename)
        warnings = deployment.warnings
        problem = _run(session, deployment.key, processes.clock.now())
    finally:
        trial.rollback()
        # The rollback does not always forget rows the savepoint added (seen with the trial's
        # process version), and a later flush would then collide with their ids.
        for identity in set(session.identity_map.keys()) - known:
            session.expunge(session.identity_map[identity])
    if problem is not None:
        raise processes.InvalidDiagram([problem], list(warnings))
    return warnings


def _run(session: Session, key: str, now: datetime) -> processes.Problem | None:
    known = key == PROCESS_KEY  # the report-driven process; any other starts with no data
    try:
        case_id = _start(session, key, now)
        return _fire_timers(session, session.get_one(Case, case_id), now)
    except processes.EngineFailure as err:
        if not known and isinstance(err.reason, NameError):
            return None  # a value the unknown start data would hold
        return _problem(err, err.element_id, err.element_name)
    except processes.ProcessError as err:
        return _problem(err, None, None)


def _start(session: Session, key: str, now: datetime) -> int:
    step = steps.uncommitted(session, now=now)
    if key == PROCESS_KEY:
        return open_case(step, sample_report()).case_id
    case = Case(
        reported_at=now, description="Trial case", location="", strands=[], channel="api", status="open"
    )
    return processes.start(step, case, key, {}, now=now).case_id


def _fire_timers(session: Session, case: Case, now: datetime) -> processes.Problem | None:
    """Fire timers of no length a round at a time (the engine fires a timer strictly after it is
    due, so each round is a second later); a problem when they are still firing after ``ROUNDS``."""
    at = now
    for _ in range(ROUNDS):
        at += timedelta(seconds=1)
        if not processes.fire_timers(steps.uncommitted(session, now=at), case, at):
            return None
    due = session.scalars(select(Timer).where(Timer.case_id == case.id, Timer.due_at <= at)).first()
    return processes.Problem(
        f"A new case went round this timer {ROUNDS} times without waiting: it takes no time, so "
        "the case would loop for ever. Give the timer a length, or put a user task on the loop.",
        due.element_id if due else None,
        due.name if due else None,
    )


def _problem(err: Exception, element_id: str | None, element_name: str | None) -> processes.Problem:
    return processes.Problem(
        f"A trial case started on this diagram failed: {err} Fix the step before deploying.",
        element_id,
        element_name,
    )
