"""Issue 14, deadlines and contact: a first-response attempt that reached nobody keeps the 24 hours
running; the contact cadence runs for the life of the case; escalated work has deadlines too.
Every step is saved and reloaded (``Walk``); the clock moves by sweeps, never by waiting."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from casework import indicators
from db.models import Case, Timer
from tests.bpmn.walk import CONTACT, FIRST_RESPONSE, HIGH_RISK, LOW_RISK, REPORTED, Walk
from tests.conftest import T0

HOUR, DAY = timedelta(hours=1), timedelta(days=1)
NOT_REACHED = {**FIRST_RESPONSE, "contact_made": False, "response_notes": "Rang twice, no answer."}
OVERDUE = ("supervisors", "Contact with the victim is overdue")


def first_response_figures(database, now) -> indicators.FirstResponse:
    with database.session() as session:
        period = indicators.Period(date(2026, 3, 1), date(2026, 4, 1))
        return indicators.indicators(session, period, homes=1000, now=now).first_response


def missed(database) -> dict[str, int]:
    with database.session() as session:
        period = indicators.Period(date(2026, 3, 1), date(2026, 5, 1))
        return {
            c.key: c.count
            for c in indicators.indicators(session, period, homes=1000, now=T0).missed_deadlines
        }


def tick(walk: Walk, after: timedelta) -> int:
    """Move the walk's clock on by ``after`` and fire what is due."""
    fired = walk.sweep(after)
    walk.at += after
    return fired


def overdue_contacts(walk: Walk) -> int:
    group, message = OVERDUE
    return walk.notifications().count((group, f"{walk.reference}: {message}"))


# 1. An attempt that reached nobody is not a first response


def test_a_failed_attempt_keeps_the_clock_running_and_offers_another_attempt_then_breaches(database):
    walk = Walk.report(database)
    walk.do("first_response", NOT_REACHED, after=2 * HOUR)
    assert walk.open_elements() == ["first_response"]  # offered again
    assert "First response attempted (phone): the reporter was not reached; the 24 hours keep running" in (
        walk.timeline()
    )
    assert walk.case().first_response_breached_at is None
    assert first_response_figures(database, walk.at) == indicators.FirstResponse(met=0, missed=0, pending=1)

    walk.do("first_response", NOT_REACHED, after=HOUR)  # a second attempt, 3 hours in
    assert walk.open_elements() == ["first_response"]
    # The deadline is counted from the report, not from the last attempt: the reminder is due at
    # 22 hours and the breach at 24, as if no attempt had been made.
    assert tick(walk, 19 * HOUR + timedelta(minutes=1)) == 1  # 22h: the reminder only
    assert walk.open_elements() == ["first_response"]
    assert tick(walk, 2 * HOUR - timedelta(minutes=2)) == 0  # 23h59: not yet
    assert tick(walk, timedelta(minutes=2)) == 1  # just past 24h
    assert walk.open_elements() == ["overdue_response"]
    assert walk.case().first_response_breached_at is not None
    assert first_response_figures(database, walk.at) == indicators.FirstResponse(met=0, missed=1, pending=0)


def test_an_anonymous_reporter_who_cannot_be_contacted_counts_as_met(database):
    walk = Walk.report(database)
    walk.do(
        "first_response",
        {
            **NOT_REACHED,
            "anonymous_no_contact": True,
            "response_notes": "Anonymous web report, no contact details",
        },
        after=HOUR,
    )
    assert walk.open_elements() == ["police_referral"]
    assert first_response_figures(database, walk.at) == indicators.FirstResponse(met=1, missed=0, pending=0)


def test_a_response_after_failed_attempts_counts_from_the_attempt_that_reached_them(database):
    walk = Walk.report(database)
    walk.do("first_response", NOT_REACHED, after=HOUR)
    walk.do("first_response", FIRST_RESPONSE, after=3 * HOUR)
    assert walk.open_elements() == ["police_referral"]
    assert first_response_figures(database, walk.at) == indicators.FirstResponse(met=1, missed=0, pending=0)


# 2. The contact cadence runs for the life of the case


def test_the_cadence_runs_before_support_is_agreed_and_escalates_every_miss(database):
    walk = Walk.report(database)
    walk.do("first_response", FIRST_RESPONSE)
    walk.do("police_referral", REPORTED)
    walk.do("risk_assessment", HIGH_RISK)
    assert walk.open_elements() == ["support"]
    for turn in range(1, 4):
        assert tick(walk, 3 * DAY - timedelta(minutes=1)) == 0
        assert tick(walk, timedelta(minutes=2)) == 1
        assert overdue_contacts(walk) == turn
    assert walk.open_elements() == ["support"]
    assert walk.timeline().count("Deadline missed: contact with the victim (escalated to supervisors)") == 3
    assert missed(database) == {"contact with the victim": 3}


def test_the_cadence_runs_through_prevention(database):
    walk = Walk.report(database)
    walk.through_support(HIGH_RISK)
    walk.do("keep_in_contact", {**CONTACT, "next_step": "prevention"}, after=DAY)
    for turn in range(1, 4):
        assert tick(walk, 3 * DAY + timedelta(seconds=1)) == 1
        assert overdue_contacts(walk) == turn
    assert walk.open_elements() == ["prevention"]


def test_the_cadence_runs_through_enforcement(database):
    walk = Walk.report(database)
    walk.through_support(LOW_RISK)
    walk.do("keep_in_contact", {**CONTACT, "next_step": "enforcement"}, after=DAY)
    for turn in range(1, 4):
        assert tick(walk, 14 * DAY - timedelta(minutes=1)) == 0
        assert tick(walk, timedelta(minutes=2)) == 1
        assert overdue_contacts(walk) == turn
    assert walk.open_elements() == ["enforcement_proposal"]


def test_a_recorded_contact_restarts_the_cadence(database):
    walk = Walk.report(database)
    walk.through_support(HIGH_RISK)  # contact due 3 days from now
    walk.do("keep_in_contact", {**CONTACT, "next_step": "continue"}, after=2 * DAY)
    assert tick(walk, 3 * DAY - timedelta(minutes=1)) == 0  # 5 days after support: not yet
    assert overdue_contacts(walk) == 0
    assert tick(walk, timedelta(minutes=2)) == 1
    assert overdue_contacts(walk) == 1


def test_a_contact_recorded_in_any_stage_restarts_the_cadence(database):
    walk = Walk.report(database)
    walk.through_support(HIGH_RISK)
    walk.do("keep_in_contact", {**CONTACT, "next_step": "prevention"}, after=DAY)
    walk.at += 2 * DAY
    walk.send("contact", "Phoned the victim about the mediation")  # during prevention
    assert "Contact with the victim: Phoned the victim about the mediation" in walk.timeline()
    assert tick(walk, 3 * DAY - timedelta(minutes=1)) == 0  # 6 days after the contact task
    assert tick(walk, timedelta(minutes=2)) == 1  # 3 days after this contact
    assert overdue_contacts(walk) == 1


def test_a_contact_before_the_cadence_starts_is_still_recorded(database):
    walk = Walk.report(database)
    walk.do("first_response", FIRST_RESPONSE)
    walk.send("contact", "Victim rang about the police visit")
    assert "Contact with the victim: Victim rang about the police visit" in walk.timeline()
    assert walk.open_elements() == ["police_referral"]


def test_a_new_risk_level_restarts_the_cadence_with_its_interval(database):
    walk = Walk.report(database)
    walk.through_support(LOW_RISK)  # every 14 days
    walk.at += 2 * DAY
    walk.send("incident")
    walk.do("reassess_risk", {**HIGH_RISK, "incident_summary": "Eggs thrown; threats shouted"})
    assert walk.case().risk_level == "high"
    assert tick(walk, 3 * DAY - timedelta(minutes=1)) == 0
    assert tick(walk, timedelta(minutes=2)) == 1  # 3 days after the reassessment, not 14 after support
    assert overdue_contacts(walk) == 1
    assert tick(walk, 3 * DAY + timedelta(seconds=1)) == 1  # and every 3 days after
    assert overdue_contacts(walk) == 2


def test_closing_the_case_stops_the_cadence(database):
    walk = Walk.report(database)
    walk.through_support()
    walk.do("keep_in_contact", {**CONTACT, "next_step": "close"})
    walk.do(
        "close_case",
        {
            "outcome": "resolved",
            "outcome_reason": "Perpetrator moved away",
            "victim_satisfaction": "not_answered",
        },
    )
    assert walk.case().status == "closed"
    with database.session() as session:
        assert session.scalars(select(Timer).join(Case).where(Case.reference == walk.reference)).all() == []
    assert tick(walk, 30 * DAY) == 0


# 3. Escalated work has deadlines too


def test_the_overdue_first_response_escalates_to_managers_when_missed(database):
    walk = Walk.report(database)
    assert tick(walk, 24 * HOUR + timedelta(seconds=1)) == 2  # the reminder and the breach
    assert walk.open_elements() == ["overdue_response"]
    assert tick(walk, 4 * HOUR - timedelta(minutes=1)) == 0
    assert tick(walk, timedelta(minutes=2)) == 1
    assert (
        "managers",
        f"{walk.reference}: The overdue first response is still not made 4 hours after the "
        "supervisors were told",
    ) in walk.notifications()
    assert "Deadline missed: overdue first response (escalated to managers)" in walk.timeline()
    assert walk.open_elements() == ["overdue_response"]  # the supervisors still hold it
    assert missed(database) == {"overdue first response": 1}


def test_the_safeguarding_referral_escalates_to_managers_when_missed(database):
    walk = Walk.report(database)
    walk.do("first_response", FIRST_RESPONSE)
    walk.do("police_referral", REPORTED)
    walk.do("risk_assessment", {**LOW_RISK, "safeguarding_concern": True})
    assert walk.open_elements() == ["safeguarding_referral"]
    assert tick(walk, DAY - timedelta(minutes=1)) == 0
    assert tick(walk, timedelta(minutes=2)) == 1
    assert (
        "managers",
        f"{walk.reference}: The safeguarding referral was not made within 1 day",
    ) in walk.notifications()
    assert walk.open_elements() == ["safeguarding_referral"]
    assert missed(database) == {"safeguarding referral": 1}
