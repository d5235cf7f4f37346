"""Every path of bpmn/hate_incident.bpmn: each gateway branch, each timer, each message,
with the workflow saved and reloaded between steps and the clock under the test's control."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, text

import processes
from casework.reports import PartyDetails
from db.models import Case, CaseDocument, Consent, Disclosure, PerceptionRuleError
from tests.bpmn.walk import CONTACT, FIRST_RESPONSE, HIGH_RISK, LOW_RISK, REPORTED, Walk, second_supervisor
from tests.conftest import T0

DAY = timedelta(days=1)


# Intake branches


def test_a_colleague_reported_by_a_colleague_takes_the_employee_route(database):
    walk = Walk.report(
        database,
        parties=[
            PartyDetails("alleged_perpetrator", "A. Worker", relation="colleague"),
            PartyDetails("reporter", "B. Worker", relation="colleague"),
        ],
    )
    assert walk.open_elements() == ["employee_referral"]
    assert walk.case().route == "employee"
    walk.do(
        "employee_referral",
        {"line_manager": "Pat Lead", "referral_notes": "Passed to HR with the report"},
        who="manager",
    )
    assert walk.case().status == "closed"


def test_a_colleague_reported_by_a_tenant_stays_a_hate_case(database):
    walk = Walk.report(
        database,
        parties=[
            PartyDetails("alleged_perpetrator", "A. Worker", relation="colleague"),
            PartyDetails("victim", "C. Tenant", relation="tenant", tenure="general_needs"),
        ],
    )
    # the full hate route, and HR hears about the colleague (issue 14, point 12)
    assert walk.open_elements() == ["first_response", "hr_referral"] and walk.case().route == "hate"


def test_a_second_complaint_in_six_months_prompts_the_case_review_and_a_third_meets_the_threshold(database):
    victim = [PartyDetails("victim", "Sam Jones", relation="tenant", address="4 Oak Court")]
    first = Walk.report(database, parties=victim)
    second = Walk.report(database, at=first.at + 30 * DAY, parties=victim, location="Near the shops")
    third = Walk.report(database, at=first.at + 60 * DAY, parties=victim, location="Bus stop")
    assert first.notifications() == []
    assert second.notifications() == [
        (
            "community-safety",
            f"{second.reference}: Second complaint in six months: tell the victim about the ASB Case Review",
        )
    ]
    assert third.notifications() == [
        (
            "supervisors",
            f"{third.reference}: Three or more complaints in six "
            "months: the ASB Case Review threshold is met",
        )
    ]
    later = Walk.report(database, at=first.at + 300 * DAY, parties=victim, location="Park")
    assert later.notifications() == []  # the earlier ones are more than six months old


def test_reports_at_a_place_that_is_no_home_do_not_add_up_to_a_case_review(database):
    staff = [PartyDetails("reporter", relation="colleague")]
    walks = [Walk.report(database, at=T0 + n * DAY, location="Head office", parties=staff) for n in range(3)]
    assert all(w.notifications() == [] for w in walks)


def test_the_same_home_is_matched_by_postcode_and_house_number_whoever_reports(database):
    first = Walk.report(database, location="10 High Street, Riverside, M1 1AA")
    other_flat = Walk.report(database, at=T0 + DAY, location="Flat 2, 10 High Street, M1 1AA")
    assert other_flat.notifications() == []  # flat 2 is another home
    second = Walk.report(database, at=T0 + 2 * DAY, location="10 high st m11aa")
    assert second.notifications() == [
        (
            "community-safety",
            f"{second.reference}: Second complaint in six months: tell the victim about the ASB Case Review",
        )
    ]
    assert first.reference != second.reference


def test_an_incident_logged_on_an_open_case_counts_as_a_complaint(database):
    victim = [PartyDetails("victim", "Sam Jones", relation="tenant", address="4 Oak Court")]
    first = Walk.report(database, parties=victim)
    first.at += 10 * DAY
    first.send("incident", "Stones thrown at the window again")
    second = Walk.report(database, at=T0 + 20 * DAY, parties=victim, location="Bus stop")
    assert second.notifications() == [
        (
            "supervisors",
            f"{second.reference}: Three or more complaints in six months: "
            "the ASB Case Review threshold is met",
        )
    ]


# First response and police referral


def test_a_missed_first_response_is_recorded_as_a_breach_and_escalated(database):
    walk = Walk.report(database)
    assert walk.sweep(24 * timedelta(hours=1) + timedelta(seconds=1)) == 2
    assert walk.open_elements() == ["overdue_response"]
    assert walk.case().first_response_breached_at is not None
    assert "24-hour first response missed (recorded for reporting)" in walk.timeline()


def test_the_police_referral_needs_a_reference_or_a_reason(database):
    walk = Walk.report(database)
    walk.do("first_response", FIRST_RESPONSE)
    assert walk.fails("police_referral", {"police_decision": "reported"}) == {
        "police_reference": "This is required for the answers given.",
        "police_reported_on": "This is required for the answers given.",
    }
    assert walk.fails("police_referral", {"police_decision": "not_reported"}) == {
        "not_reported_reason": "This is required for the answers given."
    }
    walk.do("police_referral", {"police_decision": "not_reported", "not_reported_reason": "Victim declined"})
    [referral] = walk.referrals()
    assert (referral.agency, referral.made, referral.reason) == ("police", False, "Victim declined")


def test_a_reported_case_keeps_the_police_reference_and_date(database):
    walk = Walk.report(database)
    walk.do("first_response", FIRST_RESPONSE)
    walk.do("police_referral", REPORTED)
    [referral] = walk.referrals()
    assert (referral.made, referral.reference, referral.referred_on) == (True, "GMP-123", "2026-03-02")
    assert walk.open_elements() == ["risk_assessment"]


# Risk assessment, safeguarding and support


@pytest.mark.parametrize(
    ("answers", "level"),
    [
        (LOW_RISK, "low"),
        (
            {**LOW_RISK, "repeat_victimisation": "once", "home_targeted": True, "victim_fear": "somewhat"},
            "medium",
        ),
        (HIGH_RISK, "high"),
    ],
)
def test_the_risk_level_comes_from_the_weights_and_bands_in_the_diagram(database, answers, level):
    walk = Walk.report(database)
    walk.do("first_response", FIRST_RESPONSE)
    walk.do("police_referral", REPORTED)
    walk.do("risk_assessment", answers)
    assert walk.case().risk_level == level
    assert any(line.startswith(f"Risk level {level} (from the assessment") for line in walk.timeline())


def test_the_officer_may_raise_the_level_with_a_reason(database):
    walk = Walk.report(database)
    walk.do("first_response", FIRST_RESPONSE)
    walk.do("police_referral", REPORTED)
    assert walk.fails("risk_assessment", {**LOW_RISK, "override_level": "high"}) == {
        "override_reason": "This is required for the answers given."
    }
    walk.do(
        "risk_assessment", {**LOW_RISK, "override_level": "high", "override_reason": "Known offender nearby"}
    )
    assert walk.case().risk_level == "high"
    assert any("raised by the officer" in line for line in walk.timeline())


def test_a_safeguarding_concern_leads_to_a_safeguarding_referral(database):
    walk = Walk.report(database)
    walk.do("first_response", FIRST_RESPONSE)
    walk.do("police_referral", REPORTED)
    walk.do("risk_assessment", {**LOW_RISK, "safeguarding_concern": True})
    assert walk.open_elements() == ["safeguarding_referral"]
    walk.do(
        "safeguarding_referral",
        {
            "concern_for": "child",
            "safeguarding_agency": "Children's services",
            "safeguarding_referred_on": "2026-03-03",
            "safeguarding_details": "Child in the home is frightened",
        },
    )
    assert walk.referrals()[-1].lawful_basis == "safeguarding"
    assert walk.open_elements() == ["support"]


def test_a_child_or_vulnerable_adult_needs_a_safeguarding_decision_either_way(database):
    walk = Walk.report(database)
    walk.do("first_response", FIRST_RESPONSE)
    walk.do("police_referral", REPORTED)
    child = {**LOW_RISK, "vulnerabilities": ["child_in_household"]}
    assert walk.fails("risk_assessment", child) == {
        "safeguarding_decision": "This is required for the answers given."
    }
    adult = {**LOW_RISK, "vulnerabilities": ["mental_health"], "safeguarding_decision": "no_referral"}
    assert walk.fails("risk_assessment", adult) == {
        "safeguarding_decision_reason": "This is required for the answers given."
    }
    walk.do("risk_assessment", {**child, "safeguarding_decision": "refer"})
    assert walk.open_elements() == ["safeguarding_referral"]

    other = Walk.report(database)
    other.do("first_response", FIRST_RESPONSE)
    other.do("police_referral", REPORTED)
    other.do(
        "risk_assessment", {**adult, "safeguarding_decision_reason": "Already supported by adult social care"}
    )
    assert other.open_elements() == ["support"]
    # No vulnerability, no question.
    third = Walk.report(database)
    third.do("first_response", FIRST_RESPONSE)
    third.do("police_referral", REPORTED)
    third.do("risk_assessment", LOW_RISK)
    assert third.open_elements() == ["support"]


def test_the_perpetrators_own_vulnerability_is_recorded_when_enforcement_or_prevention_is_considered(
    database,
):
    walk = Walk.report(database)
    walk.through_support()
    walk.do("keep_in_contact", {**CONTACT, "next_step": "prevention"})
    plan = {"prevention_action": "good_neighbour_agreement", "prevention_outcome": "agreed"}
    assert walk.fails("prevention", plan) == {"perpetrator_vulnerability": "This field is required."}
    assert walk.fails("prevention", {**plan, "perpetrator_vulnerability": "vulnerable"}) == {
        "perpetrator_support_needs": "This is required for the answers given."
    }
    walk.do(
        "prevention",
        {
            **plan,
            "perpetrator_vulnerability": "vulnerable",
            "perpetrator_support_needs": "Referred to a dementia service",
        },
    )
    walk.do("keep_in_contact", {**CONTACT, "next_step": "enforcement"})
    proposal = {
        "enforcement_ground": "tenancy_breach",
        "proposed_action": "injunction",
        "evidence_consent": "consent_given",
        "proportionality": "Abuse continues despite two warnings",
    }
    assert "perpetrator_vulnerability" in walk.fails("enforcement_proposal", proposal)


def test_support_referrals_need_the_victims_consent(database):
    walk = Walk.report(database, parties=[PartyDetails("victim", name="Ann Example", relation="tenant")])
    walk.do("first_response", FIRST_RESPONSE)
    walk.do("police_referral", REPORTED)
    walk.do("risk_assessment", LOW_RISK)
    assert walk.fails("support", {"support_agencies": ["advocacy"]}) == {
        "support_consent": "This must be confirmed for the answers given."
    }
    walk.do(
        "support",
        {
            "support_agencies": ["advocacy", "mental_health"],
            "support_consent": True,
            "support_measures": ["cctv", "out_of_hours"],
        },
    )
    support = [r for r in walk.referrals() if r.agency.startswith("support")]
    assert [(r.agency, r.consent, r.lawful_basis) for r in support] == [
        ("support: mental_health", True, "consent"),
        ("support: advocacy", True, "consent"),
    ]
    # Each referral is a disclosure relying on the victim's consent, which is on the record.
    with database.session() as session:
        case = session.scalars(select(Case).where(Case.reference == walk.reference)).one()
        [consent] = session.scalars(select(Consent).where(Consent.case_id == case.id)).all()
        victim = next(p for p in case.parties if p.role == "victim")
        assert (consent.purpose, consent.given, consent.party_id) == ("agency_referral", True, victim.id)
        shared = session.scalars(select(Disclosure).where(Disclosure.purpose == "agency_referral")).all()
        assert sorted((d.recipient, d.lawful_basis, d.consent_id) for d in shared) == [
            ("Independent advocacy", "consent", consent.id),  # the form's words for its codes
            ("Mental health service", "consent", consent.id),
        ]


def test_a_referral_relying_on_consent_needs_a_known_victim_and_saves_nothing_without(database):
    walk = Walk.report(database)  # nobody is recorded as the victim
    walk.do("first_response", FIRST_RESPONSE)
    walk.do("police_referral", REPORTED)
    walk.do("risk_assessment", LOW_RISK)
    answers = {"support_agencies": ["advocacy"], "support_consent": True}
    with pytest.raises(processes.EngineFailure, match="No victim is recorded on the case"):
        walk.do("support", answers)
    assert walk.open_elements() == ["support"] and not [
        r for r in walk.referrals() if r.agency.startswith("support")
    ]


def test_the_police_disclosure_relies_on_consent_when_the_victim_gave_it(database):
    walk = Walk.report(database, parties=[PartyDetails("victim", name="Ann Example", relation="tenant")])
    walk.do("first_response", FIRST_RESPONSE)
    walk.do("police_referral", {**REPORTED, "police_consent": True})
    with database.session() as session:
        [shared] = session.scalars(select(Disclosure).where(Disclosure.purpose == "police")).all()
        assert shared.lawful_basis == "consent" and shared.consent_id is not None
    other = Walk.report(database)
    other.do("first_response", FIRST_RESPONSE)
    other.do("police_referral", REPORTED)
    with database.session() as session:
        bases = sorted(session.scalars(select(Disclosure.lawful_basis).where(Disclosure.purpose == "police")))
        assert bases == ["consent", "crime"]


# Keeping in contact, prevention, enforcement


@pytest.mark.parametrize(("risk", "days"), [(HIGH_RISK, 3), (LOW_RISK, 14)])
def test_contact_falls_due_by_risk_level_and_escalates_when_overdue(database, risk, days):
    walk = Walk.report(database)
    walk.through_support(risk)
    assert walk.sweep(days * DAY - timedelta(minutes=1)) == 0
    assert walk.sweep(days * DAY + timedelta(seconds=1)) == 1
    assert ("supervisors", f"{walk.reference}: Contact with the victim is overdue") in walk.notifications()
    assert walk.open_elements() == ["keep_in_contact"]  # the task stays with the officer


def test_keeping_in_contact_and_prevention_loop_back_to_the_next_contact(database):
    walk = Walk.report(database)
    walk.through_support()
    walk.do("keep_in_contact", {**CONTACT, "next_step": "continue"})
    assert walk.open_elements() == ["keep_in_contact"]
    walk.do("keep_in_contact", {**CONTACT, "next_step": "prevention"})
    walk.do(
        "prevention",
        {
            "prevention_action": "good_neighbour_agreement",
            "prevention_outcome": "agreed",
            "perpetrator_vulnerability": "none_known",
        },
    )
    assert walk.open_elements() == ["keep_in_contact"]


def test_no_consent_to_use_evidence_means_hearsay_or_no_action_stated_on_the_case(database):
    walk = Walk.report(database)
    walk.through_support()
    walk.do("keep_in_contact", {**CONTACT, "next_step": "enforcement"})
    walk.do(
        "enforcement_proposal",
        {
            "enforcement_ground": "tenancy_breach",
            "perpetrator_vulnerability": "none_known",
            "proposed_action": "injunction",
            "evidence_consent": "no_action",
            "proportionality": "Abuse continues despite two warnings",
        },
    )
    # No approval is asked for: nothing may go ahead, the case says why, and the plan goes on.
    assert walk.open_elements() == ["keep_in_contact"]
    assert any(
        s.startswith("No enforcement action: the victims and witnesses did not consent")
        for s in walk.timeline()
    )
    # Hearsay: the proposal goes to a supervisor as usual.
    walk.do("keep_in_contact", {**CONTACT, "next_step": "enforcement"})
    walk.do(
        "enforcement_proposal",
        {
            "enforcement_ground": "tenancy_breach",
            "perpetrator_vulnerability": "none_known",
            "proposed_action": "injunction",
            "evidence_consent": "hearsay",
            "proportionality": "Abuse continues despite two warnings",
        },
    )
    assert walk.open_elements() == ["enforcement_approval"]


def test_enforcement_needs_a_ground_and_a_supervisors_approval(database):
    walk = Walk.report(database)
    walk.through_support()
    walk.do("keep_in_contact", {**CONTACT, "next_step": "enforcement"})
    proposal = {
        "enforcement_ground": "criminal_behaviour",
        "perpetrator_vulnerability": "none_known",
        "proposed_action": "ground_7a",
        "evidence_consent": "hearsay",
        "proportionality": "Repeated assaults; other measures failed",
    }
    # Ground 7A records the conviction itself: the court, the date and the offence.
    conviction = ("conviction_court", "conviction_date", "conviction_offence")
    failed = walk.fails("enforcement_proposal", {**proposal, "enforcement_ground": None})
    assert set(failed) == {"enforcement_ground", *conviction}
    assert set(walk.fails("enforcement_proposal", proposal)) == set(conviction)
    walk.do(
        "enforcement_proposal",
        {
            **proposal,
            "conviction_court": "Manchester Crown Court",
            "conviction_date": "2026-01-12",
            "conviction_offence": "Racially aggravated assault",
        },
    )
    with pytest.raises(processes.NotAllowed):
        walk.do("enforcement_approval", {"approval": "approved", "approval_reason": "Proportionate"})
    walk.do(
        "enforcement_approval",
        {"approval": "refused", "approval_reason": "Try an injunction first"},
        who="supervisor",
    )
    assert walk.open_elements() == ["keep_in_contact"]

    walk.do("keep_in_contact", {**CONTACT, "next_step": "enforcement"})
    walk.do("enforcement_proposal", {**proposal, "proposed_action": "injunction"})
    walk.do(
        "enforcement_approval",
        {"approval": "approved", "approval_reason": "Reasonable and proportionate"},
        who="supervisor",
    )
    walk.do("enforcement_action", {"witness_support_offered": True, "enforcement_outcome": "granted"})
    assert walk.open_elements() == ["keep_in_contact"]


def test_closure_records_the_outcome_and_writes_the_closure_letter(database):
    # A support worker reported for the victim: the letter is the victim's, not the reporter's.
    walk = Walk.report(
        database,
        reporter_name="Jo Bloggs",
        parties=[
            PartyDetails("victim", name="Ann Example", relation="tenant"),
            PartyDetails("reporter", name="Jo Bloggs", relation="other"),
        ],
    )
    walk.through_support()
    walk.do("keep_in_contact", {**CONTACT, "next_step": "close"})
    walk.do(
        "close_case",
        {
            "outcome": "resolved",
            "outcome_reason": "Perpetrator moved away",
            "legal_actions": ["injunction"],
            "non_legal_actions": ["warning"],
            "victim_satisfaction": "very_satisfied",
        },
    )
    assert walk.case().status == "closed"
    with database.session() as session:
        [letter] = session.scalars(select(CaseDocument)).all()
    assert letter.title == "Your case has been closed" and letter.recipient == "victim"
    assert "Dear Ann Example" in letter.body and walk.reference in letter.body and "resolved" in letter.body
    assert "Jo Bloggs" not in letter.body


CLOSE = {
    "outcome": "resolved",
    "outcome_reason": "Perpetrator moved away",
    "legal_actions": [],
    "non_legal_actions": ["warning"],
    "victim_satisfaction": "fairly_satisfied",
}


def test_a_high_risk_case_closes_only_when_a_supervisor_signs_it_off(database):
    walk = Walk.report(database)
    walk.through_support(HIGH_RISK)
    walk.do("keep_in_contact", {**CONTACT, "next_step": "close"})
    walk.do("close_case", CLOSE)
    assert walk.case().status == "open" and "closure_signoff" in walk.open_elements()
    # Kept open: back to the plan, the case stays open.
    decision = {"closure_signoff_decision": "keep_open", "closure_signoff_reason": "Threats still being made"}
    walk.do("closure_signoff", decision, who="supervisor")
    assert walk.case().status == "open" and "keep_in_contact" in walk.open_elements()
    walk.do("keep_in_contact", {**CONTACT, "next_step": "close"}, after=timedelta(days=2))
    walk.do("close_case", CLOSE, who="supervisor", after=timedelta(hours=1))
    # Whoever asked to close it may not sign it off.
    with pytest.raises(processes.NotAllowed, match="someone else must"):
        walk.do("closure_signoff", {**decision, "closure_signoff_decision": "signed_off"}, who="supervisor")
    second_supervisor(database)
    walk.do("closure_signoff", {**decision, "closure_signoff_decision": "signed_off"}, who="supervisor2")
    assert walk.case().status == "closed"


def test_a_lower_risk_case_closes_without_a_sign_off(database):
    walk = Walk.report(database)
    walk.through_support(LOW_RISK)
    walk.do("keep_in_contact", {**CONTACT, "next_step": "close"})
    walk.do("close_case", CLOSE)
    assert walk.case().status == "closed"


# Messages into the running case


def test_another_incident_reassesses_the_risk_without_opening_a_case(database):
    walk = Walk.report(database)
    walk.through_support(LOW_RISK)
    walk.send("incident")
    assert walk.open_elements() == ["keep_in_contact", "reassess_risk"]
    walk.do("reassess_risk", {**HIGH_RISK, "incident_summary": "Eggs thrown; threats shouted"})
    assert walk.case().risk_level == "high"
    assert any(line.startswith("Risk level from low to high") for line in walk.timeline())
    with database.session() as session:
        assert len(session.scalars(select(Case)).all()) == 1


def test_an_asb_case_review_request_is_signposted_and_its_outcome_tracked(database):
    walk = Walk.report(database)
    walk.send("case_review", "Victim unhappy with progress")
    walk.do("case_review_request", {"review_requested_on": "2026-03-04", "council_signposted": True})
    assert any(line == "Letter generated: Asking for an ASB Case Review" for line in walk.timeline())
    assert walk.fails("case_review_outcome", {"review_outcome": "review_held"}) == {
        "recommendations": "This is required for the answers given."
    }
    walk.do("case_review_outcome", {"review_outcome": "review_held", "recommendations": "Install CCTV"})
    assert walk.open_elements() == ["first_response"]


def test_a_complaint_runs_its_stages_and_each_late_stage_escalates_in_working_days(database):
    # Thursday 2 April 2026, the day before Good Friday: Friday 3 and Monday 6 April are bank
    # holidays, so 5 working days end on Monday 13 April (11 days later, where P7D would say 9).
    walk = Walk.report(database, at=datetime(2026, 4, 2, 9, 0, tzinfo=UTC))
    walk.do("first_response", FIRST_RESPONSE)
    walk.complain("Nobody called me back", about=("delay", "communication"))
    assert "complaint_acknowledge" in walk.open_elements()
    assert (
        "Complaint about the handling of the case from the victim, Ann Example about delay, or not being "
        "kept informed; how we communicated: Nobody called me back"
    ) in walk.timeline()
    late_ack = ("managers", f"{walk.reference}: Complaint: acknowledge the complaint is late")
    walk.sweep(11 * DAY - timedelta(minutes=1))
    assert late_ack not in walk.notifications()
    assert walk.sweep(11 * DAY + timedelta(seconds=1)) >= 1
    assert late_ack in walk.notifications()
    walk.do("complaint_acknowledge", {"acknowledged_on": "2026-04-14"}, who="supervisor", after=12 * DAY)
    walk.do(
        "complaint_stage1",
        {
            "stage1_response": "We apologise for the delay",
            "complaint_upheld": "upheld",
            "escalated_to_stage2": True,
        },
        who="supervisor",
    )
    assert "complaint_stage2" in walk.open_elements()
    # From Tuesday 14 April, 20 working days skip Monday 4 May: Wednesday 13 May, 29 days on.
    late_review = ("managers", f"{walk.reference}: Complaint: stage 2 review is late")
    walk.sweep(29 * DAY - timedelta(minutes=1))
    assert late_review not in walk.notifications()
    assert walk.sweep(29 * DAY + timedelta(seconds=1)) >= 1
    assert late_review in walk.notifications()
    # Stage 2 is reviewed by someone other than the stage 1 responder: the engine refuses them.
    with pytest.raises(processes.NotAllowed, match="someone else must"):
        walk.do("complaint_stage2", {"stage2_response": "Review agreed with stage 1"}, who="supervisor")
    second_supervisor(database)
    walk.do("complaint_stage2", {"stage2_response": "Review agreed with stage 1"}, who="supervisor2")
    assert not any(e.startswith("complaint") for e in walk.open_elements())


def test_a_triggered_subprocess_survives_a_restart_and_touches_no_other_case(database):
    from processes import specs

    walk = Walk.report(database)
    other = Walk.report(
        database,
        parties=[
            PartyDetails("alleged_perpetrator", relation="colleague"),
            PartyDetails("reporter", relation="colleague"),
        ],
    )
    walk.send("complaint", "Nobody called me back")
    specs._templates.clear()  # as if a new process (a worker, a restart) loads the case
    specs._cache.clear()
    specs._spares.clear()
    walk.do("complaint_acknowledge", {"acknowledged_on": "2026-03-03"}, who="supervisor")
    walk.do(
        "complaint_stage1",
        {"stage1_response": "Sorry; a call is booked", "complaint_upheld": "upheld"},
        who="supervisor",
    )
    assert walk.open_elements() == ["first_response"] and walk.case().status == "open"
    other.do(
        "employee_referral", {"line_manager": "Pat Lead", "referral_notes": "Passed to HR"}, who="manager"
    )
    assert other.case().status == "closed"


def test_a_message_to_a_closed_case_is_refused(database):
    walk = Walk.report(
        database,
        parties=[
            PartyDetails("alleged_perpetrator", relation="colleague"),
            PartyDetails("reporter", relation="contractor"),
        ],
    )
    walk.do(
        "employee_referral", {"line_manager": "Pat Lead", "referral_notes": "Passed to HR"}, who="manager"
    )
    with pytest.raises(processes.Conflict, match="is closed"):
        walk.send("incident")


# The perception rule, in the data layer


def test_no_one_can_downgrade_a_case_perceived_as_hate(database):
    walk = Walk.report(database)
    with database.session() as session:
        case = session.scalars(select(Case)).one()
        with pytest.raises(PerceptionRuleError):
            case.hate_perceived = False
        with pytest.raises(PerceptionRuleError):
            case.strands = []
        with pytest.raises(PerceptionRuleError, match="needs a reason"):
            case.strands = ["race", "religion_or_belief"]  # even adding to it needs a reason (issue 14)
        case.change_strands(["race", "religion_or_belief"], "The victim is also targeted for their faith")
        assert case.reported_strands == ["race"]
        session.commit()
    with database.session() as session, pytest.raises(Exception, match="perception rule"):
        session.execute(text("UPDATE cases SET hate_perceived = false"))  # even bypassing the models
        session.commit()
    assert walk.case().hate_perceived is True
