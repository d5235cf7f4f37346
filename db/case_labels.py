"""The case labels (``case_labels``): each incident type and strand of a case, a row each.

The indicators group and filter on them in SQL instead of reading every case's JSON lists. They
are kept in one place, the session event below: whenever a flush writes a case whose
``incident_types`` or ``strands`` changed (or a new case), its rows are rewritten in the same
transaction from the values the case holds. So every writer (a report, a case step, a command)
keeps them right without calling anything. Migration 0025 fills them for existing cases.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import chain
from typing import Any

from sqlalchemy import Connection, delete, event, insert, inspect, select
from sqlalchemy.orm import Session

from db.models import Case, CaseLabel

INCIDENT_TYPE = "incident_type"
STRAND = "strand"
_FIELDS = {"incident_types": INCIDENT_TYPE, "strands": STRAND}
BATCH = 2000


def labels(case_id: int, incident_types: Any, strands: Any) -> list[dict[str, Any]]:
    """The label rows of one case (each value once; a value that is not text is kept as text)."""
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    for kind, values in ((INCIDENT_TYPE, incident_types), (STRAND, strands)):
        for value in values or []:
            text = "" if value is None else str(value)
            rows[(kind, text)] = {"case_id": case_id, "kind": kind, "value": text}
    return list(rows.values())


def write(connection: Connection, cases: Iterable[tuple[int, Any, Any]]) -> None:
    """Rewrite the labels of ``(case id, incident types, strands)``."""
    found = list(cases)
    for start in range(0, len(found), BATCH):
        batch = found[start : start + BATCH]
        connection.execute(delete(CaseLabel).where(CaseLabel.case_id.in_([row[0] for row in batch])))
        rows = list(chain.from_iterable(labels(*row) for row in batch))
        if rows:
            connection.execute(insert(CaseLabel), rows)


def rebuild_all(connection: Connection) -> int:
    """Label every case (the migration's backfill); how many cases."""
    cases = connection.execute(select(Case.id, Case.incident_types, Case.strands).order_by(Case.id)).all()
    write(connection, [tuple(row) for row in cases])
    return len(cases)


def _changed(session: Session) -> list[tuple[int, Any, Any]]:
    found = []
    for obj in chain(session.new, session.dirty):
        if not isinstance(obj, Case) or obj.id is None:
            continue
        state = inspect(obj)
        if obj in session.new or any(state.attrs[f].history.has_changes() for f in _FIELDS):
            found.append((obj.id, obj.incident_types, obj.strands))
    return found


@event.listens_for(Session, "after_flush")
def _keep_labels(session: Session, _context: Any) -> None:
    changed = _changed(session)
    if changed:
        write(session.connection(), changed)
