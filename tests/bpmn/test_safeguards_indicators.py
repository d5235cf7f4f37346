"""Issue 14, point 15: the indicators read what the diagram declares (``indicator`` properties on
the first-response and closure tasks and their fields), not task and field ids. A version whose
first response, closure and outcome field are renamed in the modeller still counts, walked with
the workflow saved and reloaded between steps; the deploy check warns when the main process
lacks a binding."""

from __future__ import annotations

import re
from datetime import date

from casework import indicators
from casework.indicators import Period
from processes import deploy
from tests.bpmn.walk import FIRST_RESPONSE, LOW_RISK, REPORTED, Walk
from tests.conftest import BPMN, T0

MARCH = Period(date(2026, 3, 1), date(2026, 4, 1))
RENAMED_TASKS = {"first_response": "first_contact", "close_case": "closing"}
CLOSURE = {
    "case_outcome": "resolved",
    "outcome_reason": "No incidents for three months",
    "non_legal_actions": ["warning"],
    "victim_satisfaction": "very_satisfied",
}


def renamed() -> bytes:
    """The diagram with the first response and the closure renamed (ids, flows, references,
    shapes), and the closure's outcome field renamed: what a process owner does in the modeller."""
    xml = BPMN.read_text()
    for old, new in RENAMED_TASKS.items():
        xml = re.sub(
            rf'\b(id|sourceRef|targetRef|bpmnElement|attachedToRef|default)="{old}"', rf'\1="{new}"', xml
        )
        xml = xml.replace(f">{old}<", f">{new}<")  # a handler parameter naming the task
        xml = xml.replace(f'name="not_completed_by" value="{old}"', f'name="not_completed_by" value="{new}"')
    assert xml.count('formField id="outcome"') == 1
    xml = xml.replace('formField id="outcome"', 'formField id="case_outcome"')
    assert 'id="first_response"' not in xml and 'id="close_case"' not in xml
    return xml.encode()


def without_bindings() -> bytes:
    xml = re.sub(r'\s*<camunda:property (name|id)="indicator" value="\w+"/>', "", BPMN.read_text())
    return re.sub(r"\s*<camunda:properties>\s*</camunda:properties>", "", xml).encode()


def figures(database) -> indicators.Indicators:
    with database.session() as session:
        return indicators.indicators(session, MARCH, homes=1000, now=T0.replace(day=30))


def test_renamed_tasks_and_fields_keep_the_24_hour_measure_the_outcomes_and_tp12(database):
    with database.session() as session:
        deployment = deploy(session, renamed(), deployed_by="owner")
        session.commit()
    assert deployment.version == 2 and not deployment.warnings
    walk = Walk.report(database)
    assert walk.open_elements() == ["first_contact"]
    walk.do("first_contact", FIRST_RESPONSE)  # within the hour
    walk.do("police_referral", REPORTED)
    walk.do("risk_assessment", LOW_RISK)
    walk.do("support", {})
    walk.do("keep_in_contact", {**_contact(), "next_step": "close"})
    walk.do("closing", CLOSURE)
    assert walk.case().status == "closed"

    result = figures(database)
    assert (result.first_response.met, result.first_response.missed) == (1, 0)
    assert result.closed_cases == 1
    assert [(c.key, c.count) for c in result.outcomes] == [("resolved", 1), ("not_resolved", 0)]
    assert (result.resolved.numerator, result.resolved.denominator) == (1, 1)
    assert [c.count for c in result.non_legal_actions if c.key == "warning"] == [1]
    assert (result.regulator.tp12.numerator, result.regulator.tp12.denominator) == (1, 1)


def test_cases_on_the_version_before_the_rename_still_count(database):
    walk = Walk.report(database)  # version 1: first_response, close_case
    walk.do("first_response", FIRST_RESPONSE)
    with database.session() as session:
        deploy(session, renamed(), deployed_by="owner")
        session.commit()
    walk.do("police_referral", REPORTED)
    walk.do("risk_assessment", LOW_RISK)
    walk.do("support", {})
    walk.do("keep_in_contact", {**_contact(), "next_step": "close"})
    old_closure = {k: v for k, v in CLOSURE.items() if k != "case_outcome"}
    walk.do("close_case", {**old_closure, "outcome": "not_resolved"})
    result = figures(database)
    assert result.first_response.met == 1
    assert [(c.key, c.count) for c in result.outcomes] == [("resolved", 0), ("not_resolved", 1)]


def test_the_deploy_check_warns_when_the_main_process_binds_no_indicator(database):
    with database.session() as session:
        deployment = deploy(session, without_bindings(), deployed_by="owner")
        session.rollback()
    messages = [w.message for w in deployment.warnings]
    assert any("indicator=first_response" in m and "within 24 hours" in m for m in messages)
    assert any("indicator=closure" in m and "TP12" in m for m in messages)


def test_the_deploy_check_names_an_answer_the_closure_does_not_bind(database):
    xml = BPMN.read_text().replace('<camunda:property id="indicator" value="victim_satisfaction"/>', "")
    with database.session() as session:
        deployment = deploy(session, xml.encode(), deployed_by="owner")
        session.rollback()
    assert [w.message for w in deployment.warnings if "indicator" in w.message] == [
        "The task 'close_case' (indicator=closure) has no form field with the property "
        "indicator=victim_satisfaction: the closure outcomes and TP12 would miss those answers."
    ]


def _contact() -> dict[str, str]:
    return {
        "contact_date": "2026-03-05",
        "contact_method": "home_visit",
        "contact_notes": "Visited; no new incidents",
    }
