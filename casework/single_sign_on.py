"""Signing in through the landlord's OpenID Connect provider, once its ID token has been checked
(``webapp.sso``): the person is found by their provider identity, or on a first sign-in by their
email address, or created; their role and teams follow the provider's groups on every sign-in
(audited when they change); their local password is switched off."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from casework import audit, sign_in, steps
from casework.permissions import Role
from db.models import Group, User, UserIdentity

# Not an argon2 hash, so no password ever matches it (``people.authenticate`` refuses it).
NO_PASSWORD = "!single-sign-on"
# The most powerful first: a person in several mapped groups gets the first of their roles.
ROLE_ORDER = [Role.ADMIN, Role.PROCESS_OWNER, Role.MANAGER, Role.SUPERVISOR, Role.OFFICER, Role.INTAKE]


class Refused(Exception):
    """A sign-in the app will not accept, with the plain-English reason to show."""


@dataclass(frozen=True)
class Access:
    role: str
    teams: tuple[str, ...]


def access_for(groups: Any, group_map: dict[str, Any]) -> Access | None:
    """The role and teams that the provider's groups give; None if no group is in the map."""
    names = [groups] if isinstance(groups, str) else list(groups) if isinstance(groups, list) else []
    entries = [group_map[g] for g in names if isinstance(g, str) and g in group_map]
    if not entries:
        return None
    roles = {e["role"] for e in entries}
    role = next(r.value for r in ROLE_ORDER if r.value in roles)
    return Access(role, tuple(sorted({t for e in entries for t in e.get("teams", [])})))


def uses_single_sign_on(session: Session, username: str) -> bool:
    user = session.scalar(select(User).where(User.username == username.strip().lower()))
    return user is not None and user.password_hash == NO_PASSWORD


def _username_for(session: Session, email: str) -> str:
    base = re.sub(r"[^a-z0-9._-]", "", email.split("@")[0].lower())[:70] or "user"
    name, n = base, 1
    while session.scalar(select(User.id).where(User.username == name)) is not None:
        n += 1
        name = f"{base}{n}"
    return name


def _find_or_create(session: Session, issuer: str, claims: dict[str, Any], now: datetime) -> tuple[User, str]:
    """The user and what happened (``found``, ``linked``, ``created``); ``Refused`` if unsafe."""
    subject = str(claims["sub"])
    identity = session.scalar(
        select(UserIdentity).where(UserIdentity.issuer == issuer, UserIdentity.subject == subject)
    )
    if identity is not None:
        identity.last_sign_in_at = now
        return identity.user, "found"
    email = str(claims.get("email") or "").strip().lower()
    if not email:
        raise Refused(
            "Your account at the sign-in service has no email address, so it cannot be matched here."
        )
    same_email = list(session.scalars(select(User).where(func.lower(User.email) == email).limit(2)))
    if len(same_email) > 1:
        raise Refused(
            "More than one account here has your email address. Ask an administrator to sort it out."
        )
    user = same_email[0] if same_email else None
    happened = "linked"
    if user is not None and claims.get("email_verified") is False:
        raise Refused(
            "The sign-in service has not confirmed your email address, so it cannot be matched here."
        )
    if user is None:
        name = str(claims.get("name") or email)[:200]
        username = _username_for(session, email)
        user = User(username=username, display_name=name, email=email, role=Role.OFFICER.value, active=True)
        session.add(user)
        happened = "created"
    user.password_hash = NO_PASSWORD
    session.add(UserIdentity(user=user, issuer=issuer, subject=subject, linked_at=now, last_sign_in_at=now))
    return user, happened


def sign_in_with(
    session: Session,
    claims: dict[str, Any],
    *,
    issuer: str,
    groups_claim: str,
    group_map: dict[str, Any],
    ip: str | None,
    now: datetime,
) -> User:
    """Sign the person named by the checked ``claims`` in, in one step; ``Refused`` (and nothing
    changed) when their groups give no role or their account here is switched off."""
    access = access_for(claims.get(groups_claim), group_map)
    if access is None:
        raise Refused(
            "Your account at the sign-in service is not in any group that gives access to this "
            "system. Ask your manager or an administrator to add you."
        )
    with steps.unit_of_work(session, now=now, actor=audit.Actor(None, None, ip)) as step:
        user, happened = _find_or_create(session, issuer, claims, now)
        if not user.active:
            raise Refused("Your account here has been switched off. Ask an administrator if that is wrong.")
        before = _describe(user.role, user.group_names) if happened != "created" else None
        groups = {g.name: g for g in session.scalars(select(Group))}  # teams are reference data
        user.role = access.role
        user.groups = [groups[t] for t in access.teams if t in groups]
        session.flush()
        actor = audit.Actor.of(user, ip)
        after = _describe(user.role, user.group_names)
        if happened != "found":
            step.audit("sso-linked", actor=actor, subject_type="user", subject=user.username, detail=happened)
        if before != after:
            detail = f"{before or 'new account'} -> {after}"
            step.audit(
                "sso-access-changed", actor=actor, subject_type="user", subject=user.username, detail=detail
            )
        step.audit(
            "sign-in", actor=actor, subject_type="user", subject=user.username, detail="single sign-on"
        )
        sign_in.record(session, user.username, ip, succeeded=True, now=now)
    return user


def _describe(role: str, teams: list[str]) -> str:
    return f"role {role}; teams {', '.join(teams) or 'none'}"
