"""The saved workflow keeps only what the process reads again: finished tasks are left out, every
task kept has the data it had, a closed case keeps a minimal final state, a state saved before
compaction still loads and runs, and a case past a step left out is still refused a move to a
version without that step."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import select

import processes
from casework import case_moves, steps, tasks
from casework import timers as due_timers
from db.models import Case, Task, User
from processes import engine, specs
from tests.conftest import T0
from tests.diagrams import noise


def user(session, name: str) -> User:
    return session.scalars(select(User).where(User.username == name)).one()


def start(session) -> Case:
    case = Case(reported_at=T0, description="noise", location="4 Elm Road", strands=[])
    processes.start(
        steps.uncommitted(session, now=T0),
        case,
        "noise_complaint",
        {"complaint_no": 7, "street": "Elm Road"},
        now=T0,
        reference=lambda i: f"NC-{i:06d}",
    )
    session.commit()
    return case


def complete_open_task(session, case: Case, answers: dict, *, at=T0) -> None:
    task = session.scalars(select(Task).where(Task.case_id == case.id, Task.status == "open")).one()
    tasks.complete(session, task.id, answers, user=user(session, "officer"), now=at)
    session.commit()


def saved(case: Case) -> dict:
    return json.loads(case.workflow_state)


def loaded(case: Case):
    return engine.state_from_json(case.workflow_state, specs.fresh_specs(case.process_version), None)


def specs_of(state: dict) -> list[str]:
    return sorted(entry["task_spec"] for entry in state["tasks"].values())


def test_finished_tasks_are_left_out_and_the_rest_keep_their_data(session):
    processes.deploy(session, noise())
    case = start(session)
    complete_open_task(session, case, {"decibels": "95", "noise_notes": "Music all night"})
    state = saved(case)
    assert state["format"] == 2
    # The start event is behind the case: left out, and listed as passed. The task logged stays
    # as its boundary event's join's parent (a join reads it), the gateway as the last task done.
    assert specs_of(state) == [
        "End",
        "Start",
        "how_loud",
        "log_noise",
        "log_noise.BoundaryEventJoin",
        "log_noise.BoundaryEventSplit",
        "noise_complaint.EndJoin",
        "noise_deadline",
        "noise_done",
        "visit_address",
    ]
    assert "complaint_received" in state["passed"]
    # The boundary timer cancelled when the task was done stays with its split (the engine's
    # structure), and the visit waits with everything the case was told so far.
    workflow = loaded(case)
    [ready] = engine.ready_user_tasks(workflow)
    assert ready.task_spec.name == "visit_address"
    assert ready.data == {
        "complaint_no": 7,
        "street": "Elm Road",
        "decibels": 95,
        "noise_notes": "Music all night",
    }
    # Saved again without a step, the state is the same: compaction loses nothing more.
    again = json.loads(engine.state_to_json(workflow))
    assert again["tasks"] == state["tasks"]
    assert {str(t.id): t.data for t in workflow.get_tasks()} == {
        str(t.id): t.data for t in loaded(case).get_tasks()
    }


def test_a_closed_case_keeps_a_minimal_final_state(session):
    processes.deploy(session, noise())
    case = start(session)
    complete_open_task(session, case, {"decibels": "95"})
    before = len(saved(case)["tasks"])
    complete_open_task(session, case, {})
    assert case.status == "closed"
    state = saved(case)
    assert len(state["tasks"]) < before
    # The root and the last task; the joins with their parents; the boundary event's split and
    # its cancelled timer. The gateway and the visit are gone.
    assert specs_of(state) == [
        "End",
        "Start",
        "log_noise",
        "log_noise.BoundaryEventJoin",
        "log_noise.BoundaryEventSplit",
        "noise_complaint.EndJoin",
        "noise_deadline",
        "noise_done",
    ]
    assert {"how_loud", "visit_address"} <= set(state["passed"])
    workflow = loaded(case)
    assert workflow.completed and engine.waiting_messages(workflow) == []
    assert workflow.last_task.data["decibels"] == 95


def test_a_state_saved_before_compaction_loads_runs_and_is_compacted(session):
    processes.deploy(session, noise())
    case = start(session)
    # The state as this project saved it before compaction (format 1): every task the case ran.
    workflow = engine.new_workflow(specs.fresh_specs(case.process_version), None)
    engine.set_start_data(workflow, {"complaint_no": 7})
    engine.run_on(workflow)
    [log] = engine.ready_user_tasks(workflow)
    engine.complete_task(workflow, str(log.id), {"decibels": 95})
    old = engine._REGISTRY.convert(workflow)
    old.update(format=1, triggered=[])
    assert "complaint_received" in specs_of(old)

    again = engine.state_from_json(json.dumps(old), specs.fresh_specs(case.process_version), None)
    [visit] = engine.ready_user_tasks(again)
    assert (visit.task_spec.name, visit.data) == ("visit_address", {"complaint_no": 7, "decibels": 95})
    compacted = json.loads(engine.state_to_json(again))
    assert compacted["format"] == 2 and "complaint_received" not in specs_of(compacted)
    engine.complete_task(again, str(visit.id), {})
    assert again.completed and again.last_task.data == {"complaint_no": 7, "decibels": 95}


def without_telling() -> bytes:
    """The noise diagram without its "Tell the supervisors" step: a late complaint is chased at once."""
    xml = noise().decode()
    start = xml.index('<bpmn:serviceTask id="tell_supervisors"')
    end = xml.index("</bpmn:serviceTask>", start) + len("</bpmn:serviceTask>")
    xml = xml[:start] + xml[end:]
    gone = '<bpmn:sequenceFlow id="to_chase" sourceRef="tell_supervisors" targetRef="chase_noise" />'
    assert gone in xml
    xml = xml.replace(gone, "")
    return xml.replace(
        'sourceRef="noise_deadline" targetRef="tell_supervisors"',
        'sourceRef="noise_deadline" targetRef="chase_noise"',
    ).encode()


def test_a_case_past_a_step_left_out_still_cannot_move_to_a_version_without_it(session, database):
    processes.deploy(session, noise())
    case = start(session)
    session.commit()
    assert due_timers.sweep(database.sessions, T0 + timedelta(hours=8, minutes=1)).fired == 1
    session.expire_all()
    state = saved(case)
    assert "tell_supervisors" not in specs_of(state) and "tell_supervisors" in state["passed"]
    assert session.scalars(
        select(Task.element_id).where(Task.case_id == case.id, Task.status == "open")
    ).all() == ["chase_noise"]
    processes.deploy(session, without_telling())
    session.commit()
    [check] = case_moves.preview(session, "noise_complaint", now=T0 + timedelta(hours=9))
    assert check.reasons == (
        "it has reached or passed 'Tell the supervisors' (tell_supervisors), "
        "which the new version does not have",
    )
