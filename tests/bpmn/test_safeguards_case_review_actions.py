"""Issue 14, point 13c: the ASB Case Review's recommendations become tracked actions. Each, with
an owner (a group) and a due date, becomes a task of that group due that day (the diagram's event
subprocess reads both from the recommendation); one not carried out by then goes to the managers
and is counted as a missed deadline. Walked with the workflow saved and reloaded between steps,
the clock moved by sweeps."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

import processes
from casework import case_review_actions, tasks
from casework.case_review_actions import Recommendation
from db.models import Case, Task, User
from tests.bpmn.walk import LOW_RISK, Walk
from tests.conftest import BPMN

LONDON = ZoneInfo("Europe/London")


def recommend(walk: Walk, text: str, owner: str, due_on: date) -> None:
    with walk.database.session() as session:
        case_review_actions.record(
            session, walk.reference, Recommendation(text, owner, due_on), actor="Olivia Officer", now=walk.at
        )


def actions(walk: Walk) -> list[tuple[str, tuple[str, ...], datetime | None, str]]:
    with walk.database.session() as session:
        rows = session.scalars(
            select(Task)
            .join(Case)
            .where(Case.reference == walk.reference, Task.element_id == "case_review_action")
            .order_by(Task.due_at)
        )
        return [(t.title, tuple(t.group_names), t.due_at, t.status) for t in rows]


def test_each_recommendation_is_a_task_of_its_owner_due_that_day_and_escalates_when_missed(database):
    walk = Walk.report(database)
    walk.through_support(LOW_RISK)
    walk.send("case_review", "The victim asked for an ASB Case Review")
    walk.do("case_review_request", {"review_requested_on": "2026-03-02", "council_signposted": True})
    walk.do("case_review_outcome", {"review_outcome": "review_held", "recommendations": "Two actions"})

    recommend(walk, "Install CCTV at the block entrance", "community-safety", date(2026, 3, 16))
    recommend(walk, "Review the tenancy of the perpetrator", "managers", date(2026, 3, 30))
    due_16 = datetime(2026, 3, 16, 17, 0, tzinfo=LONDON)
    due_30 = datetime(2026, 3, 30, 17, 0, tzinfo=LONDON)
    found = actions(walk)
    assert [(groups, due, status) for _, groups, due, status in found] == [
        (("community-safety",), due_16, "open"),
        (("managers",), due_30, "open"),
    ]
    assert any(
        line == "ASB Case Review recommendation for community-safety, due 16 March 2026: "
        "Install CCTV at the block entrance"
        for line in walk.timeline()
    )

    # The community-safety action is done in time; the managers' one is not.
    with database.session() as session:
        first = session.scalars(
            select(Task)
            .join(Case)
            .where(Case.reference == walk.reference, Task.element_id == "case_review_action")
            .where(Task.due_at == due_16)
        ).one()
        first_id = first.id
    with database.session() as session:
        officer = session.scalars(select(User).where(User.username == "officer")).one()
        tasks.complete(
            session,
            first_id,
            {"action_done_on": "2026-03-10", "action_notes": "CCTV installed by the contractor"},
            user=officer,
            now=walk.at + timedelta(days=8),
        )
        session.commit()
    missed = "Deadline missed: ASB Case Review recommendation (escalated to managers)"
    walk.sweep(timedelta(days=28))  # 30 March 09:00: not yet due
    assert missed not in walk.timeline()
    walk.sweep(due_30 - walk.at + timedelta(seconds=1))
    assert walk.timeline().count(missed) == 1
    assert [status for *_, status in actions(walk)] == ["completed", "open"]  # still to do


def test_a_bad_recommendation_is_refused_naming_each_field(database):
    walk = Walk.report(database)
    with pytest.raises(case_review_actions.Invalid) as refused:
        recommend(walk, "", "nobody", date(2026, 3, 1))
    assert set(refused.value.errors) == {"recommendation", "owner", "due_on"}
    assert "Community safety team" in refused.value.errors["owner"]
    assert actions(walk) == []


def test_a_candidate_group_from_data_must_name_one_value(database):
    xml = BPMN.read_text().replace("${recommendation.owner}", "${recommendation owner}")
    with database.session() as session, pytest.raises(processes.InvalidDiagram) as refused:
        processes.deploy(session, xml.encode(), deployed_by="owner")
    assert any(
        "case_review_action" in p.message and "should name one value of the case data" in p.message
        for p in refused.value.problems
    )
