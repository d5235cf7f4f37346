"""Signing in with a password, throttled: repeated failures for one username or from one
address are refused for a while, even with the right password, so guessing gets nowhere.

Both the sign-in page and ``POST /api/token`` come through ``attempt``. Every attempt that is
checked (not one refused for throttling, so the wait does not grow while someone keeps trying)
is kept in ``login_attempts``; attempts older than a day are deleted as new ones are recorded.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from casework import people
from db.models import LoginAttempt, User

WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_USERNAME = 5
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


def retry_at(session: Session, username: str, ip: str | None, *, now: datetime) -> datetime | None:
    """When attempts for this username or from this address may start again; None if they may
    now. A username's own successful sign-in starts its count again; an address's count is not
    reset by anyone's success, so one good account does not open the way to guess others."""
    name = _name(username)
    last_success = session.scalar(
        select(func.max(LoginAttempt.id)).where(LoginAttempt.username == name, LoginAttempt.succeeded)
    )
    since = now - WINDOW
    by_name = _failures(
        session, LoginAttempt.username == name, LoginAttempt.id > (last_success or 0), since=since
    )
    times = [_retry_at(by_name, MAX_FAILURES_PER_USERNAME)]
    if ip:
        times.append(
            _retry_at(_failures(session, LoginAttempt.ip == ip, since=since), MAX_FAILURES_PER_ADDRESS)
        )
    due = [t for t in times if t is not None and t > now]
    return max(due) if due else None


def record(session: Session, username: str, ip: str | None, *, succeeded: bool, now: datetime) -> None:
    session.execute(delete(LoginAttempt).where(LoginAttempt.at < now - KEEP))
    session.add(LoginAttempt(username=_name(username), ip=(ip or None), at=now, succeeded=succeeded))
    session.flush()


def attempt(session: Session, username: str, password: str, ip: str | None, *, now: datetime) -> Outcome:
    """Check the password unless throttled, record the attempt, and commit."""
    wait_until = retry_at(session, username, ip, now=now)
    if wait_until is not None:
        return Outcome(retry_at=wait_until)
    user = people.authenticate(session, username, password)
    record(session, username, ip, succeeded=user is not None, now=now)
    session.commit()
    return Outcome(user=user)


def wait_message(retry_at: datetime, *, now: datetime) -> str:
    minutes = max(1, -(-int((retry_at - now).total_seconds()) // 60))
    return (
        f"Too many sign-in attempts that did not work. Try again after {retry_at:%H:%M} UTC "
        f"(in {minutes} minute{'s' if minutes != 1 else ''})."
    )
