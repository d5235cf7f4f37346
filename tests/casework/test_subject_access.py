"""Subject access: finding a person across cases and exporting what is held about them, with other
people's names redacted; the search and the export in the audit log."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from casework import audit, consents, disclosures, subject_access
from db.models import AuditEvent
from tests.bpmn.walk import FIRST_RESPONSE, Walk
from tests.conftest import T0
from tests.consent_cases import party, report_case, user

ACTOR = audit.Actor("manager", "manager", "192.0.2.9")
LATER = T0 + timedelta(hours=4)


def _search(session, **terms):
    return subject_access.search(
        session, terms, viewer=user(session, "manager"), actor=ACTOR, now=LATER
    ).matches


def test_a_person_is_found_by_name_email_phone_or_address_across_cases_and_reporter_fields(database, session):
    first = report_case(database)
    second = report_case(database, T0 + timedelta(days=1))
    by_name = _search(session, name="amira")
    assert {(m.case_reference, m.role) for m in by_name} == {
        (first, "Victim"),
        (first, "Reporter (named on the report)"),
        (second, "Victim"),
        (second, "Reporter (named on the report)"),
    }
    assert all(m.matched == ("name",) for m in by_name)
    assert {m.key.split(":")[0] for m in _search(session, email="AMIRA@example.org")} == {"party", "reporter"}
    assert [m.role for m in _search(session, phone="07700-900-123")] == ["Victim", "Victim"]
    by_address = _search(session, address="6 Birch")
    assert [(m.role, m.name) for m in by_address] == [("Witness", "Brian Doyle")] * 2
    assert _search(session, name="Nobody Here") == []
    searches = session.scalars(select(AuditEvent).where(AuditEvent.action == "search")).all()
    assert len(searches) == 5 and searches[0].detail == "name=amira" and searches[0].username == "manager"


@pytest.mark.parametrize(
    ("terms", "field"),
    [({}, "name"), ({"name": " "}, "name"), ({"name": "a"}, "name"), ({"phone": "07"}, "phone")],
)
def test_a_search_needs_a_usable_term(database, session, terms, field):
    with pytest.raises(consents.Invalid) as caught:
        _search(session, **terms)
    assert field in caught.value.errors


def test_the_export_holds_the_case_facts_roles_answers_consents_disclosures_and_equality(database, session):
    ref = report_case(database)
    walk = Walk(database, ref)
    walk.do(
        "first_response",
        {**FIRST_RESPONSE, "response_notes": "Spoke to Amira; Brian Doyle will give a statement"},
    )
    victim = party(database, ref, "victim")
    officer = user(session, "officer")
    consents.record(session, ref, party_id=victim, purpose="police", given="yes", user=officer, now=LATER)
    disclosures.record(
        session,
        ref,
        party_id=victim,
        recipient="Police",
        purpose="police",
        information="Statement of Amira Khan",
        lawful_basis="consent",
        user=officer,
        actor=ACTOR,
        now=LATER,
    )
    disclosures.record(
        session,
        ref,
        party_id=party(database, ref, "alleged_perpetrator"),
        recipient="Police",
        purpose="police",
        information="Carl Price's address",
        lawful_basis="crime",
        reason="Arrest for a public order offence",
        user=officer,
        actor=ACTOR,
        now=LATER,
    )
    keys = [m.key for m in _search(session, email="amira@example.org")]
    data = subject_access.export(
        session, keys, viewer=user(session, "manager"), actor=ACTOR, now=LATER, format="json"
    )
    json.dumps(data)  # plain data, ready for the JSON download
    assert data["names"] == ["Amira Khan"]
    (case,) = data["cases"]
    assert case["reference"] == ref
    assert case["roles"] == ["Victim", "Reporter (named on the report)"]
    assert case["details_held"][0]["equality_answers"] == {"Age": "35 to 44"}
    assert case["details_held"][0]["address"] == "4 Birch Close, Leeds"
    # Other people are replaced by their role; the person's own name stays.
    assert (
        case["facts"]["what_happened"]
        == "[alleged perpetrator] shouted racist abuse at Amira Khan; [witness] saw it"
    )
    assert any(
        "Spoke to Amira; [witness] will give a statement" in t["answers"].values() for t in case["tasks"]
    )
    assert [c["purpose"] for c in case["consents"]] == ["Sharing with the police"]
    # The disclosure about the alleged perpetrator is left out.
    assert [(d["about"], d["lawful_basis"]) for d in case["disclosures"]] == [
        ("you", "Consent of the person")
    ]
    assert any("gave consent to share with the police" in e["what"] for e in case["timeline"])
    assert not any(
        "Carl" in json.dumps(part) or "Brian" in json.dumps(part)
        for part in (case["facts"], case["tasks"], case["timeline"])
    )
    assert data["withheld"] and "[witness]" in data["withheld"][0]
    export_entry = session.scalars(select(AuditEvent).where(AuditEvent.action == "export")).one()
    assert ref in export_entry.subject and export_entry.username == "manager"


def test_the_export_for_a_witness_redacts_the_victim_and_reporter(database, session):
    ref = report_case(database)
    data = subject_access.export(
        session,
        [f"party:{party(database, ref, 'witness')}"],
        viewer=user(session, "manager"),
        actor=ACTOR,
        now=LATER,
        format="html",
    )
    facts = data["cases"][0]["facts"]["what_happened"]
    assert facts == "[alleged perpetrator] shouted racist abuse at [victim]; Brian Doyle saw it"
    assert data["cases"][0]["consents"] == [] and data["cases"][0]["roles"] == ["Witness"]


@pytest.mark.parametrize("keys", [[], ["party:abc"], ["somebody:1"], ["party:999999"]])
def test_an_export_needs_real_matches_and_records_nothing_otherwise(database, session, keys):
    with pytest.raises(consents.Invalid):
        subject_access.export(
            session, keys, viewer=user(session, "manager"), actor=ACTOR, now=LATER, format="json"
        )
    assert session.scalars(select(AuditEvent).where(AuditEvent.action == "export")).all() == []
