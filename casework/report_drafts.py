"""The public report's drafts: the answers given so far on its question pages, kept on the
server under a random key that only the reporter's cookie holds (the table keeps its SHA-256).

A draft lives ``LIFETIME`` after its last change, then it is deleted (on the next look at it,
and with every other expired draft whenever a new one starts). Sending claims the draft first,
in one conditional update, so a double click or a page sent again makes one report: the second
request finds it being sent or sent and is shown the same outcome. Once sent, the answers and
files are deleted at once; the outcome (reference and tracking code, to be shown once) stays
until the next page has shown it, or the draft expires. Each change is a unit of work of its
own (``steps.unit_of_work``), so it is committed once, or not at all.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from casework import public_uploads, steps
from db.models import ReportDraft, ReportDraftFile

LIFETIME = timedelta(hours=2)
LIFETIME_HOURS = 2
# A send that died half-way (a killed worker) frees its draft again after this long.
STALE_SENDING = timedelta(minutes=2)


@dataclass(frozen=True)
class Kept:
    id: int
    filename: str
    size: int


def _id(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def start(session: Session, now: datetime) -> str:
    """A new, empty draft; its key (for the reporter's cookie only). Expired drafts go first."""
    key = secrets.token_urlsafe(32)
    with steps.unit_of_work(session, now=now):
        session.execute(delete(ReportDraft).where(ReportDraft.expires_at <= now))
        session.add(
            ReportDraft(id=_id(key), answers={}, state="open", updated_at=now, expires_at=now + LIFETIME)
        )
    return key


def load(session: Session, key: str | None, now: datetime) -> ReportDraft | None:
    """The draft with ``key``; None when there is none or it has expired (it is then deleted)."""
    if not key:
        return None
    draft = session.get(ReportDraft, _id(key))
    if draft is None:
        return None
    if draft.expires_at <= now:
        with steps.unit_of_work(session, now=now):
            session.delete(draft)
        return None
    return draft


def save(session: Session, draft: ReportDraft, answers: dict[str, Any], now: datetime) -> None:
    """Keep ``answers`` (a page's, over the earlier ones) and give the draft its full life again."""
    with steps.unit_of_work(session, now=now):
        _touch(draft, answers, now)


def _touch(draft: ReportDraft, answers: dict[str, Any], now: datetime) -> None:
    draft.answers = {**draft.answers, **answers}
    draft.updated_at = now
    draft.expires_at = now + LIFETIME


def kept_files(session: Session, draft: ReportDraft) -> list[Kept]:
    rows = session.execute(
        select(ReportDraftFile.id, ReportDraftFile.filename, ReportDraftFile.data)
        .where(ReportDraftFile.draft_id == draft.id)
        .order_by(ReportDraftFile.id)
    )
    return [Kept(row.id, row.filename, len(row.data)) for row in rows]


def add_files(
    session: Session, draft: ReportDraft, files: list[public_uploads.File], max_bytes: int, now: datetime
) -> list[public_uploads.Refused]:
    """Keep each file the public may send (checked as at sending: count, size, what it is);
    the others, with why. What was kept stays kept whatever else was refused."""
    already = len(kept_files(session, draft))
    refused = []
    with steps.unit_of_work(session, now=now):
        for index, file in enumerate(files, start=already):
            reason = public_uploads.problem(file, index, max_bytes)
            name = file.filename[:255] or "file"
            if reason is None:
                session.add(ReportDraftFile(draft_id=draft.id, filename=name, data=file.data))
            else:
                refused.append(public_uploads.Refused(name, reason))
        _touch(draft, {}, now)
    return refused


def remove_file(session: Session, draft: ReportDraft, file_id: int, now: datetime) -> None:
    with steps.unit_of_work(session, now=now):
        session.execute(
            delete(ReportDraftFile).where(ReportDraftFile.draft_id == draft.id, ReportDraftFile.id == file_id)
        )
        _touch(draft, {}, now)


def files_to_send(session: Session, draft_id: str) -> list[public_uploads.File]:
    rows = session.scalars(
        select(ReportDraftFile).where(ReportDraftFile.draft_id == draft_id).order_by(ReportDraftFile.id)
    )
    return [public_uploads.File(row.filename, row.data) for row in rows]


def discard(session: Session, draft: ReportDraft, now: datetime) -> None:
    """Delete the draft and its files (a spam trap was filled in: nothing of it is kept)."""
    with steps.unit_of_work(session, now=now):
        session.delete(draft)


def claim(session: Session, draft: ReportDraft, now: datetime) -> bool:
    """Whether this request may send the draft (no other is sending it, or has sent it)."""
    with steps.unit_of_work(session, now=now):
        claimed = session.execute(
            update(ReportDraft)
            .where(
                ReportDraft.id == draft.id,
                or_(
                    ReportDraft.state == "open",
                    (ReportDraft.state == "sending") & (ReportDraft.updated_at < now - STALE_SENDING),
                ),
            )
            .values(state="sending", updated_at=now)
            .execution_options(synchronize_session=False)
        )
    return bool(getattr(claimed, "rowcount", 0))


def release(session: Session, draft_id: str, now: datetime) -> None:
    """The report could not be saved: the draft is open again, every answer still in it."""
    session.rollback()
    with steps.unit_of_work(session, now=now):
        session.execute(
            update(ReportDraft).where(ReportDraft.id == draft_id).values(state="open", updated_at=now)
        )


def sent(session: Session, draft_id: str, outcome: dict[str, Any], now: datetime) -> None:
    """The report is saved: the answers and files go; the outcome stays to be shown once."""
    with steps.unit_of_work(session, now=now):
        session.execute(delete(ReportDraftFile).where(ReportDraftFile.draft_id == draft_id))
        session.execute(
            update(ReportDraft)
            .where(ReportDraft.id == draft_id)
            .values(state="sent", answers={}, outcome=outcome, updated_at=now)
        )


def state(session: Session, key: str) -> str | None:
    """The draft's state as it is now in the database (another request may have changed it): a
    fresh transaction each time (this request has nothing of its own to keep)."""
    session.rollback()
    return session.scalar(select(ReportDraft.state).where(ReportDraft.id == _id(key)))


def take_outcome(session: Session, key: str | None, now: datetime) -> dict[str, Any] | None:
    """The outcome of a sent draft, once: the draft is deleted as it is read."""
    if not key:
        return None
    draft = session.get(ReportDraft, _id(key))
    if draft is None or draft.state != "sent":
        return None
    outcome = dict(draft.outcome or {})
    with steps.unit_of_work(session, now=now):
        session.delete(draft)
    return outcome
