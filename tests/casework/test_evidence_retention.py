"""Retention removes a closed case's notes, contact outcomes and evidence with its files in the
store, once the period after closure has passed; a case inside the period keeps them."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select

from casework import contacts, evidence, evidence_store, notes, retention
from casework.audit import Actor
from db import Database
from db.models import CaseNote, ContactRecord, Evidence, TimelineEvent
from tests.bpmn.walk import Walk
from tests.casework.test_retention import RETENTION, drive_to_close
from tests.conftest import T0
from tests.consent_cases import user
from tests.evidence_files import photo

DAY = timedelta(days=1)


def _add_everything(walk: Walk, store: evidence_store.FsspecStore, picture: bytes) -> None:
    with walk.database.session() as session:
        officer = user(session, "officer")
        notes.add(
            session, walk.reference, "Amina's neighbour saw Peter at the door", user=officer, now=walk.at
        )
        contacts.record(
            session,
            walk.reference,
            contacts.ContactInput(
                method="phone", outcome="Amina is moving to her sister's", with_whom="Amina"
            ),
            user=officer,
            now=walk.at,
        )
        evidence.add(
            session,
            walk.reference,
            evidence.Upload("door.jpg", picture, "Eggs on Amina's door", "2026-03-01"),
            store=store,
            limits=evidence.Limits(10 * 1024 * 1024),
            user=officer,
            actor=Actor("officer", "officer", None),
            now=walk.at,
        )


def _count(database: Database, model: type) -> int:
    with database.session() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def _case(database: Database, store: evidence_store.FsspecStore, at: datetime, picture: bytes) -> Walk:
    walk = Walk.report(database, at=at)
    walk.at += DAY
    _add_everything(walk, store, picture)
    drive_to_close(walk, walk.at + 3 * DAY)
    return walk


def test_retention_removes_notes_contacts_and_evidence_files(database: Database, tmp_path: Path):
    store = evidence_store.open_store((tmp_path / "evidence").as_uri())
    old = _case(database, store, T0, photo(colour=(10, 10, 10)))
    recent = _case(database, store, T0 + 200 * DAY, photo(colour=(200, 200, 200)))
    files = sorted(
        p.relative_to(tmp_path / "evidence") for p in (tmp_path / "evidence").rglob("*") if p.is_file()
    )
    assert len(files) == 4  # two photos, two thumbnails
    with database.session() as session:
        kept = {e.storage_key: e.case_id for e in session.scalars(select(Evidence))}
    expired = T0 + 10 * DAY + RETENTION
    with database.session() as session:
        assert retention.anonymise_expired(session, now=expired, retention=RETENTION, store=store) == 1
    old_id, recent_id = old.case().id, recent.case().id
    for key, case_id in kept.items():
        assert store.exists(key) is (case_id == recent_id)
        assert store.exists(key + ".thumb.jpg") is (case_id == recent_id)
    assert _count(database, Evidence) == 1 and _count(database, CaseNote) == 1
    with database.session() as session:
        contact = session.scalars(select(ContactRecord).where(ContactRecord.case_id == old_id)).one()
        assert (contact.method, contact.with_whom, contact.outcome) == ("phone", None, retention.MARKER)
        lines = list(session.scalars(select(TimelineEvent.summary).where(TimelineEvent.case_id == old_id)))
    assert "Note added" in lines and "Evidence added" in lines and "Contact with the victim" in lines
    assert not any("Amina" in line or "Peter" in line for line in lines)
