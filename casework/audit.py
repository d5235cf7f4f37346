"""The audit log: who viewed, searched, exported, edited or disclosed what, when and from where.

Entries are only ever added; the database refuses to change or delete them (migration 0008),
so not even an administrator can rewrite history through the app or by hand. Supervisors read
their team's entries, managers and admins all of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from casework import case_access
from casework.permissions import Permission, allows
from db.models import AuditEvent, Membership, User

ACTIONS = {
    "view": "Viewed",
    "search": "Searched",
    "export": "Exported",
    "edit": "Changed",
    "disclose": "Disclosed",
    "sign-in": "Signed in",
    "sign-in-failed": "Failed sign-in",
    "sign-out": "Signed out",
    "password-changed": "Changed password",
    "deactivated": "Deactivated",
    "person-added": "Added a person",
    "person-changed": "Changed a person's details, role or teams",
    "person-reactivated": "Reactivated a person",
    "password-reset-sent": "Sent a link to set a new password",
    "password-reset": "Set a new password from a reset link",
    "team-added": "Added a team",
    "team-changed": "Renamed a team or changed its leader",
    "team-removed": "Removed a team",
    "denied": "Refused access",
    "report-held": "Held a public report (spam trap)",
    "report-kept": "Kept a report whose process could not start",
    "report-matched": "Added a new report to the open case it matched, as another incident",
    "process-rolled-back": "Rolled back a process version",
    "locality-added": "Added a locality",
    "locality-changed": "Changed a locality",
    "locality-deactivated": "Deactivated a locality",
    "locality-reactivated": "Reactivated a locality",
    "tracking-code-reset": "Made a new tracking code for the reporter",
    "upload-refused": "Refused an upload (a virus was found)",
    "case-linked": "Linked cases",
    "case-on-hold": "Put a case on hold",
    "case-off-hold": "Took a case off hold",
    "case-duplicate": "Closed a case as a duplicate",
    "incident-split": "Split an incident off a case into its own case",
    "case-split-from": "Made a case from an incident split off another",
    "party-added": "Added a person to a case",
    "sso-linked": "Signed in through single sign-on for the first time",
    "sso-access-changed": "Role or teams changed by the single sign-on groups",
    "two-factor-on": "Turned on two-factor sign-in",
    "two-factor-off": "Turned off two-factor sign-in",
    "two-factor-reset": "Reset someone's two-factor sign-in",
    "two-factor-recovery-code-used": "Signed in with a recovery code",
}


@dataclass(frozen=True)
class Actor:
    username: str | None
    role: str | None
    ip: str | None

    @classmethod
    def of(cls, user: User | None, ip: str | None) -> Actor:
        return cls(user.username if user else None, user.role if user else None, ip)


def record(
    session: Session,
    actor: Actor,
    action: str,
    *,
    subject_type: str | None = None,
    subject: str | None = None,
    detail: str | None = None,
    outcome: str = "ok",
    now: datetime,
) -> AuditEvent:
    """Add one entry to ``session``; the caller's step (``casework.steps``) commits it, with the
    change it records if any."""
    if action not in ACTIONS:
        raise ValueError(f"Unknown audit action {action!r}")
    event = AuditEvent(
        at=now,
        username=actor.username,
        role=actor.role,
        action=action,
        subject_type=subject_type,
        subject=(subject or None) and subject[:200],
        detail=(detail or None) and detail[:2000],
        ip=actor.ip,
        outcome=outcome,
    )
    session.add(event)
    return event


def team_usernames(session: Session, user: User) -> list[str]:
    """Everyone who shares a group with ``user`` (their team), ``user`` included."""
    groups = [group.id for group in user.groups]
    if not groups:
        return [user.username]
    rows = session.scalars(
        select(User.username)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.group_id.in_(groups))
    )
    return sorted({user.username, *rows})


def reads_all(user: User) -> bool:
    return allows(user.role, Permission.READ_ALL_AUDIT)


@dataclass(frozen=True)
class AuditPage:
    events: list[AuditEvent]
    total: int
    page: int
    per_page: int
    closed: frozenset[int] = frozenset()  # entries about a case the reader may not open: shown as such

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def entries(
    session: Session,
    reader: User,
    *,
    username: str | None = None,
    action: str | None = None,
    subject: str | None = None,
    page: int = 1,
    per_page: int = 50,
) -> AuditPage:
    """The entries ``reader`` may read, newest first, filtered; raises PermissionError if none."""
    conditions: list[Any] = []
    if reads_all(reader):
        pass
    elif allows(reader.role, Permission.READ_TEAM_AUDIT):
        conditions.append(AuditEvent.username.in_(team_usernames(session, reader)))
    else:
        raise PermissionError("Your role cannot read the audit log.")
    if username:
        conditions.append(AuditEvent.username == username.strip().lower())
    if action:
        conditions.append(AuditEvent.action == action)
    if subject:
        term = f"%{subject.strip()}%"
        conditions.append(or_(AuditEvent.subject.ilike(term), AuditEvent.detail.ilike(term)))
    total = session.scalar(select(func.count()).select_from(AuditEvent).where(*conditions)) or 0
    events = list(
        session.scalars(
            select(AuditEvent)
            .where(*conditions)
            .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
            .limit(per_page)
            .offset((max(page, 1) - 1) * per_page)
        )
    )
    return AuditPage(events, total, max(page, 1), per_page, _closed(session, reader, events))


def _closed(session: Session, reader: User, events: list[AuditEvent]) -> frozenset[int]:
    opens: dict[str, bool | None] = {}
    for event in events:
        if event.subject_type == "case" and event.subject and event.subject not in opens:
            opens[event.subject] = case_access.may_open_reference(session, reader, event.subject)
    return frozenset(e.id for e in events if e.subject_type == "case" and opens.get(e.subject or "") is False)


__all__ = ["ACTIONS", "Actor", "AuditPage", "entries", "record", "team_usernames"]
