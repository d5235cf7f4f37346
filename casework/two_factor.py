"""Two-factor sign-in for local accounts: an authenticator app's six-digit code (TOTP, RFC 6238)
after the password, or one of ten single-use recovery codes.

A code is accepted for the time step before, at and after now (30 seconds each, for clocks a
little apart), and only for a step later than the last one accepted, so a code seen over
someone's shoulder cannot be used again. Every code checked counts for the sign-in throttle
(``casework.sign_in``) as a password attempt does. Recovery codes are shown once and kept only
as hashes.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import re
import secrets
from dataclasses import dataclass
from datetime import datetime

import pyotp
import qrcode
import qrcode.image.svg
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from casework import audit, sign_in, steps
from db.models import RecoveryCode, User, UserSecondFactor

ISSUER = "Hate crime cases"
STEP_SECONDS = 30
RECOVERY_CODES = 10
ALL = "all"


@dataclass(frozen=True)
class CodeCheck:
    """What a code came to: accepted (``ok``), throttled (``retry_at``), or wrong."""

    ok: bool = False
    retry_at: datetime | None = None
    used_recovery_code: bool = False


def factor_of(session: Session, user: User) -> UserSecondFactor | None:
    return session.get(UserSecondFactor, user.id)


def is_on(session: Session, user: User) -> bool:
    factor = factor_of(session, user)
    return factor is not None and factor.enabled_at is not None


def required_roles(setting: str) -> frozenset[str]:
    """The roles that must use two-factor, from ``TWO_FACTOR_REQUIRED_ROLES``: role names with
    commas between, ``all``, or empty for none."""
    names = {part.strip().lower() for part in setting.split(",") if part.strip()}
    if ALL in names:
        return frozenset({ALL})
    return frozenset(names)


def is_required(user: User, setting: str) -> bool:
    roles = required_roles(setting)
    return ALL in roles or user.role in roles


def _totp(secret: str) -> pyotp.TOTP:
    return pyotp.TOTP(secret, interval=STEP_SECONDS)


def start_enrolment(session: Session, user: User, *, now: datetime) -> UserSecondFactor:
    """A new secret for ``user`` not yet switched on (or the one they are enrolling with)."""
    factor = factor_of(session, user)
    if factor is not None and factor.enabled_at is not None:
        raise ValueError("two-factor is already on")
    if factor is None:
        with steps.unit_of_work(session, now=now, user=user):
            factor = UserSecondFactor(user_id=user.id, secret=pyotp.random_base32(), created_at=now)
            session.add(factor)
    return factor


def provisioning_uri(user: User, factor: UserSecondFactor) -> str:
    return _totp(factor.secret).provisioning_uri(name=user.username, issuer_name=ISSUER)


def qr_svg(uri: str) -> str:
    """The QR code of ``uri`` as inline SVG markup (no image request, so the CSP allows it)."""
    image = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    out = io.BytesIO()
    image.save(out)
    return out.getvalue().decode().split("?>", 1)[-1].strip()


def grouped(secret: str) -> str:
    """The secret in groups of four, easier to type."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def _digits(code: str) -> str:
    return re.sub(r"[\s-]", "", code)


def _matching_step(factor: UserSecondFactor, code: str, now: datetime) -> int | None:
    code = _digits(code)
    if not re.fullmatch(r"\d{6}", code):
        return None
    current = int(now.timestamp()) // STEP_SECONDS
    totp = _totp(factor.secret)
    for step in (current - 1, current, current + 1):
        if step > factor.last_step and hmac.compare_digest(totp.at(step * STEP_SECONDS), code):
            return step
    return None


def _hash(code: str) -> str:
    return hashlib.sha256(_digits(code).lower().encode()).hexdigest()


def _new_recovery_codes(session: Session, user: User) -> list[str]:
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = secrets.token_hex(8)  # 64 random bits
        codes.append("-".join(raw[i : i + 4] for i in range(0, len(raw), 4)))
        session.add(RecoveryCode(user_id=user.id, code_hash=_hash(raw)))
    return codes


@dataclass(frozen=True)
class Enrolment:
    """What confirming an enrolment came to: the new recovery codes (to be shown once), or
    ``retry_at`` (throttled), or neither (the code was wrong)."""

    codes: list[str] | None = None
    retry_at: datetime | None = None


def confirm_enrolment(
    session: Session, user: User, code: str, ip: str | None, *, now: datetime, signing_in: bool
) -> Enrolment:
    """Switch two-factor on if ``code`` is right for the secret being enrolled. Throttled and
    recorded as sign-in attempts; a success counts as a sign-in when it finishes one."""
    wait_until = sign_in.retry_at(session, user.username, ip, now=now)
    if wait_until is not None:
        return Enrolment(retry_at=wait_until)
    factor = factor_of(session, user)
    step = _matching_step(factor, code, now) if factor and factor.enabled_at is None else None
    with steps.unit_of_work(session, now=now, actor=audit.Actor.of(user, ip)) as unit:
        if factor is None or step is None:
            sign_in.record(session, user.username, ip, succeeded=False, now=now)
            return Enrolment()
        factor.enabled_at = now
        factor.last_step = step
        codes = _new_recovery_codes(session, user)
        if signing_in:
            sign_in.record(session, user.username, ip, succeeded=True, now=now)
        unit.audit("two-factor-on", subject_type="user", subject=user.username)
    return Enrolment(codes=codes)


def _use_recovery_code(session: Session, user: User, code: str, now: datetime) -> bool:
    row = session.scalar(
        select(RecoveryCode).where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == _hash(code),
            RecoveryCode.used_at.is_(None),
        )
    )
    if row is None:
        return False
    row.used_at = now
    return True


def check_code(session: Session, user: User, code: str, ip: str | None, *, now: datetime) -> CodeCheck:
    """The second step of a sign-in: throttled as passwords are, the attempt recorded either way,
    a six-digit code or an unused recovery code accepted once."""
    wait_until = sign_in.retry_at(session, user.username, ip, now=now)
    if wait_until is not None:
        return CodeCheck(retry_at=wait_until)
    factor = factor_of(session, user)
    with steps.unit_of_work(session, now=now, actor=audit.Actor.of(user, ip)) as unit:
        step = _matching_step(factor, code, now) if factor is not None else None
        recovery = step is None and factor is not None and _use_recovery_code(session, user, code, now)
        if factor is not None and step is not None:
            factor.last_step = step
        ok = step is not None or recovery
        sign_in.record(session, user.username, ip, succeeded=ok, now=now)
        if recovery:
            unit.audit("two-factor-recovery-code-used", subject_type="user", subject=user.username)
    return CodeCheck(ok=ok, used_recovery_code=recovery)


def recovery_codes_left(session: Session, user: User) -> int:
    rows = session.scalars(
        select(RecoveryCode.id).where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
    )
    return len(list(rows))


def turn_off(session: Session, user: User, *, by: User, ip: str | None, now: datetime) -> None:
    """Remove ``user``'s second factor and recovery codes (by themselves, or an administrator's
    reset); their sessions and tokens end when it is someone else's doing."""
    from casework import people

    with steps.unit_of_work(session, now=now, actor=audit.Actor.of(by, ip)) as unit:
        session.execute(delete(UserSecondFactor).where(UserSecondFactor.user_id == user.id))
        session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
        if by.id != user.id:
            people.end_sessions(session, user, now=now)
        action = "two-factor-off" if by.id == user.id else "two-factor-reset"
        unit.audit(action, subject_type="user", subject=user.username)


def find_person(session: Session, username: str) -> User | None:
    return session.scalar(select(User).where(User.username == username.strip().lower()))


def people_with_factor(session: Session, *, limit: int = 500) -> list[tuple[User, datetime | None]]:
    """People with two-factor on or being set up (when it was switched on, or None), by name."""
    rows = session.execute(
        select(User, UserSecondFactor.enabled_at)
        .join(UserSecondFactor, UserSecondFactor.user_id == User.id)
        .order_by(User.display_name)
        .limit(limit)
    )
    return [(user, enabled_at) for user, enabled_at in rows]
