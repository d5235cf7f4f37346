"""Retention: cases closed longer ago than the retention period lose their personal data, and
the indicators, the annual report and the equality breakdown count them as before."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from casework import annual, audit, indicators, retention, supervision
from casework.indicators import Period
from casework.reports import PartyDetails
from db import Database
from db.models import (
    AuditEvent,
    Case,
    CaseDocument,
    CaseReview,
    Consent,
    Disclosure,
    OutboxMessage,
    Party,
    Referral,
    Task,
    TimelineEvent,
    User,
)
from tests.bpmn.walk import CONTACT, FIRST_RESPONSE, LOW_RISK, REPORTED, Walk
from tests.conftest import T0

RETENTION = timedelta(days=2190)
MARCH = Period(date(2026, 3, 1), date(2026, 4, 1))
HOMES = 2500
FIGURES_NOW = datetime(2026, 6, 1, tzinfo=UTC)
CLOSE = {
    "outcome": "resolved",
    "outcome_reason": "Mr Peter Smith moved away from Elm Road",
    "legal_actions": ["injunction"],
    "non_legal_actions": ["warning"],
    "victim_satisfaction": "fairly_satisfied",
}
SECRETS = (
    "Amina Khan",
    "amina@example.org",
    "07700 900123",
    "Shouted abuse at Amina",
    "14 Elm Road",
    "Peter Smith",
    "12 Elm Road",
    "07700 900456",
    "peter@example.org",
    "GMP-123",
    "Eggs thrown at the window by Peter",
    "Amina agreed on the phone",
    "Her statement and photos",
    "Asked for by the court",
    "Handled well with Amina",
    "Peter Smith threw eggs",
)


@dataclass
class Scenario:
    database: Database
    old: str  # closed on 7 March 2026: past the period at EXPIRED
    recent: str  # closed later: inside the period at EXPIRED
    open: str  # never closed


def drive_to_close(walk: Walk, closed_at: datetime) -> None:
    walk.do("first_response", FIRST_RESPONSE, after=timedelta(hours=2))
    walk.do("police_referral", REPORTED)
    walk.do("risk_assessment", LOW_RISK)
    walk.do("support", {})
    walk.send("incident", "Eggs thrown at the window by Peter")
    walk.do("reassess_risk", {**LOW_RISK, "incident_summary": "Peter Smith threw eggs"})
    walk.do("keep_in_contact", {**CONTACT, "next_step": "close"}, after=timedelta(days=1))
    walk.at = closed_at
    walk.do("close_case", CLOSE)
    assert walk.case().status == "closed"


def report(database: Database, at: datetime) -> Walk:
    return Walk.report(
        database,
        at=at,
        description="Shouted abuse at Amina on the stairs",
        location="14 Elm Road",
        reporter_name="Amina Khan",
        reporter_email="amina@example.org",
        reporter_phone="07700 900123",
        incident_types=["verbal_abuse"],
        strands=["race", "religion_or_belief"],
        locality="Riverside",
        parties=[
            PartyDetails(
                role="victim",
                name="Amina Khan",
                relation="tenant",
                tenure="general_needs",
                address="14 Elm Road",
                phone="07700 900123",
                email="amina@example.org",
                equality={"sex": "female", "age_band": "35_44"},
            ),
            PartyDetails(
                role="alleged_perpetrator",
                name="Peter Smith",
                relation="tenant",
                address="12 Elm Road",
                phone="07700 900456",
                email="peter@example.org",
            ),
        ],
    )


def add_data_protection_records(database: Database, reference: str, at: datetime) -> None:
    """A consent, a disclosure and a quality review, as the other parts of the app record them."""
    with database.session() as session:
        case = session.scalars(select(Case).where(Case.reference == reference)).one()
        victim = session.scalars(select(Party).where(Party.case_id == case.id, Party.role == "victim")).one()
        consent = Consent(
            case_id=case.id,
            party_id=victim.id,
            purpose="police",
            given=True,
            note="Amina agreed on the phone",
            recorded_at=at,
            recorded_by="officer",
        )
        session.add(consent)
        session.flush()
        session.add(
            Disclosure(
                case_id=case.id,
                party_id=victim.id,
                recipient="Greater Manchester Police",
                purpose="police",
                lawful_basis="consent",
                consent_id=consent.id,
                information="Her statement and photos",
                reason="Asked for by the court",
                disclosed_at=at,
                disclosed_by="officer",
            )
        )
        session.commit()
        supervisor = session.scalars(select(User).where(User.username == "supervisor")).one()
        supervision.review_case(session, reference, 4, "Handled well with Amina", user=supervisor, now=at)


@pytest.fixture
def scenario(database: Database) -> Scenario:
    old = report(database, T0)
    drive_to_close(old, T0 + timedelta(days=5))
    add_data_protection_records(database, old.reference, T0 + timedelta(days=6))
    recent = report(database, T0 + timedelta(days=1))
    drive_to_close(recent, T0 + timedelta(days=20))
    still_open = report(database, T0 + timedelta(days=2))
    still_open.do("first_response", FIRST_RESPONSE, after=timedelta(hours=3))
    return Scenario(database, old.reference, recent.reference, still_open.reference)


EXPIRED = T0 + timedelta(days=5) + RETENTION + timedelta(days=1)


def figures(database: Database) -> tuple[Any, ...]:
    with database.session() as session:
        march = indicators.indicators(session, MARCH, homes=HOMES, now=FIGURES_NOW)
        report_2025 = annual.annual_report(session, 2025, homes=HOMES, now=FIGURES_NOW)
        return march, report_2025


def run(database: Database, now: datetime = EXPIRED, batch: int = retention.BATCH) -> int:
    with database.session() as session:
        return retention.anonymise_expired(session, now=now, retention=RETENTION, batch=batch)


def snapshot(session: Session, reference: str) -> dict[str, Any]:
    """Everything held about a case, row by row, as plain values."""
    case = session.scalars(select(Case).where(Case.reference == reference)).one()

    def rows(model: Any) -> list[dict[str, Any]]:
        found = session.scalars(select(model).where(model.case_id == case.id).order_by(model.id))
        return [{c.key: getattr(r, c.key) for c in model.__table__.columns} for r in found]

    return {
        "case": {c.key: getattr(case, c.key) for c in Case.__table__.columns},
        **{
            m.__tablename__: rows(m)
            for m in (Party, Task, TimelineEvent, CaseDocument, Consent, Disclosure, Referral, CaseReview)
        },
        "outbox": rows(OutboxMessage),
    }


def test_a_case_past_retention_keeps_no_personal_data(scenario):
    with scenario.database.session() as session:
        before = snapshot(session, scenario.old)
    assert [s for s in SECRETS if s not in repr(before)] == []  # the scenario holds every one
    assert before["case_documents"] and before["outbox"] and before["case"]["workflow_state"]

    assert run(scenario.database) == 1

    with scenario.database.session() as session:
        after = snapshot(session, scenario.old)
    text = repr(after)
    assert [s for s in SECRETS if s in text] == []
    case = after["case"]
    assert case["anonymised_at"] == EXPIRED
    assert (case["reporter_name"], case["reporter_email"], case["reporter_phone"]) == (None, None, None)
    assert case["description"] == case["location"] == retention.MARKER
    assert case["workflow_state"] == ""
    for party in after["parties"]:
        assert (party["name"], party["address"], party["phone"], party["email"]) == (None,) * 4
    assert [(p["role"], p["relation"], p["tenure"], p["equality"]) for p in after["parties"]] == [
        (p["role"], p["relation"], p["tenure"], p["equality"]) for p in before["parties"]
    ]
    assert after["case_documents"] == [] and after["outbox"] == []
    submitted = {t["element_id"]: t["submitted"] for t in after["tasks"]}
    assert submitted["close_case"] == {k: v for k, v in CLOSE.items() if k != "outcome_reason"}
    # Whether the first response reached the reporter is kept: the 24-hour indicator counts it.
    assert set(submitted["first_response"]) <= {"contact_made", "anonymous_no_contact"}
    assert submitted["first_response"]["contact_made"] is True
    assert all(
        answers is None
        for element, answers in submitted.items()
        if element not in ("close_case", "first_response")
    )
    # task rows and their timings stay: the first response within 24 hours is counted from them
    keep = ("id", "element_id", "status", "created_at", "completed_at", "completed_by_id")
    assert [{k: t[k] for k in keep} for t in after["tasks"]] == [
        {k: t[k] for k in keep} for t in before["tasks"]
    ]
    assert all(e["details"] is None for e in after["timeline_events"])
    assert [(e["at"], e["kind"]) for e in after["timeline_events"]] == [
        (e["at"], e["kind"]) for e in before["timeline_events"]
    ]
    actors = {e["actor"] for e in after["timeline_events"]}
    assert "Amina Khan" not in actors and retention.REMOVED_NAME in actors and "Olivia Officer" in actors
    assert [c["note"] for c in after["consents"]] == [None]
    assert [(c["purpose"], c["given"]) for c in after["consents"]] == [("police", True)]
    # The one recorded by hand, and the one the police referral task wrote (casework.disclosures).
    assert [(d["recipient"], d["lawful_basis"], d["purpose"]) for d in after["disclosures"]] == [
        (d["recipient"], d["lawful_basis"], d["purpose"]) for d in before["disclosures"]
    ]
    assert ("Greater Manchester Police", "consent", "police") in [
        (d["recipient"], d["lawful_basis"], d["purpose"]) for d in after["disclosures"]
    ]
    for disclosure in after["disclosures"]:
        assert disclosure["information"] == retention.MARKER
        assert disclosure["reason"] in (None, retention.MARKER)
    assert [r["reference"] for r in after["referrals"]] == [None]
    assert [(r["agency"], r["made"], r["referred_on"]) for r in after["referrals"]] == [
        (r["agency"], r["made"], r["referred_on"]) for r in before["referrals"]
    ]
    assert [(r["score"], r["comments"]) for r in after["case_reviews"]] == [(4, retention.MARKER)]


def test_the_indicators_annual_report_and_equality_figures_count_anonymised_cases_as_before(scenario):
    march_before, annual_before = figures(scenario.database)
    assert march_before.closed_cases == 2 and march_before.new_cases == 3  # the old case counts
    assert march_before.victims == 3 and annual_before.current.closed_cases == 2

    assert run(scenario.database) == 1

    march_after, annual_after = figures(scenario.database)
    assert march_after == march_before
    assert annual_after == annual_before
    assert march_after.victim_characteristics == march_before.victim_characteristics


def test_cases_inside_the_period_and_open_cases_are_untouched(scenario):
    with scenario.database.session() as session:
        before = {ref: snapshot(session, ref) for ref in (scenario.recent, scenario.open)}
    assert run(scenario.database) == 1
    with scenario.database.session() as session:
        after = {ref: snapshot(session, ref) for ref in (scenario.recent, scenario.open)}
    assert after == before
    assert after[scenario.recent]["case"]["reporter_name"] == "Amina Khan"


def test_just_inside_the_period_nothing_is_anonymised(scenario):
    closed_at = T0 + timedelta(days=5)
    assert run(scenario.database, now=closed_at + RETENTION) == 0
    assert run(scenario.database, now=closed_at + RETENTION + timedelta(seconds=1)) == 1


def test_running_again_changes_nothing_and_each_run_is_audited(scenario):
    assert run(scenario.database) == 1
    with scenario.database.session() as session:
        first = snapshot(session, scenario.old)
    assert run(scenario.database, now=EXPIRED + timedelta(days=1)) == 0
    with scenario.database.session() as session:
        assert snapshot(session, scenario.old) == first
        entries = session.execute(
            select(
                AuditEvent.username,
                AuditEvent.role,
                AuditEvent.action,
                AuditEvent.subject_type,
                AuditEvent.detail,
            )
            .where(AuditEvent.subject_type == "retention")
            .order_by(AuditEvent.id)
        ).all()
    assert entries == [
        ("retention-job", "system", "edit", "retention", "1 cases anonymised"),
        ("retention-job", "system", "edit", "retention", "0 cases anonymised"),
    ]
    assert audit.ACTIONS["edit"]


def test_batches_cover_every_expired_case(scenario):
    # a month later both closed cases are past the period; one case a batch
    assert run(scenario.database, now=EXPIRED + timedelta(days=30), batch=1) == 2
    with scenario.database.session() as session:
        anonymised = session.scalar(select(func.count()).where(Case.anonymised_at.is_not(None)))
    assert anonymised == 2


def test_a_failure_mid_batch_leaves_the_batch_untouched(scenario):
    """A crash while anonymising rolls the whole batch back: no case is half anonymised."""
    with scenario.database.session() as session:
        before = snapshot(session, scenario.old)
        sabotage = session.get_bind()
        calls = {"n": 0}

        def fail_on_documents(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
            if statement.startswith("DELETE FROM case_documents"):
                calls["n"] += 1
                raise RuntimeError("the database went away")

        event.listen(sabotage, "before_cursor_execute", fail_on_documents)
        try:
            with pytest.raises(RuntimeError, match="went away"):
                retention.anonymise_expired(session, now=EXPIRED, retention=RETENTION)
        finally:
            event.remove(sabotage, "before_cursor_execute", fail_on_documents)
    assert calls["n"] == 1
    with scenario.database.session() as session:
        assert snapshot(session, scenario.old) == before
        assert session.scalar(select(func.count()).where(AuditEvent.subject_type == "retention")) == 0
    assert run(scenario.database) == 1  # the next run does it


def test_a_bad_batch_size_is_refused(session):
    with pytest.raises(ValueError, match="batch"):
        retention.anonymise_expired(session, now=EXPIRED, retention=RETENTION, batch=0)
