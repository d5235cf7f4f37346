"""The facade end to end on a real database: every step in its own session and transaction,
so the workflow is saved and reloaded between steps."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import select

import processes
from casework import reports, steps, tasks
from casework import timers as due_timers
from db import Database
from db.models import Case, Notification, OutboxMessage, Task, TimelineEvent, Timer, User
from tests.conftest import T0

FIRST_RESPONSE = {
    "contact_made": True,
    "contact_method": "phone",
    "contact_date": "2026-03-02",
    "interview_offered": True,
    "interview_place": "Community centre",
    "reporting_advice": ["police", "true_vision"],
    "response_notes": "Spoke to the victim and agreed a visit.",
}


def open_case(database: Database, at=T0) -> str:
    with database.session() as session:
        result = reports.submit(
            session,
            reports.Report(
                description="Racist abuse shouted at my door", location="1 Elm Road", strands=["race"]
            ),
            now=at,
        )
    return result.case_reference


def user(session, name: str) -> User:
    return session.scalars(select(User).where(User.username == name)).one()


def open_tasks(database: Database, reference: str) -> list[Task]:
    with database.session() as session:
        return list(
            session.scalars(select(Task).join(Case).where(Case.reference == reference, Task.status == "open"))
        )


def complete(database: Database, task_id: str, data: dict, who: str = "officer", at=T0):
    with database.session() as session:
        result = tasks.complete(session, task_id, data, user=user(session, who), now=at)
        session.commit()
        return result


def test_a_report_opens_a_case_with_a_first_response_task_due_24_hours_after_the_report(database):
    reference = open_case(database)
    [task] = open_tasks(database, reference)
    assert task.element_id == "first_response"
    assert task.due_at == T0 + timedelta(hours=24)
    with database.session() as session:
        assert [g.group_name for g in session.get(Task, task.id).candidate_groups] == ["community-safety"]
        timers = session.scalars(select(Timer).order_by(Timer.due_at)).all()
        assert [(t.element_id, t.due_at) for t in timers] == [
            ("response_reminder", T0 + timedelta(hours=22)),
            ("response_deadline", T0 + timedelta(hours=24)),
        ]


def test_completing_the_first_response_makes_the_police_referral_ready(database):
    reference = open_case(database)
    [task] = open_tasks(database, reference)
    result = complete(database, task.id, FIRST_RESPONSE, at=T0 + timedelta(hours=2))
    assert [t.element_id for t in result.open_tasks] == ["police_referral"]
    assert result.open_tasks[0].due_at == T0 + timedelta(hours=2, days=1)
    with database.session() as session:
        done = session.get(Task, task.id)
        assert done.status == "completed" and done.submitted["reporting_advice"] == ["police", "true_vision"]
        assert session.scalars(select(Timer)).all() == []  # the deadline was withdrawn
        events = session.scalars(select(TimelineEvent).order_by(TimelineEvent.id)).all()
        # The answers are stored once, in the task's row: the timeline's line refers to it.
        assert events[2].details == {"task_id": task.id}
        assert done.submitted["response_notes"] == "Spoke to the victim and agreed a visit."
        kinds = [e.kind for e in events]
    assert kinds == ["opened", "task_created", "task_completed", "task_created"]


def test_the_whole_main_path_closes_the_case(database):
    reference = open_case(database)
    steps = [
        ("first_response", FIRST_RESPONSE),
        (
            "police_referral",
            {"police_decision": "reported", "police_reference": "GMP-1", "police_reported_on": "2026-03-02"},
        ),
        (
            "risk_assessment",
            {
                "repeat_victimisation": "first",
                "victim_fear": "somewhat",
                "risk_rationale": "One incident, no threats",
            },
        ),
        ("support", {}),
        (
            "keep_in_contact",
            {
                "contact_date": "2026-03-03",
                "contact_method": "phone",
                "contact_notes": "No further incidents",
                "next_step": "close",
            },
        ),
    ]
    for element, answers in steps:
        [task] = open_tasks(database, reference)
        assert task.element_id == element
        complete(database, task.id, answers)
    [task] = open_tasks(database, reference)
    result = complete(
        database,
        task.id,
        {
            "outcome": "resolved",
            "outcome_reason": "Perpetrator moved out",
            "victim_satisfaction": "fairly_satisfied",
        },
    )
    assert result.case_status == "closed" and result.open_tasks == ()
    with database.session() as session:
        case = session.scalars(select(Case).where(Case.reference == reference)).one()
        assert case.closed_at is not None and case.risk_level == "low"
        assert session.get(Task, task.id).submitted["victim_satisfaction"] == "fairly_satisfied"


def test_invalid_form_data_is_rejected_and_the_case_is_unchanged(database):
    reference = open_case(database)
    [task] = open_tasks(database, reference)
    with database.session() as session:
        before = session.scalars(select(Case)).one()
        state, version = before.workflow_state, before.version
    with pytest.raises(processes.FormInvalid) as err:
        complete(
            database,
            task.id,
            {
                "contact_method": "carrier pigeon",
                "contact_date": "31/02/2026",
                "response_notes": "short",
                "surprise": 1,
            },
        )
    assert set(err.value.errors) == {"contact_method", "contact_date", "response_notes", "surprise"}
    with database.session() as session:
        after = session.scalars(select(Case)).one()
        assert (after.workflow_state, after.version) == (state, version)
        assert session.get(Task, task.id).status == "open"


def test_two_completions_of_one_task_give_one_success_and_one_conflict(database):
    reference = open_case(database)
    [task] = open_tasks(database, reference)
    with database.session() as first, database.session() as second:
        # Both officers have the task open (loaded) before either submits.
        officer, supervisor = user(first, "officer"), user(second, "supervisor")
        processes.get_task(first, task.id).case.workflow_state  # noqa: B018
        processes.get_task(second, task.id).case.workflow_state  # noqa: B018
        tasks.complete(first, task.id, FIRST_RESPONSE, user=officer, now=T0)
        first.commit()
        saved_version = processes.get_task(first, task.id).case.version
        with pytest.raises(processes.Conflict):
            tasks.complete(second, task.id, FIRST_RESPONSE, user=supervisor, now=T0)
        second.rollback()
    with database.session() as session:
        case = session.scalars(select(Case)).one()
        assert case.version == saved_version  # the loser wrote nothing
        assert [t.element_id for t in open_tasks(database, reference)] == ["police_referral"]
        completions = session.scalars(select(TimelineEvent).where(TimelineEvent.kind == "task_completed"))
        assert len(completions.all()) == 1


def test_racing_threads_complete_a_task_exactly_once(database):
    for _ in range(5):
        reference = open_case(database)
        [task] = open_tasks(database, reference)
        barrier = threading.Barrier(2)
        outcomes: list[str] = []

        def attempt(
            who: str, task_id: str = task.id, barrier: threading.Barrier = barrier, outcomes: list = outcomes
        ) -> None:
            with database.session() as session:
                worker = user(session, who)
                processes.get_task(session, task_id)
                barrier.wait()
                try:
                    tasks.complete(session, task_id, FIRST_RESPONSE, user=worker, now=T0)
                    session.commit()
                    outcomes.append("ok")
                except processes.Conflict:
                    outcomes.append("conflict")

        threads = [threading.Thread(target=attempt, args=(w,)) for w in ("officer", "supervisor")]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(outcomes) == ["conflict", "ok"]
        assert [t.element_id for t in open_tasks(database, reference)] == ["police_referral"]


def test_a_task_held_by_someone_else_cannot_be_claimed_or_completed(database):
    reference = open_case(database)
    [task] = open_tasks(database, reference)
    with database.session() as session:
        tasks.claim(session, task.id, user(session, "officer"), now=T0)
        session.commit()
    with database.session() as session, pytest.raises(processes.Conflict, match="held by Olivia"):
        tasks.claim(session, task.id, user(session, "supervisor"), now=T0)
    with pytest.raises(processes.Conflict):
        complete(database, task.id, FIRST_RESPONSE, who="supervisor")


def test_someone_outside_the_candidate_groups_may_not_work_the_task(database):
    reference = open_case(database)
    [task] = open_tasks(database, reference)
    with database.session() as session, pytest.raises(processes.NotAllowed):
        tasks.claim(session, task.id, user(session, "manager"), now=T0)


def test_the_24_hour_deadline_escalates_to_the_supervisors(database):
    reference = open_case(database)
    early = due_timers.sweep(database.sessions, T0 + timedelta(hours=23, minutes=59))
    assert early.fired == 1  # only the reminder
    assert [t.element_id for t in open_tasks(database, reference)] == ["first_response"]

    result = due_timers.sweep(database.sessions, T0 + timedelta(hours=24, seconds=1))
    assert (result.cases, result.fired, result.conflicts, result.failures) == (1, 1, 0, 0)
    [escalation] = open_tasks(database, reference)
    assert escalation.element_id == "overdue_response"
    with database.session() as session:
        assert [g.group_name for g in session.get(Task, escalation.id).candidate_groups] == ["supervisors"]
        first = session.scalars(select(Task).where(Task.element_id == "first_response")).one()
        assert first.status == "cancelled"
        summaries = [e.summary for e in session.scalars(select(TimelineEvent).order_by(TimelineEvent.id))]
        assert any(s.startswith("Deadline passed: 24 hours since the report") for s in summaries)
        note = session.scalars(select(Notification).where(Notification.group_name == "supervisors")).one()
        assert reference in note.message
        emails = session.scalars(select(OutboxMessage).where(OutboxMessage.subject.contains("24 hours")))
        assert sorted(m.recipient for m in emails) == ["supervisor@example.org"]
    # The supervisors' task has its own 4-hour deadline: missed, it goes up to the managers, once.
    assert due_timers.sweep(database.sessions, T0 + timedelta(hours=48)).fired == 1
    with database.session() as session:
        assert session.scalars(select(Notification).where(Notification.group_name == "managers")).all()
    assert due_timers.sweep(database.sessions, T0 + timedelta(hours=72)).fired == 0
    result = complete(
        database,
        escalation.id,
        {
            "contact_date": "2026-03-03",
            "breach_reason": "Off sick",
            "response_notes": "Called the victim, visit booked",
        },
        who="supervisor",
        at=T0 + timedelta(hours=26),
    )
    assert [t.element_id for t in result.open_tasks] == ["police_referral"]


def test_the_deadline_counts_from_the_report_time_not_when_the_case_was_keyed(database):
    reported = T0 - timedelta(hours=20)
    reference = open_case(database, at=reported)
    [task] = open_tasks(database, reference)
    assert task.due_at == reported + timedelta(hours=24)
    assert due_timers.sweep(database.sessions, T0 + timedelta(hours=4, seconds=1)).fired == 2


def test_another_incident_is_delivered_into_the_running_case(database):
    reference = open_case(database)
    with database.session() as session:
        case = session.scalars(select(Case)).one()
        result = processes.deliver_message(
            steps.uncommitted(session, now=T0),
            case,
            "further_incident",
            {"text": "Eggs thrown"},
            actor="Olivia Officer",
            now=T0 + timedelta(hours=1),
        )
        session.commit()
    assert sorted(t.element_id for t in result.open_tasks) == ["first_response", "reassess_risk"]
    with database.session() as session:
        assert session.scalars(select(Case)).one().reference == reference
        assert len(session.scalars(select(Case)).all()) == 1  # no new case opened


def test_a_message_the_case_does_not_wait_for_is_a_conflict(database):
    open_case(database)
    with database.session() as session:
        case = session.scalars(select(Case)).one()
        with pytest.raises(processes.Conflict, match="not waiting"):
            processes.deliver_message(
                steps.uncommitted(session, now=T0), case, "no_such_message", {}, actor="x", now=T0
            )


def test_two_hours_before_the_deadline_the_officer_holding_the_task_is_reminded(database):
    reference = open_case(database)
    [task] = open_tasks(database, reference)
    with database.session() as session:
        tasks.claim(session, task.id, user(session, "officer"), now=T0)
        session.commit()
    assert due_timers.sweep(database.sessions, T0 + timedelta(hours=22, seconds=1)).fired == 1
    with database.session() as session:
        note = session.scalars(select(Notification)).one()
        assert note.user_id == user(session, "officer").id and "within 2 hours" in note.message
        email = session.scalars(select(OutboxMessage)).one()
        assert email.recipient == "officer@example.org" and email.delivered_at is None
    # The reminder does not touch the task: still open, still held, same deadline.
    [still] = open_tasks(database, reference)
    assert (still.id, still.assignee_id is not None, still.due_at) == (
        task.id,
        True,
        T0 + timedelta(hours=24),
    )


def test_a_spec_copy_is_reused_only_while_no_event_subprocess_changed_it(database):
    from processes import specs
    from tests.bpmn.walk import FIRST_RESPONSE, Walk

    specs._spares.clear()
    walk = Walk.report(database)
    spares = specs._spares
    assert sum(map(len, spares.values())) == 1  # the opening step gave its copy back
    walk.do("first_response", FIRST_RESPONSE)
    assert sum(map(len, spares.values())) == 1  # taken for the step, given back after it
    walk.send("complaint", "Nobody called me back")  # connects the complaint subprocess
    assert sum(map(len, spares.values())) == 0  # that copy is changed: dropped, not reused
    other = Walk.report(database)  # a new case runs on a fresh copy, without the complaint
    assert other.open_elements() == ["first_response"]
    assert "complaint_acknowledge" in walk.open_elements()
