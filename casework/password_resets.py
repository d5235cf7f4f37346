"""One-time links to set a password (issue 16.2): an administrator sends one, the person opens
it from their email and chooses a password. Only the token's digest is stored; a link works
once, for ``LIFETIME``, and a newer link replaces older ones. Setting the password ends every
session and API token of the person."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from casework import audit, passwords, people, steps
from db.models import PasswordReset, User

LIFETIME = timedelta(hours=24)


class ResetError(ValueError):
    """Why a link or a new password is refused; ``field`` names the input at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def send_link(step: steps.CaseStep, user: User, link_for: str) -> None:
    """Email ``user`` a new link (``link_for`` with ``{token}`` in it); older links stop working."""
    if not user.email:
        raise ResetError("email", f"{user.display_name} has no email address: add one first.")
    if not user.active:
        raise ResetError("active", f"{user.display_name} is deactivated: reactivate them first.")
    step.session.execute(
        update(PasswordReset)
        .where(PasswordReset.user_id == user.id, PasswordReset.used_at.is_(None))
        .values(used_at=step.now)
    )
    token = secrets.token_urlsafe(32)
    expires = step.now + LIFETIME
    step.session.add(
        PasswordReset(user_id=user.id, token_hash=_digest(token), created_at=step.now, expires_at=expires)
    )
    step.queue_email(
        to=user.email,
        subject="Set your password for the hate crime case system",
        body=(
            f"Hello {user.display_name},\n\nOpen this link to choose a new password:\n\n"
            f"{link_for.format(token=token)}\n\n"
            f"It works once, until {expires.day} {expires:%B %Y, %H:%M} (UTC). "
            "If you did not expect it, tell your administrator.\n"
        ),
        case_id=None,
    )
    step.audit(
        "password-reset-sent", subject_type="user", subject=user.username, detail=f"Link sent to {user.email}"
    )


def _live(session: Session, token: str, *, now: datetime) -> PasswordReset:
    row = session.scalar(select(PasswordReset).where(PasswordReset.token_hash == _digest(token)))
    if row is None:
        raise ResetError("link", "This link is not known. Ask your administrator for a new one.")
    if row.used_at is not None:
        raise ResetError(
            "link", "This link has been used already or replaced by a newer one. Ask for a new one."
        )
    if row.expires_at <= now:
        raise ResetError("link", "This link has expired. Ask your administrator for a new one.")
    return row


def check(session: Session, token: str, *, now: datetime) -> User:
    """The person a live link is for; raises ``ResetError`` for an unknown, used or expired one."""
    row = _live(session, token, now=now)
    user = session.get(User, row.user_id)
    if user is None or not user.active:
        raise ResetError("link", "This account is not active. Ask your administrator.")
    return user


def use(session: Session, token: str, new: str, confirm: str, ip: str | None, *, now: datetime) -> User:
    """Set the password from a live link, in one step: the link is spent and every session ends."""
    user = check(session, token, now=now)
    problem = passwords.problem(new, personal=(user.username, user.email, user.display_name))
    if problem:
        raise ResetError("password", problem)
    if new != confirm:
        raise ResetError("confirm", "The password and its confirmation are not the same.")
    with steps.unit_of_work(session, now=now, actor=audit.Actor.of(user, ip)) as step:
        _live(session, token, now=now).used_at = step.now
        user.password_hash = people.hash_password(new)
        people.end_sessions(session, user, now=step.now)
        step.audit("password-reset", subject_type="user", subject=user.username)
    return user
