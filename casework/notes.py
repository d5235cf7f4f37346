"""Case notes: free text a member of staff adds to a case, shown with the case and on its
timeline. A note is one case step; an empty one is refused with a message, nothing saved."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework import steps
from casework.casefile import find_case
from casework.consents import Invalid
from db.models import Case, CaseNote, User
from db.timeline import NoteAdded

TEXT_MAX = 10_000
ANONYMISED = "The personal data of this case was removed under the retention policy; nothing can be added."


def writable_case(session: Session, reference: str) -> Case:
    """The case to add to: any case but one whose personal data retention has removed."""
    case = find_case(session, reference)
    if case.anonymised_at is not None:
        raise Invalid({"case": ANONYMISED})
    return case


def check_text(value: object, field: str = "text") -> str:
    text = str(value or "").strip()
    if not text:
        raise Invalid({field: "Write the note before saving it."})
    if len(text) > TEXT_MAX:
        raise Invalid({field: f"The note is {len(text):,} characters; it can be at most {TEXT_MAX:,}."})
    return text


def add(session: Session, reference: str, text: object, *, user: User, now: datetime) -> CaseNote:
    """Add a note to the case ``reference`` (``Invalid`` for an empty or too long one)."""
    words = check_text(text)
    case = writable_case(session, reference)
    with steps.case_step(session, now=now, user=user, case=case) as step:
        note = CaseNote(case_id=case.id, text=words, created_at=now, created_by=step.by)
        session.add(note)
        step.record(NoteAdded(words))
    return note


def for_case(session: Session, case: Case) -> list[CaseNote]:
    """The case's notes, newest first."""
    return list(
        session.scalars(
            select(CaseNote)
            .where(CaseNote.case_id == case.id)
            .order_by(CaseNote.created_at.desc(), CaseNote.id.desc())
        )
    )
