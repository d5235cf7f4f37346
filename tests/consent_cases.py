"""A reported case with named people on it, for the consent, disclosure and subject-access tests."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from casework import reports
from db import Database
from db.models import Case, Party, User
from tests.conftest import T0

PEOPLE = [
    reports.PartyDetails(
        role="victim",
        name="Amira Khan",
        relation="tenant",
        address="4 Birch Close, Leeds",
        phone="07700 900123",
        email="amira@example.org",
        equality={"age_band": "35_44"},
    ),
    reports.PartyDetails(
        role="witness", name="Brian Doyle", relation="tenant", address="6 Birch Close, Leeds"
    ),
    reports.PartyDetails(role="alleged_perpetrator", name="Carl Price", address="8 Birch Close, Leeds"),
]


def report_case(database: Database, at: datetime = T0, **fields: object) -> str:
    """Report a case with a victim, a witness and an alleged perpetrator; returns its reference."""
    values: dict[str, object] = {
        "description": "Carl Price shouted racist abuse at Amira Khan; Brian Doyle saw it",
        "location": "Birch Close",
        "strands": ["race"],
        "reporter_name": "Amira Khan",
        "reporter_email": "amira@example.org",
        "parties": PEOPLE,
        **fields,
    }
    report = reports.Report(**values)  # type: ignore[arg-type]
    with database.session() as session:
        return reports.submit(session, report, now=at).case_reference


def party(database: Database, reference: str, role: str) -> int:
    with database.session() as session:
        return session.scalars(
            select(Party.id)
            .join(Case, Case.id == Party.case_id)
            .where(Case.reference == reference, Party.role == role)
        ).one()


def user(session: object, username: str) -> User:
    return session.scalars(select(User).where(User.username == username)).one()  # type: ignore[attr-defined]
