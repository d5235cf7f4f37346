"""A case that goes round a diagram loop on its own is stopped at run time (deploy cannot see these
loops): a timer whose length comes from the case data and is zero, fired once per timer sweep, and
a loop through a subprocess whose user task is on a branch never taken, which spins inside one run.
The step is rolled back and the case waits on the stuck-work list with a message naming the loop;
a person working on the case starts the count again."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

import processes
from casework import process_models, stuck, tasks
from casework import timers as due_timers
from db.models import Case, Task, User
from processes import loops
from tests.conftest import T0
from tests.webapp.test_api import token

HEAD = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="loop_defs" targetNamespace="http://bpmn.io/schema/bpmn">
"""
# Wait (as long as the case data says) → Count → Again? → Wait; every ``check_every`` turns a
# person checks in (0: never).
TIMER_LOOP = (
    HEAD
    + b"""  <bpmn:process id="data_timer" name="Data timer" isExecutable="true">
    <bpmn:startEvent id="begin" />
    <bpmn:intermediateCatchEvent id="wait" name="Wait">
      <bpmn:timerEventDefinition><bpmn:timeDuration>f"PT{wait}S"</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:scriptTask id="count" name="Count" scriptFormat="python">
      <bpmn:script>turns = turns + 1</bpmn:script></bpmn:scriptTask>
    <bpmn:exclusiveGateway id="again" name="Again?" default="round" />
    <bpmn:userTask id="check_in" name="Check in" camunda:candidateGroups="community-safety" />
    <bpmn:endEvent id="finish" />
    <bpmn:sequenceFlow id="f1" sourceRef="begin" targetRef="wait" />
    <bpmn:sequenceFlow id="f2" sourceRef="wait" targetRef="count" />
    <bpmn:sequenceFlow id="f3" sourceRef="count" targetRef="again" />
    <bpmn:sequenceFlow id="round" sourceRef="again" targetRef="wait" />
    <bpmn:sequenceFlow id="to_check" sourceRef="again" targetRef="check_in">
      <bpmn:conditionExpression>check_every and turns % check_every == 0</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="done" sourceRef="again" targetRef="finish">
      <bpmn:conditionExpression>turns &gt; 100000</bpmn:conditionExpression></bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f4" sourceRef="check_in" targetRef="wait" />
  </bpmn:process>
</bpmn:definitions>
"""
)
# Look → (a subprocess that asks a person only when ``ask`` is set) → Tally → More? → Look: deploy
# sees a user task on the loop, but no case ever reaches it.
SUBPROCESS_LOOP = (
    HEAD
    + b"""  <bpmn:process id="sub_loop" name="Subprocess loop" isExecutable="true">
    <bpmn:startEvent id="begin" />
    <bpmn:subProcess id="look" name="Look">
      <bpmn:startEvent id="look_start" />
      <bpmn:exclusiveGateway id="ask_gate" name="Ask?" default="no_ask" />
      <bpmn:userTask id="ask_someone" name="Ask someone" camunda:candidateGroups="community-safety" />
      <bpmn:endEvent id="look_end" />
      <bpmn:sequenceFlow id="s1" sourceRef="look_start" targetRef="ask_gate" />
      <bpmn:sequenceFlow id="yes_ask" sourceRef="ask_gate" targetRef="ask_someone">
        <bpmn:conditionExpression>ask</bpmn:conditionExpression></bpmn:sequenceFlow>
      <bpmn:sequenceFlow id="no_ask" sourceRef="ask_gate" targetRef="look_end" />
      <bpmn:sequenceFlow id="s2" sourceRef="ask_someone" targetRef="look_end" />
    </bpmn:subProcess>
    <bpmn:scriptTask id="tally" name="Tally" scriptFormat="python">
      <bpmn:script>turns = turns + 1</bpmn:script></bpmn:scriptTask>
    <bpmn:exclusiveGateway id="more" name="More?" default="back" />
    <bpmn:endEvent id="finish" />
    <bpmn:sequenceFlow id="f1" sourceRef="begin" targetRef="look" />
    <bpmn:sequenceFlow id="f2" sourceRef="look" targetRef="tally" />
    <bpmn:sequenceFlow id="f3" sourceRef="tally" targetRef="more" />
    <bpmn:sequenceFlow id="back" sourceRef="more" targetRef="look" />
    <bpmn:sequenceFlow id="out" sourceRef="more" targetRef="finish">
      <bpmn:conditionExpression>turns &gt;= 500</bpmn:conditionExpression></bpmn:sequenceFlow>
  </bpmn:process>
</bpmn:definitions>
"""
)
SWEEP_EVERY = timedelta(seconds=5)  # the embedded timer thread's default interval


def _user(session, username="owner"):
    return session.scalars(select(User).where(User.username == username)).one()


def _start(database, xml, key, data):
    with database.session() as session:
        owner = _user(session)
        process_models.deploy(session, xml, user=owner)
        return process_models.start_case(session, key, data, user=owner, now=T0).case_id


def _sweeps(database, count, start=T0, every=SWEEP_EVERY):
    """Sweep ``count`` times, ``every`` apart, as the timer thread does; the last instant."""
    at = start
    for _ in range(count):
        at += every
        due_timers.sweep(database.sessions, at)
    return at


def _case(database, case_id):
    with database.session() as session:
        return session.get(Case, case_id)


def test_a_timer_of_zero_from_the_case_data_is_stopped_after_a_set_number_of_steps(database):
    case_id = _start(database, TIMER_LOOP, "data_timer", {"wait": 0, "turns": 0, "check_every": 0})
    at = T0
    for _ in range(loops.MAX_AUTOMATIC_STEPS):
        at += SWEEP_EVERY
        if due_timers.sweep(database.sessions, at).failures:
            break
    else:
        pytest.fail("the loop was never stopped")
    assert at - T0 < loops.WINDOW
    case = _case(database, case_id)
    assert case.status == "open" and case.step_failed_at == at
    assert "more than 200 automatic steps within 10 minutes" in case.step_failure
    assert "'Wait' → 'Count' → 'Again?' → 'Wait'" in case.step_failure
    saved = case.workflow_state
    _sweeps(database, 20, at)
    assert _case(database, case_id).workflow_state == saved  # the state stops growing
    with database.session() as session:
        page = stuck.stuck_work(session, now=at + timedelta(minutes=5), kind="failed")
    [item] = page.items
    assert item.case_reference == case.reference and "'Wait' → 'Count'" in item.reason


def test_a_person_checking_in_starts_the_count_again(database):
    case_id = _start(database, TIMER_LOOP, "data_timer", {"wait": 0, "turns": 0, "check_every": 40})
    at = T0
    for _ in range(4):  # 160 turns, some 480 automatic steps, with a person every 40 turns
        at = _sweeps(database, 40, at, timedelta(seconds=2))
        with database.session() as session:
            [task_id] = session.scalars(
                select(Task.id).where(Task.case_id == case_id, Task.status == "open")
            ).all()
            at += SWEEP_EVERY
            tasks.complete(session, task_id, {}, _user(session, "officer"), now=at)
    case = _case(database, case_id)
    assert case.step_failed_at is None and at - T0 < loops.WINDOW
    assert '"turns":160' in case.workflow_state.replace(" ", "")


def test_a_loop_inside_one_run_is_stopped_and_nothing_is_saved(database):
    with database.session() as session:
        owner = _user(session)
        process_models.deploy(session, SUBPROCESS_LOOP, user=owner)
        with pytest.raises(processes.EngineFailure) as failure:
            process_models.start_case(session, "sub_loop", {"ask": False, "turns": 0}, user=owner, now=T0)
        session.rollback()
        assert session.scalars(select(Case)).all() == []
    message = str(failure.value)
    assert "more than 200 automatic steps" in message
    assert "'Tally' → 'More?' → 'Look' → 'Tally'" in message


def test_through_the_api_a_loop_inside_one_run_gets_422_naming_it(client):
    owner = token(client, "owner")
    xml = {**owner, "Content-Type": "application/xml"}
    assert client.post("/api/process-models", headers=xml, data=SUBPROCESS_LOOP).status_code == 201
    data = {"ask": False, "turns": 0}
    started = client.post("/api/process-models/sub_loop/cases", headers=owner, json=data)
    assert started.status_code == 422
    assert "more than 200 automatic steps" in started.json["message"]
    assert "'Tally' → 'More?' → 'Look' → 'Tally'" in started.json["message"]
    assert "Nothing was saved" in started.json["message"]
