"""Driving a case through its diagram step by step. Every step runs in its own session and
transaction, so the workflow is saved and reloaded from the database between steps."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

import processes
from casework import case_events, reports, tasks
from casework import timers as due_timers
from casework.people import hash_password
from db import Database
from db.models import Case, Group, Notification, Referral, Task, TimelineEvent, User
from tests.conftest import T0

FIRST_RESPONSE = {
    "contact_made": True,
    "contact_method": "phone",
    "contact_date": "2026-03-02",
    "response_notes": "Spoke to the victim, visit booked.",
    "reporting_advice": ["police"],
}
REPORTED = {"police_decision": "reported", "police_reference": "GMP-123", "police_reported_on": "2026-03-02"}
LOW_RISK = {
    "repeat_victimisation": "first",
    "victim_fear": "not_afraid",
    "risk_rationale": "A single incident",
}
HIGH_RISK = {
    "repeat_victimisation": "several",
    "violence": True,
    "victim_fear": "very",
    "risk_rationale": "Repeated threats of violence",
}  # 4 + 4 + 3 = 11: high
CONTACT = {
    "contact_date": "2026-03-05",
    "contact_method": "home_visit",
    "contact_notes": "Visited; no new incidents",
}


class Walk:
    def __init__(self, database: Database, reference: str, at: datetime = T0) -> None:
        self.database, self.reference, self.at = database, reference, at

    @classmethod
    def report(cls, database: Database, at: datetime = T0, **fields: Any) -> Walk:
        report = reports.Report(
            **{
                "description": "Racist abuse shouted at my door",
                "location": "1 Elm Road",
                "strands": ["race"],
                **fields,
            }
        )
        with database.session() as session:
            result = reports.submit(session, report, now=at)
        return cls(database, result.case_reference, at)

    def open_elements(self) -> list[str]:
        with self.database.session() as session:
            return sorted(
                session.scalars(
                    select(Task.element_id)
                    .join(Case)
                    .where(Case.reference == self.reference, Task.status == "open")
                )
            )

    def task_id(self, element: str) -> str:
        with self.database.session() as session:
            return session.scalars(
                select(Task.id)
                .join(Case)
                .where(Case.reference == self.reference, Task.status == "open", Task.element_id == element)
            ).one()

    def do(
        self, element: str, answers: dict[str, Any], who: str = "officer", after: timedelta = timedelta(0)
    ):
        self.at += after
        with self.database.session() as session:
            user = session.scalars(select(User).where(User.username == who)).one()
            result = tasks.complete(session, self.task_id(element), answers, user=user, now=self.at)
            session.commit()
            return result

    def fails(self, element: str, answers: dict[str, Any], who: str = "officer") -> dict[str, str]:
        try:
            self.do(element, answers, who)
        except processes.FormInvalid as err:
            return err.errors
        raise AssertionError("the answers were accepted")

    def sweep(self, after: timedelta) -> int:
        return due_timers.sweep(self.database.sessions, self.at + after).fired

    def send(self, what: str, details: str = "Eggs thrown at the window") -> None:
        with self.database.session() as session:
            case_events.send(session, self.reference, what, details, actor="Olivia Officer", now=self.at)

    def complain(
        self, details: str, complainant: str = "victim", about: tuple[str, ...] = ("delay",)
    ) -> None:
        with self.database.session() as session:
            case_events.complain(
                session,
                self.reference,
                details,
                complainant=complainant,
                complainant_name="Ann Example",
                about=list(about),
                actor="Olivia Officer",
                now=self.at,
            )

    def case(self) -> Case:
        with self.database.session() as session:
            return session.scalars(select(Case).where(Case.reference == self.reference)).one()

    def timeline(self) -> list[str]:
        with self.database.session() as session:
            return list(
                session.scalars(
                    select(TimelineEvent.summary)
                    .join(Case)
                    .where(Case.reference == self.reference)
                    .order_by(TimelineEvent.id)
                )
            )

    def referrals(self) -> list[Referral]:
        with self.database.session() as session:
            return list(
                session.scalars(
                    select(Referral)
                    .join(Case, Case.id == Referral.case_id)
                    .where(Case.reference == self.reference)
                    .order_by(Referral.id)
                )
            )

    def notifications(self) -> list[tuple[str | None, str]]:
        with self.database.session() as session:
            return [
                (n.group_name, n.message)
                for n in session.scalars(
                    select(Notification)
                    .join(Case, Case.id == Notification.case_id)
                    .where(Case.reference == self.reference)
                    .order_by(Notification.id)
                )
            ]

    def through_support(self, risk: dict[str, Any] = LOW_RISK) -> None:
        """First response, police referral, risk assessment and support: to the contact loop."""
        self.do("first_response", FIRST_RESPONSE)
        self.do("police_referral", REPORTED)
        self.do("risk_assessment", risk)
        self.do("support", {})
        assert self.open_elements() == ["keep_in_contact"]


def second_supervisor(database) -> None:
    with database.session() as session:
        user = User(
            username="supervisor2",
            display_name="Sol Supervisor",
            password_hash=hash_password("demo-password-2"),
            role="supervisor",
        )
        user.groups = list(
            session.scalars(select(Group).where(Group.name.in_(["supervisors", "community-safety"])))
        )
        session.add(user)
        session.commit()
