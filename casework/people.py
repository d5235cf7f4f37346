"""Users, groups, passwords and API tokens."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from casework import audit, passwords, steps, token_cache
from casework.permissions import Permission, allows
from db.models import ApiToken, Group, User

_hasher = PasswordHasher()
# Verifying against this keeps the time of a login for an unknown user like that of a known one.
_DUMMY_HASH = _hasher.hash("not a password")

GROUPS = {
    "community-safety": "Community safety team",
    "supervisors": "Supervisors and team leaders",
    "managers": "Managers",
    "process-owners": "Process owners",
    "admins": "Administrators",
    "hr": "Human resources (employee route)",
    "intake": "Intake (reports by phone and in person)",
}
DEMO_USERS = [
    ("intake", "Ian Intake", "intake", ["intake"]),
    ("officer", "Olivia Officer", "officer", ["community-safety"]),
    ("supervisor", "Sam Supervisor", "supervisor", ["supervisors", "community-safety"]),
    ("manager", "Maya Manager", "manager", ["managers", "hr"]),
    ("owner", "Oscar Owner", "process_owner", ["process-owners"]),
    ("admin", "Ada Admin", "admin", ["admins"]),
]
DEMO_PASSWORD = "demo"
TOKEN_LIFETIME = timedelta(hours=12)
MIN_PASSWORD_LENGTH = passwords.MIN_LENGTH


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def authenticate(session: Session, username: str, password: str) -> User | None:
    user = session.scalar(select(User).where(User.username == username.strip().lower()))
    try:
        _hasher.verify(user.password_hash if user else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None or not user.active:
        return None
    return user


def ensure_groups(session: Session) -> dict[str, Group]:
    existing = {g.name: g for g in session.scalars(select(Group))}
    for name, label in GROUPS.items():
        if name not in existing:
            existing[name] = Group(name=name, label=label)
            session.add(existing[name])
    return existing


def seed_demo_users(session: Session) -> list[str]:
    """Create the demo users (password ``demo``) that are missing; returns the names created."""
    groups = ensure_groups(session)
    created = []
    for username, name, role, group_names in DEMO_USERS:
        if session.scalar(select(User.id).where(User.username == username)) is None:
            session.add(
                User(
                    username=username,
                    display_name=name,
                    role=role,
                    is_demo=True,
                    email=f"{username}@example.org",
                    password_hash=hash_password(DEMO_PASSWORD),
                    groups=[groups[g] for g in group_names],
                )
            )
            created.append(username)
    session.flush()
    return created


def demo_users_present(session: Session) -> bool:
    return session.scalar(select(User.id).where(User.is_demo.is_(True), User.active.is_(True))) is not None


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(session: Session, user: User, *, now: datetime) -> tuple[str, datetime]:
    """A new API token for ``user``, saved in a step of its own; only its digest is stored."""
    token = secrets.token_urlsafe(32)
    expires = now + TOKEN_LIFETIME
    with steps.unit_of_work(session, now=now, user=user):
        session.add(ApiToken(user_id=user.id, token_hash=_digest(token), created_at=now, expires_at=expires))
    return token, expires


@dataclass(frozen=True)
class TokenCheck:
    """A bearer token checked: its user and row id, or why it is refused."""

    user: User | None
    token_id: int | None = None
    problem: str | None = None
    expires_at: datetime | None = None


def check_token(
    session: Session, token: str, *, now: datetime, cache_seconds: float = token_cache.DEFAULT_SECONDS
) -> TokenCheck:
    """A bearer token's user, or why it is refused; one that checked out within the last
    ``cache_seconds`` is not looked up again (``casework.token_cache``)."""
    digest = _digest(token)
    cached = token_cache.found(session, digest, now=now)
    if cached is not None:
        user, token_id = cached
        return TokenCheck(user, token_id)
    since = token_cache.generation()
    check = _check_token(session, digest, now=now)
    if check.user is not None and check.token_id is not None and check.expires_at is not None:
        token_cache.keep(
            digest, check.user, check.token_id, check.expires_at, seconds=cache_seconds, since=since
        )
    return check


def _check_token(session: Session, digest: str, *, now: datetime) -> TokenCheck:
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == digest))
    if row is None:
        return TokenCheck(None, problem="This token is not known. Get one from POST /api/token.")
    if row.revoked_at is not None:
        return TokenCheck(
            None, row.id, f"This token was revoked at {row.revoked_at:%Y-%m-%d %H:%M} UTC. Get a new one."
        )
    if row.expires_at <= now:
        return TokenCheck(
            None, row.id, f"This token expired at {row.expires_at:%Y-%m-%d %H:%M} UTC. Get a new one."
        )
    if not row.user.active:
        return TokenCheck(None, row.id, "This token's account is no longer active.")
    return TokenCheck(row.user, row.id, expires_at=row.expires_at)


def user_for_token(session: Session, token: str, *, now: datetime) -> User | None:
    return check_token(session, token, now=now).user


def tokens_of(session: Session, user: User) -> list[ApiToken]:
    """A user's tokens, newest first (the rows hold only a digest, never the token)."""
    return list(
        session.scalars(
            select(ApiToken)
            .where(ApiToken.user_id == user.id)
            .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
        )
    )


def revoke_token(session: Session, token_id: int, *, by: User, now: datetime) -> ApiToken | None:
    """Revoke one token (its owner, or anyone allowed to revoke any user's) in a step of its own;
    None if there is no such token for ``by``. Revoking twice keeps the first time."""
    row = session.get(ApiToken, token_id)
    if row is None or (row.user_id != by.id and not allows(by.role, Permission.REVOKE_ANY_TOKEN)):
        return None
    with steps.unit_of_work(session, now=now, user=by):
        if row.revoked_at is None:
            row.revoked_at = now
    return row


def end_sessions(session: Session, user: User, *, now: datetime) -> None:
    """End every page session (their cookies carry the old version) and revoke every open API
    token of ``user``; the caller's step commits."""
    user.session_version += 1
    session.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    session.flush()


def sign_out(session: Session, user: User, ip: str | None, *, now: datetime) -> None:
    """Signing out ends the person's sessions on every device, and their tokens; one step."""
    with steps.unit_of_work(session, now=now, actor=audit.Actor.of(user, ip)) as step:
        end_sessions(session, user, now=now)
        step.audit("sign-out", subject_type="user", subject=user.username)


def password_problem(user: User, current: str, new: str, confirm: str) -> str | None:
    """Why a password change is refused, in plain words; None when it may go ahead."""
    try:
        _hasher.verify(user.password_hash, current)
    except (VerificationError, InvalidHashError):
        return "Your current password is not right."
    rule = passwords.problem(new, personal=(user.username, user.email, user.display_name))
    if rule is not None:
        return rule
    if new == current:
        return "The new password must differ from your current password."
    if new != confirm:
        return "The new password and its confirmation are not the same."
    return None


def change_password(
    session: Session, user: User, current: str, new: str, confirm: str, ip: str | None, *, now: datetime
) -> str | None:
    """Change the password if allowed, ending every session and token; one step. Returns the
    problem if refused (nothing changed)."""
    problem = password_problem(user, current, new, confirm)
    if problem is not None:
        return problem
    with steps.unit_of_work(session, now=now, actor=audit.Actor.of(user, ip)) as step:
        user.password_hash = hash_password(new)
        end_sessions(session, user, now=now)
        step.audit("password-changed", subject_type="user", subject=user.username)
    return None


def deactivate(session: Session, username: str, *, by: str, now: datetime) -> User | None:
    """Deactivate an account, ending every session and token; one step. None if no such user."""
    user = session.scalar(select(User).where(User.username == username.strip().lower()))
    if user is None:
        return None
    with steps.unit_of_work(session, now=now, actor=audit.Actor(by, None, None)) as step:
        user.active = False
        end_sessions(session, user, now=now)
        step.audit("deactivated", subject_type="user", subject=user.username)
    return user


def display_names(session: Session) -> dict[str, str]:
    """{username: the person's name}, for pages that show a name where a username is stored."""
    return {username: name for username, name in session.execute(select(User.username, User.display_name))}
