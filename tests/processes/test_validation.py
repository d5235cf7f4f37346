"""Every check a deploy makes, each with a diagram broken in that one way; the message names the
element by its label and id and says what to change."""

from __future__ import annotations

import pytest

import processes

HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="checked" name="Checked" isExecutable="true">
"""
TAIL = "  </bpmn:process>\n</bpmn:definitions>\n"
START = """<bpmn:startEvent id="s"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
<bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="check" />
"""
CHECK = """<bpmn:userTask id="check" name="Check" camunda:candidateGroups="{group}" camunda:dueDate="{due}">
  <bpmn:extensionElements><camunda:formData>
    <camunda:formField id="level" label="Level" type="long" />
    <camunda:formField id="{second_field}" label="Note" type="string" />
  </camunda:formData></bpmn:extensionElements>
</bpmn:userTask>
<bpmn:sequenceFlow id="f2" sourceRef="check" targetRef="decide" />
"""
DECIDE = """<bpmn:exclusiveGateway id="decide" name="How serious?" {default} />
<bpmn:sequenceFlow id="high" name="Serious" sourceRef="decide" targetRef="e">
  <bpmn:conditionExpression>{condition}</bpmn:conditionExpression>
</bpmn:sequenceFlow>
<bpmn:sequenceFlow id="low" name="Not serious" sourceRef="decide" targetRef="{low_target}">{low_condition}
</bpmn:sequenceFlow>
<bpmn:endEvent id="e" />
"""


def diagram(
    *,
    group: str = "community-safety",
    due: str = "P1D",
    second_field: str = "note",
    default: str = 'default="low"',
    condition: str = "level &gt; 3",
    low_target: str = "e",
    low_condition: str = "",
    extra: str = "",
) -> bytes:
    body = (
        START
        + CHECK.format(group=group, due=due, second_field=second_field)
        + DECIDE.format(
            default=default, condition=condition, low_target=low_target, low_condition=low_condition
        )
        + extra
    )
    return (HEAD + body + TAIL).encode()


def problems(session, xml: bytes) -> list[processes.Problem]:
    with pytest.raises(processes.InvalidDiagram) as err:
        processes.deploy(session, xml)
    return err.value.problems


def only(session, xml: bytes) -> processes.Problem:
    [problem] = problems(session, xml)
    return problem


def test_the_unbroken_diagram_deploys(session):
    assert processes.deploy(session, diagram()).key == "checked"


@pytest.mark.parametrize(
    ("element", "words"),
    [
        ('<bpmn:callActivity id="x" name="Other process" />', "calling another process"),
        ('<bpmn:businessRuleTask id="x" name="Decide" />', "decision tables"),
        ('<bpmn:complexGateway id="x" name="Tricky" />', "this system cannot run it"),
        (
            '<bpmn:userTask id="x" name="Each party" camunda:candidateGroups="community-safety">'
            "<bpmn:multiInstanceLoopCharacteristics /></bpmn:userTask>",
            "repeating a task for each item",
        ),
        (
            '<bpmn:scriptTask id="x" name="Tally" scriptFormat="javascript">'
            "<bpmn:script>var a = 1;</bpmn:script></bpmn:scriptTask>",
            "in 'javascript' cannot run here",
        ),
        (
            '<bpmn:serviceTask id="x" name="Listen" camunda:type="external" camunda:topic="notify_group">'
            '<bpmn:extensionElements><camunda:executionListener event="start" class="a.B" />'
            "</bpmn:extensionElements></bpmn:serviceTask>",
            "execution listeners are not run",
        ),
    ],
)
def test_elements_this_system_cannot_run_are_named(session, element, words):
    found = problems(session, diagram(extra=element))
    assert any(p.element_id == "x" and words in p.message for p in found), found


@pytest.mark.parametrize(
    ("element", "words"),
    [
        ('<bpmn:task id="x" name="Something" />', "Plain task 'Something' (x) does nothing and nobody"),
        ('<bpmn:manualTask id="x" name="By hand" />', "Manual task 'By hand' (x) does nothing"),
    ],
)
def test_plain_and_manual_tasks_deploy_with_a_warning(session, element, words):
    deployment = processes.deploy(session, diagram(extra=element))
    [warning] = deployment.warnings
    assert warning.element_id == "x" and words in warning.message
    assert "passes straight through" in warning.message


def test_a_flow_to_a_missing_element_says_so_plainly(session):
    problem = only(session, diagram(low_target="nowhere"))
    assert problem.element_id == "low" and problem.element_name == "Not serious"
    assert problem.message == (
        "Sequence flow \"Not serious\" (low): it leads to 'nowhere', which is not in the diagram; "
        "connect it again."
    )
    assert "found two items" not in problem.message


def test_two_elements_with_one_id_are_refused(session):
    found = problems(session, diagram(extra='<bpmn:endEvent id="check" />'))
    assert any("The id 'check' is used by 2 elements" in p.message for p in found)


def test_a_gateway_whose_conditions_may_all_fail_needs_a_default(session):
    xml = diagram(
        default="", low_condition="<bpmn:conditionExpression>level &lt;= 3</bpmn:conditionExpression>"
    )
    problem = only(session, xml)
    assert problem.element_id == "decide" and problem.element_name == "How serious?"
    assert problem.message.startswith('Exclusive gateway "How serious?" (decide): it has no default flow')


def test_a_flow_from_a_gateway_without_a_condition_must_be_the_default(session):
    problem = only(session, diagram(default=""))
    assert problem.element_id == "low"
    assert "has no condition and is not the default flow" in problem.message


@pytest.mark.parametrize(
    ("extra", "element_id", "words"),
    [
        ("", "high", "the condition cannot run: Python syntax error"),  # the condition below
        (
            '<bpmn:scriptTask id="tally" name="Tally">'
            "<bpmn:script>total = (level +</bpmn:script></bpmn:scriptTask>",
            "tally",
            "the script cannot run: Python syntax error",
        ),
        (
            '<bpmn:boundaryEvent id="late" name="Late" attachedToRef="check"><bpmn:timerEventDefinition>'
            "<bpmn:timeDuration>f'PT{level}H' +</bpmn:timeDuration>"
            "</bpmn:timerEventDefinition></bpmn:boundaryEvent>",
            "late",
            "is not a time the engine understands",
        ),
    ],
)
def test_python_syntax_errors_are_found_at_deploy(session, extra, element_id, words):
    condition = "level &gt;" if element_id == "high" else "level &gt; 3"
    found = problems(session, diagram(condition=condition, extra=extra))
    assert any(p.element_id == element_id and words in p.message for p in found), found


def test_an_unknown_candidate_group_is_named_with_the_known_ones(session):
    problem = only(session, diagram(group="community-safety, night-watch"))
    assert problem.element_id == "check"
    assert "no group is called 'night-watch'" in problem.message
    assert "community-safety" in problem.message.split("Known groups:")[1]


def test_a_bad_due_date_is_explained(session):
    problem = only(session, diagram(due="tomorrow"))
    assert problem.element_id == "check" and "due date 'tomorrow'" in problem.message


def test_duplicate_form_field_ids_are_refused(session):
    problem = only(session, diagram(second_field="level"))
    assert problem.element_id == "check" and "Form field id 'level' is used twice" in problem.message
    assert problem.message.startswith('User task "Check" (check): ')


def test_an_unknown_service_topic_is_named(session):
    task = '<bpmn:serviceTask id="x" name="Fax" camunda:type="external" camunda:topic="send_fax" />'
    problem = only(session, diagram(extra=task))
    assert problem.message.startswith("Service task \"Fax\" (x): No handler is called 'send_fax'")


def test_a_loop_with_nothing_to_wait_for_is_refused(session):
    loop = """<bpmn:scriptTask id="spin" name="Spin"><bpmn:script>n = 1</bpmn:script></bpmn:scriptTask>
    <bpmn:exclusiveGateway id="again" name="Again?" default="back" />
    <bpmn:sequenceFlow id="l1" sourceRef="spin" targetRef="again" />
    <bpmn:sequenceFlow id="back" sourceRef="again" targetRef="spin" />
    <bpmn:sequenceFlow id="out" sourceRef="again" targetRef="e">
      <bpmn:conditionExpression>n &gt; 1</bpmn:conditionExpression></bpmn:sequenceFlow>"""
    found = problems(session, diagram(extra=loop))
    [loop] = [p for p in found if "with no user task" in p.message]
    assert loop.element_id in {"spin", "again"}
    assert "'Spin'" in loop.message and "'Again?'" in loop.message and " → " in loop.message


def timer_loop(duration: str, *, boundary: bool = False) -> bytes:
    """Count → wait → count again → count, or check → (a boundary timer) → count → check: a timer of no
    length lets either spin with nobody working it."""
    timer = f"""<bpmn:timerEventDefinition><bpmn:timeDuration>{duration}</bpmn:timeDuration>
      </bpmn:timerEventDefinition>"""
    if boundary:
        wait = f"""<bpmn:boundaryEvent id="wait" name="Straight away" attachedToRef="check">{timer}
        </bpmn:boundaryEvent>"""
    else:
        wait = f"""<bpmn:intermediateCatchEvent id="wait" name="Wait">{timer}</bpmn:intermediateCatchEvent>
        <bpmn:sequenceFlow id="t0" sourceRef="bump" targetRef="wait" />"""
    first, back = ("bump", "check") if boundary else ("bump2", "bump")
    loop = f"""{wait}
    <bpmn:scriptTask id="bump" name="Count"><bpmn:script>n = 1</bpmn:script></bpmn:scriptTask>
    <bpmn:sequenceFlow id="t1" sourceRef="wait" targetRef="{first}" />
    <bpmn:scriptTask id="bump2" name="Count again"><bpmn:script>n = 2</bpmn:script></bpmn:scriptTask>
    <bpmn:sequenceFlow id="t2" sourceRef="{first}" targetRef="{back}" />"""
    return diagram(extra=loop, low_target="check" if boundary else "bump")


@pytest.mark.parametrize("duration", ["PT0S", "P0D", '"PT0S"', "'P0D'", "2020-01-01T00:00:00Z"])
def test_a_loop_through_a_timer_that_does_not_wait_is_refused(session, duration):
    [loop] = [p for p in problems(session, timer_loop(duration)) if "loop" in p.message]
    assert loop.element_id in {"wait", "bump", "bump2"}
    assert "'Wait' → " in loop.message or " → 'Wait'" in loop.message
    assert "'Count again'" in loop.message and "PT0S" in loop.message


def test_a_user_task_a_zero_timer_takes_away_does_not_stop_a_loop(session):
    [loop] = [p for p in problems(session, timer_loop("PT0S", boundary=True)) if "loop" in p.message]
    assert "'Check'" in loop.message and "'Straight away'" in loop.message and "'Count'" in loop.message


@pytest.mark.parametrize("duration", ["PT1H", '"P1D"', "working_days(1)"])
def test_a_loop_through_a_timer_that_waits_is_fine(session, duration):
    assert processes.deploy(session, timer_loop(duration)).key == "checked"
    assert processes.deploy(session, timer_loop(duration, boundary=True)).key == "checked"


def test_a_loop_back_to_a_user_task_is_fine(session):
    back = diagram(low_target="check")
    assert processes.deploy(session, back).key == "checked"


def test_every_problem_is_reported_at_once(session):
    found = problems(session, diagram(group="ghosts", due="soon", default="", condition="import os"))
    assert {p.element_id for p in found} >= {"check", "low", "high"}
    assert len(found) >= 4
