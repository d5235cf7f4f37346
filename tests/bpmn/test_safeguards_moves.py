"""Issue 14, "done means": open cases on the previous version of the hate-incident diagram move to
the new one (the modeller's "move open cases") and keep the due times of their running deadlines:
the 24-hour first response, its reminder, the due dates of open tasks and the contact cadence.
The old version is this diagram without the indicator bindings (what ran before point 15)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from casework import case_moves, indicators
from db.models import Case, Task, Timer, User
from processes import deploy
from tests.bpmn.test_safeguards_indicators import MARCH, renamed, without_bindings
from tests.bpmn.walk import FIRST_RESPONSE, LOW_RISK, Walk
from tests.conftest import BPMN, T0


def deadlines(walk: Walk) -> tuple[list[tuple[str, object]], list[tuple[str, object]]]:
    """The case's waiting timers and open tasks with their due times."""
    with walk.database.session() as session:
        case = session.scalars(select(Case).where(Case.reference == walk.reference)).one()
        timers = sorted(
            (t.element_id, t.due_at) for t in session.scalars(select(Timer).where(Timer.case_id == case.id))
        )
        tasks = sorted(
            (t.element_id, t.due_at)
            for t in session.scalars(select(Task).where(Task.case_id == case.id, Task.status == "open"))
        )
        return timers, tasks


def version(walk: Walk) -> int:
    with walk.database.session() as session:
        case = session.scalars(select(Case).where(Case.reference == walk.reference)).one()
        return case.process_version.version


def test_open_cases_move_to_the_new_version_and_keep_their_deadlines(database):
    with database.session() as session:
        assert deploy(session, without_bindings(), deployed_by="owner").version == 2
        session.commit()
    waiting = Walk.report(database)  # the 24 hours are running
    in_contact = Walk.report(database, reporter_name="Ann Example")
    in_contact.through_support(LOW_RISK)  # the contact cadence is running (low: 14 days)
    before = {w.reference: deadlines(w) for w in (waiting, in_contact)}
    assert any(name == "response_deadline" for name, _ in before[waiting.reference][0])
    assert before[in_contact.reference][0], "the contact cadence runs"

    with database.session() as session:
        assert deploy(session, BPMN.read_bytes(), deployed_by="owner").version == 3
        session.commit()
        owner = session.scalars(select(User).where(User.username == "owner")).one()
        now = T0 + timedelta(hours=2)
        checks = case_moves.preview(session, "hate_incident", now=now)
        assert {c.reference: c.can_move for c in checks} == {
            waiting.reference: True,
            in_contact.reference: True,
        }
        outcomes = case_moves.move_cases(
            session, "hate_incident", [waiting.reference, in_contact.reference], user=owner, now=now
        )
    assert [o.moved for o in outcomes] == [True, True], [o.message for o in outcomes]
    for walk in (waiting, in_contact):
        assert version(walk) == 3
        assert deadlines(walk) == before[walk.reference]

    # The deadlines fire when they were due before the move, not counted from the move.
    assert waiting.sweep(timedelta(hours=23, minutes=59)) == 1  # the reminder, 2 hours before
    assert waiting.case().first_response_breached_at is None
    assert waiting.sweep(timedelta(hours=24, seconds=1)) >= 1
    assert waiting.case().first_response_breached_at is not None
    missed = "Deadline missed: contact with the victim (escalated to supervisors)"
    in_contact.sweep(timedelta(days=13))  # sweeps every case: the other one's escalations fire too
    assert in_contact.timeline().count(missed) == 0
    in_contact.sweep(timedelta(days=14, seconds=1))
    assert in_contact.timeline().count(missed) == 1


def test_a_case_waiting_on_a_task_renamed_in_the_new_version_moves_onto_the_new_name(database):
    walk = Walk.report(database)
    with database.session() as session:
        deploy(session, renamed(), deployed_by="owner")
        session.commit()
        owner = session.scalars(select(User).where(User.username == "owner")).one()
        [outcome] = case_moves.move_cases(
            session, "hate_incident", [walk.reference], user=owner, now=T0 + timedelta(hours=1)
        )
    assert outcome.moved, outcome.message
    assert walk.open_elements() == ["first_contact"]  # the form of the new version is offered
    walk.do("first_contact", FIRST_RESPONSE, after=timedelta(hours=2))
    assert walk.open_elements() == ["police_referral"]
    with database.session() as session:
        result = indicators.indicators(session, MARCH, homes=1000, now=T0 + timedelta(days=2))
    assert (result.first_response.met, result.first_response.missed) == (1, 0)
