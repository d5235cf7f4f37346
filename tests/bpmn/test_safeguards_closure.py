"""Issue 14, point 10a: the closure form starts with the actions the case actually used, worked
out by the process ("Work out the actions this case used", a service task the diagram declares)
from its records: the enforcement taken, the prevention actions recorded, the support referrals
made. The officer may change them. Walked with the workflow saved and reloaded between steps."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

import processes
from casework.reports import PartyDetails
from db.models import Task
from tests.bpmn.walk import CONTACT, FIRST_RESPONSE, LOW_RISK, REPORTED, Walk

PREVENTION = {"prevention_outcome": "agreed", "perpetrator_vulnerability": "none_known"}
PROPOSAL = {
    "enforcement_ground": "victim_needs_protection",
    "perpetrator_vulnerability": "none_known",
    "proposed_action": "injunction",
    "evidence_consent": "consent_given",
    "proportionality": "Threats continue despite warnings",
}
CLOSE = {
    "outcome": "resolved",
    "outcome_reason": "Injunction granted; no incidents since",
    "victim_satisfaction": "fairly_satisfied",
}


def closure_defaults(walk: Walk) -> dict[str, Any]:
    """What the closure form shows before the officer touches it."""
    with walk.database.session() as session:
        row = session.get(Task, walk.task_id("close_case"))
        assert row is not None
        view = processes.task_view(row, with_form=True)
    return {f.id: f.default for f in view.fields if f.id in ("legal_actions", "non_legal_actions")}


def next_step(walk: Walk, step: str) -> None:
    walk.do("keep_in_contact", {**CONTACT, "next_step": step})


def test_the_closure_form_starts_with_what_the_case_did_and_the_officer_may_change_it(database):
    walk = Walk.report(database, parties=[PartyDetails("victim", name="Ann Example", relation="tenant")])
    walk.do("first_response", FIRST_RESPONSE)
    walk.do("police_referral", REPORTED)
    walk.do("risk_assessment", LOW_RISK)
    walk.do("support", {"support_agencies": ["advocacy"], "support_consent": True})
    next_step(walk, "prevention")
    walk.do("prevention", {**PREVENTION, "prevention_action": "conflict_resolution"})
    next_step(walk, "prevention")
    walk.do("prevention", {**PREVENTION, "prevention_action": "good_neighbour_agreement"})
    next_step(walk, "enforcement")
    walk.do("enforcement_proposal", PROPOSAL)
    walk.do(
        "enforcement_approval", {"approval": "approved", "approval_reason": "Proportionate"}, who="supervisor"
    )
    walk.do("enforcement_action", {"witness_support_offered": True, "enforcement_outcome": "granted"})
    next_step(walk, "close")

    assert walk.open_elements() == ["close_case"]
    assert closure_defaults(walk) == {
        "legal_actions": "injunction",
        # conflict resolution is recorded as mediation on the closure form (the diagram says so)
        "non_legal_actions": "mediation,good_neighbour_agreement,support_referral",
    }
    # The officer corrects the list: the good neighbour agreement was never signed.
    walk.do("close_case", {**CLOSE, "legal_actions": ["injunction"], "non_legal_actions": ["mediation"]})
    assert walk.case().status == "closed"
    with database.session() as session:
        [closed] = session.scalars(
            select(Task).where(Task.element_id == "close_case", Task.status == "completed")
        ).all()
        assert closed.submitted is not None
        assert closed.submitted["non_legal_actions"] == ["mediation"]


def test_a_case_that_did_nothing_beyond_contact_starts_with_no_actions(database):
    walk = Walk.report(database)
    walk.through_support(LOW_RISK)
    next_step(walk, "close")
    assert closure_defaults(walk) == {"legal_actions": "", "non_legal_actions": ""}


def test_enforcement_refused_is_not_an_action_used(database):
    walk = Walk.report(database)
    walk.through_support(LOW_RISK)
    next_step(walk, "enforcement")
    walk.do("enforcement_proposal", PROPOSAL)
    walk.do(
        "enforcement_approval",
        {"approval": "refused", "approval_reason": "Not proportionate yet"},
        who="supervisor",
    )
    next_step(walk, "close")
    assert closure_defaults(walk) == {"legal_actions": "", "non_legal_actions": ""}
