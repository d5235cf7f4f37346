"""A contact recorded on the case (page or API: both call casework.contacts) restarts the victim's
contact cadence, moved on by the clock; a contact with the alleged perpetrator does not."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from casework import contacts
from casework.reports import PartyDetails
from db.models import ContactRecord, Party
from tests.bpmn.test_safeguards_contact import DAY, overdue_contacts, tick
from tests.bpmn.walk import CONTACT, HIGH_RISK, Walk
from tests.consent_cases import user

PEOPLE = [
    PartyDetails(role="victim", name="Amira Khan", relation="tenant"),
    PartyDetails(role="alleged_perpetrator", name="Carl Price"),
]


def _record(walk: Walk, role: str, outcome: str) -> ContactRecord:
    with walk.database.session() as session:
        person = session.scalars(
            select(Party).where(Party.role == role, Party.case_id == walk.case().id)
        ).one()
        data = contacts.ContactInput(method="phone", outcome=outcome, party_id=person.id)
        row = contacts.record(session, walk.reference, data, user=user(session, "officer"), now=walk.at)
        session.expunge(row)
        return row


def test_a_contact_with_the_victim_restarts_the_cadence(database):
    walk = Walk.report(database, parties=PEOPLE)
    walk.through_support(HIGH_RISK)  # contact due every 3 days
    walk.do("keep_in_contact", {**CONTACT, "next_step": "prevention"}, after=DAY)
    walk.at += 2 * DAY
    row = _record(walk, "victim", "Talked through the mediation")
    assert row.restarted_cadence is True
    assert tick(walk, 3 * DAY - timedelta(minutes=1)) == 0  # 5 days after the contact task: not due
    assert overdue_contacts(walk) == 0
    assert tick(walk, timedelta(minutes=2)) == 1  # 3 days after this contact
    assert overdue_contacts(walk) == 1


def test_a_contact_with_the_alleged_perpetrator_leaves_the_cadence_alone(database):
    walk = Walk.report(database, parties=PEOPLE)
    walk.through_support(HIGH_RISK)
    walk.do("keep_in_contact", {**CONTACT, "next_step": "prevention"}, after=DAY)
    walk.at += 2 * DAY
    row = _record(walk, "alleged_perpetrator", "Warned about his conduct")
    assert row.restarted_cadence is False
    assert tick(walk, DAY + timedelta(minutes=1)) == 1  # 3 days after the contact task, as before
    assert overdue_contacts(walk) == 1
    assert "Contact: Phone call with Carl Price (alleged perpetrator). Outcome: Warned about his conduct" in (
        walk.timeline()
    )
