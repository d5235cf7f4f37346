"""Signing in with a password, throttled so that guessing gets nowhere without handing an
attacker a way to lock the owner out.

Failures are counted per username-and-address pair, with a delay that grows with each failure
(30 seconds after the third, doubling, at most 15 minutes), and per address overall (30 in 15
minutes, whoever for). Nothing counts per username alone, so wrong passwords from one address
never stop the owner signing in from another. A known-good device (a signed cookie set after a
successful sign-in on the page, tied to the user and their password) passes both throttles for
its own user. ``POST /api/token`` has no cookie: the pair and address throttles apply.

Every attempt that is checked (not one refused for throttling) is kept in ``login_attempts``
for a day; the owner is told of failures since their last sign-in when they next sign in.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from casework import people, steps
from db.models import LoginAttempt, User, UserSecondFactor

WINDOW = timedelta(minutes=15)
FREE_FAILURES_PER_PAIR = 2
FIRST_DELAY = timedelta(seconds=30)
MAX_DELAY = timedelta(minutes=15)
MAX_FAILURES_PER_ADDRESS = 30
KEEP = timedelta(days=1)


@dataclass(frozen=True)
class Outcome:
    """What an attempt came to: the user (signed in), or ``retry_at`` (throttled), or neither
    (wrong username or password)."""

    user: User | None = None
    retry_at: datetime | None = None

    @property
    def throttled(self) -> bool:
        return self.retry_at is not None


def _name(username: str) -> str:
    return username.strip().lower()[:80]


def _retry_at(failures: list[datetime], limit: int) -> datetime | None:
    """When the oldest failure that keeps the count at the limit leaves the window."""
    if len(failures) < limit:
        return None
    newest_first = sorted(failures, reverse=True)
    return newest_first[limit - 1] + WINDOW


def _failures(session: Session, *conditions: Any, since: datetime) -> list[datetime]:
    return list(
        session.scalars(
            select(LoginAttempt.at).where(
                LoginAttempt.succeeded.is_(False), LoginAttempt.at > since, *conditions
            )
        )
    )


def pair_delay(failures: int) -> timedelta:
    """How long after its latest failure a username-and-address pair waits."""
    if failures <= FREE_FAILURES_PER_PAIR:
        return timedelta(0)
    return min(MAX_DELAY, FIRST_DELAY * 2 ** min(failures - FREE_FAILURES_PER_PAIR - 1, 10))


def _last_success(session: Session, name: str) -> int:
    return (
        session.scalar(
            select(func.max(LoginAttempt.id)).where(LoginAttempt.username == name, LoginAttempt.succeeded)
        )
        or 0
    )


def retry_at(session: Session, username: str, ip: str | None, *, now: datetime) -> datetime | None:
    """When attempts for this username from this address may start again; None if they may now.
    A username's own successful sign-in starts its pairs' counts again; an address's count is not
    reset by anyone's success, so one good account does not open the way to guess others."""
    name = _name(username)
    pair = _failures(
        session,
        LoginAttempt.username == name,
        LoginAttempt.ip == ip if ip else LoginAttempt.ip.is_(None),
        LoginAttempt.id > _last_success(session, name),
        since=now - KEEP,
    )
    times = [max(pair) + pair_delay(len(pair)) if pair else None]
    if ip:
        times.append(
            _retry_at(_failures(session, LoginAttempt.ip == ip, since=now - WINDOW), MAX_FAILURES_PER_ADDRESS)
        )
    due = [t for t in times if t is not None and t > now]
    return max(due) if due else None


def _device_mac(user: User, device_id: str, secret: str) -> str:
    # The password hash is in the message, so a password change revokes every device.
    message = f"{user.id}:{device_id}:{user.password_hash}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def device_cookie(user: User, secret: str) -> str:
    """The value of a known-good device cookie for ``user``: user id, random id, signature."""
    device_id = secrets.token_urlsafe(16)
    return f"{user.id}.{device_id}.{_device_mac(user, device_id, secret)}"


def known_device(session: Session, username: str, cookie: str | None, secret: str) -> bool:
    """Whether ``cookie`` is a valid device cookie of the user called ``username``."""
    user_id, _, rest = (cookie or "").partition(".")
    device_id, _, mac = rest.partition(".")
    if not (user_id.isdigit() and device_id and mac):
        return False
    user = session.get(User, int(user_id))
    if user is None or user.username != _name(username):
        return False
    return hmac.compare_digest(mac, _device_mac(user, device_id, secret))


@dataclass(frozen=True)
class FailedSince:
    """Failed attempts for an account since its previous successful sign-in."""

    count: int
    latest_at: datetime | None = None
    latest_ip: str | None = None

    def message(self) -> str:
        latest = self.latest_at
        assert latest is not None
        plural = "s" if self.count != 1 else ""
        where = f", from {self.latest_ip}" if self.latest_ip else ""
        return (
            f"{self.count} failed sign-in attempt{plural} for your account since your last sign-in, "
            f"the latest on {latest.day} {latest:%B %Y} at {latest:%H:%M}{where}."
        )


def failed_since_last_sign_in(session: Session, username: str) -> FailedSince:
    """Failures for ``username`` between its previous success and its latest one."""
    name = _name(username)
    ids = list(
        session.scalars(
            select(LoginAttempt.id)
            .where(LoginAttempt.username == name, LoginAttempt.succeeded)
            .order_by(LoginAttempt.id.desc())
            .limit(2)
        )
    )
    if not ids:
        return FailedSince(0)
    rows = list(
        session.execute(
            select(LoginAttempt.at, LoginAttempt.ip)
            .where(
                LoginAttempt.username == name,
                LoginAttempt.succeeded.is_(False),
                LoginAttempt.id < ids[0],
                LoginAttempt.id > (ids[1] if len(ids) > 1 else 0),
            )
            .order_by(LoginAttempt.id.desc())
        )
    )
    if not rows:
        return FailedSince(0)
    return FailedSince(len(rows), rows[0].at, rows[0].ip)


def record(session: Session, username: str, ip: str | None, *, succeeded: bool, now: datetime) -> None:
    session.execute(delete(LoginAttempt).where(LoginAttempt.at < now - KEEP))
    session.add(LoginAttempt(username=_name(username), ip=(ip or None), at=now, succeeded=succeeded))
    session.flush()


def attempt(
    session: Session, username: str, password: str, ip: str | None, *, now: datetime, known: bool = False
) -> Outcome:
    """Check the password unless throttled (a known-good device is not), record the attempt, in
    a step of its own."""
    wait_until = None if known else retry_at(session, username, ip, now=now)
    if wait_until is not None:
        return Outcome(retry_at=wait_until)
    with steps.unit_of_work(session, now=now):
        user = people.authenticate(session, username, password)
        # With two-factor on, the sign-in succeeds only with the code (casework.two_factor),
        # so a right password alone does not start the throttle's counts again.
        factor = session.get(UserSecondFactor, user.id) if user is not None else None
        if factor is None or factor.enabled_at is None:
            record(session, username, ip, succeeded=user is not None, now=now)
    return Outcome(user=user)


def wait_message(retry_at: datetime, *, now: datetime) -> str:
    minutes = max(1, -(-int((retry_at - now).total_seconds()) // 60))
    return (
        f"Too many sign-in attempts that did not work. Try again after {retry_at:%H:%M} UTC "
        f"(in {minutes} minute{'s' if minutes != 1 else ''})."
    )
