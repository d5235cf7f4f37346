"""Linked cases, holds and duplicates in the casework services: both ways, audited, bad input as
field messages; a duplicate's incidents move and its process ends through the engine."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from casework import case_overview, case_people, duplicates, holds, linked_cases
from casework.casefile import find_case
from casework.form_errors import Invalid
from db.models import AuditEvent, Task, TimelineEvent, Timer
from processes import Conflict
from tests.bpmn.walk import Walk
from tests.conftest import T0
from tests.consent_cases import report_case, user

LATER = T0 + timedelta(hours=2)


def _kinds(session, reference):
    case = find_case(session, reference)
    return [e.kind for e in session.scalars(select(TimelineEvent).where(TimelineEvent.case_id == case.id))]


def test_a_link_shows_on_both_cases_with_its_reason_and_is_audited(database, session):
    a, b = report_case(database), report_case(database, description="Carl Price shouted again")
    linked_cases.link(
        session,
        a,
        other=b.lower(),
        kind="same_perpetrator",
        reason="Carl Price both times",
        user=user(session, "officer"),
        now=LATER,
    )
    for mine, theirs in ((a, b), (b, a)):
        [view] = linked_cases.links_of(session, find_case(session, mine))
        assert (view.reference, view.how, view.reason) == (
            theirs,
            "Same alleged perpetrator",
            "Carl Price both times",
        )
        assert "linked" in _kinds(session, mine)
    assert session.scalar(select(AuditEvent).where(AuditEvent.action == "case-linked")).subject == a


def test_bad_links_are_refused_field_by_field(database, session):
    a = report_case(database)
    with pytest.raises(Invalid) as err:
        linked_cases.link(
            session, a, other=a, kind="cousins", reason="", user=user(session, "officer"), now=LATER
        )
    assert set(err.value.errors) == {"other", "kind", "reason"}
    assert "itself" in err.value.errors["other"]
    with pytest.raises(Invalid) as err:
        linked_cases.link(
            session,
            a,
            other="HC-2026-999999",
            kind="other",
            reason="Same street",
            user=user(session, "officer"),
            now=LATER,
        )
    assert "There is no case HC-2026-999999" in err.value.errors["other"]


def test_a_hold_needs_a_future_review_date_and_comes_off(database, session):
    a = report_case(database)
    officer = user(session, "officer")
    with pytest.raises(Invalid) as err:
        holds.put_on_hold(session, a, reason="Waiting", review_on="2026-03-01", user=officer, now=LATER)
    assert set(err.value.errors) == {"review_on"}
    holds.put_on_hold(session, a, reason="Victim abroad", review_on="2026-04-01", user=officer, now=LATER)
    hold = holds.current_hold(session, find_case(session, a))
    assert hold is not None and hold.reason == "Victim abroad" and hold.review_at.day == 1
    with pytest.raises(Conflict):
        holds.put_on_hold(session, a, reason="Again", review_on="2026-04-02", user=officer, now=LATER)
    holds.take_off_hold(session, a, note="Back home", user=officer, now=LATER)
    assert holds.current_hold(session, find_case(session, a)) is None
    assert {"on_hold", "off_hold"} <= set(_kinds(session, a))


def test_a_duplicate_moves_its_incidents_and_its_process_ends_through_the_engine(database, session):
    original = report_case(database)
    duplicate = report_case(database, description="Shouting at number 4 again, same man")
    dup_case = find_case(session, duplicate)
    assert session.scalars(select(Task).where(Task.case_id == dup_case.id, Task.status == "open")).all()
    duplicates.cancel_as_duplicate(
        session,
        duplicate,
        original=original,
        reason="The same incident reported twice",
        user=user(session, "officer"),
        now=LATER,
    )
    session.expire_all()
    dup_case = find_case(session, duplicate)
    assert dup_case.status == "closed"
    assert session.scalars(select(Task).where(Task.case_id == dup_case.id, Task.status == "open")).all() == []
    assert session.scalars(select(Timer).where(Timer.case_id == dup_case.id)).all() == []
    assert {"duplicate", "task_cancelled", "case_closed"} <= set(_kinds(session, duplicate))
    moved = session.scalars(
        select(TimelineEvent.summary).where(
            TimelineEvent.case_id == find_case(session, original).id, TimelineEvent.kind == "incident_moved"
        )
    ).all()
    assert any("Shouting at number 4 again, same man" in line for line in moved)
    view = case_overview.overview(session, dup_case, LATER)
    assert view.duplicate_of == original
    assert (
        case_overview.overview(session, find_case(session, original), LATER).links[0].direction
        == "duplicated_by"
    )
    with pytest.raises(Conflict):
        duplicates.cancel_as_duplicate(
            session, duplicate, original=original, reason="Again", user=user(session, "officer"), now=LATER
        )


def test_the_overview_says_what_the_engine_waits_for(database, session):
    a = report_case(database)
    view = case_overview.overview(session, find_case(session, a), LATER)
    assert [d.name for d in view.deadlines] == ["2 hours before the deadline", "24 hours since the report"]
    assert "Another incident" in view.messages and "A contact with the victim" not in view.messages
    walk = Walk(database, a)
    walk.through_support()
    session.expire_all()
    view = case_overview.overview(session, find_case(session, a), LATER)
    assert {"Another incident", "A request for an ASB Case Review", "A contact with the victim"} <= set(
        view.messages
    )
    assert view.words.get("victim_support_service") == "Victim Support"


def test_a_person_is_added_with_needs_and_bad_fields_are_named(database, session):
    a = report_case(database)
    officer = user(session, "officer")
    with pytest.raises(Invalid) as err:
        case_people.add_person(
            session, a, {"role": "uncle", "name": "", "email": "nope"}, user=officer, now=LATER
        )
    assert set(err.value.errors) == {"role", "name", "email"}
    party = case_people.add_person(
        session,
        a,
        {
            "role": "witness",
            "name": "Dee Evans",
            "relation": "tenant",
            "phone": "07700 900456",
            "communication_needs": "British Sign Language interpreter",
        },
        user=officer,
        now=LATER,
    )
    needs = case_people.needs_of(session, find_case(session, a))
    assert needs[party.id].communication_needs == "British Sign Language interpreter"
    assert "person_added" in _kinds(session, a)


def test_retention_removes_needs_and_typed_reasons_but_keeps_the_link(database, session):
    from casework import retention
    from db.models import CaseHold, CaseLink, PartyNeeds

    original, duplicate = report_case(database), report_case(database, description="Reported twice")
    officer = user(session, "officer")
    case_people.add_person(
        session,
        duplicate,
        {"role": "witness", "name": "Dee Evans", "vulnerabilities": "Lives alone"},
        user=officer,
        now=LATER,
    )
    holds.put_on_hold(
        session, duplicate, reason="Dee Evans is in hospital", review_on="2026-04-01", user=officer, now=LATER
    )
    duplicates.cancel_as_duplicate(
        session, duplicate, original=original, reason="Dee Evans reported it twice", user=officer, now=LATER
    )
    retention.anonymise_expired(session, now=LATER + timedelta(days=4000), retention=timedelta(days=365 * 6))
    session.commit()
    session.expire_all()
    assert session.scalars(select(PartyNeeds)).all() == []
    assert [h.reason for h in session.scalars(select(CaseHold))] == ["[removed under the retention policy]"]
    [link] = session.scalars(select(CaseLink)).all()
    assert link.kind == "duplicate_of" and "Dee Evans" not in link.reason


def test_a_persons_needs_are_in_their_subject_access_export(database, session):
    from casework import audit, subject_access

    a = report_case(database)
    case_people.add_person(
        session,
        a,
        {
            "role": "witness",
            "name": "Dee Evans",
            "email": "dee@example.org",
            "communication_needs": "Large print",
        },
        user=user(session, "officer"),
        now=LATER,
    )
    actor = audit.Actor("manager", "manager", None)
    manager = user(session, "manager")
    found = subject_access.search(
        session, {"email": "dee@example.org"}, viewer=manager, actor=actor, now=LATER
    )
    data = subject_access.export(
        session, [m.key for m in found.matches], viewer=manager, actor=actor, now=LATER, format="json"
    )
    [held] = data["cases"][0]["details_held"]
    assert held["communication_needs"] == "Large print" and held["vulnerabilities"] is None
