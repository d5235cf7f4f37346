"""In-app notifications: what a person sees (theirs and their groups'), and marking them read."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Exists, and_, exists, func, or_, select
from sqlalchemy.orm import Session

from casework import case_access, steps
from db.models import Case, Notification, NotificationRead, User


@dataclass(frozen=True)
class NotificationView:
    id: int
    message: str
    created_at: datetime
    case_reference: str | None
    read: bool


@dataclass(frozen=True)
class NotificationPage:
    items: list[NotificationView]
    total: int
    unread: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))


def _mine(user: User) -> ColumnElement[bool]:
    """Theirs and their groups', except those about a restricted case they are not named on (a
    notification sent to a group before the case was restricted must not show its reference)."""
    about_hidden = exists().where(Case.id == Notification.case_id, ~case_access.not_hidden(user))
    return and_(
        or_(Notification.user_id == user.id, Notification.group_name.in_(user.group_names or [""])),
        ~about_hidden,
    )


def _read_by(user: User) -> Exists:
    return exists().where(
        NotificationRead.notification_id == Notification.id, NotificationRead.user_id == user.id
    )


def unread_count(session: Session, user: User) -> int:
    return (
        session.scalar(select(func.count()).select_from(Notification).where(_mine(user), ~_read_by(user)))
        or 0
    )


def notifications(
    session: Session, user: User, *, unread_only: bool = False, page: int = 1, per_page: int = 25
) -> NotificationPage:
    query = select(Notification.id).where(_mine(user))
    if unread_only:
        query = query.where(~_read_by(user))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    page = max(1, page)
    rows = session.execute(
        select(Notification, Case.reference, _read_by(user).label("read"))
        .outerjoin(Case, Case.id == Notification.case_id)
        .where(Notification.id.in_(query.scalar_subquery()))
        .order_by(Notification.created_at.desc(), Notification.id.desc())
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).all()
    items = [
        NotificationView(n.id, n.message, n.created_at, reference, bool(read)) for n, reference, read in rows
    ]
    return NotificationPage(items, total, unread_count(session, user), page, per_page)


def mark_read(session: Session, user: User, *, now: datetime, notification_id: int | None = None) -> int:
    """Mark one notification (or, with no id, all of them) read for ``user``, in a step of its own."""
    query = select(Notification.id).where(_mine(user), ~_read_by(user))
    if notification_id is not None:
        query = query.where(Notification.id == notification_id)
    with steps.unit_of_work(session, now=now, user=user):
        ids = session.scalars(query).all()
        session.add_all(NotificationRead(notification_id=i, user_id=user.id, read_at=now) for i in ids)
    return len(ids)


def visible(session: Session, user: User, notification_id: int) -> bool:
    return (
        session.scalar(select(Notification.id).where(and_(Notification.id == notification_id, _mine(user))))
        is not None
    )
