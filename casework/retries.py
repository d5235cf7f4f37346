"""Retrying, or skipping, a case's failed background step: the one piece of work behind the
stuck-work page's Retry and Skip buttons and ``POST /api/stuck/cases/<reference>/retry``.

Any role with ``RETRY_STEPS`` may run the failed step again (the route's rule checks that);
skipping the failing step needs ``SKIP_STEPS`` (administrators). The step runs in transactions
of its own (``casework.timers.retry_case``), which commit or roll back the case's change.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker

from casework import timers
from casework.casefile import find_case
from casework.permissions import Permission, allows
from db.models import User


class SkipNotPermitted(Exception):
    """The person's role may retry a failed step but not skip it."""


@dataclass(frozen=True)
class Retried:
    reference: str | None
    fired: int  # timers fired by the retried step


def retry_failed_step(
    session: Session,
    sessions: sessionmaker[Session],
    reference: str,
    *,
    user: User,
    skip: bool = False,
) -> Retried:
    """Run the failed step of case ``reference`` again, or (``skip``) skip the step that fails.

    Raises ``SkipNotPermitted`` (skipping without ``SKIP_STEPS``), ``casefile.CaseNotFound`` (a
    ``LookupError``), and from ``timers.retry_case``: ``NotAllowed`` (no failed step),
    ``Conflict`` (someone else changed the case first), ``EngineFailure`` (it failed again; the
    case is unchanged and stays on the failed list)."""
    if skip and not allows(user.role, Permission.SKIP_STEPS):
        raise SkipNotPermitted("Only administrators may skip a failed step.")
    case = find_case(session, reference)
    case_id, case_reference = case.id, case.reference
    session.rollback()  # end the read: the step runs and commits in sessions of its own
    fired = timers.retry_case(sessions, case_id, actor=user.display_name, skip=skip)
    return Retried(case_reference, fired)
