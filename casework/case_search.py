"""The cases list and search: every case a person may open, open and closed.

Search words are folded like the index (``db.search_index``) and each must appear in the
case's names, addresses, postcodes or references; filters narrow by status, stage (an open task),
risk, locality, team, officer (who holds an open task), strand and the date reported. "My cases"
are those where I hold or completed a task; "recently viewed" the last ten case pages I opened.
Access is the case page's rule (``case_access.openable_by``), applied in the query.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import String, case, cast, column, exists, func, select, table
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from casework import case_access, recently_viewed
from casework.permissions import Permission, allows
from db.models import Case, CaseSearch, Party, Task, User
from db.search_index import fold

LONDON = ZoneInfo("Europe/London")
SCOPES = {"all": "All cases", "mine": "My cases", "recent": "Recently viewed"}
SORTS = {
    "-reported": "Reported, newest first",
    "reported": "Reported, oldest first",
    "reference": "Reference",
    "risk": "Risk, highest first",
    "-updated": "Last updated, newest first",
}
STATUSES = {"open": "Open", "closed": "Closed", "not_started": "Could not start"}
MAX_WORDS = 8
_RISK_ORDER = case({"high": 0, "medium": 1, "low": 2}, value=Case.risk_level, else_=3)
_ORDER: dict[str, tuple[Any, ...]] = {
    "-reported": (Case.reported_at.desc(), Case.id.desc()),
    "reported": (Case.reported_at, Case.id),
    "reference": (Case.reference,),
    "risk": (_RISK_ORDER, Case.reported_at.desc(), Case.id.desc()),
    "-updated": (Case.updated_at.desc(), Case.id.desc()),
}
_SHOWN = (
    Case.id, Case.reference, Case.status, Case.reported_at, Case.updated_at, Case.risk_level,
    Case.locality, Case.team, Case.strands, Case.location, Case.restricted,
)  # fmt: skip
_FTS = table("case_search_fts", column("rowid"), column("terms"))


class SearchRefused(ValueError):
    """A search that cannot be run as typed (the message says what to type instead)."""


@dataclass(frozen=True)
class Filters:
    q: str = ""
    scope: str = "all"
    status: str | None = None
    stage: str | None = None
    risk_level: str | None = None
    locality: str | None = None
    team: str | None = None
    officer: str | None = None  # a username: who holds an open task of the case
    strand: str | None = None
    reported_from: date | None = None
    reported_to: date | None = None
    sort: str = "-reported"


@dataclass(frozen=True)
class CaseRow:
    reference: str
    status: str
    reported_at: datetime
    updated_at: datetime
    risk_level: str | None
    locality: str | None
    team: str | None
    strands: list[str]
    location: str
    restricted: bool
    stages: list[str] = field(default_factory=list)  # the open tasks' titles
    officers: list[str] = field(default_factory=list)  # who holds them, by name
    people: list[str] = field(default_factory=list)  # the parties' names


@dataclass(frozen=True)
class CasePage:
    rows: list[CaseRow]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def first(self) -> int:
        return min(self.total, (self.page - 1) * self.per_page + 1)

    @property
    def last(self) -> int:
        return min(self.total, self.page * self.per_page)


def search(session: Session, user: User, filters: Filters, *, page: int = 1, per_page: int = 25) -> CasePage:
    """One page of the cases ``user`` may open that match ``filters``."""
    # The columns the list shows, not whole cases (a case's saved workflow is large).
    query = select(*_SHOWN).where(Case.reference.is_not(None), _access(user, filters))
    query = query.where(*_conditions(session, user, filters))
    if filters.scope == "recent":
        recent = recently_viewed.latest(user.id)
        query = query.join(recent, recent.c.case_id == Case.id).order_by(recent.c.viewed_at.desc())
        page, per_page = 1, recently_viewed.KEPT
    else:
        query = query.order_by(*_ORDER.get(filters.sort, _ORDER["-reported"]))
    counted = query.with_only_columns(Case.id).order_by(None)
    total = session.scalar(select(func.count()).select_from(counted.subquery())) or 0
    page = max(1, page)
    cases = list(session.execute(query.offset((page - 1) * per_page).limit(per_page)))
    return CasePage(_rows(session, cases), total, page, per_page)


def _access(user: User, filters: Filters) -> ColumnElement[bool]:
    """The case page's access rule; for "my cases" (a task of the case is or was mine) the same
    rule reduces to "not restricted to others", a cheaper condition at 100,000 cases."""
    if filters.scope == "mine" and allows(user.role, Permission.OPEN_CASES):
        return case_access.not_hidden(user)
    return case_access.openable_by(user)


def words(text: str) -> list[str]:
    """The words a search looks for; a search of only punctuation or symbols is refused."""
    found = fold(text).split()
    if text.strip() and not found:
        raise SearchRefused(
            f"“{text.strip()}” has no letters or numbers to search for. "
            "Try part of a name, an address, a postcode or a case reference."
        )
    return found[:MAX_WORDS]


def _conditions(session: Session, user: User, filters: Filters) -> list[ColumnElement[bool]]:
    found: list[ColumnElement[bool]] = []
    if looked_for := words(filters.q):
        found += _matching(session, looked_for)
    if filters.scope == "mine":
        found.append(Case.id.in_(case_access.worked_on_by(user.id)))
    for column_, value in (
        (Case.status, filters.status),
        (Case.risk_level, filters.risk_level),
        (Case.locality, filters.locality),
        (Case.team, filters.team),
    ):
        if value:
            found.append(column_ == value)
    if filters.stage:
        found.append(_open_task(Task.element_id == filters.stage))
    if filters.officer:
        found.append(
            _open_task(Task.assignee_id.in_(select(User.id).where(User.username == filters.officer)))
        )
    if filters.strand:
        # The strands are a JSON list of codes (checked against the vocabulary on the way in).
        found.append(cast(Case.strands, String).like(f'%"{filters.strand}"%'))
    if filters.reported_from:
        found.append(Case.reported_at >= _start_of(filters.reported_from))
    if filters.reported_to:
        found.append(Case.reported_at < _start_of(filters.reported_to + timedelta(days=1)))
    return found


def _matching(session: Session, looked_for: list[str]) -> list[ColumnElement[bool]]:
    """The condition keeping the cases whose index holds every word: through the FTS5 trigram table on
    SQLite and the trigram index on PostgreSQL. Folded words hold no wildcard or quote, and are
    bound. On SQLite a word under three letters is looked for in ``case_search`` itself: FTS5
    cannot use its trigrams for it (and SQLite 3.40 crashes on such a word beside others)."""
    fts = session.get_bind().dialect.name == "sqlite"
    long = [w for w in looked_for if len(w) >= 3] if fts else []
    short = [w for w in looked_for if w not in long]
    matching = select(CaseSearch.case_id).where(*(CaseSearch.terms.like(f"%{w}%") for w in short))
    if long:
        trigrams = select(_FTS.c.rowid).where(*(_FTS.c.terms.like(f"%{w}%") for w in long))
        if not short:
            return [Case.id.in_(trigrams)]
        matching = matching.where(CaseSearch.case_id.in_(trigrams))  # short words: only on those
    return [Case.id.in_(matching)]


def _open_task(condition: ColumnElement[bool]) -> ColumnElement[bool]:
    return exists().where(Task.case_id == Case.id, Task.status == "open", condition)


def _start_of(day: date) -> datetime:
    """Midnight starting ``day`` in the UK."""
    return datetime.combine(day, time(), LONDON)


def _rows(session: Session, cases: list[Any]) -> list[CaseRow]:
    ids = [c.id for c in cases]
    stages: dict[int, list[str]] = {i: [] for i in ids}
    officers: dict[int, list[str]] = {i: [] for i in ids}
    for case_id, title, name in session.execute(
        select(Task.case_id, Task.title, User.display_name)
        .outerjoin(User, User.id == Task.assignee_id)
        .where(Task.case_id.in_(ids), Task.status == "open")
        .order_by(Task.created_at)
    ):
        stages[case_id].append(title)
        if name and name not in officers[case_id]:
            officers[case_id].append(name)
    people: dict[int, list[str]] = {i: [] for i in ids}
    for case_id, party_name in session.execute(
        select(Party.case_id, Party.name)
        .where(Party.case_id.in_(ids), Party.name.is_not(None))
        .order_by(Party.id)
    ):
        if party_name and party_name not in people[case_id]:
            people[case_id].append(party_name)
    return [
        CaseRow(
            reference=c.reference or "",
            status=c.status,
            reported_at=c.reported_at,
            updated_at=c.updated_at,
            risk_level=c.risk_level,
            locality=c.locality,
            team=c.team,
            strands=list(c.strands or []),
            location=c.location,
            restricted=c.restricted,
            stages=stages[c.id],
            officers=officers[c.id],
            people=people[c.id],
        )
        for c in cases
    ]


@dataclass(frozen=True)
class Options:
    """What the filters offer."""

    stages: list[tuple[str, str]]
    localities: list[str]
    teams: list[str]
    officers: list[tuple[str, str]]


def options(session: Session) -> Options:
    stages = session.execute(select(Task.element_id, Task.title).where(Task.status == "open").distinct())
    officers = session.execute(
        select(User.username, User.display_name).where(User.active).order_by(User.display_name)
    )
    return Options(
        stages=sorted({(element, title) for element, title in stages}, key=lambda s: s[1]),
        localities=sorted(
            session.scalars(select(Case.locality).where(Case.locality.is_not(None)).distinct())
        ),
        teams=sorted(session.scalars(select(Case.team).where(Case.team.is_not(None)).distinct())),
        officers=[(username, name) for username, name in officers],
    )
