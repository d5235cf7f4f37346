"""People's accounts as administrators keep them (issue 16.1, 16.2): the first administrator,
adding a person, changing their details, role and teams, deactivating and reactivating.

Every change is one step (``casework.steps.unit_of_work``) with an audit entry naming what was
before and what is after. Refused changes raise ``AccountError`` naming the field at fault, and
nothing is written. A deactivated person's history stays theirs: rows point to the user, which
is never deleted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from casework import passwords, people, steps
from casework.permissions import ROLE_LABELS, Role
from db.models import ApiToken, Group, LoginAttempt, Task, User, UserProfile

PAGE_SIZE = 50
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,79}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^\+?[0-9 ()-]{6,40}$")


class AccountError(ValueError):
    """A change to an account that cannot be made; ``field`` names the input at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass
class Details:
    """What an administrator types about a person (all text, as the form or API sends it)."""

    display_name: str = ""
    email: str = ""
    phone: str = ""
    job_title: str = ""
    role: str = ""
    teams: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Listing:
    people: list[User]
    total: int
    page: int
    pages: int


def search(session: Session, query: str = "", page: int = 1) -> Listing:
    """People whose name, username or email contains ``query``, by name, a page at a time."""
    where = []
    text = query.strip().lower()
    if text:
        like = f"%{text.replace('%', '').replace('_', '')}%"
        where.append(
            or_(
                func.lower(User.display_name).like(like),
                User.username.like(like),
                func.lower(User.email).like(like),
            )
        )
    total = session.scalar(select(func.count(User.id)).where(*where)) or 0
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(1, page), pages)
    rows = session.scalars(
        select(User)
        .where(*where)
        .order_by(User.active.desc(), User.display_name, User.username)
        .limit(PAGE_SIZE)
        .offset((page - 1) * PAGE_SIZE)
    )
    return Listing(list(rows), total, page, pages)


def find(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username.strip().lower()))
    if user is None:
        raise LookupError(f"no user {username!r}")
    return user


def profile(session: Session, user: User) -> UserProfile:
    return session.get(UserProfile, user.id) or UserProfile(user_id=user.id)


def teams(session: Session) -> list[Group]:
    return list(session.scalars(select(Group).order_by(Group.label)))


def open_tasks_held(session: Session, user: User) -> list[Task]:
    return list(
        session.scalars(
            select(Task).where(Task.assignee_id == user.id, Task.status == "open").order_by(Task.created_at)
        )
    )


def tokens_in_use(session: Session, *, now: datetime) -> list[ApiToken]:
    """Everyone's API tokens neither revoked nor expired, newest first (for administrators)."""
    return list(
        session.scalars(
            select(ApiToken)
            .where(ApiToken.revoked_at.is_(None), ApiToken.expires_at > now)
            .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
        )
    )


def recent_sign_ins(session: Session, user: User, limit: int = 50) -> list[LoginAttempt]:
    """A person's latest sign-in attempts, successful and failed, newest first."""
    return list(
        session.scalars(
            select(LoginAttempt)
            .where(LoginAttempt.username == user.username)
            .order_by(LoginAttempt.at.desc(), LoginAttempt.id.desc())
            .limit(limit)
        )
    )


def _username(session: Session, username: str) -> str:
    name = username.strip().lower()
    if not name:
        raise AccountError("username", "Enter a username.")
    if not _USERNAME.match(name):
        raise AccountError(
            "username",
            "Enter a username of 2 to 80 letters, digits, dots, dashes or underscores, "
            "starting with a letter or digit.",
        )
    if session.scalar(select(User.id).where(User.username == name)) is not None:
        raise AccountError(
            "username", f"There is already someone with the username “{name}”: choose another."
        )
    return name


def _checked(session: Session, details: Details, *, other_than: int | None = None) -> Details:
    name = " ".join(details.display_name.split())
    if not name:
        raise AccountError("display_name", "Enter the person's name.")
    if len(name) > 200:
        raise AccountError("display_name", "Enter a name of no more than 200 characters.")
    email = details.email.strip().lower()
    if not email:
        raise AccountError("email", "Enter the person's email address, for example name@landlord.org.uk.")
    if len(email) > 320 or not _EMAIL.match(email):
        raise AccountError("email", "Enter an email address in the right form, like name@landlord.org.uk.")
    taken = session.scalar(
        select(User.display_name).where(func.lower(User.email) == email, User.id != (other_than or 0))
    )
    if taken is not None:
        raise AccountError(
            "email", f"{taken} already has the email address {email}: each person needs their own."
        )
    phone = " ".join(details.phone.split())
    if phone and not _PHONE.match(phone):
        raise AccountError(
            "phone", "Enter a phone number of digits and spaces, like 0113 496 0000, or leave it empty."
        )
    job_title = " ".join(details.job_title.split())
    if len(job_title) > 200:
        raise AccountError("job_title", "Enter a job title of no more than 200 characters.")
    if details.role not in set(Role):
        raise AccountError("role", "Choose one of the roles listed.")
    known = {g.name for g in teams(session)}
    unknown = [t for t in details.teams if t not in known]
    if unknown:
        raise AccountError("teams", f"There is no team called “{unknown[0]}”: choose from the teams listed.")
    return Details(name, email, phone, job_title, details.role, sorted(set(details.teams)))


def _groups(session: Session, names: list[str]) -> list[Group]:
    return list(session.scalars(select(Group).where(Group.name.in_(names)))) if names else []


def describe(user: User, extra: UserProfile | None) -> str:
    """A person's details as the audit log keeps them (before and after a change)."""
    role = ROLE_LABELS.get(user.role, user.role)
    parts = [
        f"name “{user.display_name}”",
        f"email {user.email or 'none'}",
        f"phone {(extra.phone if extra else None) or 'none'}",
        f"job title “{(extra.job_title if extra else None) or ''}”",
        f"role {role}",
        f"teams {', '.join(user.group_names) or 'none'}",
        "active" if user.active else "deactivated",
    ]
    return "; ".join(parts)


def _active_admins(session: Session) -> int:
    return (
        session.scalar(select(func.count(User.id)).where(User.role == Role.ADMIN, User.active.is_(True))) or 0
    )


def add(step: steps.CaseStep, username: str, details: Details, password: str | None = None) -> User:
    """Add a person. Without a password they cannot sign in until they set one (the reset link)."""
    session = step.session
    name = _username(session, username)
    checked = _checked(session, details)
    if password is not None:
        problem = passwords.problem(password, personal=(name, checked.email, checked.display_name))
        if problem:
            raise AccountError("password", problem)
    user = User(
        username=name,
        display_name=checked.display_name,
        email=checked.email,
        # An unusable hash (argon2 never yields it) until the person sets a password.
        password_hash=people.hash_password(password) if password is not None else "!unset",
        role=checked.role,
        active=True,
        groups=_groups(session, checked.teams),
    )
    session.add(user)
    session.flush()
    extra = UserProfile(user_id=user.id, phone=checked.phone or None, job_title=checked.job_title or None)
    session.add(extra)
    step.audit("person-added", subject_type="user", subject=name, detail=f"After: {describe(user, extra)}")
    return user


def change(step: steps.CaseStep, username: str, details: Details) -> User:
    """Change a person's details, role and teams; refuses to take the role off the last admin."""
    session = step.session
    user = find(session, username)
    checked = _checked(session, details, other_than=user.id)
    extra = profile(session, user)
    before = describe(user, extra)
    if (
        user.role == Role.ADMIN
        and checked.role != Role.ADMIN
        and user.active
        and _active_admins(session) <= 1
    ):
        raise AccountError(
            "role", f"{user.display_name} is the only active administrator: make someone else one first."
        )
    user.display_name, user.email, user.role = checked.display_name, checked.email, checked.role
    user.groups = _groups(session, checked.teams)
    extra.phone, extra.job_title = checked.phone or None, checked.job_title or None
    session.add(extra)
    after = describe(user, extra)
    if after != before:
        step.audit(
            "person-changed",
            subject_type="user",
            subject=user.username,
            detail=f"Before: {before}. After: {after}",
        )
    return user


def deactivate(step: steps.CaseStep, username: str, *, by: User) -> User:
    """Deactivate a person: their page sessions end on their next request and their API tokens
    are revoked. Refuses oneself and the last active administrator."""
    session = step.session
    user = find(session, username)
    if user.id == by.id:
        raise AccountError("active", "You cannot deactivate yourself: ask another administrator.")
    if not user.active:
        raise AccountError("active", f"{user.display_name} is already deactivated.")
    if user.role == Role.ADMIN and _active_admins(session) <= 1:
        raise AccountError(
            "active", f"{user.display_name} is the only active administrator: make someone else one first."
        )
    before = describe(user, profile(session, user))
    user.active = False
    people.end_sessions(session, user, now=step.now)
    step.audit(
        "deactivated",
        subject_type="user",
        subject=user.username,
        detail=f"Before: {before}. After: {describe(user, profile(session, user))}",
    )
    return user


def reactivate(step: steps.CaseStep, username: str) -> User:
    session = step.session
    user = find(session, username)
    if user.active:
        raise AccountError("active", f"{user.display_name} is already active.")
    user.active = True
    step.audit(
        "person-reactivated", subject_type="user", subject=user.username, detail="Deactivated → active"
    )
    return user


def create_admin(step: steps.CaseStep, username: str, name: str, email: str, password: str) -> User:
    """The first administrator (``flask users create-admin``), in the administrators' team."""
    people.ensure_groups(step.session)
    step.session.flush()
    details = Details(display_name=name, email=email, role=Role.ADMIN, teams=["admins"])
    return add(step, username, details, password)
