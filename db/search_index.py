"""The cases search index (``case_search``): kept current whenever a case or its people change.

One row a case holds, folded (lower case, accents off, punctuation as spaces), its reference, the
reporter's and every party's name, the incident location and the parties' addresses, each UK
postcode with and without its space, and the references other agencies gave (the police
reference, held on the referral and in the police task's answers). ``casework.case_search``
searches it.

It is kept current in one place, the session events below: every flush notes the cases whose
searchable facts changed (a case's reference, reporter or location; a party; a referral; a task's
answers), and the commit rewrites their rows in the same transaction. So a case step, the
retention job and a command line change all keep it right without calling anything.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from itertools import chain
from typing import Any

from sqlalchemy import Connection, delete, event, insert, inspect, select
from sqlalchemy.orm import Session, SessionTransaction

from db.models import Case, CaseSearch, Party, Referral, Task

_DIRTY = "db.search_index.dirty"
_CASE_FIELDS = ("reference", "reporter_name", "location")
_POSTCODE = re.compile(r"\b([A-Z]{1,2}[0-9][A-Z0-9]?)\s*([0-9][A-Z]{2})\b", re.IGNORECASE)
_NOT_WORD = re.compile(r"[\W_]+")
BATCH = 2000


def fold(text: str) -> str:
    """``text`` as the index holds it and a search compares it: lower case, accents off, every
    run of punctuation or spaces one space ("Béll-O'Neil" -> "bell o neil")."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(_NOT_WORD.sub(" ", plain).split())


def postcodes(text: str) -> list[str]:
    """Each UK postcode in ``text``, as "sw1a 1aa" and "sw1a1aa" (searched either way)."""
    found = []
    for outward, inward in _POSTCODE.findall(text):
        found += [f"{outward} {inward}".lower(), f"{outward}{inward}".lower()]
    return found


def terms(pieces: Iterable[str | None]) -> str:
    """The folded text of a case's searchable pieces, postcodes added."""
    texts = [p for p in pieces if p]
    folded = [fold(p) for p in texts] + list(chain.from_iterable(postcodes(p) for p in texts))
    return " | ".join(dict.fromkeys(f for f in folded if f))


def _answered_references(submitted: dict[str, Any] | None) -> list[str]:
    """References typed into a task's form (``police_reference`` and the like)."""
    return [str(v) for k, v in (submitted or {}).items() if k.endswith("reference") and v]


def rows_for(connection: Connection, case_ids: Iterable[int]) -> list[dict[str, Any]]:
    """The index rows of ``case_ids`` (cases that no longer exist have none)."""
    ids = list(case_ids)
    pieces: dict[int, list[str | None]] = defaultdict(list)
    for row in connection.execute(
        select(Case.id, Case.reference, Case.reporter_name, Case.location).where(Case.id.in_(ids))
    ):
        pieces[row.id] += [row.reference, row.reporter_name, row.location]
    found = set(pieces)
    for case_id, name, address in connection.execute(
        select(Party.case_id, Party.name, Party.address).where(Party.case_id.in_(ids))
    ):
        pieces[case_id] += [name, address]
    for case_id, reference in connection.execute(
        select(Referral.case_id, Referral.reference).where(Referral.case_id.in_(ids))
    ):
        pieces[case_id].append(reference)
    for case_id, submitted in connection.execute(
        select(Task.case_id, Task.submitted).where(Task.case_id.in_(ids), Task.submitted.is_not(None))
    ):
        pieces[case_id] += _answered_references(submitted)
    return [{"case_id": i, "terms": terms(pieces[i])} for i in sorted(found)]


def refresh(connection: Connection, case_ids: Iterable[int]) -> None:
    """Rewrite the index rows of ``case_ids`` from what the cases hold now."""
    ids = sorted(set(case_ids))
    for start in range(0, len(ids), BATCH):
        batch = ids[start : start + BATCH]
        connection.execute(delete(CaseSearch).where(CaseSearch.case_id.in_(batch)))
        rows = rows_for(connection, batch)
        if rows:
            connection.execute(insert(CaseSearch), rows)


def rebuild_all(connection: Connection) -> int:
    """Index every case (the migration's backfill, and ``flask search-index``); how many."""
    ids = list(connection.scalars(select(Case.id).order_by(Case.id)))
    refresh(connection, ids)
    return len(ids)


# -- the one place the index is kept current


def _changed_cases(session: Session) -> set[int]:
    changed: set[int] = set()
    for obj in chain(session.new, session.deleted):
        if isinstance(obj, Case) and obj.id is not None:
            changed.add(obj.id)
        elif isinstance(obj, Task):
            # A task counts only for the references typed into its answers (most have none).
            if obj.case_id is not None and _answered_references(obj.submitted):
                changed.add(obj.case_id)
        elif isinstance(obj, (Party, Referral)) and obj.case_id is not None:
            changed.add(obj.case_id)
    for obj in session.dirty:
        if _searchable_change(obj):
            changed.add(obj.id if isinstance(obj, Case) else obj.case_id)
    return changed


def _searchable_change(obj: Any) -> bool:
    """Whether a changed row changed what the index holds of its case."""
    state = inspect(obj)
    if isinstance(obj, Task):
        return _references_changed(state.attrs["submitted"].history)
    if isinstance(obj, Case):
        fields: tuple[str, ...] = _CASE_FIELDS
    elif isinstance(obj, Party):
        fields = ("name", "address", "case_id")
    elif isinstance(obj, Referral):
        fields = ("reference",)
    else:
        return False
    return any(state.attrs[f].history.has_changes() for f in fields)


def _references_changed(history: Any) -> bool:
    """Whether a task's answers changed in what the index holds of them (their references); an
    earlier value not loaded counts as a change."""
    if not history.has_changes():
        return False
    if not history.deleted:
        return True
    old = _answered_references(history.deleted[0])
    return any(_answered_references(new) != old for new in history.added or [None])


@event.listens_for(Session, "after_flush")
def _note_changes(session: Session, _context: Any) -> None:
    changed = _changed_cases(session)
    if changed:
        session.info.setdefault(_DIRTY, set()).update(changed)


@event.listens_for(Session, "before_commit")
def _refresh_before_commit(session: Session) -> None:
    session.flush()  # so the last changes are noted
    changed = session.info.pop(_DIRTY, None)
    if changed:
        refresh(session.connection(), changed)


@event.listens_for(Session, "after_soft_rollback")
def _forget(session: Session, previous: SessionTransaction) -> None:
    if not previous.nested:  # a savepoint rolled back keeps what the outer transaction noted
        session.info.pop(_DIRTY, None)
