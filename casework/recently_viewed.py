"""Recently viewed cases: each person's last case pages, newest first (the cases list shows ten)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from casework import steps
from db.models import CaseView, User

KEPT = 10


def record_view(session: Session, user: User, case_id: int, *, now: datetime) -> None:
    """Note that ``user`` opened the case now, keeping only their last ``KEPT`` views."""
    try:
        with steps.unit_of_work(session, now=now, user=user):
            seen = session.get(CaseView, (user.id, case_id))
            if seen is None:
                session.add(CaseView(user_id=user.id, case_id=case_id, viewed_at=now))
            else:
                seen.viewed_at = now
            session.flush()
            older = select(CaseView.case_id).where(CaseView.user_id == user.id)
            keep = older.order_by(CaseView.viewed_at.desc()).limit(KEPT)
            session.execute(
                delete(CaseView).where(CaseView.user_id == user.id, CaseView.case_id.not_in(keep))
            )
    except IntegrityError:
        pass  # the same person opened the case twice at once: the other request noted it


def latest(user_id: int) -> Any:
    """The person's last ``KEPT`` views as a subquery (case_id, viewed_at), for the cases list."""
    return (
        select(CaseView.case_id, CaseView.viewed_at)
        .where(CaseView.user_id == user_id)
        .order_by(CaseView.viewed_at.desc())
        .limit(KEPT)
        .subquery()
    )
