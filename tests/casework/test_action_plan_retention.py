"""Actions and letters go with a case's personal data at the end of retention: the action plan's
rows and the letters (with their PDFs) are deleted, and their timeline lines keep only the
system's words."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from casework import actions, letters
from db import Database
from db.models import CaseAction, CaseDocument, TimelineEvent
from tests.casework.test_retention import EXPIRED, drive_to_close, report, run
from tests.conftest import T0
from tests.consent_cases import user


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
