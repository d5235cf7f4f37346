"""Moving open cases to the latest version of their process, in bulk, and moving one back.

Each case moves in its own transaction, so one case that cannot move (or changed meanwhile)
leaves the others moved; every move is on the case's timeline and can be undone while nothing
else has happened to the case.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

import processes
from casework import steps
from casework.casefile import find_case
from db.models import Case, ProcessVersion, TimelineEvent, User
from processes import migration

MoveCheck = migration.MoveCheck
NotMovable = migration.NotMovable


@dataclass(frozen=True)
class Outcome:
    reference: str
    moved: bool
    message: str


@dataclass(frozen=True)
class RecentMove:
    reference: str
    from_version: int
    to_version: int
    at: datetime
    actor: str
    undoable: bool


def target_version(session: Session, key: str) -> ProcessVersion:
    version = processes.latest_version(session, key)
    assert version is not None  # latest_version raises UnknownProcess otherwise
    return version


def preview(session: Session, key: str, *, now: datetime) -> list[MoveCheck]:
    """Open cases of process ``key`` on older versions: which can move to the latest, which not."""
    checks = migration.preview(session, target_version(session, key), now)
    session.rollback()  # checking loads workflows; nothing is to be written
    return checks


def move_cases(
    session: Session, key: str, references: list[str], *, user: User, now: datetime
) -> list[Outcome]:
    """Move each case named to the latest version of ``key``, one transaction per case."""
    outcomes = []
    for reference in dict.fromkeys(r.strip().upper() for r in references if r.strip()):
        try:
            target = target_version(session, key)
            case = find_case(session, reference)
            with steps.case_step(session, now=now, user=user, case=case) as step:
                if case.process_version.process_key != key:
                    raise NotMovable(f"{reference} is not a case of this process.")
                migration.move(step, case, target, actor=user.display_name, now=now)
        except (processes.ProcessError, LookupError) as err:
            session.rollback()
            outcomes.append(Outcome(reference, False, str(err)))
        else:
            outcomes.append(Outcome(reference, True, f"{reference} moved to version {target.version}."))
    return outcomes


def recent_moves(session: Session, key: str, limit: int = 50) -> list[RecentMove]:
    """The latest moves of cases that still run ``key``, newest first, and whether each can be undone."""
    rows = session.execute(
        select(TimelineEvent, Case)
        .join(Case, Case.id == TimelineEvent.case_id)
        .join(ProcessVersion, ProcessVersion.id == Case.process_version_id)
        .where(TimelineEvent.kind == migration.MOVED, ProcessVersion.process_key == key)
        .order_by(TimelineEvent.at.desc(), TimelineEvent.id.desc())
        .limit(limit)
    ).all()
    seen: set[int] = set()
    moves = []
    for event, case in rows:
        if case.id in seen:
            continue
        seen.add(case.id)
        details = event.details or {}
        moves.append(
            RecentMove(
                case.reference or str(case.id),
                int(details.get("from", {}).get("version", 0)),
                int(details.get("to_version", 0)),
                event.at,
                event.actor,
                migration.can_undo(session, case),
            )
        )
    return moves


def undo_move(session: Session, reference: str, *, user: User, now: datetime) -> processes.StepResult:
    """Move a case back to the version it ran before its last move, in one case step."""
    case = find_case(session, reference)
    with steps.case_step(session, now=now, user=user, case=case) as step:
        return migration.undo(step, case, actor=user.display_name, now=now)
