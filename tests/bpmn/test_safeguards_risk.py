"""Issue 14's safeguards on the risk level and enforcement, walked through the diagram with the
workflow saved and reloaded between steps: nobody lowers a risk level alone, critical answers
make a case high whatever the weights, and whoever proposes enforcement may not approve it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

import processes
from db.models import User
from tests.bpmn.walk import CONTACT, FIRST_RESPONSE, HIGH_RISK, LOW_RISK, REPORTED, Walk, second_supervisor

LOWER = {**HIGH_RISK, "override_level": "low", "override_reason": "Perpetrator has moved away"}
PROPOSAL = {
    "enforcement_ground": "criminal_behaviour",
    "perpetrator_vulnerability": "none_known",
    "proposed_action": "injunction",
    "evidence_consent": "hearsay",
    "proportionality": "Repeated assaults; other measures failed",
}


def to_risk(walk: Walk) -> None:
    walk.do("first_response", FIRST_RESPONSE)
    walk.do("police_referral", REPORTED)


def test_lowering_below_the_computed_band_waits_for_a_supervisor_and_the_computed_level_stands(database):
    walk = Walk.report(database)
    to_risk(walk)
    walk.do("risk_assessment", LOWER)
    assert walk.open_elements() == ["risk_lowering_approval"]
    assert walk.case().risk_level == "high"
    assert any("low asked for, awaiting a supervisor's approval" in line for line in walk.timeline())
    with pytest.raises(processes.NotAllowed):  # an officer is not a supervisor
        walk.do(
            "risk_lowering_approval",
            {"risk_lowering_decision": "approved", "risk_lowering_reason": "Fine by me"},
        )
    walk.do(
        "risk_lowering_approval",
        {"risk_lowering_decision": "approved", "risk_lowering_reason": "Checked with the police"},
        who="supervisor",
    )
    assert walk.case().risk_level == "low"
    assert any(
        line.startswith(
            "Risk level from high to low (lowered by the officer from high, approved by a supervisor"
        )
        for line in walk.timeline()
    )
    assert walk.open_elements() == ["support"]
    walk.do("support", {})
    # the contact cadence follows the approved level: low, every 14 days
    assert walk.sweep(timedelta(days=13)) == 0
    assert walk.sweep(timedelta(days=14, seconds=1)) == 1


def test_a_refused_lowering_leaves_the_computed_level(database):
    walk = Walk.report(database)
    to_risk(walk)
    walk.do("risk_assessment", LOWER)
    walk.do(
        "risk_lowering_approval",
        {"risk_lowering_decision": "refused", "risk_lowering_reason": "Threats are recent"},
        who="supervisor",
    )
    assert walk.case().risk_level == "high"
    assert walk.open_elements() == ["support"]
    walk.do("support", {})
    # the contact cadence follows the level that stands: high, every 3 days
    assert walk.sweep(timedelta(days=3, seconds=1)) == 1


def test_whoever_assessed_the_risk_may_not_approve_lowering_it(database):
    walk = Walk.report(database)
    to_risk(walk)
    walk.do("risk_assessment", LOWER, who="supervisor")
    with pytest.raises(processes.NotAllowed, match="someone else must do"):
        walk.do(
            "risk_lowering_approval",
            {"risk_lowering_decision": "approved", "risk_lowering_reason": "My own assessment"},
            who="supervisor",
        )
    assert walk.case().risk_level == "high"


def test_raising_the_level_is_immediate(database):
    walk = Walk.report(database)
    to_risk(walk)
    walk.do(
        "risk_assessment", {**LOW_RISK, "override_level": "high", "override_reason": "Known offender nearby"}
    )
    assert walk.case().risk_level == "high"
    assert walk.open_elements() == ["support"]
    assert any("raised by the officer" in line for line in walk.timeline())


@pytest.mark.parametrize(
    "answers",
    [
        {**LOW_RISK, "violence": True, "home_targeted": True, "victim_fear": "very"},  # 4 + 2 + 3 = 9
        {**LOW_RISK, "violence": True, "victim_fear": "very"},  # 4 + 3 = 7
        {**LOW_RISK, "violence": True, "home_targeted": True},  # 4 + 2 = 6
    ],
)
def test_a_critical_answer_makes_the_level_high_whatever_the_weights(database, answers):
    walk = Walk.report(database)
    to_risk(walk)
    walk.do("risk_assessment", answers)
    assert walk.case().risk_level == "high"
    assert any("a critical answer" in line for line in walk.timeline())


def test_without_a_critical_answer_the_weights_decide(database):
    walk = Walk.report(database)
    to_risk(walk)
    walk.do("risk_assessment", {**LOW_RISK, "violence": True, "victim_fear": "somewhat"})  # 4 + 1 = 5
    assert walk.case().risk_level == "medium"


def test_the_supervisor_who_proposed_enforcement_may_not_approve_it(database):
    second_supervisor(database)
    walk = Walk.report(database)
    walk.through_support()
    walk.do("keep_in_contact", {**CONTACT, "next_step": "enforcement"})
    walk.do("enforcement_proposal", PROPOSAL, who="supervisor")
    approval = {"approval": "approved", "approval_reason": "Reasonable and proportionate"}
    with pytest.raises(processes.NotAllowed, match="Propose enforcement action"):
        walk.do("enforcement_approval", approval, who="supervisor")
    with database.session() as session, pytest.raises(processes.NotAllowed):
        from casework import tasks

        user = session.scalars(select(User).where(User.username == "supervisor")).one()
        tasks.claim(session, walk.task_id("enforcement_approval"), user, now=walk.at)
    assert walk.open_elements() == ["enforcement_approval"]
    walk.do("enforcement_approval", approval, who="supervisor2")
    assert walk.open_elements() == ["enforcement_action"]


def test_replacing_a_strand_needs_a_reason_and_keeps_the_original_perception(database):
    from casework import case_events
    from db.models import PerceptionRuleError

    walk = Walk.report(database)
    walk.do("first_response", FIRST_RESPONSE)

    def change(**changes: object) -> None:
        with database.session() as session:
            case_events.update_details(session, walk.reference, changes, actor="Olivia Officer", now=walk.at)

    with pytest.raises(PerceptionRuleError, match="needs a reason"):
        change(strands=["religion_or_belief"])
    with pytest.raises(PerceptionRuleError, match="needs a reason"):
        change(strands=["religion_or_belief"], reason="   ")
    with pytest.raises(PerceptionRuleError, match="cannot be removed"):
        change(strands=[], reason="Not hate after all")
    assert walk.case().strands == ["race"] and walk.case().reported_strands is None
    change(strands=["religion_or_belief"], reason="The victim says it was about their faith")
    change(strands=["religion_or_belief", "disability"], reason="A witness heard disablist abuse too")
    case = walk.case()
    assert (case.strands, case.reported_strands) == (["religion_or_belief", "disability"], ["race"])
    assert (
        "Changed the perceived motivation from race to religion_or_belief: The victim says it was about "
        "their faith (first perceived: race)"
    ) in walk.timeline()
    assert walk.open_elements() == ["police_referral"]  # the process goes on as before


def test_after_another_incident_a_lower_level_also_waits_for_a_supervisor(database):
    walk = Walk.report(database)
    walk.through_support(HIGH_RISK)
    walk.send("incident")
    walk.do("reassess_risk", {**LOWER, "incident_summary": "Shouting in the street"})
    assert walk.open_elements() == ["keep_in_contact", "reassess_lowering_approval"]
    assert walk.case().risk_level == "high"
    with pytest.raises(processes.NotAllowed):
        walk.do(
            "reassess_lowering_approval",
            {"risk_lowering_decision": "approved", "risk_lowering_reason": "Checked it myself"},
        )
    walk.do(
        "reassess_lowering_approval",
        {"risk_lowering_decision": "approved", "risk_lowering_reason": "Perpetrator rehoused"},
        who="supervisor",
    )
    assert walk.case().risk_level == "low"
    assert walk.open_elements() == ["keep_in_contact"]
