"""Add a person to a case (a victim, witness, alleged perpetrator or reporter found later), with
their contact details, vulnerabilities and communication needs."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework import steps
from casework.casefile import find_case
from casework.form_errors import Invalid, choice, text
from casework.vocabulary import PARTY_ROLES, RELATIONS, TENURES
from db import timeline
from db.models import Case, Party, PartyNeeds, User

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PHONE = re.compile(r"^\+?[0-9 ()-]{6,20}$")
NEEDS_MAX = 2000


@dataclass(frozen=True)
class Needs:
    vulnerabilities: str | None
    communication_needs: str | None


def needs_of(session: Session, case: Case) -> dict[int, Needs]:
    """{party id: their needs} for the people on ``case`` who have any recorded."""
    ids = [p.id for p in case.parties]
    rows: list[PartyNeeds] = list(session.scalars(select(PartyNeeds).where(PartyNeeds.party_id.in_(ids))))
    return {r.party_id: Needs(r.vulnerabilities, r.communication_needs) for r in rows}


def _optional(
    value: object, field: str, errors: dict[str, str], options: dict[str, str], what: str
) -> str | None:
    if not str(value or "").strip():
        return None
    return choice(value, field, errors, options, what=what)


def add_person(
    session: Session, reference: str, fields: dict[str, object], *, user: User, now: datetime
) -> Party:
    """Add the person ``fields`` describe (role, name, relation, tenure, address, phone, email,
    vulnerabilities, communication_needs) to case ``reference`` in a case step."""
    case = find_case(session, reference)
    with steps.case_step(session, now=now, user=user, case=case) as step:
        errors: dict[str, str] = {}
        role = choice(fields.get("role"), "role", errors, PARTY_ROLES, what="the person's role")
        name = text(fields.get("name"), "name", errors, what="the person's name", least=2, most=200)
        relation = _optional(fields.get("relation"), "relation", errors, RELATIONS, "their relation to us")
        tenure = _optional(fields.get("tenure"), "tenure", errors, TENURES, "their tenure")
        address = text(fields.get("address"), "address", errors, what="the address", least=0, most=500)
        phone = text(fields.get("phone"), "phone", errors, what="the phone number", least=0, most=40)
        if phone and "phone" not in errors and not PHONE.match(phone):
            errors["phone"] = "Enter a phone number of digits and spaces, like 07700 900123."
        email = text(fields.get("email"), "email", errors, what="the email address", least=0, most=320)
        if email and "email" not in errors and not EMAIL.match(email):
            errors["email"] = "Enter an email address like name@example.org."
        vulnerable = text(
            fields.get("vulnerabilities"),
            "vulnerabilities",
            errors,
            what="vulnerabilities",
            least=0,
            most=NEEDS_MAX,
        )
        communication = text(
            fields.get("communication_needs"),
            "communication_needs",
            errors,
            what="communication needs",
            least=0,
            most=NEEDS_MAX,
        )
        if errors:
            raise Invalid(errors)
        party = Party(
            case_id=case.id,
            role=role,
            name=name,
            relation=relation,
            tenure=tenure,
            address=address or None,
            phone=phone or None,
            email=email or None,
        )
        case.parties.append(party)
        session.flush()
        if vulnerable or communication:
            session.add(
                PartyNeeds(
                    party_id=party.id,
                    vulnerabilities=vulnerable or None,
                    communication_needs=communication or None,
                )
            )
        step.record(timeline.PersonAdded(f"Added {PARTY_ROLES[role].lower()}: {name}"))
        step.audit("party-added", subject_type="case", subject=case.reference, detail=PARTY_ROLES[role])
    return party
