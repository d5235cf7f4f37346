"""Staff intake's own list: the reports a colleague keyed most recently, to go back to one
(a phone call that comes back with more detail, say)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import Case, User

RECENT = 10


def recently_keyed(session: Session, user: User, *, limit: int = RECENT) -> list[Case]:
    """The cases ``user`` keyed at staff intake, newest first (they may open each of them)."""
    return list(
        session.scalars(
            select(Case)
            .where(Case.keyed_by_id == user.id)
            .order_by(Case.reported_at.desc(), Case.id.desc())
            .limit(limit)
        )
    )
