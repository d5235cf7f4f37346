"""Deploy evaluates every timer, condition and script as the engine will, on sample data from the
forms and the start data (issue 18, point 1): a typo in a timer deep in the diagram, which no
trial case reaches, is named with its element before any case can fail on it."""

from __future__ import annotations

from pathlib import Path

import pytest

import casework  # noqa: F401  plugs in the handlers and the report's start data
import processes

SHIPPED = (Path(__file__).resolve().parents[2] / "bpmn" / "hate_incident.bpmn").read_text()
# A non-interrupting boundary timer inside the complaints subprocess: no trial case reaches it.
DEEP_TIMER = '<bpmn:timeDuration xsi:type="bpmn:tFormalExpression">working_days(20)</bpmn:timeDuration>'
DEEP_ID = "complaint_stage2_deadline"
CONDITION = "prior_complaints_6m == 1</bpmn:conditionExpression>"
KINDS = {
    "timeDuration": "is not an ISO 8601 duration such as PT3H or P2D",
    "timeDate": "is not an ISO 8601 date and time such as 2026-03-27T09:00:00Z",
    "timeCycle": "is not an ISO 8601 cycle such as R3/PT1H",
}


def shipped_with(old: str, new: str) -> bytes:
    assert SHIPPED.count(old) == 1
    return SHIPPED.replace(old, new).encode()


def deep_timer(text: str, tag: str = "timeDuration") -> bytes:
    return shipped_with(DEEP_TIMER, f'<bpmn:{tag} xsi:type="bpmn:tFormalExpression">{text}</bpmn:{tag}>')


def only_problem(session, xml: bytes) -> processes.Problem:
    with pytest.raises(processes.InvalidDiagram) as err:
        processes.deploy(session, xml)
    [problem] = err.value.problems
    return problem


def test_the_shipped_diagram_has_no_problems_and_no_warnings(session):
    deployment = processes.deploy(session, SHIPPED.encode())
    assert deployment.key == "hate_incident" and deployment.warnings == ()


@pytest.mark.parametrize("tag", sorted(KINDS))
@pytest.mark.parametrize("word", ["PT3X", "P1DX", "banana"])
def test_a_bare_word_in_a_deep_timer_is_named(session, tag, word):
    problem = only_problem(session, deep_timer(word, tag))
    assert problem.element_id == DEEP_ID
    assert problem.message == (
        f"Boundary event \"Stage 2 review: deadline\" ({DEEP_ID}): '{word}' {KINDS[tag]}."
    )


def test_a_helper_called_wrongly_is_named_with_its_error(session):
    problem = only_problem(session, deep_timer('working_days("x")'))
    assert problem.element_id == DEEP_ID
    assert "the timer expression fails" in problem.message
    assert "working_days needs a whole number of days from 0 to 366, not 'x'" in problem.message


@pytest.mark.parametrize(
    ("text", "words"),
    [
        (
            '{"high": "P3D"}.get(next_step)',
            "gives None when next_step is 'continue', which is not an ISO 8601 duration",
        ),
        ('"2026-03-27T09:00:00Z"', "'2026-03-27T09:00:00Z' is not an ISO 8601 duration"),
        ("f'P{prior_complaints_6m}X'", "gives 'P1X', which is not an ISO 8601 duration"),
    ],
)
def test_a_timer_expression_giving_no_duration_is_named_with_its_value(session, text, words):
    problem = only_problem(session, deep_timer(text))
    assert problem.element_id == DEEP_ID and words in problem.message


def test_a_date_timer_given_a_duration_is_named(session):
    problem = only_problem(session, deep_timer("'P3D'", "timeDate"))
    assert problem.element_id == DEEP_ID
    assert "'P3D' is not an ISO 8601 date and time such as 2026-03-27T09:00:00Z" in problem.message


@pytest.mark.parametrize(
    ("condition", "words"),
    [
        ('prior_complaints_6m + "a" == 1', "TypeError: unsupported operand type(s) for +: 'int' and 'str'"),
        ("prior_complaints_6m / 0 == 1", "it divides by zero"),
        ("len(prior_complaints_6m) == 1", "TypeError: object of type 'int' has no len()"),
        ("nobody_sets_this == 1", "nothing in the forms, the start data or a script sets 'nobody_sets_this'"),
    ],
)
def test_a_condition_that_raises_is_named(session, condition, words):
    problem = only_problem(session, shipped_with(CONDITION, f"{condition}</bpmn:conditionExpression>"))
    assert problem.element_id == "flow_second_complaint"
    assert problem.message.startswith("Sequence flow flow_second_complaint: the condition fails: ")
    assert words in problem.message


def test_good_timer_expressions_pass(session):
    for text, tag in [
        ("R3/PT1H", "timeCycle"),
        ("2026-03-27T09:00:00Z", "timeDate"),
        ("f'P{prior_complaints_6m}D'", "timeDuration"),
        ('{"high": "P3D"}.get(risk_level, "P7D")', "timeDuration"),  # risk_level: set by scoring
    ]:
        assert processes.deploy(session, deep_timer(text, tag)).key == "hate_incident"


SCRIPTED = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:message id="m" name="more_news" />
  <bpmn:process id="{key}" name="Scripted" isExecutable="true">
    <bpmn:startEvent id="s" />
    <bpmn:scriptTask id="work_out" name="Work it out">
      <bpmn:script>deadline = "P3D"
weight = len(spiff__anything) if False else 2</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:serviceTask id="tell" name="Tell" camunda:type="external" camunda:topic="notify_group" />
    <bpmn:userTask id="wait" name="Wait" camunda:candidateGroups="community-safety">
      <bpmn:extensionElements><camunda:formData>
        <camunda:formField id="how_long" label="How long (e.g. P3D)" type="string" />
        <camunda:formField id="level" label="Level" type="enum">
          <camunda:value id="low" name="Low" /><camunda:value id="high" name="High" />
        </camunda:formField>
      </camunda:formData></bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:boundaryEvent id="late" attachedToRef="wait" cancelActivity="false">
      <bpmn:timerEventDefinition><bpmn:timeDuration>{timer}</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:boundaryEvent>
    <bpmn:exclusiveGateway id="which" default="plain" />
    <bpmn:endEvent id="e" />
    <bpmn:endEvent id="e2" />
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="work_out" />
    <bpmn:sequenceFlow id="f2" sourceRef="work_out" targetRef="tell" />
    <bpmn:sequenceFlow id="f2b" sourceRef="tell" targetRef="wait" />
    <bpmn:sequenceFlow id="f3" sourceRef="wait" targetRef="which" />
    <bpmn:sequenceFlow id="heavy" sourceRef="which" targetRef="e">
      <bpmn:conditionExpression>weight &gt; 1 and more_news and level == "high"</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="plain" sourceRef="which" targetRef="e" />
    <bpmn:sequenceFlow id="f4" sourceRef="late" targetRef="e2" />
  </bpmn:process>
</bpmn:definitions>
"""


@pytest.mark.parametrize(
    "timer",
    [
        "deadline",
        '{"high": "P1D", "low": "P5D"}[level]',
        "working_days(3)",
        "PT4H",
        "'P2D'",
        "how_long",  # typed into a text field: not known here
        'spiff__tell_result.get("due", "P1D")',  # what the service task's handler returned
    ],
)
def test_names_set_by_scripts_messages_and_forms_are_no_false_alarm(session, timer):
    """A name a script or a message sets has no value until run time; it is never blamed. Each
    option of a choice is tried. (The report-driven process's key: its start data is known, so a
    name nobody sets would be blamed.)"""
    xml = SCRIPTED.format(key="hate_incident", timer=timer).encode()
    warnings = processes.deploy(session, xml).warnings
    # This small diagram declares no indicator bindings, which deploy rightly warns of; nothing else.
    assert [w.message for w in warnings if "indicator=" not in w.message] == []
    assert warnings  # the binding warnings: the filter above does not hide everything


def test_each_option_of_a_choice_is_tried(session):
    xml = SCRIPTED.format(key="scripted", timer='{"high": "P1D"}.get(level)').encode()
    problem = only_problem(session, xml)
    assert problem.element_id == "late"
    assert "gives None when level is 'low', which is not an ISO 8601 duration" in problem.message


def test_with_unknown_start_data_only_a_time_typo_is_blamed(session):
    """Another process starts on data nobody described: a bare name may be in it, unless it
    looks like a mistyped time."""
    assert processes.deploy(session, SCRIPTED.format(key="other", timer="when_due").encode()).key == "other"
    problem = only_problem(session, SCRIPTED.format(key="other", timer="PT3X").encode())
    assert problem.element_id == "late"
    assert "'PT3X' is not an ISO 8601 duration such as PT3H or P2D" in problem.message
