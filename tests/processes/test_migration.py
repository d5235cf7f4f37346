"""Moving open cases to a new version: in bulk, keeping their data, task ids and running
deadlines; refused with a reason when the case is past a step the new version lacks; on the
timeline, and undone while nothing else has happened to the case."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

import processes
from casework import case_moves, steps, tasks
from casework import timers as due_timers
from db.models import Case, Task, TimelineEvent, Timer, User
from processes import engine, migration, specs
from tests.conftest import T0
from tests.diagrams import noise

V2 = noise(title="Record the noise complaint", label="Decibels", deadline="PT12H")


def without_visit() -> bytes:
    xml = noise().decode()
    for gone in (
        '<bpmn:userTask id="visit_address" name="Visit the address" '
        'camunda:candidateGroups="community-safety" />',
        '<bpmn:sequenceFlow id="visit_done" sourceRef="visit_address" targetRef="noise_done" />',
    ):
        assert gone in xml
        xml = xml.replace(gone, "")
    return xml.replace('targetRef="visit_address"', 'targetRef="noise_done"').encode()


def user(session, name: str) -> User:
    return session.scalars(select(User).where(User.username == name)).one()


def start(session, at, data=None) -> Case:
    case = Case(reported_at=at, description="noise", location="4 Elm Road", strands=[])
    processes.start(
        steps.uncommitted(session, now=T0),
        case,
        "noise_complaint",
        data or {},
        now=at,
        reference=lambda i: f"NC-{i:06d}",
    )
    session.commit()
    return case


def open_task(session, case: Case) -> Task:
    return session.scalars(select(Task).where(Task.case_id == case.id, Task.status == "open")).one()


def _data(case: Case) -> dict:
    """The data the case's ready task holds, read back through the engine."""
    workflow = engine.state_from_json(case.workflow_state, specs.specs_for(case.process_version), None)
    [ready] = engine.ready_user_tasks(workflow)
    return dict(ready.data)


def test_a_bulk_move_of_100_cases_keeps_due_times_data_and_tasks(session, database):
    processes.deploy(session, noise())
    cases = [start(session, T0 + timedelta(minutes=i), {"complaint_no": i}) for i in range(100)]
    before = {c.id: (t.id, t.due_at) for c in cases for t in [open_task(session, c)]}
    processes.deploy(session, V2, deployed_by="owner")
    session.commit()
    now = T0 + timedelta(hours=1)

    checks = case_moves.preview(session, "noise_complaint", now=now)
    assert len(checks) == 100 and all(c.can_move and c.version == 1 for c in checks)
    outcomes = case_moves.move_cases(
        session, "noise_complaint", [c.reference for c in checks], user=user(session, "owner"), now=now
    )
    assert all(o.moved for o in outcomes) and len(outcomes) == 100

    session.expire_all()
    for i, case in enumerate(cases):
        task = open_task(session, case)
        assert case.process_version.version == 2
        assert (task.id, task.due_at) == before[case.id] == (task.id, T0 + timedelta(minutes=i, hours=8))
        assert task.title == "Record the noise complaint"
        [timer] = session.scalars(select(Timer).where(Timer.case_id == case.id)).all()
        assert timer.due_at == T0 + timedelta(minutes=i, hours=8)
        assert _data(case)["complaint_no"] == i
    task = processes.task_view(open_task(session, cases[0]), with_form=True)
    assert task.fields[0].label == "Decibels"
    assert case_moves.preview(session, "noise_complaint", now=now) == []

    # The kept deadline still fires, at its original time, on the new version.
    assert due_timers.sweep(database.sessions, T0 + timedelta(hours=8, minutes=29, seconds=30)).fired == 30


def test_a_moved_case_runs_on_and_records_the_move(session):
    processes.deploy(session, noise())
    case = start(session, T0, {"complaint_no": 7})
    processes.deploy(session, V2)
    owner = user(session, "owner")
    [outcome] = case_moves.move_cases(
        session, "noise_complaint", [case.reference.lower()], user=owner, now=T0
    )
    assert outcome.moved and outcome.message == f"{case.reference} moved to version 2."
    event = session.scalars(
        select(TimelineEvent).where(TimelineEvent.case_id == case.id).order_by(TimelineEvent.id.desc())
    ).first()
    assert (event.kind, event.actor) == ("migrated", "Oscar Owner")
    assert event.summary == "Moved from version 1 to version 2 of the process"
    result = tasks.complete(
        session, open_task(session, case).id, {"decibels": "95"}, user=user(session, "officer"), now=T0
    )
    session.commit()
    assert [t.title for t in result.open_tasks] == ["Visit the address"]


def test_a_case_past_a_step_the_new_version_lacks_cannot_move(session):
    processes.deploy(session, noise())
    waiting = start(session, T0)
    at_visit = start(session, T0)
    tasks.complete(
        session, open_task(session, at_visit).id, {"decibels": "95"}, user=user(session, "officer"), now=T0
    )
    session.commit()
    processes.deploy(session, without_visit())
    session.commit()
    checks = {c.reference: c for c in case_moves.preview(session, "noise_complaint", now=T0)}
    assert checks[waiting.reference].can_move  # its planned visit is re-planned on the new version
    assert checks[at_visit.reference].reasons == (
        "it has reached or passed 'Visit the address' (visit_address), which the new version does not have",
    )
    outcomes = case_moves.move_cases(
        session,
        "noise_complaint",
        [at_visit.reference, waiting.reference, "NC-999999"],
        user=user(session, "owner"),
        now=T0,
    )
    assert [o.moved for o in outcomes] == [False, True, False]
    assert "cannot move: it has reached or passed 'Visit the address'" in outcomes[0].message
    session.expire_all()
    assert at_visit.process_version.version == 1 and open_task(session, at_visit).title == "Visit the address"


def test_undo_puts_the_case_back_until_it_moves_on(session):
    processes.deploy(session, noise())
    case = start(session, T0)
    task_id = open_task(session, case).id
    processes.deploy(session, V2)
    owner = user(session, "owner")
    case_moves.move_cases(session, "noise_complaint", [case.reference], user=owner, now=T0)
    [recent] = case_moves.recent_moves(session, "noise_complaint")
    assert (recent.reference, recent.from_version, recent.to_version, recent.undoable) == (
        case.reference,
        1,
        2,
        True,
    )

    case_moves.undo_move(session, case.reference, user=owner, now=T0 + timedelta(minutes=1))
    session.expire_all()
    task = open_task(session, case)
    assert case.process_version.version == 1 and (task.id, task.title) == (task_id, "Log the noise complaint")
    assert task.due_at == T0 + timedelta(hours=8)
    assert processes.task_view(task, with_form=True).fields[0].label == "Loudness (dB)"
    assert [m.undoable for m in case_moves.recent_moves(session, "noise_complaint")] == [False]
    assert session.scalars(select(TimelineEvent.kind).where(TimelineEvent.case_id == case.id)).all()[-1] == (
        "migration_undone"
    )

    case_moves.move_cases(
        session, "noise_complaint", [case.reference], user=owner, now=T0 + timedelta(minutes=2)
    )
    tasks.claim(session, task_id, user(session, "officer"), now=T0 + timedelta(minutes=3))
    session.commit()
    assert not case_moves.recent_moves(session, "noise_complaint")[0].undoable
    with pytest.raises(migration.NotMovable, match="something has happened to the case since it moved"):
        case_moves.undo_move(session, case.reference, user=owner, now=T0 + timedelta(minutes=4))
