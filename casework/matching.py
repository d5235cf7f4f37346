"""Matching a report to the open cases it may belong to (issue 19 point 4), and the repeat-victim
flag.

A report is compared with each OPEN case by the victim (name, email, phone), the home (postcode
and house number, ``reports.address_key``) and the alleged perpetrator (name). A strong match (the
same victim by email or phone, or the same home and the same victim's name) means the report is
another incident on that case; anything weaker is a possible match for the officer to link or
keep apart."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.sql.elements import ColumnElement

from casework import case_access, incidents, linked_cases
from casework.reports import PartyDetails, Report, address_key
from db import timeline
from db.models import Case, Party, TimelineEvent, User

OPEN = "open"


@dataclass(frozen=True)
class Facts:
    """What a report or a case says about who was harmed, where, and by whom, normalised."""

    victims: frozenset[str]
    contacts: frozenset[str]
    homes: frozenset[tuple[str, ...]]
    perpetrators: frozenset[str]


@dataclass(frozen=True)
class Match:
    case: Case
    strong: bool
    why: tuple[str, ...]  # plain words: "same victim's email or phone", ...


def _name(text: str | None) -> str:
    return " ".join((text or "").lower().replace(",", " ").split())


def _phone(text: str | None) -> str:
    digits = re.sub(r"\D", "", text or "")
    if digits.startswith("44"):
        digits = "0" + digits[2:]
    return f"phone:{digits}" if len(digits) >= 7 else ""


def _email(text: str | None) -> str:
    value = (text or "").strip().lower()
    return f"email:{value}" if "@" in value else ""


def _facts(
    parties: Iterable[PartyDetails | Party],
    location: str | None,
    reporter: tuple[str | None, str | None, str | None],
    reporter_is_victim: bool,
) -> Facts:
    parties = list(parties)
    victims = [p for p in parties if p.role == "victim"]
    names = {_name(p.name) for p in victims if p.name}
    reporter_name, reporter_email, reporter_phone = reporter
    contacts = {c for p in victims for c in (_email(p.email), _phone(p.phone))}
    if reporter_is_victim or (reporter_name and _name(reporter_name) in names):
        contacts |= {_email(reporter_email), _phone(reporter_phone)}
        if reporter_name:
            names.add(_name(reporter_name))
    homes = {k for k in (*(address_key(p.address) for p in victims), address_key(location)) if k}
    accused = {_name(p.name) for p in parties if p.role == "alleged_perpetrator" and p.name}
    return Facts(frozenset(names), frozenset(contacts - {""}), frozenset(homes), frozenset(accused))


def of_report(report: Report) -> Facts:
    is_victim = report.reporter is not None and report.reporter.reporter_is == "victim"
    who = (report.reporter_name, report.reporter_email, report.reporter_phone)
    return _facts(report.parties, report.location, who, is_victim)


def of_case(case: Case) -> Facts:
    who = (case.reporter_name, case.reporter_email, case.reporter_phone)
    return _facts(case.parties, case.location, who, False)


def compare(mine: Facts, theirs: Facts) -> tuple[bool, tuple[str, ...]]:
    """Whether two sets of facts are a strong match, and why they match at all (empty: they don't)."""
    contact = bool(mine.contacts & theirs.contacts)
    name = bool(mine.victims & theirs.victims)
    home = bool(mine.homes & theirs.homes)
    accused = bool(mine.perpetrators & theirs.perpetrators)
    why = (
        ("the same victim's email or phone",) * contact
        + ("the same victim's name",) * name
        + ("the same home (postcode and house number)",) * home
        + ("the same alleged perpetrator",) * accused
    )
    return contact or (home and name), why


def _candidates(session: Session, facts: Facts, exclude: int | None) -> list[Case]:
    """Open cases that share a name, an email, a phone or a postcode with ``facts``: found
    roughly in SQL, compared exactly by ``compare``."""
    names = facts.victims | facts.perpetrators
    emails = {c.removeprefix("email:") for c in facts.contacts if c.startswith("email:")}
    rough: list[ColumnElement[bool]] = [
        func.lower(Party.name).in_(names),
        func.lower(Party.email).in_(emails),
    ]
    rough += [func.lower(Case.reporter_email).in_(emails)]
    for contact in facts.contacts:
        if contact.startswith("phone:"):
            tail = contact.removeprefix("phone:")[-9:]
            rough += [
                func.replace(Party.phone, " ", "").like(f"%{tail}"),
                func.replace(Case.reporter_phone, " ", "").like(f"%{tail}"),
            ]
    for home in facts.homes:
        spelling = home[1]
        if home[0] == "postcode":
            compact = spelling.replace(" ", "")
            for text in (spelling, compact):
                rough += [Case.location.ilike(f"%{text}%"), Party.address.ilike(f"%{text}%")]
        else:  # a whole address with no postcode, as ``reports.address_key`` normalises it
            rough += [
                func.lower(func.replace(Case.location, ",", "")) == spelling,
                func.lower(func.replace(Party.address, ",", "")) == spelling,
            ]
    ids = session.scalars(
        select(Case.id)
        .outerjoin(Party, Party.case_id == Case.id)
        .where(Case.status == OPEN, Case.id != (exclude or 0), or_(*rough))
        .distinct()
    )
    return list(session.scalars(select(Case).where(Case.id.in_(list(ids))).order_by(Case.reported_at)))


def matches(session: Session, facts: Facts, *, exclude: int | None = None) -> list[Match]:
    """The open cases ``facts`` match, strong ones first, oldest first within each."""
    found = []
    for case in _candidates(session, facts, exclude):
        strong, why = compare(facts, of_case(case))
        if why:
            found.append(Match(case, strong, why))
    return sorted(found, key=lambda m: not m.strong)


def strong_match(session: Session, report: Report) -> Case | None:
    """The open case ``report`` is another incident on, if any (the oldest strong match)."""
    return next((m.case for m in matches(session, of_report(report)) if m.strong), None)


def possible_matches(session: Session, case: Case) -> list[Match]:
    """Other open cases that ``case`` may be about too, not yet linked to it."""
    linked = {view.reference for view in linked_cases.links_of(session, case)}
    return [m for m in matches(session, of_case(case), exclude=case.id) if m.case.reference not in linked]


def incidents_in(session: Session, case: Case, *, days: int, now: datetime) -> int:
    """Incidents the victim of ``case`` reported in the last ``days``: the cases of theirs
    (matched by name, email or phone, open or closed) reported then, and further incidents
    logged on them then."""
    facts = of_case(case)
    since = now - timedelta(days=days)
    same = Facts(facts.victims, facts.contacts, frozenset(), frozenset())
    ids = {case.id}
    names = facts.victims
    emails = {c.removeprefix("email:") for c in facts.contacts if c.startswith("email:")}
    found = select(Case.id).join(Party, Party.case_id == Case.id)
    rows = session.scalars(
        select(Case).where(
            Case.id.in_(
                found.where(
                    Party.role == "victim",
                    or_(func.lower(Party.name).in_(names), func.lower(Party.email).in_(emails)),
                    Case.reported_at >= since,
                    Case.reported_at <= now,
                )
            )
        )
    )
    ids |= {other.id for other in rows if compare(same, of_case(other))[1]}
    cases = session.scalar(
        select(func.count(Case.id)).where(
            Case.id.in_(ids), Case.reported_at >= since, Case.reported_at <= now
        )
    )
    further = session.scalar(
        select(func.count(TimelineEvent.id)).where(
            TimelineEvent.case_id.in_(ids),
            TimelineEvent.kind == timeline.FurtherIncident.KIND,
            TimelineEvent.at >= since,
            TimelineEvent.at <= now,
        )
    )
    split = incidents.split_off_between(session, ids, since, now)
    return (cases or 0) + (further or 0) - split


def repeat_victim(session: Session, case: Case, *, incidents: int, days: int, now: datetime) -> int | None:
    """The count of the victim's incidents in ``days`` when it is ``incidents`` or more (a repeat
    victim, flagged), else None."""
    facts = of_case(case)
    if not facts.victims and not facts.contacts:
        return None
    count = incidents_in(session, case, days=days, now=now)
    return count if count >= incidents else None


# What each way of matching suggests as the kind of link (casework.vocabulary.LINK_KINDS).
_LINK_KIND = {
    "the same victim's email or phone": "same_victim",
    "the same victim's name": "same_victim",
    "the same home (postcode and house number)": "same_address",
    "the same alleged perpetrator": "same_perpetrator",
}


@dataclass(frozen=True)
class Possible:
    reference: str
    why: tuple[str, ...]
    link_kind: str
    reported_at: datetime


@dataclass(frozen=True)
class OnThePage:
    """What the case page shows: other open cases this one may be about (that ``user`` may open),
    and the victim's incidents in the period when they are a repeat victim (else None)."""

    possible: list[Possible]
    repeat_incidents: int | None
    repeat_days: int


def on_the_page(
    session: Session, case: Case, user: User, *, incidents: int, days: int, now: datetime
) -> OnThePage:
    possible = []
    if case.status == OPEN:
        possible = [
            Possible(m.case.reference or "", m.why, _LINK_KIND[m.why[0]], m.case.reported_at)
            for m in possible_matches(session, case)
            if case_access.may_open(session, user, m.case)
        ]
    repeat = repeat_victim(session, case, incidents=incidents, days=days, now=now)
    return OnThePage(possible, repeat, days)


def repeat_victim_references(
    session: Session, references: Iterable[str], *, incidents: int, days: int, now: datetime
) -> set[str]:
    """Which of the cases ``references`` (an inbox page's) have a repeat victim."""
    # The page's cases with their parties in one more statement, not one a case.
    cases = session.scalars(
        select(Case).where(Case.reference.in_(set(references))).options(selectinload(Case.parties))
    )
    return {
        case.reference or ""
        for case in cases
        if repeat_victim(session, case, incidents=incidents, days=days, now=now) is not None
    }
