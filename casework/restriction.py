"""Restricting a case to named people, and lifting the restriction (policy section 9). Who may
open a case is decided in ``casework.case_access``; this module changes it, in a case step."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework import steps
from casework.case_access import (
    CaseAccessError,
    CaseUnknown,
    case_called,
    named_people,
    staff_who_may_open_cases,
)
from casework.permissions import Permission, allows
from db.models import Case, CaseAccess, User
from db.timeline import Restricted


def restrict(step: steps.CaseStep, case: Case, people: list[User], *, by: User) -> None:
    """Restrict ``case`` to ``people`` (who restricts it is always named, so no one locks
    themselves out by mistake). Calling it again replaces the list. Does not commit."""
    if not allows(by.role, Permission.RESTRICT_CASES):
        raise CaseAccessError("Your role cannot restrict cases.")
    session, now = step.session, step.now
    names = {user.id: user for user in [by, *people] if user.active}
    current = {
        row.user_id: row for row in session.scalars(select(CaseAccess).where(CaseAccess.case_id == case.id))
    }
    for user_id, row in current.items():
        if user_id not in names:
            session.delete(row)
    for user_id in names.keys() - current.keys():
        session.add(CaseAccess(case_id=case.id, user_id=user_id, granted_by=by.username, granted_at=now))
    case.restricted = True
    listed = ", ".join(sorted(user.display_name for user in names.values()))
    step.record(Restricted(f"Case restricted; only these people may open it: {listed}"))


def lift_restriction(step: steps.CaseStep, case: Case, *, by: User) -> None:
    if not allows(by.role, Permission.RESTRICT_CASES):
        raise CaseAccessError("Your role cannot lift a restriction.")
    if not case.restricted:
        raise CaseAccessError("The case is not restricted.")
    session = step.session
    for row in session.scalars(select(CaseAccess).where(CaseAccess.case_id == case.id)):
        session.delete(row)
    case.restricted = False
    step.record(Restricted("Restriction lifted; the team may open the case again"))


def set_restriction(
    session: Session, reference: str, usernames: list[str] | None, *, by: User, now: datetime
) -> list[User]:
    """Restrict the case to ``usernames`` (plus ``by``), or lift the restriction when ``usernames``
    is None, in a case step; and returns who may open it now (empty: the team again)."""
    case = case_called(session, reference)
    if case is None:
        raise CaseUnknown(f"There is no case {reference}.")
    with steps.case_step(session, now=now, user=by, case=case) as step:
        if usernames is None:
            lift_restriction(step, case, by=by)
            return []
        eligible = {user.username: user for user in staff_who_may_open_cases(session)}
        unknown = [name for name in usernames if name not in eligible]
        if unknown:
            raise CaseAccessError(f"These are not active staff who can open cases: {', '.join(unknown)}.")
        restrict(step, case, [eligible[name] for name in usernames], by=by)
    return named_people(session, case)
