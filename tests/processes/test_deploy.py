"""Deploying diagrams: versions, and a clear message for each kind of broken diagram."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

import processes
from casework import steps, tasks
from casework import timers as due_timers
from db.models import Case, Task, User
from handlers import REGISTRY
from tests.conftest import BPMN, T0

SMALL = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="small" name="Small" isExecutable="true">
    <bpmn:startEvent id="s"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="check" name="Check" camunda:candidateGroups="community-safety" camunda:dueDate="P1D">
      <bpmn:extensionElements><camunda:formData>
        <camunda:formField id="note" label="Note" type="{field_type}" />
      </camunda:formData></bpmn:extensionElements>
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:boundaryEvent id="late" name="Late" attachedToRef="check" cancelActivity="false">
      <bpmn:timerEventDefinition><bpmn:timeDuration>{duration}</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:boundaryEvent>
    <bpmn:serviceTask id="call" name="Call out" camunda:type="external" camunda:topic="{topic}">
      <bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing>
    </bpmn:serviceTask>
    <bpmn:endEvent id="e"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="check" />
    <bpmn:sequenceFlow id="f2" sourceRef="check" targetRef="call" />
    <bpmn:sequenceFlow id="f3" sourceRef="call" targetRef="{target}" />
  </bpmn:process>
</bpmn:definitions>
"""


def small(field_type="string", duration="PT2H", topic="notify_group", target="e") -> bytes:
    return SMALL.format(field_type=field_type, duration=duration, topic=topic, target=target).encode()


def problems(session, xml: bytes) -> list[processes.Problem]:
    with pytest.raises(processes.InvalidDiagram) as err:
        processes.deploy(session, xml)
    return err.value.problems


def test_deploying_the_same_file_twice_keeps_one_version(session):
    again = processes.deploy(session, BPMN.read_bytes())
    assert (again.key, again.version, again.created) == ("hate_incident", 1, False)


def test_a_changed_diagram_becomes_the_next_version(session):
    changed = BPMN.read_bytes().replace(b"PT24H", b"PT12H")
    deployment = processes.deploy(session, changed, deployed_by="owner")
    assert (deployment.version, deployment.created) == (2, True)
    assert processes.latest_version(session, "hate_incident").version == 2


def test_malformed_xml_names_the_line(session):
    [problem] = problems(session, b"<bpmn:definitions>\n<oops")
    assert "not well-formed XML" in problem.message and problem.line is not None


def test_a_file_that_is_not_bpmn_is_refused(session):
    [problem] = problems(session, b"<html><body>hello</body></html>")
    assert "not a BPMN 2.0 diagram" in problem.message


def test_an_unknown_handler_topic_is_named(session):
    [problem] = problems(session, small(topic="send_carrier_pigeon"))
    assert problem.element_id == "call" and problem.element_name == "Call out"
    assert "No handler is called 'send_carrier_pigeon'" in problem.message


def test_a_bad_duration_is_explained(session):
    [problem] = problems(session, small(duration="24 hours"))
    assert problem.element_id == "late"
    assert "PT24H" in problem.message


def test_an_unknown_form_field_type_is_named(session):
    [problem] = problems(session, small(field_type="colour"))
    assert problem.element_id == "check" and "type 'colour'" in problem.message


def test_a_flow_to_a_missing_element_is_refused(session):
    assert problems(session, small(target="nowhere"))


def test_a_new_diagram_runs_with_no_code_change_and_its_timer_fires(session, database):
    processes.deploy(session, small())
    session.commit()
    case = Case(reported_at=T0, description="d", location="l", strands=[])
    result = processes.start(
        steps.uncommitted(session, now=T0), case, "small", {}, now=T0, reference=lambda i: f"S-{i}"
    )
    session.commit()
    [task] = result.open_tasks
    assert task.title == "Check" and task.due_at == T0 + timedelta(days=1)
    assert due_timers.sweep(database.sessions, T0 + timedelta(hours=3)).fired == 1


def test_a_failing_handler_leaves_the_case_as_it_was(session, monkeypatch):
    def explode(request):
        raise RuntimeError("the police system is down")

    monkeypatch.setitem(REGISTRY, "explode", explode)
    processes.deploy(session, small(topic="explode"))
    case = Case(reported_at=T0, description="d", location="l", strands=[])
    [task] = processes.start(
        steps.uncommitted(session, now=T0), case, "small", {}, now=T0, reference=lambda i: f"S-{i}"
    ).open_tasks
    session.commit()
    state, version = case.workflow_state, case.version
    officer = session.scalars(select(User).where(User.username == "officer")).one()
    with pytest.raises(processes.EngineFailure, match=r"Call out.*police system is down"):
        tasks.complete(session, task.id, {"note": "done"}, user=officer, now=T0)
    session.rollback()
    session.expire_all()
    assert (case.workflow_state, case.version) == (state, version)
    assert session.get(Task, task.id).status == "open"
