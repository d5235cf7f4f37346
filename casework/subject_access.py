"""Subject access (policy section 9): find a person across the cases and export everything held
about them, with other people's personal data redacted.

A search looks at the people on cases (name, email, phone, address) and at the reporter fields
of cases (name, email, phone). Staff choose which matches are the person; the export then holds,
for each case they appear in: the case's dates and facts, their role(s) and details as held,
their equality answers, the timeline, the completed tasks' answers, consents and disclosures
about them (and about the case as a whole), referrals and letters.

What is withheld, and why, is part of the export (``WITHHELD``): the names, email addresses and
phone numbers of other people on the same case are replaced by their role in square brackets
(``[witness]``), and disclosures about other people are left out. Both the search and the export
are written to the audit log.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, object_session

import processes
from casework import audit, case_access, steps, tasks
from casework.actions import due_day
from casework.consents import PURPOSES, Invalid
from casework.disclosures import BASES, DISCLOSURE_PURPOSES
from casework.vocabulary import (
    CHANNELS,
    EQUALITY_QUESTIONS,
    INCIDENT_TYPES,
    PARTY_ROLES,
    RELATIONS,
    STRANDS,
    TENURES,
)
from db.models import (
    Case,
    CaseAction,
    CaseDocument,
    Consent,
    Disclosure,
    Party,
    PartyNeeds,
    Referral,
    Task,
    TimelineEvent,
    User,
)

SEARCH_FIELDS = ("name", "email", "phone", "address")
TERM_MIN = 2
MATCH_LIMIT = 200
WITHHELD = [
    "Other people on the same case: their names, email addresses and phone numbers are replaced by "
    "their role in square brackets, e.g. [witness], wherever they appear in the text (the report, the "
    "timeline, task answers, referrals, letters and the action plan).",
    "Disclosures about other people on the same case are left out; disclosures about the case as a whole "
    "are included, with the same redaction.",
    "Free text can mention other people in ways the redaction cannot find (a nickname, a description): "
    "read the export before sending it and redact by hand what remains.",
    "Staff names are kept: they acted for the landlord. The audit log of staff activity is not included.",
]


@dataclass(frozen=True)
class Match:
    key: str  # "party:<id>" or "reporter:<case id>"
    case_reference: str
    reported_at: datetime
    role: str
    name: str | None
    email: str | None
    phone: str | None
    address: str | None
    matched: tuple[str, ...] = field(default=())
    case_id: int = 0


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def _terms(values: dict[str, object]) -> dict[str, str]:
    terms = {name: str(values.get(name) or "").strip() for name in SEARCH_FIELDS}
    terms = {name: value[:200] for name, value in terms.items() if value}
    if "phone" in terms and len(_digits(terms["phone"])) < 4:
        raise Invalid({"phone": "Give at least 4 digits of the phone number."})
    short = [name for name, value in terms.items() if len(value) < TERM_MIN]
    if short:
        raise Invalid({name: f"Give at least {TERM_MIN} characters." for name in short})
    if not terms:
        raise Invalid({"name": "Give a name, an email address, a phone number or an address to search for."})
    return terms


def _phone_column(column: Any) -> Any:
    cleaned = column
    for char in (" ", "-", "(", ")", "+"):
        cleaned = func.replace(cleaned, char, "")
    return cleaned


@dataclass(frozen=True)
class Found:
    """The matches on cases the viewer may open, and how many restricted cases also matched (their
    people are not shown: only a person named on such a case may answer for it)."""

    matches: list[Match]
    restricted: int = 0

    @property
    def note(self) -> str | None:
        return case_access.restricted_note(self.restricted)


def search(
    session: Session, values: dict[str, object], *, viewer: User, actor: audit.Actor, now: datetime
) -> Found:
    """Every person on a case and every case reporter matching any of the terms given (name,
    email, phone, address) on the cases ``viewer`` may open; ``Invalid`` if no usable term. The
    search is audited."""
    terms = _terms(values)
    found = _party_matches(session, terms) + _reporter_matches(session, terms)
    opens = case_access.opener(session, viewer)
    matches = [m for m in found if opens(m.case_id)]
    hidden = {m.case_id for m in found} - {m.case_id for m in matches}
    matches.sort(key=lambda m: (m.reported_at, m.case_reference, m.key))
    with steps.unit_of_work(session, now=now, actor=actor) as step:
        step.audit(
            "search",
            subject_type="person",
            subject="subject access",
            detail="; ".join(f"{name}={value}" for name, value in terms.items()),
        )
    return Found(matches[:MATCH_LIMIT], len(hidden))


def _party_matches(session: Session, terms: dict[str, str]) -> list[Match]:
    conditions = {
        "name": Party.name.ilike(f"%{terms['name']}%") if "name" in terms else None,
        "email": func.lower(Party.email) == terms["email"].lower() if "email" in terms else None,
        "phone": _phone_column(Party.phone).contains(_digits(terms.get("phone", "")))
        if "phone" in terms
        else None,
        "address": Party.address.ilike(f"%{terms['address']}%") if "address" in terms else None,
    }
    used = [c for c in conditions.values() if c is not None]
    rows = session.execute(
        select(Party, Case.reference, Case.reported_at)
        .join(Case, Case.id == Party.case_id)
        .where(or_(*used), Case.anonymised_at.is_(None))
        .limit(MATCH_LIMIT)
    )
    return [
        Match(
            key=f"party:{party.id}",
            case_reference=reference or "",
            reported_at=reported_at,
            role=PARTY_ROLES.get(party.role, party.role),
            name=party.name,
            email=party.email,
            phone=party.phone,
            address=party.address,
            matched=_matched(terms, party.name, party.email, party.phone, party.address),
            case_id=party.case_id,
        )
        for party, reference, reported_at in rows
    ]


def _reporter_matches(session: Session, terms: dict[str, str]) -> list[Match]:
    conditions = [
        Case.reporter_name.ilike(f"%{terms['name']}%") if "name" in terms else None,
        func.lower(Case.reporter_email) == terms["email"].lower() if "email" in terms else None,
        _phone_column(Case.reporter_phone).contains(_digits(terms["phone"])) if "phone" in terms else None,
    ]
    used = [c for c in conditions if c is not None]
    if not used:
        return []
    cases = session.scalars(select(Case).where(or_(*used), Case.anonymised_at.is_(None)).limit(MATCH_LIMIT))
    return [
        Match(
            key=f"reporter:{case.id}",
            case_reference=case.reference or "",
            reported_at=case.reported_at,
            role="Reporter (named on the report)",
            name=case.reporter_name,
            email=case.reporter_email,
            phone=case.reporter_phone,
            address=None,
            matched=_matched(terms, case.reporter_name, case.reporter_email, case.reporter_phone, None),
            case_id=case.id,
        )
        for case in cases
    ]


def _matched(
    terms: dict[str, str], name: str | None, email: str | None, phone: str | None, address: str | None
) -> tuple[str, ...]:
    found = []
    if "name" in terms and name and terms["name"].lower() in name.lower():
        found.append("name")
    if "email" in terms and email and terms["email"].lower() == email.lower():
        found.append("email")
    if "phone" in terms and phone and _digits(terms["phone"]) in _digits(phone):
        found.append("phone")
    if "address" in terms and address and terms["address"].lower() in address.lower():
        found.append("address")
    return tuple(found)


# --- The export ----------------------------------------------------------------------------


@dataclass
class _Subject:
    """Who the person is on one case: their party rows and whether the reporter fields are theirs."""

    case: Case
    parties: list[Party] = field(default_factory=list)
    reporter: bool = False


def _chosen(session: Session, keys: list[str]) -> dict[int, _Subject]:
    subjects: dict[int, _Subject] = {}
    for key in keys:
        kind, _, number = str(key).partition(":")
        if not number.isdigit() or kind not in ("party", "reporter"):
            raise Invalid({"who": f"Unknown match {key!r}: search again and choose from the list."})
        if kind == "party":
            party = session.get(Party, int(number))
            case = session.get(Case, party.case_id) if party else None
        else:
            party, case = None, session.get(Case, int(number))
        if case is None:
            raise Invalid({"who": "A chosen match no longer exists: search again."})
        subject = subjects.setdefault(case.id, _Subject(case))
        if party is not None:
            subject.parties.append(party)
        else:
            subject.reporter = True
    if not subjects:
        raise Invalid({"who": "Choose the matches that are the person."})
    return subjects


class _Redactor:
    """Replaces other people's names, emails and phone numbers with their role in brackets."""

    def __init__(self, subject: _Subject) -> None:
        mine = {p.id for p in subject.parties}
        own_words = {w.lower() for p in subject.parties for w in (p.name or "").split()}
        if subject.reporter:
            own_words |= {w.lower() for w in (subject.case.reporter_name or "").split()}
        own_emails = {(p.email or "").lower() for p in subject.parties}
        reporter_is_them = (
            subject.reporter
            or (subject.case.reporter_email or "").lower() in own_emails - {""}
            or (subject.case.reporter_name or "").lower()
            in {(p.name or "").lower() for p in subject.parties if p.name}
        )
        others: list[tuple[str, str | None, str | None, str | None]] = [
            (PARTY_ROLES.get(p.role, p.role).lower(), p.name, p.email, p.phone)
            for p in subject.case.parties
            if p.id not in mine
        ]
        if not reporter_is_them:
            case = subject.case
            others.append(("reporter", case.reporter_name, case.reporter_email, case.reporter_phone))
        pairs: list[tuple[str, str]] = []
        for role, name, email, phone in others:
            label = f"[{role}]"
            for value in (name, email, phone):
                if value and value.strip():
                    pairs.append((value.strip(), label))
            for word in (name or "").split():
                if len(word) >= 3 and word.lower() not in own_words:
                    pairs.append((word, label))
        pairs.sort(key=lambda pair: -len(pair[0]))
        self.pairs = [
            (re.compile(r"(?<!\w)" + re.escape(text) + r"(?!\w)", re.IGNORECASE), label)
            for text, label in pairs
        ]
        self.count = len({label for _, label in pairs})

    def __call__(self, text: str | None) -> str | None:
        if not text:
            return text
        for pattern, label in self.pairs:
            text = pattern.sub(label, text)
        return text

    def value(self, value: Any) -> Any:
        if isinstance(value, str):
            return self(value)
        if isinstance(value, list):
            return [self.value(v) for v in value]
        if isinstance(value, dict):
            return {k: self.value(v) for k, v in value.items()}
        return value


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def export(
    session: Session, keys: list[str], *, viewer: User, actor: audit.Actor, now: datetime, format: str
) -> dict[str, Any]:
    """Everything held about the person the chosen matches (``party:<id>``, ``reporter:<case id>``)
    are, as plain data (for JSON and the printable page), from the cases ``viewer`` may open:
    nothing at all from a restricted case they are not named on (the export says how many were
    left out). The export is audited."""
    chosen = _chosen(session, keys)
    subjects = {cid: s for cid, s in chosen.items() if case_access.may_open(session, viewer, s.case)}
    left_out = len(chosen) - len(subjects)
    cases = [_case_export(session, subject) for subject in subjects.values()]
    cases.sort(key=lambda c: c["reported_at"] or "")
    names = sorted({p.name for s in subjects.values() for p in s.parties if p.name})
    names += sorted(
        {s.case.reporter_name for s in subjects.values() if s.reporter and s.case.reporter_name} - set(names)
    )
    with steps.unit_of_work(session, now=now, actor=actor) as step:
        step.audit(
            "export",
            subject_type="person",
            subject="subject access: " + ", ".join(c["reference"] for c in cases),
            detail=f"subject access export ({format}) of {len(keys)} record(s) on {len(cases)} case(s)"
            + (f"; {left_out} restricted case(s) left out" if left_out else ""),
        )
    return {
        "title": "Personal data held about " + (", ".join(names) or "the person"),
        "produced_at": now.isoformat(),
        "produced_by": actor.username,
        "names": names,
        "withheld": WITHHELD,
        "cases": cases,
        "restricted_cases": left_out,
        "restricted": case_access.restricted_note(left_out),
    }


def _case_export(session: Session, subject: _Subject) -> dict[str, Any]:
    case = subject.case
    redact = _Redactor(subject)
    mine = {p.id for p in subject.parties}
    roles = [PARTY_ROLES.get(p.role, p.role) for p in subject.parties]
    if subject.reporter:
        roles.append("Reporter (named on the report)")
    return {
        "reference": case.reference,
        "status": case.status,
        "reported_at": _iso(case.reported_at),
        "occurred_at": _iso(case.occurred_at),
        "closed_at": _iso(case.closed_at),
        "roles": roles,
        "details_held": _details(subject),
        "facts": {
            "what_happened": redact(case.description),
            "where": redact(case.location),
            "locality": case.locality,
            "how_it_reached_us": CHANNELS.get(case.channel, case.channel),
            "incident_types": [INCIDENT_TYPES.get(t, t) for t in case.incident_types or []],
            "perceived_motivation": [STRANDS.get(s, s) for s in case.strands or []],
            "risk_level": case.risk_level,
        },
        "timeline": [
            {"at": _iso(e.at), "by": e.actor, "what": redact(e.summary)}
            for e in session.scalars(
                select(TimelineEvent)
                .where(TimelineEvent.case_id == case.id)
                .order_by(TimelineEvent.at, TimelineEvent.id)
            )
        ],
        "tasks": _tasks(session, case, redact),
        "consents": [
            {
                "purpose": PURPOSES.get(c.purpose, c.purpose),
                "given": c.given,
                "note": redact(c.note),
                "recorded_at": _iso(c.recorded_at),
                "withdrawn_at": _iso(c.withdrawn_at),
            }
            for c in session.scalars(
                select(Consent)
                .where(Consent.case_id == case.id, Consent.party_id.in_(mine))
                .order_by(Consent.id)
            )
        ],
        "disclosures": [
            {
                "about": "you" if d.party_id in mine else "the case",
                "recipient": d.recipient,
                "purpose": DISCLOSURE_PURPOSES.get(d.purpose, d.purpose),
                "lawful_basis": BASES.get(d.lawful_basis, d.lawful_basis),
                "information": redact(d.information),
                "reason": redact(d.reason),
                "disclosed_at": _iso(d.disclosed_at),
            }
            for d in session.scalars(
                select(Disclosure)
                .where(
                    Disclosure.case_id == case.id,
                    or_(Disclosure.party_id.is_(None), Disclosure.party_id.in_(mine)),
                )
                .order_by(Disclosure.id)
            )
        ],
        "referrals": [
            {
                "agency": r.agency,
                "made": r.made,
                "reference": r.reference,
                "referred_on": r.referred_on,
                "reason": redact(r.reason),
                "lawful_basis": r.lawful_basis,
            }
            for r in session.scalars(
                select(Referral).where(Referral.case_id == case.id).order_by(Referral.id)
            )
        ],
        "letters": [
            {"title": redact(d.title), "written_at": _iso(d.created_at), "text": redact(d.body)}
            for d in session.scalars(
                select(CaseDocument).where(CaseDocument.case_id == case.id).order_by(CaseDocument.id)
            )
        ],
        "action_plan": [
            {
                "action": redact(a.description),
                "due_on": due_day(a.due_at).isoformat(),
                "status": a.status,
                "agreed_with_victim": a.agreed_with_victim,
            }
            for a in session.scalars(
                select(CaseAction).where(CaseAction.case_id == case.id).order_by(CaseAction.id)
            )
        ],
        "redacted_people": redact.count,
    }


def _needs(party: Party) -> dict[str, str | None]:
    """The person's vulnerabilities and communication needs, when any are recorded."""
    session = object_session(party)
    needs = session.get(PartyNeeds, party.id) if session is not None else None
    if needs is None:
        return {}
    return {"vulnerabilities": needs.vulnerabilities, "communication_needs": needs.communication_needs}


def _details(subject: _Subject) -> list[dict[str, Any]]:
    held: list[dict[str, Any]] = []
    for party in subject.parties:
        equality = {
            EQUALITY_QUESTIONS[q].heading: EQUALITY_QUESTIONS[q].options.get(a, a)
            for q, a in (party.equality or {}).items()
            if q in EQUALITY_QUESTIONS
        }
        held.append(
            {
                "as": PARTY_ROLES.get(party.role, party.role),
                "name": party.name,
                "relation_to_the_landlord": RELATIONS.get(party.relation or "", party.relation),
                "tenure": TENURES.get(party.tenure or "", party.tenure),
                "address": party.address,
                "phone": party.phone,
                "email": party.email,
                **_needs(party),
                "equality_answers": equality,
            }
        )
    if subject.reporter:
        case = subject.case
        held.append(
            {
                "as": "Reporter (named on the report)",
                "name": case.reporter_name,
                "phone": case.reporter_phone,
                "email": case.reporter_email,
            }
        )
    return held


def _tasks(session: Session, case: Case, redact: _Redactor) -> list[dict[str, Any]]:
    done = session.scalars(
        select(Task).where(Task.case_id == case.id, Task.status == "completed").order_by(Task.completed_at)
    )
    result = []
    for task in done:
        try:
            labels = {f.id: f.label for f in tasks.task_with_form(session, task.id).fields}
        except processes.ProcessError:
            labels = {}
        answers = {labels.get(key, key): redact.value(value) for key, value in (task.submitted or {}).items()}
        result.append({"task": task.title, "completed_at": _iso(task.completed_at), "answers": answers})
    return result


def match_dict(match: Match) -> dict[str, Any]:
    return {k: v for k, v in asdict(match).items() if k != "case_id"}
