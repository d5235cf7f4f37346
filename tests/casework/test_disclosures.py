"""Disclosures outside the landlord: the lawful basis rules, the link to a current consent, and the
audit entry written in the same transaction as the disclosure (both saved, or neither)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from casework import audit, consents, disclosures
from db.models import AuditEvent, Disclosure, TimelineEvent
from tests.bpmn.walk import FIRST_RESPONSE, REPORTED, Walk
from tests.conftest import T0
from tests.consent_cases import party, report_case, user

LATER = T0 + timedelta(hours=3)
ACTOR = audit.Actor("officer", "officer", "192.0.2.7")


def _disclose(session, reference, **fields):
    values = {
        "recipient": "West Yorkshire Police",
        "purpose": "police",
        "information": "The report and the victim's statement",
        "lawful_basis": "crime",
        "reason": "Investigating a racially aggravated public order offence",
        **fields,
    }
    return disclosures.record(
        session, reference, user=user(session, "officer"), actor=ACTOR, now=LATER, **values
    )


def _give(session, reference, party_id, purpose="police", given="yes"):
    return consents.record(
        session,
        reference,
        party_id=party_id,
        purpose=purpose,
        given=given,
        user=user(session, "officer"),
        now=T0,
    )


def test_a_disclosure_without_consent_is_recorded_with_its_basis_reason_timeline_and_audit(database, session):
    ref = report_case(database)
    perpetrator = party(database, ref, "alleged_perpetrator")
    row = _disclose(session, ref, party_id=perpetrator)
    saved = session.get(Disclosure, row.id)
    assert (saved.lawful_basis, saved.consent_id, saved.party_id, saved.disclosed_by) == (
        "crime",
        None,
        perpetrator,
        "officer",
    )
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "disclose")).one()
    assert (event.username, event.subject, event.ip) == ("officer", ref, "192.0.2.7")
    assert "West Yorkshire Police" in event.detail and "basis crime" in event.detail
    summary = session.scalars(select(TimelineEvent.summary).where(TimelineEvent.kind == "disclosure")).one()
    assert summary == (
        "Information about the alleged perpetrator disclosed to West Yorkshire Police "
        "(sharing with the police); lawful basis: prevention or detection of crime"
    )
    assert "Carl" not in summary


def test_consent_is_accepted_only_with_a_current_consent_and_is_linked_to_it(database, session):
    ref = report_case(database)
    victim = party(database, ref, "victim")
    with pytest.raises(consents.Invalid) as caught:
        _disclose(session, ref, party_id=victim, lawful_basis="consent", reason="")
    assert "has no current consent to share with the police" in caught.value.errors["lawful_basis"]
    consent = _give(session, ref, victim)
    row = _disclose(session, ref, party_id=victim, lawful_basis="consent", reason="")
    assert row.consent_id == consent.id and row.reason is None
    # Consent to another purpose does not cover this one; withdrawn consent covers nothing.
    with pytest.raises(consents.Invalid):
        _disclose(session, ref, party_id=victim, purpose="court_evidence", lawful_basis="consent")
    consents.withdraw(session, ref, consent.id, user=user(session, "officer"), now=LATER)
    with pytest.raises(consents.Invalid, match="never given, refused or withdrawn"):
        _disclose(session, ref, party_id=victim, lawful_basis="consent")
    assert len(session.scalars(select(Disclosure)).all()) == 1


def test_consent_needs_the_person_and_a_purpose_consent_is_recorded_for(database, session):
    ref = report_case(database)
    with pytest.raises(consents.Invalid) as caught:
        _disclose(session, ref, lawful_basis="consent")
    assert set(caught.value.errors) == {"party_id"}
    with pytest.raises(consents.Invalid) as caught:
        _disclose(
            session, ref, party_id=party(database, ref, "victim"), purpose="other", lawful_basis="consent"
        )
    assert set(caught.value.errors) == {"lawful_basis"}


@pytest.mark.parametrize(
    ("fields", "errors"),
    [
        ({"reason": "short"}, {"reason"}),
        ({"reason": ""}, {"reason"}),
        (
            {"lawful_basis": "because", "recipient": " ", "information": ""},
            {"lawful_basis", "recipient", "information"},
        ),
        ({"purpose": "gossip", "recipient": "x" * 201}, {"purpose", "recipient"}),
        ({"party_id": "12345678"}, {"party_id"}),
        ({"lawful_basis": "safeguarding", "reason": "x" * 2001}, {"reason"}),
    ],
)
def test_bad_input_is_refused_and_leaves_no_disclosure_timeline_or_audit_entry(
    database, session, fields, errors
):
    ref = report_case(database)
    with pytest.raises(consents.Invalid) as caught:
        _disclose(session, ref, **fields)
    assert set(caught.value.errors) == errors
    assert session.scalars(select(Disclosure)).all() == []
    assert session.scalars(select(AuditEvent).where(AuditEvent.action == "disclose")).all() == []
    assert session.scalars(select(TimelineEvent).where(TimelineEvent.kind == "disclosure")).all() == []


def test_a_disclosure_that_fails_to_save_leaves_no_audit_entry(database, session, monkeypatch):
    ref = report_case(database)

    def broken_commit() -> None:
        session.flush()  # the rows reach the database inside the transaction ...
        raise RuntimeError("the database went away")  # ... which is then lost

    monkeypatch.setattr(session, "commit", broken_commit)
    with pytest.raises(RuntimeError):
        _disclose(session, ref, lawful_basis="legal_duty", reason="Court order 123 of 2026 requires it")
    with database.session() as fresh:
        assert fresh.scalars(select(Disclosure)).all() == []
        assert fresh.scalars(select(AuditEvent).where(AuditEvent.action == "disclose")).all() == []


def test_intake_staff_may_not_disclose(database, session):
    ref = report_case(database)
    with pytest.raises(consents.NotPermitted):
        disclosures.record(
            session,
            ref,
            recipient="Police",
            purpose="police",
            information="All of it",
            lawful_basis="crime",
            reason="An offence was committed",
            user=user(session, "intake"),
            actor=ACTOR,
            now=LATER,
        )


def test_a_police_referral_made_through_its_task_is_recorded_as_a_disclosure(database, session):
    ref = report_case(database)
    walk = Walk(database, ref)
    walk.do("first_response", FIRST_RESPONSE)
    assert session.scalars(select(Disclosure)).all() == []
    walk.do("police_referral", REPORTED)
    (row,) = session.scalars(select(Disclosure)).all()
    assert (row.recipient, row.purpose, row.lawful_basis, row.consent_id) == (
        "Police",
        "police",
        "crime",
        None,
    )
    assert "GMP-123" in (row.reason or "")
    (entry,) = session.scalars(select(AuditEvent).where(AuditEvent.action == "disclose")).all()
    assert entry.subject == ref and "by the referral task" in (entry.detail or "")


def test_a_case_not_reported_to_the_police_records_no_disclosure(database, session):
    walk = Walk(database, report_case(database))
    walk.do("first_response", FIRST_RESPONSE)
    walk.do(
        "police_referral", {"police_decision": "not_reported", "not_reported_reason": "The victim said no"}
    )
    assert session.scalars(select(Disclosure)).all() == []
