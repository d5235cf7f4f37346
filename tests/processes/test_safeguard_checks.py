"""Deploy checks for issue 14's declarations in the diagram: a critical rule naming a field, an
answer or a band the questionnaire does not have, and a four-eyes rule naming a task that is not
there, are refused with the element named."""

from __future__ import annotations

import pytest

import processes
from tests.conftest import BPMN

CRITICAL = 'name="critical.high" value="violence &amp; victim_fear=very, violence &amp; home_targeted"'
FOUR_EYES = 'name="not_completed_by" value="enforcement_proposal"'


def problems(session, old: str, new: str, count: int = -1) -> list[processes.Problem]:
    xml = BPMN.read_text()
    assert old in xml
    with pytest.raises(processes.InvalidDiagram) as err:
        processes.deploy(session, xml.replace(old, new, count).encode())
    return err.value.problems


@pytest.mark.parametrize(
    ("rule", "words"),
    [
        ("violence &amp; fear=very", "names 'fear', which is not a field of its form"),
        (
            "violence &amp; victim_fear=terrified",
            "names 'victim_fear=terrified', which is not one of its options",
        ),
        ("victim_fear", "names 'victim_fear' without an answer"),
    ],
)
def test_a_critical_rule_naming_an_unknown_field_or_answer_is_refused(session, rule, words):
    [problem] = problems(session, CRITICAL, f'name="critical.high" value="{rule}"', 1)
    assert problem.element_id == "risk_assessment"
    assert problem.message.startswith('User task "Assess risk and vulnerability" (risk_assessment): ')
    assert words in problem.message


def test_a_critical_rule_for_an_unknown_band_is_refused(session):
    [problem] = problems(session, CRITICAL, 'name="critical.severe" value="violence"', 1)
    assert problem.element_id == "risk_assessment"
    assert "names no band of this task. Its bands are: high, medium, low." in problem.message


def test_four_eyes_naming_a_task_that_is_not_there_is_refused(session):
    [problem] = problems(session, FOUR_EYES, 'name="not_completed_by" value="enforcement_proposl"')
    assert problem.element_id == "enforcement_approval"
    assert "'not_completed_by' names 'enforcement_proposl', which is not a user task" in problem.message
