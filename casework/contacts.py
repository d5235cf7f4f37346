"""Contact records: a contact made outside the contact task, with how (``CONTACT_METHODS``), with
whom (a person on the case, or named in words), what came of it and the next contact planned.

Recording one is one case step: the row, the timeline line and, for a contact with the victim
(or with someone named in words, who speaks for them), the ``contact_recorded`` message that
restarts the contact cadence of an open case. A contact with a witness or the alleged
perpetrator is kept on the record but does not restart the victim's cadence. The page and the
API both record contacts here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

import processes
from casework import steps
from casework.case_events import MESSAGES
from casework.consents import Invalid, party_of
from casework.notes import writable_case
from casework.vocabulary import CONTACT_METHODS, PARTY_ROLES
from db.models import Case, ContactRecord, Party, User
from db.timeline import ContactRecorded, ContactWithOther

OUTCOME_MAX = 10_000
WHOM_MAX = 200
CADENCE_ROLES = {"victim"}


@dataclass(frozen=True)
class ContactInput:
    method: object
    outcome: object
    party_id: object = None
    with_whom: object = None
    next_contact_on: object = None


@dataclass(frozen=True)
class Checked:
    method: str
    outcome: str
    with_whom: str | None
    next_contact_on: date | None


def _next_date(value: object, today: date, errors: dict[str, str]) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        found = value
    else:
        try:
            found = date.fromisoformat(str(value).strip())
        except ValueError:
            errors["next_contact_on"] = "Enter the next contact date as a real date, for example 14 12 2026."
            return None
    if found < today:
        errors["next_contact_on"] = "The next contact date must be today or later."
    return found


def check(data: ContactInput, *, today: date) -> Checked:
    """The contact's fields checked, or ``Invalid`` with a message for each one to correct."""
    errors: dict[str, str] = {}
    method = str(data.method or "")
    if method not in CONTACT_METHODS:
        errors["method"] = "Choose how the contact was made."
    outcome = str(data.outcome or "").strip()
    if not outcome:
        errors["outcome"] = "Say what came of the contact."
    elif len(outcome) > OUTCOME_MAX:
        errors["outcome"] = f"The outcome can be at most {OUTCOME_MAX:,} characters."
    whom = str(data.with_whom or "").strip() or None
    if data.party_id in (None, "") and whom is None:
        errors["party_id"] = "Choose the person contacted, or name them."
    if whom is not None and len(whom) > WHOM_MAX:
        errors["with_whom"] = f"The name can be at most {WHOM_MAX} characters."
    next_on = _next_date(data.next_contact_on, today, errors)
    if errors:
        raise Invalid(errors)
    return Checked(method, outcome, whom, next_on)


def long_date(value: date) -> str:
    """'14 December 2026'."""
    return f"{value.day} {value:%B %Y}"


def _summary(checked: Checked, party: Party | None) -> str:
    if party is not None:
        role = PARTY_ROLES.get(party.role, party.role).lower()
        who = f"{party.name} ({role})" if party.name else f"the {role}"
    else:
        who = checked.with_whom or "someone"
    text = f"{CONTACT_METHODS[checked.method]} with {who}. Outcome: {checked.outcome}"
    if checked.next_contact_on:
        text += f" Next contact planned for {long_date(checked.next_contact_on)}."
    return text


def record(
    session: Session, reference: str, data: ContactInput, *, user: User, now: datetime
) -> ContactRecord:
    """Record a contact on the case ``reference``; ``Invalid`` lists what to correct."""
    case = writable_case(session, reference)
    errors: dict[str, str] = {}
    try:
        checked = check(data, today=now.date())
    except Invalid as err:
        errors = dict(err.errors)
        checked = None
    party = None
    if data.party_id not in (None, ""):
        try:
            party = party_of(session, case, data.party_id)
        except Invalid as err:
            errors.update(err.errors)
    if errors or checked is None:
        raise Invalid(errors)
    restarts = party is None or party.role in CADENCE_ROLES
    with steps.case_step(session, now=now, user=user, case=case) as step:
        contact = ContactRecord(
            case_id=case.id,
            method=checked.method,
            party_id=party.id if party else None,
            with_whom=checked.with_whom,
            outcome=checked.outcome,
            next_contact_on=checked.next_contact_on,
            recorded_at=now,
            recorded_by=step.by,
            restarted_cadence=False,
        )
        session.add(contact)
        summary = _summary(checked, party)
        step.record(ContactRecorded(summary) if restarts else ContactWithOther(summary))
        if restarts and case.status == "open":
            contact.restarted_cadence = _restart_cadence(step, case, now)
    return contact


def _restart_cadence(step: steps.CaseStep, case: Case, now: datetime) -> bool:
    """Tell the process of the contact; False when it is not waiting for one (the cadence has
    not started yet, or has ended): the contact is recorded all the same."""
    try:
        processes.deliver_message(step, case, MESSAGES["contact"][0], {}, actor=step.by, now=now)
    except processes.Conflict:
        return False
    return True


def for_case(session: Session, case: Case) -> list[ContactRecord]:
    """The case's contact records, newest first."""
    return list(
        session.scalars(
            select(ContactRecord)
            .where(ContactRecord.case_id == case.id)
            .order_by(ContactRecord.recorded_at.desc(), ContactRecord.id.desc())
        )
    )
