"""Where open cases wait, over cases driven through the real process with the clock moved
explicitly. The waits are worked out here from the times the test chose."""

from __future__ import annotations

from datetime import timedelta

import processes
from casework import heatmap, process_models
from db.models import User
from tests.bpmn.walk import CONTACT, FIRST_RESPONSE, LOW_RISK, REPORTED, Walk
from tests.conftest import T0
from tests.diagrams import noise

HOUR = timedelta(hours=1)


def waits(database, at, key=heatmap.MAIN_PROCESS, **kwargs):
    with database.session() as session:
        viewer = session.query(User).filter_by(username="manager").one()
        return heatmap.heatmap(session, key, viewer=viewer, now=at, **kwargs)


def summary(result):
    return {e.element_id: (e.count, e.median_seconds, e.oldest_seconds) for e in result.elements}


def test_counts_median_and_oldest_wait_per_element(database):
    walks = [Walk.report(database, at=T0 + h * HOUR) for h in (0, 1, 3, 6)]
    walks[3].do("first_response", FIRST_RESPONSE, after=HOUR)  # police referral open from T0+7h
    now = T0 + 10 * HOUR

    result = waits(database, now)
    # first_response: three cases waiting 10, 9 and 7 hours (median 9); police_referral: 3 hours.
    assert summary(result) == {
        "first_response": (3, 9 * 3600.0, 10 * 3600.0),
        "police_referral": (1, 3 * 3600.0, 3 * 3600.0),
    }
    assert [e.element_id for e in result.elements] == ["first_response", "police_referral"]  # most first
    first = result.element("first_response")
    assert first is not None and first.name == "Make the first response"
    assert [c.reference for c in first.cases] == [w.reference for w in walks[:3]]  # longest first
    assert [c.since for c in first.cases] == [T0, T0 + HOUR, T0 + 3 * HOUR]
    assert result.total == 4 and result.element("support") is None


def test_an_even_count_takes_the_middle_two_and_a_case_waits_at_two_elements(database):
    walks = [Walk.report(database, at=T0 + h * HOUR) for h in (0, 2)]
    walks[1].send("complaint", "Nobody called me back")  # a parallel wait: the complaint opens too
    now = T0 + 5 * HOUR

    result = waits(database, now)
    assert summary(result) == {
        "first_response": (2, 4 * 3600.0, 5 * 3600.0),  # 5 and 3 hours: the median is 4
        "complaint_acknowledge": (1, 3 * 3600.0, 3 * 3600.0),
    }
    acknowledge = result.element("complaint_acknowledge")
    assert acknowledge is not None and [c.reference for c in acknowledge.cases] == [walks[1].reference]


def test_closed_cases_completed_tasks_and_other_processes_do_not_count(database):
    closed = Walk.report(database, at=T0)
    closed.through_support(LOW_RISK)
    closed.do("keep_in_contact", {**CONTACT, "next_step": "close"})
    closed.do(
        "close_case",
        {
            "outcome": "resolved",
            "outcome_reason": "No further incidents",
            "legal_actions": [],
            "non_legal_actions": ["warning"],
            "victim_satisfaction": "fairly_satisfied",
        },
    )
    assert closed.case().status == "closed"
    moved_on = Walk.report(database, at=T0)
    moved_on.do("first_response", FIRST_RESPONSE)
    moved_on.do("police_referral", REPORTED)
    with database.session() as session:
        owner = session.query(User).filter_by(username="owner").one()
        processes.deploy(session, noise(), deployed_by="owner", filename="noise.bpmn")
        session.commit()
        noisy = process_models.start_case(
            session, "noise_complaint", {"description": "Drums"}, user=owner, now=T0
        )
    now = T0 + 48 * HOUR

    assert summary(waits(database, now)) == {"risk_assessment": (1, 48 * 3600.0, 48 * 3600.0)}
    other = waits(database, now, "noise_complaint")
    assert summary(other) == {"log_noise": (1, 48 * 3600.0, 48 * 3600.0)}
    assert [c.reference for c in other.elements[0].cases] == [noisy.case_reference]
    assert waits(database, now, "no_such_process").elements == ()


def test_the_list_is_cut_but_the_count_is_not(database):
    for h in range(4):
        Walk.report(database, at=T0 + h * HOUR)
    [element] = waits(database, T0 + 4 * HOUR, listed=2).elements
    assert element.count == 4 and len(element.cases) == 2
    assert [c.since for c in element.cases] == [T0, T0 + HOUR]
    assert element.median_seconds == 2.5 * 3600  # over all four: 4, 3, 2 and 1 hours


def test_a_wait_in_words():
    assert heatmap.describe(30) == "under a minute"
    assert heatmap.describe(25 * 60) == "25 minutes"
    assert heatmap.describe(3600) == "1 hour"
    assert heatmap.describe(3 * 86_400 + 4 * 3600 + 5 * 60) == "3 days 4 hours"
    assert heatmap.describe(2 * 86_400 + 5 * 60) == "2 days"
