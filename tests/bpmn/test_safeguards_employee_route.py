"""Issue 14, point 12: the employee route's edges (policy section 6), routed in the diagram on the
parties the report names. A colleague abused by a contractor goes to the line manager; a tenant
harmed by a colleague gets the full hate route (24-hour response, risk, support) and an HR
referral; a tenant's complaint about a colleague is referred to HR as well. Walked with the
workflow saved and reloaded between steps."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

import processes
from casework.reports import PartyDetails
from db.models import Case, Timer
from tests.bpmn.walk import FIRST_RESPONSE, LOW_RISK, REPORTED, Walk

HR = {
    "hr_reference": "HR-77",
    "colleague_manager": "Pat Head of Repairs",
    "hr_referral_notes": "Complaint about a repairs operative passed to HR",
}


def party(role: str, relation: str, name: str | None = None) -> PartyDetails:
    return PartyDetails(role, name=name, relation=relation)


def timers(walk: Walk) -> list[str]:
    with walk.database.session() as session:
        return sorted(
            session.scalars(
                select(Timer.element_id)
                .join(Case, Case.id == Timer.case_id)
                .where(Case.reference == walk.reference)
            )
        )


def test_a_colleague_abused_by_a_contractor_goes_to_the_line_manager(database):
    walk = Walk.report(
        database,
        parties=[party("victim", "colleague", "Kim Staff"), party("alleged_perpetrator", "contractor")],
    )
    assert walk.case().route == "employee"
    assert walk.open_elements() == ["line_manager_referral"]
    with pytest.raises(processes.NotAllowed):  # HR's task, not community safety's
        walk.do(
            "line_manager_referral", {"line_manager": "Lee Lead", "referral_notes": "Told Lee on the phone"}
        )
    walk.do(
        "line_manager_referral",
        {"line_manager": "Lee Lead", "referral_notes": "Told Lee; contract manager asked to act"},
        who="manager",
    )
    assert walk.case().status == "closed"  # handled under the employee procedures


def test_a_tenant_harmed_by_a_colleague_gets_the_full_hate_route_and_an_hr_referral(database):
    walk = Walk.report(
        database,
        parties=[
            party("victim", "tenant", "Ann Example"),
            party("alleged_perpetrator", "colleague", "Rob Repairs"),
        ],
    )
    assert walk.case().route == "hate"
    assert walk.open_elements() == ["first_response", "hr_referral"]
    assert "response_deadline" in timers(walk)  # the 24 hours run from the report
    walk.do("hr_referral", HR, who="manager", after=timedelta(hours=2))
    assert walk.open_elements() == ["first_response"]
    walk.do("first_response", FIRST_RESPONSE)
    walk.do("police_referral", REPORTED)
    walk.do("risk_assessment", LOW_RISK)
    walk.do("support", {})
    assert walk.open_elements() == ["keep_in_contact"]
    assert walk.case().first_response_breached_at is None


def test_the_24_hours_run_on_a_case_about_a_colleague_while_hr_works(database):
    walk = Walk.report(
        database,
        parties=[party("victim", "tenant", "Ann Example"), party("alleged_perpetrator", "colleague")],
    )
    walk.sweep(timedelta(hours=24, seconds=1))
    assert walk.case().first_response_breached_at is not None
    assert "overdue_response" in walk.open_elements() and "hr_referral" in walk.open_elements()


def test_a_tenants_complaint_about_a_colleague_is_referred_to_hr_as_well(database):
    walk = Walk.report(
        database,
        parties=[party("reporter", "tenant", "Ann Example"), party("alleged_perpetrator", "colleague")],
    )
    assert walk.open_elements() == ["first_response", "hr_referral"]
    walk.do("first_response", FIRST_RESPONSE)
    walk.do("hr_referral", HR, who="manager")
    assert walk.open_elements() == ["police_referral"]


def test_a_colleague_reported_by_a_colleague_stays_with_the_line_manager_and_hr(database):
    walk = Walk.report(
        database,
        parties=[party("reporter", "colleague", "Kim Staff"), party("alleged_perpetrator", "colleague")],
    )
    assert walk.open_elements() == ["employee_referral"]
