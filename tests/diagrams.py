"""A diagram the project has never seen, written here: a noise complaint with a form, a candidate
group, a gateway and a deadline that escalates to the supervisors."""

from __future__ import annotations

NOISE = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="noise_defs" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="noise_complaint" name="Noise complaint" isExecutable="true">
    <bpmn:startEvent id="complaint_received" name="Complaint received" />
    <bpmn:userTask id="log_noise" name="{title}" camunda:candidateGroups="community-safety">
      <bpmn:extensionElements><camunda:formData>
        <camunda:formField id="decibels" label="{label}" type="long">
          <camunda:validation><camunda:constraint name="required" config="true" />
            <camunda:constraint name="min" config="0" /></camunda:validation>
        </camunda:formField>
        <camunda:formField id="noise_notes" label="What the neighbours said" type="string" />
      </camunda:formData></bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:boundaryEvent id="noise_deadline" name="Not logged in time" attachedToRef="log_noise">
      <bpmn:timerEventDefinition><bpmn:timeDuration>{deadline}</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:boundaryEvent>
    <bpmn:serviceTask id="tell_supervisors" name="Tell the supervisors" camunda:type="external"
        camunda:topic="notify_group">
      <bpmn:extensionElements><camunda:inputOutput>
        <camunda:inputParameter name="group">supervisors</camunda:inputParameter>
        <camunda:inputParameter name="message">A noise complaint is late</camunda:inputParameter>
      </camunda:inputOutput></bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:userTask id="chase_noise" name="Chase the noise complaint" camunda:candidateGroups="supervisors" />
    <bpmn:exclusiveGateway id="how_loud" name="How loud?" default="quiet_enough" />
    <bpmn:userTask id="visit_address" name="Visit the address" camunda:candidateGroups="community-safety" />
    <bpmn:endEvent id="noise_done" name="Done" />
    <bpmn:sequenceFlow id="to_log" sourceRef="complaint_received" targetRef="log_noise" />
    <bpmn:sequenceFlow id="to_gateway" sourceRef="log_noise" targetRef="how_loud" />
    <bpmn:sequenceFlow id="too_loud" name="Too loud" sourceRef="how_loud" targetRef="visit_address">
      <bpmn:conditionExpression>decibels &gt; 80</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="quiet_enough" name="Quiet enough" sourceRef="how_loud" targetRef="noise_done" />
    <bpmn:sequenceFlow id="visit_done" sourceRef="visit_address" targetRef="noise_done" />
    <bpmn:sequenceFlow id="late" sourceRef="noise_deadline" targetRef="tell_supervisors" />
    <bpmn:sequenceFlow id="to_chase" sourceRef="tell_supervisors" targetRef="chase_noise" />
    <bpmn:sequenceFlow id="chased" sourceRef="chase_noise" targetRef="noise_done" />
  </bpmn:process>
</bpmn:definitions>
"""


def noise(
    title: str = "Log the noise complaint", label: str = "Loudness (dB)", deadline: str = "PT8H"
) -> bytes:
    return NOISE.format(title=title, label=label, deadline=deadline).encode()
