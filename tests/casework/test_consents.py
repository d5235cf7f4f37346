"""Consents per person and purpose: recording, refusing bad input, withdrawing once, and the
withdrawal reaching the running case as a task for community safety."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from casework import consents
from db.models import Case, Consent, Task, TimelineEvent
from tests.bpmn.walk import Walk
from tests.conftest import T0
from tests.consent_cases import party, report_case, user

LATER = T0 + timedelta(hours=2)
TASK = "consent_withdrawn_stop_sharing"


def _record(session, reference, party_id, purpose="police", given="yes", who="officer"):
    return consents.record(
        session,
        reference,
        party_id=party_id,
        purpose=purpose,
        given=given,
        note=None,
        user=user(session, who),
        now=LATER,
    )


def test_a_consent_is_recorded_per_person_and_purpose_and_the_timeline_names_only_the_role(database, session):
    ref = report_case(database)
    victim = party(database, ref, "victim")
    consent = consents.record(
        session,
        ref,
        party_id=victim,
        purpose="agency_referral",
        given="yes",
        note="Agreed on the phone",
        user=user(session, "officer"),
        now=LATER,
    )
    row = session.get(Consent, consent.id)
    assert (row.purpose, row.given, row.note, row.recorded_by) == (
        "agency_referral",
        True,
        "Agreed on the phone",
        "officer",
    )
    case = session.scalars(select(Case).where(Case.reference == ref)).one()
    views = consents.for_case(session, case)
    assert [(v.purpose_label, v.state, v.party_label) for v in views] == [
        ("Referral to an agency", "given", "Victim: Amira Khan")
    ]
    summaries = list(session.scalars(select(TimelineEvent.summary).where(TimelineEvent.kind == "consent")))
    assert summaries == ["The victim gave consent to be referred to an agency"]
    assert "Amira" not in summaries[0]


@pytest.mark.parametrize(
    ("fields", "errors"),
    [
        ({"party_id": "", "purpose": "police", "given": "yes"}, {"party_id"}),
        ({"party_id": "999999", "purpose": "police", "given": "yes"}, {"party_id"}),
        ({"party_id": "VICTIM", "purpose": "newspaper", "given": "maybe"}, {"purpose", "given"}),
        ({"party_id": "VICTIM", "purpose": "police", "given": "yes", "note": "x" * 2001}, {"note"}),
    ],
)
def test_bad_input_is_refused_field_by_field_and_nothing_is_saved(database, session, fields, errors):
    ref = report_case(database)
    if fields["party_id"] == "VICTIM":
        fields["party_id"] = party(database, ref, "victim")
    with pytest.raises(consents.Invalid) as caught:
        consents.record(session, ref, user=user(session, "officer"), now=LATER, **fields)
    assert set(caught.value.errors) == errors
    assert all(caught.value.errors.values())
    assert session.scalars(select(Consent)).all() == []
    assert session.scalars(select(TimelineEvent).where(TimelineEvent.kind == "consent")).all() == []


def test_a_person_of_another_case_cannot_be_chosen(database, session):
    first, second = report_case(database), report_case(database)
    with pytest.raises(consents.Invalid) as caught:
        _record(session, first, party(database, second, "victim"))
    assert caught.value.errors == {"party_id": "Choose one of the people on this case."}


def test_roles_without_the_permission_are_refused(database, session):
    ref = report_case(database)
    with pytest.raises(consents.NotPermitted):
        _record(session, ref, party(database, ref, "victim"), who="owner")


def test_withdrawal_reaches_the_running_case_as_a_task_for_community_safety(database, session):
    ref = report_case(database)
    consent = _record(session, ref, party(database, ref, "victim"))
    assert TASK not in Walk(database, ref).open_elements()
    result = consents.withdraw(
        session, ref, consent.id, user=user(session, "officer"), now=LATER + timedelta(hours=1)
    )
    assert result.step is not None
    walk = Walk(database, ref, LATER)
    assert TASK in walk.open_elements()
    with database.session() as s:
        task = s.scalars(select(Task).where(Task.element_id == TASK)).one()
        assert task.title == "Consent withdrawn: stop sharing and tell the agencies"
        assert task.group_names == ["community-safety"]
        row = s.get(Consent, consent.id)
        assert row.withdrawn_by == "officer" and row.withdrawn_at is not None
    assert "The victim withdrew consent to share with the police" in walk.timeline()
    # The task's form must be answered; then the task is done and the rest of the case goes on.
    assert set(walk.fails(TASK, {})) >= {"sharing_stopped", "agencies_told", "agencies_told_on"}
    walk.do(
        TASK,
        {"sharing_stopped": True, "agencies_told": "Police told by email", "agencies_told_on": "2026-03-03"},
    )
    assert TASK not in walk.open_elements()
    assert "first_response" in walk.open_elements()


def test_a_consent_cannot_be_withdrawn_twice_nor_a_refusal_withdrawn(database, session):
    ref = report_case(database)
    victim = party(database, ref, "victim")
    given = _record(session, ref, victim)
    refused = _record(session, ref, victim, purpose="court_evidence", given="no")
    consents.withdraw(session, ref, given.id, user=user(session, "officer"), now=LATER)
    with pytest.raises(consents.Invalid, match="already withdrew consent to share with the police"):
        consents.withdraw(session, ref, given.id, user=user(session, "officer"), now=LATER)
    with pytest.raises(consents.Invalid, match="refused consent to use their evidence in court"):
        consents.withdraw(session, ref, refused.id, user=user(session, "officer"), now=LATER)
    # One task only, from the one withdrawal that happened.
    assert Walk(database, ref).open_elements().count(TASK) == 1


def test_a_consent_of_another_case_is_not_found(database, session):
    first, second = report_case(database), report_case(database)
    other = _record(session, second, party(database, second, "victim"))
    with pytest.raises(consents.NotFound):
        consents.withdraw(session, first, other.id, user=user(session, "officer"), now=LATER)
    with pytest.raises(consents.NotFound):
        consents.withdraw(session, first, "abc", user=user(session, "officer"), now=LATER)


def test_on_a_closed_case_the_withdrawal_is_recorded_and_no_task_starts(database, session):
    ref = report_case(database)
    consent = _record(session, ref, party(database, ref, "victim"))
    case = session.scalars(select(Case).where(Case.reference == ref)).one()
    case.status = "closed"
    session.commit()
    result = consents.withdraw(session, ref, consent.id, user=user(session, "officer"), now=LATER)
    assert result.step is None
    assert session.get(Consent, consent.id).withdrawn_at is not None
    assert TASK not in Walk(database, ref).open_elements()
    assert (
        "The victim withdrew consent to share with the police (the case is closed: no task was started)"
        in Walk(database, ref).timeline()
    )


def test_a_later_refusal_overrides_an_earlier_consent(database, session):
    ref = report_case(database)
    victim = party(database, ref, "victim")
    _record(session, ref, victim)
    case = session.scalars(select(Case).where(Case.reference == ref)).one()
    party_row = next(p for p in case.parties if p.id == victim)
    assert consents.current_consent(session, case, party_row, "police") is not None
    _record(session, ref, victim, given="no")
    assert consents.current_consent(session, case, party_row, "police") is None
