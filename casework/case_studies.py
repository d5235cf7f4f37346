"""Anonymised case studies (policy 11.3, "case studies and customer experiences"): a supervisor
writes one from a closed case, and the annual report includes the approved ones.

A study must not identify anyone: on every save its title and text are checked against the
case's own names (the parties, the reporter), addresses (where it happened, the parties' and the
reporter's), the case reference, and for any postcode, email address, phone number or exact
date, and refused with a message naming what to remove. The check cannot catch every clue (a
rare job, a described face): the supervisor still reads the study before approving it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework import steps
from casework.casefile import find_case
from db import timeline
from db.models import Case, CaseStudy, Party, ReporterDetails, User

MONTHS = (
    "january|february|march|april|may|june|july|august|september|october|november|december"
    "|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec"
)
PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("the postcode", re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b", re.I)),
    ("the email address", re.compile(r"\b[\w.+-]+@[\w-]+\.[\w.-]+\b")),
    ("the phone number", re.compile(r"(?<!\d)(?:\+44\s?|0)\d{2,4}[\s-]?\d{3,4}[\s-]?\d{3,4}(?!\d)")),
    ("the date", re.compile(r"\b\d{1,4}[/.-]\d{1,2}[/.-]\d{1,4}\b")),
    ("the date", re.compile(rf"\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:{MONTHS})\b\.?", re.I)),
    ("the date", re.compile(rf"\b(?:{MONTHS})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?\b", re.I)),
]
# Words in a recorded name that are not a name.
NOT_NAMES = {"unknown", "neighbour", "the", "mr", "mrs", "ms", "miss", "dr", "and", "man", "woman", "person"}
MIN_TEXT, MAX_TEXT = 50, 5000


class Invalid(ValueError):
    """Input to correct, as ``{field: message}``."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors


def for_case(session: Session, case: Case) -> CaseStudy | None:
    return session.scalar(select(CaseStudy).where(CaseStudy.case_id == case.id))


def approved_in(session: Session, start: datetime, end: datetime) -> list[CaseStudy]:
    """The approved studies of cases closed in ``[start, end)``, oldest closure first."""
    return list(
        session.scalars(
            select(CaseStudy)
            .join(Case, Case.id == CaseStudy.case_id)
            .where(CaseStudy.approved.is_(True), Case.closed_at >= start, Case.closed_at < end)
            .order_by(Case.closed_at)
        )
    )


def identifying(session: Session, case: Case, text: str) -> list[str]:
    """What in ``text`` could identify someone, as "the name “Sam”"-like phrases, in order found."""
    found: dict[str, None] = {}
    if case.reference and case.reference.lower() in text.lower():
        found["the case reference"] = None
    for what, words in _known(session, case):
        for word in words:
            if re.search(rf"(?<!\w){re.escape(word)}(?!\w)", text, re.I):
                found[f"{what} “{word}”"] = None
    for what, pattern in PATTERNS:
        for match in pattern.finditer(text):
            found[f"{what} “{match.group(0).strip()}”"] = None
    return list(found)


def _known(session: Session, case: Case) -> Iterable[tuple[str, list[str]]]:
    parties = list(session.scalars(select(Party).where(Party.case_id == case.id)))
    details = session.scalar(select(ReporterDetails).where(ReporterDetails.case_id == case.id))
    names = [p.name for p in parties] + [case.reporter_name]
    addresses = [p.address for p in parties] + [case.location, details.address if details else None]
    for name in filter(None, names):
        yield "the name", [name.strip(), *(w for w in re.split(r"[\s,]+", name) if _a_name(w))]
    for address in filter(None, addresses):
        yield "the address", [part for part in _address_parts(address) if len(part) >= 4]


def _a_name(word: str) -> bool:
    return len(word) >= 2 and word[0].isupper() and word.lower().strip(".") not in NOT_NAMES


def _address_parts(address: str) -> list[str]:
    parts = [address.strip()]
    for part in address.split(","):
        part = part.strip()
        parts += [part, re.sub(r"^\d+[a-z]?\s+", "", part, flags=re.I)]
    return list(dict.fromkeys(p for p in parts if p))


def save(
    session: Session,
    reference: str,
    title: str | None,
    text: str | None,
    *,
    approve: bool,
    user: User,
    now: datetime,
) -> CaseStudy:
    """Write or rewrite the case study of the closed case ``reference`` (approved or a draft);
    ``Invalid`` with a message per field when it is not ready, nothing saved."""
    case = find_case(session, reference)
    title, text = (title or "").strip(), (text or "").strip()
    errors: dict[str, str] = {}
    if case.status != "closed":
        errors["study-text"] = "Only a closed case can become a case study."
    if not title:
        errors["study-title"] = "Enter a title for the case study."
    elif len(title) > 200:
        errors["study-title"] = "Shorten the title to 200 characters or fewer."
    if not (MIN_TEXT <= len(text) <= MAX_TEXT):
        errors["study-text"] = f"Write the case study in {MIN_TEXT} to {MAX_TEXT:,} characters."
    for field, words in (("study-title", title), ("study-text", text)):
        named = identifying(session, case, words)
        if named and field not in errors:
            errors[field] = "This could identify someone. Remove " + "; ".join(named) + "."
    if errors:
        raise Invalid(errors)
    with steps.case_step(session, now=now, user=user, case=case) as step:
        study = for_case(session, case)
        if study is None:
            study = CaseStudy(case_id=case.id, title=title, text=text, updated_at=now, updated_by=step.by)
            session.add(study)
        study.title, study.text, study.approved = title, text, approve
        study.updated_at, study.updated_by = now, step.by
        state = "approved for the annual report" if approve else "saved as a draft"
        step.record(timeline.Notified(f"Anonymised case study {state}"))
    return study
