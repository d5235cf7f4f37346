"""The reporter's private tracking code: made at random, shown once, kept only as an Argon2 hash.

A reference with a wrong code, and a reference that does not exist, are answered the same, in
the same time: a hash is always checked (against a dummy when there is no case), and the
comparison is Argon2's own constant-time one.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

import translations
from casework import steps
from casework.casefile import find_case
from db import timeline
from db.models import Case, CaseIncident, ReporterDetails, User
from handlers.notifications import acknowledgement

# No 0/O, 1/I/L: read out over the phone and typed from a letter without mistakes.
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
GROUPS, GROUP_SIZE = 3, 4  # 12 characters: about 59 bits


def new_code() -> str:
    raw = "".join(secrets.choice(ALPHABET) for _ in range(GROUPS * GROUP_SIZE))
    return "-".join(raw[i : i + GROUP_SIZE] for i in range(0, len(raw), GROUP_SIZE))


def normal(code: str) -> str:
    """The code as typed, without spaces, dashes or case: ``abcd efgh-jkmn`` is ``ABCDEFGHJKMN``."""
    return "".join(ch for ch in code.upper() if ch.isalnum())


def _hasher() -> PasswordHasher:
    from casework import people

    return people._hasher  # the same cost as passwords (and the tests' cheaper one)


@cache
def _dummy() -> str:
    return _hasher().hash("no such case")


def digest(code: str) -> str:
    return _hasher().hash(normal(code))


def _matches(stored: str | None, code: str) -> bool:
    try:
        return _hasher().verify(stored or _dummy(), normal(code)) and stored is not None
    except (VerificationError, InvalidHashError):
        return False


def case_for(session: Session, reference: str, code: str) -> Case | None:
    """The case ``reference`` names when ``code`` is its tracking code, else None (whatever was
    wrong: the reference, the code, or a case with no code). A report split off into a case of its
    own (``casework.splitting``) took its code with it: the reference the reporter was given, the
    first case's, still finds it with that code while the first case has no code of its own.
    Exactly one hash is checked, whatever the answer."""
    wanted = reference.strip().upper()
    row = session.execute(
        select(Case, ReporterDetails.tracking_hash)
        .join(ReporterDetails, ReporterDetails.case_id == Case.id)
        .where(Case.reference == wanted)
    ).first()
    if row is None:
        first = aliased(Case)
        row = session.execute(
            select(Case, ReporterDetails.tracking_hash)
            .join(ReporterDetails, ReporterDetails.case_id == Case.id)
            .join(CaseIncident, CaseIncident.split_case_id == Case.id)
            .join(first, first.id == CaseIncident.case_id)
            .where(first.reference == wanted, CaseIncident.code_on_case.is_(True))
            .order_by(CaseIncident.id.desc())
        ).first()
    if not _matches(row[1] if row is not None else None, code) or row is None:
        return None
    return row[0] if row[0].anonymised_at is None else None


def stamp(session: Session, case_id: int) -> str:
    """What a reporter's signed-in session holds besides the reference: the code's set time, so
    a code reset by the officer ends every session opened with the old one."""
    set_at = session.scalar(select(ReporterDetails.tracking_set_at).where(ReporterDetails.case_id == case_id))
    return set_at.isoformat() if set_at else ""


def code_email(reference: str, code: str, language: str | None = None) -> tuple[str, str]:
    """The acknowledgement of a public report, with its tracking code, in the reporter's language."""
    _subject, acknowledged = acknowledgement(reference, language)
    _ = translations.translator(language)
    return (
        _("Your report %(reference)s has been received: your tracking code", reference=reference),
        acknowledged
        + "\n\n"
        + _("Your private tracking code is %(code)s.", code=code)
        + "\n\n"
        + _(
            "With both you can see how your case is going, add to your diary of what happens, ask us to "
            "call you back, make a complaint or ask for an ASB Case Review, on the 'Check your report' "
            "page of our website. Keep the code private: anyone with it can read your case's progress."
        ),
    )


def reset(session: Session, reference: str, *, by: User, now: datetime) -> str:
    """Give the case a new tracking code (the old one stops working); returns it, to be shown
    once to the officer to pass on. Audited; on the timeline without the code."""
    case = find_case(session, reference)
    code = new_code()
    with steps.case_step(session, now=now, user=by, case=case) as step:
        details = session.scalar(select(ReporterDetails).where(ReporterDetails.case_id == case.id))
        if details is None:
            details = ReporterDetails(case_id=case.id, reporter_is="not_said", contact_methods=[], needs=[])
            session.add(details)
        details.tracking_hash = digest(code)
        details.tracking_set_at = now
        step.record(
            timeline.TrackingCodeReset(f"{by.display_name} made a new tracking code for the reporter")
        )
        step.audit(
            "tracking-code-reset",
            subject_type="case",
            subject=case.reference,
            detail="A new tracking code for the reporter; the old one no longer works",
            outcome="done",
        )
    return code
