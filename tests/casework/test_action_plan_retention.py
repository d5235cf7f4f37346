"""Actions and letters as data protection sees them: a subject access export holds the action
plan (other people's names redacted); at the end of retention the action plan's rows and the
letters (with their PDFs) are deleted, and their timeline lines keep only the system's words."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from casework import actions, letters, subject_access
from db import Database
from db.models import CaseAction, CaseDocument, TimelineEvent
from tests.casework.test_retention import EXPIRED, drive_to_close, report, run
from tests.casework.test_subject_access import ACTOR, LATER
from tests.conftest import T0
from tests.consent_cases import party, report_case, user


def test_actions_and_letters_are_removed_with_the_personal_data(database: Database) -> None:
    walk = report(database, T0)
    with database.session() as session:
        officer = user(session, "officer")
        actions.add(
            session,
            walk.reference,
            description="Visit Amina Khan at 14 Elm Road",
            owner_id=officer.id,
            due_on=(T0 + timedelta(days=1)).date(),
            user=officer,
            now=T0 + timedelta(hours=1),
        )
        letters.save(
            session,
            walk.reference,
            template="acknowledgement",
            title="Your report",
            text="Dear Amina Khan,\n\nThank you.",
            user=officer,
            now=T0 + timedelta(hours=1),
        )
    drive_to_close(walk, T0 + timedelta(days=5))
    with database.session() as session:
        assert session.scalars(select(CaseAction)).all() != []
    assert run(database, EXPIRED) == 1
    with database.session() as session:
        assert session.scalars(select(CaseAction)).all() == []
        assert session.scalars(select(CaseDocument)).all() == []
        lines = session.scalars(
            select(TimelineEvent.summary).where(TimelineEvent.kind.in_(["action_added", "letter_written"]))
        ).all()
    assert "Action added to the action plan" in lines and "Letter written" in lines
    assert not any("Amina" in line for line in lines)


def test_a_subject_access_export_holds_the_action_plan_with_others_redacted(database: Database) -> None:
    reference = report_case(database)
    with database.session() as session:
        officer = user(session, "officer")
        actions.add(
            session,
            reference,
            description="Give Amira Khan a door camera; warn Carl Price",
            owner_id=officer.id,
            due_on=(T0 + timedelta(days=2)).date(),
            agreed_with_victim=True,
            user=officer,
            now=T0 + timedelta(hours=1),
        )
        data = subject_access.export(
            session,
            [f"party:{party(database, reference, 'victim')}"],
            viewer=user(session, "manager"),
            actor=ACTOR,
            now=LATER,
            format="json",
        )
    assert data["cases"][0]["action_plan"] == [
        {
            "action": "Give Amira Khan a door camera; warn [alleged perpetrator]",
            "due_on": "2026-03-04",
            "status": "open",
            "agreed_with_victim": True,
        }
    ]
