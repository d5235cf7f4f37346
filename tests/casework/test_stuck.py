"""Stuck work over cases driven through the real process, with the clock moved explicitly."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

import processes
from casework import steps, stuck, tasks
from casework.stuck import StuckFilters, Thresholds
from db.models import Case, User
from tests.bpmn.walk import CONTACT, FIRST_RESPONSE, HIGH_RISK, Walk
from tests.conftest import T0

# A diagram whose case waits for a message nobody sends: an open case with no task and no timer.
STALLS = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="stalls_defs"
  targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:message id="never_message" name="never_sent"/>
  <bpmn:process id="stalls" name="Stalls" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:intermediateCatchEvent id="wait" name="Wait for a reply">
      <bpmn:messageEventDefinition id="wait_def" messageRef="never_message"/>
    </bpmn:intermediateCatchEvent>
    <bpmn:endEvent id="end"/>
    <bpmn:sequenceFlow id="to_wait" sourceRef="start" targetRef="wait"/>
    <bpmn:sequenceFlow id="to_end" sourceRef="wait" targetRef="end"/>
  </bpmn:process>
</bpmn:definitions>"""


def page(database, at, **kwargs):
    with database.session() as session:
        return stuck.stuck_work(session, now=at, **kwargs)


def refs(result):
    return [item.case_reference for item in result.items]


def test_overdue_and_unclaimed_tasks_with_their_reasons(database):
    first = Walk.report(database, at=T0, locality="Riverside")
    second = Walk.report(database, at=T0 + timedelta(hours=6), locality="Hillside")
    second.do("first_response", FIRST_RESPONSE)  # the police referral is now due in a day
    now = T0 + timedelta(hours=25)  # the first case's 24-hour deadline has passed; no sweep yet

    overdue = page(database, now, kind="overdue")
    assert refs(overdue) == [first.reference]
    [item] = overdue.items
    assert (item.stage, item.teams, item.officer, item.since) == (
        "first_response",
        ("community-safety",),
        None,
        T0 + timedelta(hours=24),
    )
    assert item.reason == "Make the first response: past its due time"

    unclaimed = page(database, now, kind="unclaimed")  # 24 hours by default
    assert refs(unclaimed) == [first.reference]
    assert unclaimed.counts == {
        "overdue": 1,
        "unclaimed": 1,
        "idle": 0,
        "dead_end": 0,
        "failed": 0,
        "not_started": 0,
        "overdue_actions": 0,
    }
    shorter = page(database, now, kind="unclaimed", thresholds=Thresholds(unclaimed_hours=12))
    assert refs(shorter) == [first.reference, second.reference]  # oldest first
    assert shorter.items[1].task_title == "Report to the police"


def test_a_claimed_task_is_not_unclaimed_and_shows_its_officer(database):
    walk = Walk.report(database, at=T0)
    with database.session() as session:
        officer = session.scalars(select(User).where(User.username == "officer")).one()
        tasks.claim(session, walk.task_id("first_response"), officer, now=T0 + timedelta(hours=1))
        session.commit()
    now = T0 + timedelta(hours=30)
    assert page(database, now, kind="unclaimed").total == 0
    overdue = page(database, now, kind="overdue", filters=StuckFilters(officer="officer"))
    assert refs(overdue) == [walk.reference] and overdue.items[0].officer == "officer"
    assert page(database, now, kind="overdue", filters=StuckFilters(officer="supervisor")).total == 0


def test_filters_by_team_stage_locality_and_risk(database):
    escalated = Walk.report(database, at=T0, locality="Riverside")
    escalated.sweep(timedelta(hours=25))  # deadline missed: the supervisors get a task due in 4 hours
    assessed = Walk.report(database, at=T0, locality="Hillside")
    assessed.do("first_response", FIRST_RESPONSE)
    assessed.do(
        "police_referral", {"police_decision": "not_reported", "not_reported_reason": "Victim declined"}
    )
    assessed.do("risk_assessment", HIGH_RISK)  # support is due in 5 days
    now = T0 + timedelta(days=7)

    every = page(database, now, kind="overdue")
    assert sorted(i.stage for i in every.items) == ["overdue_response", "support"]

    def only(**filters):
        return [i.stage for i in page(database, now, kind="overdue", filters=StuckFilters(**filters)).items]

    assert only(team="supervisors") == ["overdue_response"]
    assert only(team="community-safety") == ["support"]
    assert only(stage="support") == ["support"]
    assert only(locality="Riverside") == ["overdue_response"]
    assert only(risk_level="high") == ["support"]
    assert only(risk_level="low") == []
    assert page(database, now, kind="overdue", sort="risk").items[0].stage == "support"


def test_sorting_and_pages(database):
    walks = [Walk.report(database, at=T0 + timedelta(hours=h), locality=f"Area {h}") for h in (3, 1, 2)]
    now = T0 + timedelta(days=3)
    first = page(database, now, kind="unclaimed", per_page=2)
    assert (first.total, first.pages, len(first.items)) == (3, 2, 2)
    in_order = [w.reference for w in sorted(walks, key=lambda w: w.at)]
    second = page(database, now, kind="unclaimed", per_page=2, page=2)
    assert refs(first) + refs(second) == in_order
    assert refs(page(database, now, kind="unclaimed", sort="-since")) == in_order[::-1]
    assert refs(page(database, now, kind="unclaimed", sort="case")) == sorted(in_order)
    assert [i.locality for i in page(database, now, kind="unclaimed", sort="locality").items] == [
        "Area 1",
        "Area 2",
        "Area 3",
    ]


def test_idle_cases_count_what_people_did_not_what_the_system_did(database):
    quiet = Walk.report(database, at=T0)
    quiet.through_support()  # low risk: the contact is due in 14 days
    busy = Walk.report(database, at=T0)
    busy.through_support()
    busy.do("keep_in_contact", {**CONTACT, "next_step": "continue"}, after=timedelta(days=10))
    assert quiet.sweep(timedelta(days=15)) >= 1  # the contact timers fire: system entries only
    assert any("Deadline passed" in line for line in quiet.timeline())
    now = T0 + timedelta(days=16)

    idle = page(database, now, kind="idle")
    assert refs(idle) == [quiet.reference]
    assert idle.items[0].since == T0  # its last step by a person
    assert idle.items[0].reason == "Nothing done by anyone for over 14 days"
    assert refs(page(database, now, kind="idle", thresholds=Thresholds(idle_days=3))) == [
        quiet.reference,
        busy.reference,
    ]
    assert page(database, now, kind="idle", thresholds=Thresholds(idle_days=20)).total == 0


def test_a_case_waiting_on_nothing_is_a_dead_end(database):
    working = Walk.report(database, at=T0)
    with database.session() as session:
        processes.deploy(session, STALLS, deployed_by="tests")
        case = Case(
            reported_at=T0,
            description="Stalled",
            location="2 Elm Road",
            strands=["race"],
            locality="Hillside",
        )
        stalled = processes.start(
            steps.uncommitted(session, now=T0),
            case,
            "stalls",
            {},
            now=T0,
            reference=lambda i: f"HC-2026-{i:06d}",
        )
        session.commit()
    now = T0 + timedelta(hours=1)
    dead = page(database, now, kind="dead_end")
    assert refs(dead) == [stalled.case_reference] != [working.reference]
    assert dead.items[0].since == T0
    assert "waiting on nothing" in dead.items[0].reason
    assert page(database, now, kind="dead_end", filters=StuckFilters(team="community-safety")).total == 0


def test_options_offer_what_is_open(database):
    walk = Walk.report(database, at=T0, locality="Riverside")
    Walk.report(database, at=T0, locality="Hillside").do("first_response", FIRST_RESPONSE)
    with database.session() as session:
        options = stuck.options(session)
    assert options.teams == ["community-safety"]
    assert options.localities == ["Hillside", "Riverside"]
    assert options.stages == [
        ("first_response", "Make the first response"),
        ("police_referral", "Report to the police"),
    ]
    assert ("officer", "Olivia Officer") in options.officers
    assert walk.open_elements() == ["first_response"]
