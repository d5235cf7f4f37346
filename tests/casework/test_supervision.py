"""Supervisors' actions on real cases of the real diagram: reassigning one task or all of an
officer's tasks, escalating at once, and quality reviews; each refusal; the timeline entries and
the supervisors' notification."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

import processes
from casework import people, supervision, tasks
from casework.casefile import CaseNotFound
from db.models import Case, CaseReview, Group, Notification, OutboxMessage, Task, TimelineEvent, User
from tests.bpmn.walk import FIRST_RESPONSE, Walk
from tests.conftest import T0

LATER = T0 + timedelta(hours=1)


@pytest.fixture
def olu(session):
    """A second community-safety officer to give tasks to."""
    group = session.scalars(select(Group).where(Group.name == "community-safety")).one()
    user = User(
        username="olu",
        display_name="Olu Officer",
        role="officer",
        email="olu@example.org",
        password_hash=people.hash_password("demo"),
        groups=[group],
    )
    session.add(user)
    session.commit()
    return user


def user(session, username: str) -> User:
    return session.scalars(select(User).where(User.username == username)).one()


def claim(session, walk: Walk, element: str, username: str) -> str:
    task_id = walk.task_id(element)
    tasks.claim(session, task_id, user(session, username), now=T0)
    return task_id


def events(session, reference: str, kind: str) -> list[TimelineEvent]:
    return list(
        session.scalars(
            select(TimelineEvent)
            .join(Case)
            .where(Case.reference == reference, TimelineEvent.kind == kind)
            .order_by(TimelineEvent.id)
        )
    )


def holder(session, task_id: str) -> str | None:
    session.expire_all()
    task = session.get(Task, task_id)
    return task.assignee.username if task.assignee else None


# Reassigning one task


def test_a_supervisor_gives_a_taken_task_to_another_officer(database, session, olu):
    walk = Walk.report(database)
    task_id = claim(session, walk, "first_response", "officer")
    version = walk.case().version

    view = supervision.reassign_task(session, task_id, "olu", user=user(session, "supervisor"), now=LATER)

    assert view.assignee == "olu" and holder(session, task_id) == "olu"
    [event] = events(session, walk.reference, "task_reassigned")
    assert (event.actor, event.at) == ("Sam Supervisor", LATER)
    assert "from Olivia Officer to Olu Officer" in event.summary
    assert event.details == {"task_id": task_id, "from": "officer", "to": "olu"}
    assert walk.case().version == version + 1  # the case's version moves on: racing steps conflict
    mine = session.scalars(select(Notification).where(Notification.user_id == olu.id)).one()
    assert "Sam Supervisor gave you the task" in mine.message
    # the new holder works it as if they had claimed it
    tasks.complete(session, task_id, FIRST_RESPONSE, olu, now=LATER)
    assert walk.open_elements() == ["police_referral"]


def test_an_untaken_task_can_be_given_too_and_managers_and_admins_may(database, session, olu):
    walk = Walk.report(database)
    task_id = walk.task_id("first_response")
    supervision.reassign_task(session, task_id, "officer", user=user(session, "manager"), now=LATER)
    assert holder(session, task_id) == "officer"
    supervision.reassign_task(session, task_id, "olu", user=user(session, "admin"), now=LATER)
    assert holder(session, task_id) == "olu"
    summaries = [e.summary for e in events(session, walk.reference, "task_reassigned")]
    assert "from nobody (it was not taken) to Olivia Officer" in summaries[0]
    assert "Ada Admin reassigned" in summaries[1] and "from Olivia Officer to Olu Officer" in summaries[1]


def test_officers_may_not_reassign(database, session, olu):
    walk = Walk.report(database)
    task_id = claim(session, walk, "first_response", "officer")
    with pytest.raises(supervision.NotPermitted):
        supervision.reassign_task(session, task_id, "olu", user=user(session, "officer"), now=LATER)
    assert holder(session, task_id) == "officer"


@pytest.mark.parametrize(
    ("to", "message"),
    [
        ("nobody", "There is no active user called 'nobody'."),
        ("manager", "Maya Manager is not in the team this task is offered to (Community safety team)."),
        ("officer", "Olivia Officer already holds this task."),
    ],
)
def test_only_an_active_member_of_the_task_s_groups_can_take_it(database, session, olu, to, message):
    walk = Walk.report(database)
    task_id = claim(session, walk, "first_response", "officer")
    with pytest.raises(supervision.Invalid) as refused:
        supervision.reassign_task(session, task_id, to, user=user(session, "supervisor"), now=LATER)
    assert refused.value.errors == {"to": message}
    assert holder(session, task_id) == "officer"
    assert events(session, walk.reference, "task_reassigned") == []


def test_an_inactive_officer_cannot_take_a_task(database, session, olu):
    walk = Walk.report(database)
    olu.active = False
    session.commit()
    with pytest.raises(supervision.UnknownOfficer):
        supervision.reassign_task(
            session, walk.task_id("first_response"), "olu", user=user(session, "supervisor"), now=LATER
        )


def test_an_unknown_task_is_not_found(session, olu):
    with pytest.raises(processes.TaskNotFound):
        supervision.reassign_task(session, "no-such-task", "olu", user=user(session, "supervisor"), now=LATER)


def test_a_task_completed_meanwhile_is_a_clear_conflict(database, session, olu):
    walk = Walk.report(database)
    task_id = walk.task_id("first_response")
    walk.do("first_response", FIRST_RESPONSE)
    with pytest.raises(processes.Conflict, match=r"no longer open \(it was completed\)"):
        supervision.reassign_task(session, task_id, "olu", user=user(session, "supervisor"), now=LATER)


def test_a_case_changed_since_it_was_seen_is_a_conflict(database, session, olu):
    walk = Walk.report(database)
    task_id = walk.task_id("first_response")
    seen = walk.case().version
    walk.send("incident")  # the case moves on
    with pytest.raises(processes.Conflict, match="changed since you opened it"):
        supervision.reassign_task(
            session,
            task_id,
            "olu",
            user=user(session, "supervisor"),
            now=LATER,
            expected_case_version=seen,
        )
    assert holder(session, task_id) is None


def test_a_completion_racing_with_the_reassignment_wins_and_the_reassignment_conflicts(
    database, session, olu
):
    walk = Walk.report(database)
    task_id = walk.task_id("first_response")
    supervisor = user(session, "supervisor")
    seen = processes.get_task(session, task_id)  # this session has read the task, open
    assert seen.status == "open"
    with database.session() as other:  # ... and meanwhile, someone completes it
        tasks.complete(other, task_id, FIRST_RESPONSE, user(other, "officer"), now=T0)
    with pytest.raises(processes.Conflict, match="changed by someone else"):
        supervision.reassign_task(session, task_id, "olu", user=supervisor, now=LATER)
    assert holder(session, task_id) == "officer"
    assert events(session, walk.reference, "task_reassigned") == []


# Reassigning all of an officer's tasks


def test_all_of_an_officer_s_open_tasks_move_in_one_action(database, session, olu):
    walks = [Walk.report(database), Walk.report(database, location="2 Oak Road")]
    ids = [claim(session, walk, "first_response", "officer") for walk in walks]

    result = supervision.reassign_all(session, "officer", "olu", user=user(session, "supervisor"), now=LATER)

    assert result.count == 2 and result.skipped == []
    assert (result.from_name, result.to_name) == ("Olivia Officer", "Olu Officer")
    assert [holder(session, i) for i in ids] == ["olu", "olu"]
    for walk in walks:
        [event] = events(session, walk.reference, "task_reassigned")
        assert event.actor == "Sam Supervisor" and "from Olivia Officer to Olu Officer" in event.summary


def test_a_task_the_new_holder_may_not_work_stays_and_is_named(database, session, olu):
    walk = Walk.report(database)
    walk.send("complaint", "Nobody called me back")
    first = claim(session, walk, "first_response", "supervisor")
    complaint = claim(session, walk, "complaint_acknowledge", "supervisor")

    result = supervision.reassign_all(
        session, "supervisor", "officer", user=user(session, "manager"), now=LATER
    )

    assert [t.id for t in result.reassigned] == [first]
    [skipped] = result.skipped
    assert (skipped.task_id, skipped.case_reference) == (complaint, walk.reference)
    assert "not in the team this task is offered to (Supervisors and team leaders)" in skipped.reason
    assert holder(session, first) == "officer" and holder(session, complaint) == "supervisor"


def test_an_officer_who_left_can_still_have_their_tasks_moved(database, session, olu):
    walk = Walk.report(database)
    task_id = claim(session, walk, "first_response", "officer")
    user(session, "officer").active = False
    session.commit()
    result = supervision.reassign_all(session, "officer", "olu", user=user(session, "supervisor"), now=LATER)
    assert result.count == 1 and holder(session, task_id) == "olu"


def test_nothing_to_move_is_a_count_of_nought(session, olu):
    result = supervision.reassign_all(session, "officer", "olu", user=user(session, "supervisor"), now=LATER)
    assert (result.count, result.skipped) == (0, [])


@pytest.mark.parametrize(
    ("source", "to", "errors"),
    [
        ("ghost", "olu", {"from": "There is no user called 'ghost'."}),
        ("officer", "ghost", {"to": "There is no active user called 'ghost'."}),
        ("officer", "", {"to": "Choose an officer."}),
        ("officer", "officer", {"to": "Choose someone other than the officer whose tasks are moving."}),
    ],
)
def test_reassigning_all_refuses_bad_names(database, session, olu, source, to, errors):
    walk = Walk.report(database)
    task_id = claim(session, walk, "first_response", "officer")
    with pytest.raises(supervision.Invalid) as refused:
        supervision.reassign_all(session, source, to, user=user(session, "supervisor"), now=LATER)
    assert refused.value.errors == errors
    assert holder(session, task_id) == "officer"


def test_officers_may_not_reassign_all(session, olu):
    with pytest.raises(supervision.NotPermitted):
        supervision.reassign_all(session, "supervisor", "olu", user=user(session, "officer"), now=LATER)


# Escalating now


def test_escalating_notifies_the_supervisors_and_puts_the_reason_on_the_timeline(database, session):
    walk = Walk.report(database)
    reason = "Victim reports a second attack tonight; needs a senior decision."

    result = supervision.escalate(
        session, walk.reference, f"  {reason} ", user=user(session, "manager"), now=LATER
    )

    assert (result.case_reference, result.reason, result.group, result.at) == (
        walk.reference,
        reason,
        "supervisors",
        LATER,
    )
    [event] = events(session, walk.reference, "escalated")
    assert (event.actor, event.at) == ("Maya Manager", LATER)
    assert event.summary.endswith(f": {reason}") and event.details == {
        "reason": reason,
        "group": "supervisors",
    }
    [(group, message)] = walk.notifications()
    assert group == "supervisors" and "escalated by Maya Manager" in message
    # the same handler the diagram uses: the group's members also get an email, without the reason
    emails = session.scalars(
        select(OutboxMessage).where(OutboxMessage.recipient == "supervisor@example.org")
    ).all()
    assert len(emails) == 1 and reason not in emails[0].body and reason not in emails[0].subject
    assert any(s.startswith("Notified supervisors") for s in walk.timeline())
    # the supervisor sees it among their notifications
    from casework import notifications

    page = notifications.notifications(session, user(session, "supervisor"))
    assert any(walk.reference in n.message for n in page.items)


@pytest.mark.parametrize("reason", ["", "    ", "abcd", "x" * 1001, None])
def test_an_escalation_needs_a_reason_of_5_to_1000_characters(database, session, reason):
    walk = Walk.report(database)
    with pytest.raises(supervision.Invalid) as refused:
        supervision.escalate(session, walk.reference, reason, user=user(session, "supervisor"), now=LATER)
    assert list(refused.value.errors) == ["reason"]
    assert walk.notifications() == [] and events(session, walk.reference, "escalated") == []


def test_escalating_needs_the_role_an_existing_case_and_an_open_one(database, session):
    walk = Walk.report(database)
    with pytest.raises(supervision.NotPermitted):
        supervision.escalate(
            session, walk.reference, "Please look at this", user=user(session, "officer"), now=LATER
        )
    with pytest.raises(CaseNotFound):
        supervision.escalate(
            session, "HC-NOPE", "Please look at this", user=user(session, "supervisor"), now=LATER
        )
    case = session.scalars(select(Case).where(Case.reference == walk.reference)).one()
    case.status = "closed"
    session.commit()
    with pytest.raises(processes.Conflict, match="closed"):
        supervision.escalate(
            session, walk.reference, "Please look at this", user=user(session, "supervisor"), now=LATER
        )
    assert walk.notifications() == []


# Quality reviews


def test_a_review_is_stored_listed_newest_first_and_on_the_timeline(database, session):
    walk = Walk.report(database)
    supervisor = user(session, "supervisor")
    first = supervision.review_case(
        session, walk.reference, 3, "Contact was late.", user=supervisor, now=LATER
    )
    second = supervision.review_case(
        session,
        walk.reference,
        5,
        "  Much better after the visit.  ",
        user=user(session, "admin"),
        now=LATER + timedelta(days=1),
    )

    assert (second.score, second.comments, second.reviewer, second.reviewer_name) == (
        5,
        "Much better after the visit.",
        "admin",
        "Ada Admin",
    )
    assert [r.id for r in supervision.case_reviews(session, walk.reference)] == [second.id, first.id]
    row = session.get(CaseReview, first.id)
    assert (row.score, row.comments, row.reviewer_id, row.created_at) == (
        3,
        "Contact was late.",
        supervisor.id,
        LATER,
    )
    summaries = [e.summary for e in events(session, walk.reference, "quality_review")]
    assert summaries == [
        "Quality review by Sam Supervisor: 3 out of 5. Contact was late.",
        "Quality review by Ada Admin: 5 out of 5. Much better after the visit.",
    ]


@pytest.mark.parametrize(
    ("score", "comments", "fields"),
    [
        (0, "Fine", ["score"]),
        (6, "Fine", ["score"]),
        (None, "Fine", ["score"]),
        (True, "Fine", ["score"]),
        (3, "", ["comments"]),
        (3, "   ", ["comments"]),
        (3, None, ["comments"]),
        (3, "x" * 5001, ["comments"]),
        (0, "", ["score", "comments"]),
    ],
)
def test_a_review_needs_a_score_from_1_to_5_and_comments(database, session, score, comments, fields):
    walk = Walk.report(database)
    with pytest.raises(supervision.Invalid) as refused:
        supervision.review_case(
            session, walk.reference, score, comments, user=user(session, "supervisor"), now=LATER
        )
    assert list(refused.value.errors) == fields
    assert supervision.case_reviews(session, walk.reference) == []


def test_reviews_need_the_role_and_an_existing_case(database, session):
    walk = Walk.report(database)
    with pytest.raises(supervision.NotPermitted):
        supervision.review_case(session, walk.reference, 4, "Good", user=user(session, "officer"), now=LATER)
    with pytest.raises(supervision.NotPermitted):
        supervision.review_case(session, walk.reference, 4, "Good", user=user(session, "owner"), now=LATER)
    with pytest.raises(CaseNotFound):
        supervision.review_case(session, "HC-NOPE", 4, "Good", user=user(session, "supervisor"), now=LATER)
    assert session.scalars(select(CaseReview)).all() == []


def test_the_choices_offered_on_the_forms(database, session, olu):
    walk = Walk.report(database)
    claim(session, walk, "first_response", "officer")
    assert supervision.eligible_officers(session, ("community-safety",)) == [
        ("officer", "Olivia Officer"),
        ("olu", "Olu Officer"),
        ("supervisor", "Sam Supervisor"),
    ]
    assert supervision.task_holders(session) == [("officer", "Olivia Officer", 1)]
    assert [u for u, _ in supervision.active_officers(session)] == [
        "admin",
        "intake",
        "manager",
        "officer",
        "olu",
        "owner",
        "supervisor",
    ]
