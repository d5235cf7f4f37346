"""A team's leader hears of an escalation of one of the team's cases (in the app and by email),
besides the supervisors' group; a team without a leader changes nothing."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from casework import steps, supervision, teams
from db.models import Group, Notification, OutboxMessage, User
from tests.bpmn.walk import Walk
from tests.conftest import T0

LATER = T0 + timedelta(days=1)


def test_the_team_leader_is_told_of_an_escalation(database, session):
    walk = Walk.report(database)
    officer = session.scalars(select(User).where(User.username == "officer")).one()
    manager = session.scalars(select(User).where(User.username == "manager")).one()
    safety = session.scalars(select(Group).where(Group.name == "community-safety")).one()
    with steps.unit_of_work(session, now=T0, user=manager) as step:
        teams.change(step, safety.id, safety.label, "officer", by=manager)
    supervision.escalate(session, walk.reference, "A second attack tonight.", user=manager, now=LATER)
    told = session.scalars(select(Notification).where(Notification.user_id == officer.id)).all()
    assert len(told) == 1 and "escalated by Maya Manager" in told[0].message
    mail = session.scalars(
        select(OutboxMessage).where(OutboxMessage.recipient == "officer@example.org")
    ).all()
    assert len(mail) == 1 and "A second attack" not in mail[0].body


def test_without_a_leader_only_the_supervisors_are_told(database, session):
    walk = Walk.report(database)
    manager = session.scalars(select(User).where(User.username == "manager")).one()
    supervision.escalate(session, walk.reference, "A second attack tonight.", user=manager, now=LATER)
    assert session.scalars(select(Notification).where(Notification.user_id.is_not(None))).all() == []
