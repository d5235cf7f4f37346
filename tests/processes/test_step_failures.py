"""A background step that fails (here: a script after a deadline divides by zero) is rolled back
and recorded on the case; the sweep leaves the case alone until someone retries it, and an
administrator may skip the failing step."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

import processes
from casework import process_models
from casework import timers as due_timers
from db.models import Case, Task, TimelineEvent, Timer, User
from tests.conftest import T0

FRAGILE = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="fragile_defs" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="fragile" name="Fragile" isExecutable="true">
    <bpmn:startEvent id="begin" />
    <bpmn:userTask id="wait_here" name="Wait here" camunda:candidateGroups="community-safety" />
    <bpmn:boundaryEvent id="too_late" name="Too late" attachedToRef="wait_here">
      <bpmn:timerEventDefinition><bpmn:timeDuration>PT1H</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:boundaryEvent>
    <bpmn:scriptTask id="share_out" name="Share out the points" scriptFormat="python">
      <bpmn:script>points = 10 / divisor</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:userTask id="after_the_deadline" name="After the deadline" camunda:candidateGroups="supervisors" />
    <bpmn:endEvent id="finish" />
    <bpmn:sequenceFlow id="f1" sourceRef="begin" targetRef="wait_here" />
    <bpmn:sequenceFlow id="f2" sourceRef="wait_here" targetRef="finish" />
    <bpmn:sequenceFlow id="f3" sourceRef="too_late" targetRef="share_out" />
    <bpmn:sequenceFlow id="f4" sourceRef="share_out" targetRef="after_the_deadline" />
    <bpmn:sequenceFlow id="f5" sourceRef="after_the_deadline" targetRef="finish" />
  </bpmn:process>
</bpmn:definitions>
"""
LATE = T0 + timedelta(hours=2)


@pytest.fixture
def case_id(database):
    with database.session() as session:
        owner = session.scalars(select(User).where(User.username == "owner")).one()
        process_models.deploy(session, FRAGILE, user=owner)
        result = process_models.start_case(session, "fragile", {"divisor": 0}, user=owner, now=T0)
    return result.case_id


def _case(database, case_id):
    with database.session() as session:
        case = session.get(Case, case_id)
        open_tasks = sorted(
            session.scalars(select(Task.element_id).where(Task.case_id == case_id, Task.status == "open"))
        )
        timers = list(session.scalars(select(Timer.element_id).where(Timer.case_id == case_id)))
        kinds = list(session.scalars(select(TimelineEvent.kind).where(TimelineEvent.case_id == case_id)))
        return case, open_tasks, timers, kinds


def test_a_failed_timer_step_is_rolled_back_recorded_and_left_alone(database, case_id):
    result = due_timers.sweep(database.sessions, LATE)
    assert result.failures == 1 and result.fired == 0
    case, open_tasks, timers, kinds = _case(database, case_id)
    assert case.step_failed_at == LATE
    assert "Share out the points" in case.step_failure and "division by zero" in case.step_failure
    assert open_tasks == ["wait_here"] and timers == ["too_late"]  # as before the step
    assert kinds.count("step_failed") == 1 and "timer_fired" not in kinds
    again = due_timers.sweep(database.sessions, LATE + timedelta(minutes=5))
    assert again.cases == 0 and again.failures == 0  # not tried again and again
    assert _case(database, case_id)[3].count("step_failed") == 1


def test_a_retry_that_fails_again_keeps_the_case_as_it_was(database, case_id):
    due_timers.sweep(database.sessions, LATE)
    with pytest.raises(processes.EngineFailure, match="division by zero"):
        due_timers.retry_case(
            database.sessions, case_id, actor="Sam Supervisor", at=LATE + timedelta(hours=1)
        )
    case, open_tasks, timers, kinds = _case(database, case_id)
    assert case.step_failed_at == LATE + timedelta(hours=1)
    assert open_tasks == ["wait_here"] and timers == ["too_late"] and kinds.count("step_failed") == 2


def test_skipping_the_failed_step_lets_the_case_run_on(database, case_id):
    due_timers.sweep(database.sessions, LATE)
    fired = due_timers.retry_case(
        database.sessions, case_id, actor="Ada Admin", skip=True, at=LATE + timedelta(hours=1)
    )
    assert fired == 1
    case, open_tasks, timers, kinds = _case(database, case_id)
    assert case.step_failed_at is None and case.step_failure is None
    assert open_tasks == ["after_the_deadline"] and timers == []
    assert [k for k in kinds if k.startswith("step_") and k != "step_failed"] == [
        "step_skipped",
        "step_recovered",
    ]


def test_a_retry_after_the_cause_is_fixed_runs_the_step(database, case_id):
    due_timers.sweep(database.sessions, LATE)
    with database.session() as session:  # the cause is mended: the data the script needs is right
        case = session.get(Case, case_id)
        assert case.workflow_state.count('"divisor":0') == 1
        case.workflow_state = case.workflow_state.replace('"divisor":0', '"divisor":2')
        session.commit()
    assert due_timers.retry_case(database.sessions, case_id, actor="Sam Supervisor", at=LATE) == 1
    case, open_tasks, _, kinds = _case(database, case_id)
    assert case.step_failed_at is None and open_tasks == ["after_the_deadline"]
    assert "step_recovered" in kinds and "step_skipped" not in kinds


def test_retrying_a_case_that_has_not_failed_is_refused(database, case_id):
    with pytest.raises(processes.NotAllowed, match="no failed step"):
        due_timers.retry_case(database.sessions, case_id, actor="Sam Supervisor")
