"""Diagrams that pass every static check but fail as soon as a case starts (deploy's trial case)."""

from __future__ import annotations

HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="trial_defs" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="{key}" name="Trial" isExecutable="true">
    <bpmn:startEvent id="begin" name="Begin" />
"""
TAIL = """    <bpmn:userTask id="look" name="Look at it" camunda:candidateGroups="community-safety" />
    <bpmn:endEvent id="done" name="Done" />
    <bpmn:sequenceFlow id="looked" sourceRef="look" targetRef="done" />
  </bpmn:process>
</bpmn:definitions>
"""


def scripted(script: str, key: str = "trial") -> bytes:
    """Start → a script task → a user task."""
    body = f"""    <bpmn:scriptTask id="work_out" name="Work it out" scriptFormat="python">
      <bpmn:script>{script}</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:sequenceFlow id="first" sourceRef="begin" targetRef="work_out" />
    <bpmn:sequenceFlow id="then" sourceRef="work_out" targetRef="look" />
"""
    return (HEAD.format(key=key) + body + TAIL).encode()


def too_large(key: str = "trial") -> bytes:
    return scripted("x = 10**5000", key)


def raising(key: str = "trial") -> bytes:
    return scripted("x = 1 / 0", key)


def timer_loop(key: str = "trial") -> bytes:
    """Start → a timer whose length comes from the data (nothing by the clock) → a script → back to
    the timer: the static loop check cannot tell the timer takes no time."""
    body = """    <bpmn:scriptTask id="count_up" name="Count up" scriptFormat="python">
      <bpmn:script>rounds = 1</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:intermediateCatchEvent id="pause" name="Pause">
      <bpmn:timerEventDefinition>
        <bpmn:timeDuration>"PT" + str(0) + "S"</bpmn:timeDuration>
      </bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:exclusiveGateway id="again" name="Again?" default="stop" />
    <bpmn:sequenceFlow id="first" sourceRef="begin" targetRef="count_up" />
    <bpmn:sequenceFlow id="wait" sourceRef="count_up" targetRef="pause" />
    <bpmn:sequenceFlow id="waited" sourceRef="pause" targetRef="again" />
    <bpmn:sequenceFlow id="loop" sourceRef="again" targetRef="count_up">
      <bpmn:conditionExpression>rounds &gt; 0</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="stop" sourceRef="again" targetRef="look" />
"""
    return (HEAD.format(key=key) + body + TAIL).encode()


def good(key: str = "trial") -> bytes:
    """A script on the start path that works on a report's start data."""
    return scripted("urgent = route == 'employee' or prior_complaints_6m &gt; 2", key)


def bad_condition(key: str = "trial") -> bytes:
    """A gateway whose condition fails on a report's data (a count compared with text)."""
    body = """    <bpmn:exclusiveGateway id="which" name="Which way?" default="straight_on" />
    <bpmn:sequenceFlow id="first" sourceRef="begin" targetRef="which" />
    <bpmn:sequenceFlow id="repeat" sourceRef="which" targetRef="look">
      <bpmn:conditionExpression>prior_complaints_6m &gt; 'three'</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="straight_on" sourceRef="which" targetRef="done" />
"""
    return (HEAD.format(key=key) + body + TAIL).encode()
