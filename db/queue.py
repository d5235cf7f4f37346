"""Handing out queued work (due timers, outbox mail) to several workers at once, each row once.

A claim marks up to ``batch`` rows as queued in one statement (``UPDATE … RETURNING``), skipping
rows another worker has locked (``FOR UPDATE SKIP LOCKED`` on PostgreSQL). A row queued long ago
whose worker died is handed out again when the caller's ``due`` condition allows it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, select, update
from sqlalchemy.orm import InstrumentedAttribute, Session


def claim(
    session: Session,
    table: Any,
    *,
    due: ColumnElement[bool],
    order_by: InstrumentedAttribute[Any],
    batch: int,
    at: datetime,
    returning: InstrumentedAttribute[Any],
) -> list[Any]:
    """Mark the rows of ``table`` that are ``due`` as queued at ``at``; return ``returning`` of each
    (the caller's step commits)."""
    chosen = select(table.id).where(due).order_by(order_by).limit(batch).with_for_update(skip_locked=True)
    return list(
        session.scalars(
            update(table)
            .where(table.id.in_(chosen.scalar_subquery()))
            .values(queued_at=at)
            .returning(returning)
        ).all()
    )
