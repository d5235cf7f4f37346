"""The case step: the one unit of work that changes a case, and the only place that commits.

Every change to a case opens a step (``with case_step(session, ...) as step``): the views'
casework functions, the Celery tasks, the embedded timer thread and the CLI alike. The step locks
the case row (``FOR UPDATE`` on PostgreSQL; SQLite serialises writers itself), lets the flow do its
work, and alone turns what happened into rows: typed timeline events (``db.timeline``), audit
entries, outbox mail and notifications. It commits once; stale data and a lock held elsewhere
become ``Conflict``; any other error rolls everything back, so a case is never half changed.

Services take the step (or its session) and add to it; they never commit. The engine
(``processes``) and the handlers run inside the step and reach it through the small interfaces
they declare (``processes.types.StepContext``, ``handlers.registry.HandlerContext``), so neither
imports ``casework``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

import handlers
from casework import audit, case_access, reporter_updates
from db.models import AuditEvent, Case, Group, Notification, OutboxMessage, TimelineEvent, User
from db.timeline import Event
from handlers.registry import ServiceRequest
from processes.errors import Conflict

T = TypeVar("T")
STALE = (
    "The case was changed by someone else at the same time; nothing was saved. "
    "Reload to see its current state."
)
BUSY = "The case is being changed by someone else; try again."
SYSTEM = "system"
# The audit entry a request's edit expects (webapp.access): written by the step that commits the
# edit, in its transaction, so an edit and its entry are saved together or not at all.
_EXPECTED = "casework.steps.expected_edit"
_WRITTEN = "casework.steps.edit_written"


class CaseStep:
    """What a flow may do to cases inside one unit of work."""

    def __init__(
        self, session: Session, *, now: datetime, actor: audit.Actor, by: str, case: Case | None
    ) -> None:
        self.session, self.now, self.actor, self.by, self.case = session, now, actor, by, case
        # What this step put on timelines, for the reporter's updates before it commits.
        self.recorded: list[tuple[int, Event]] = []
        # The members of each group told so far: a batch of timers tells the same groups per case.
        self._members: dict[str, list[User]] = {}

    # -- the timeline, the audit log, mail and notices

    def record(
        self,
        event: Event,
        *,
        case: Case | int | None = None,
        by: str | None = None,
        at: datetime | None = None,
    ) -> None:
        """Add ``event`` to the timeline of ``case`` (default: the step's case)."""
        target = case if case is not None else self.case
        if target is None:
            raise ValueError(f"no case to record {event.KIND!r} on")
        case_id = target if isinstance(target, int) else target.id
        self.session.add(
            TimelineEvent(
                case_id=case_id,
                at=at or self.now,
                kind=event.KIND,
                actor=by or self.by,
                summary=event.summary,
                details=event.details,
            )
        )
        self.recorded.append((case_id, event))

    def audit(self, action: str, *, actor: audit.Actor | None = None, **entry: Any) -> AuditEvent:
        return audit.record(self.session, actor or self.actor, action, now=self.now, **entry)

    def queue_email(
        self,
        *,
        to: str,
        subject: str,
        body: str,
        case_id: int | None,
        kind: str = "email",
        document_id: int | None = None,
    ) -> None:
        """Mail to send once the step commits (the outbox delivers it, retrying on failure), with
        the PDF of the letter ``document_id`` attached if given."""
        self.session.add(
            OutboxMessage(
                case_id=case_id,
                kind=kind,
                recipient=to,
                subject=subject,
                body=body,
                created_at=self.now,
                next_attempt_at=self.now,
                document_id=document_id,
            )
        )

    def notify_group(self, case_id: int, reference: str, group: str, message: str, *, email: bool) -> None:
        """Tell the members of ``group`` who may open the case (a restricted case, or one of a team
        the group is not, stays closed to the others): one notice to the group when all of them
        may, else one to each who may."""
        if group not in self._members:
            found = self.session.scalars(select(User).join(User.groups).where(Group.name == group))
            self._members[group] = list(found)
        members = self._members[group]
        allowed = [m for m in members if case_access.may_open_id(self.session, m, case_id)]
        text = f"{reference}: {message}"
        if len(allowed) == len(members):
            self.session.add(
                Notification(case_id=case_id, group_name=group, message=text, created_at=self.now)
            )
        else:
            for member in allowed:
                self.session.add(
                    Notification(case_id=case_id, user_id=member.id, message=text, created_at=self.now)
                )
        if email:
            self._email(case_id, reference, allowed, message)

    def notify_person(self, case_id: int, reference: str, person: User, message: str, *, email: bool) -> bool:
        """Tell one person, if they may still open the case; whether they were told."""
        if not case_access.may_open_id(self.session, person, case_id):
            return False
        self.session.add(
            Notification(
                case_id=case_id, user_id=person.id, message=f"{reference}: {message}", created_at=self.now
            )
        )
        if email:
            self._email(case_id, reference, [person], message)
        return True

    def _email(self, case_id: int, reference: str, people: list[User], message: str) -> None:
        for person in people:
            if person.email and person.active:
                self.queue_email(
                    case_id=case_id,
                    to=person.email,
                    subject=f"Case {reference}: {message}",
                    body=f"{message}\n\nCase {reference}. Sign in to see the case "
                    "and your tasks. (No personal details are sent by email.)",
                )

    def record_disclosure(
        self,
        case: Case,
        *,
        recipient: str,
        purpose: str,
        lawful_basis: str,
        information: str,
        reason: str | None,
        by: str,
        with_consent: bool = False,
    ) -> None:
        """A disclosure made by the process (a referral), checked as a person's would be. With
        ``with_consent`` (the officer confirmed the victim consents) the victim's consent for the
        purpose is recorded if it is not yet, and the disclosure relies on it (basis consent)."""
        from casework import consents, disclosures

        party = consents.record_by_process(self, case, purpose=purpose, by=by) if with_consent else None
        disclosures.record_by_process(
            self,
            case,
            recipient=recipient,
            purpose=purpose,
            lawful_basis="consent" if with_consent else lawful_basis,
            information=information,
            reason=reason,
            by=by,
            party=party,
        )

    # -- the engine's way into the handlers

    def call_service(
        self, operation: str, params: dict[str, Any], data: dict[str, Any], case: Case, now: datetime
    ) -> dict[str, Any]:
        request = ServiceRequest(
            operation, params, data, case.id, case.reference or "", self.session, now, self
        )
        return handlers.dispatch(request)

    # -- locking

    def lock(self, case_id: int, *, skip_locked: bool = False) -> bool:
        """Hold the case row until the step ends; False if ``skip_locked`` and another holds it.

        Only the lock is taken: an already loaded case keeps the version it was read at, so a
        change made meanwhile still ends as a conflict when this step saves."""
        found = self.session.scalar(
            select(Case.id).where(Case.id == case_id).with_for_update(skip_locked=skip_locked)
        )
        return found is not None


def _actor_of(user: User | None, actor: audit.Actor | None) -> audit.Actor:
    if actor is not None:
        return actor
    return audit.Actor.of(user, None) if user is not None else audit.Actor(SYSTEM, SYSTEM, None)


@contextmanager
def case_step(
    session: Session,
    *,
    now: datetime,
    user: User | None = None,
    actor: audit.Actor | None = None,
    by: str | None = None,
    case: Case | None = None,
    lock: bool = True,
) -> Iterator[CaseStep]:
    """One unit of work on ``case`` (or on none yet: a new case, a user, a diagram). Commits once
    at the end; on any error rolls back and re-raises, with races as ``Conflict``."""
    name = by or (user.display_name if user is not None else SYSTEM)
    step = CaseStep(session, now=now, actor=_actor_of(user, actor), by=name, case=case)
    try:
        if case is not None and case.id is not None and lock and _row_locks(session):
            step.lock(case.id)
        yield step
        reporter_updates.send(step, list(step.recorded))
        wrote = _write_expected_edit(session)
        session.commit()
    except StaleDataError as err:
        _rolled_back(session)
        raise Conflict(STALE) from err
    except OperationalError as err:
        _rolled_back(session)
        if "locked" in str(err):
            raise Conflict(BUSY) from err
        raise
    except BaseException:
        _rolled_back(session)
        raise
    if wrote:
        session.info[_WRITTEN] = True
        session.info.pop(_EXPECTED, None)


def _row_locks(session: Session) -> bool:
    """Whether the database locks rows (PostgreSQL). SQLite has no ``FOR UPDATE``: it serialises
    writers itself, so the lock would be a statement that locks nothing."""
    return session.get_bind().dialect.name != "sqlite"


def unit_of_work(
    session: Session, *, now: datetime, user: User | None = None, actor: audit.Actor | None = None
) -> AbstractContextManager[CaseStep]:
    """A step that changes no case: a sign-in, a person's account, a diagram, an audit entry
    with nothing else to commit. The same rules: one commit at the end, nothing on an error."""
    return case_step(session, now=now, user=user, actor=actor)


def run(session: Session, work: Callable[[CaseStep], T], **step: Any) -> T:
    """``work(step)`` in a case step of its own (see ``case_step``)."""
    with case_step(session, **step) as opened:
        return work(opened)


@contextmanager
def own_session(sessions: sessionmaker[Session], **step: Any) -> Iterator[CaseStep]:
    """A case step in a session of its own (background work: timers, the outbox, retention)."""
    with sessions() as session, case_step(session, **step) as opened:
        yield opened


def uncommitted(session: Session, *, now: datetime) -> CaseStep:
    """A step whose work the caller always rolls back (a deploy's trial case, in a savepoint)."""
    return CaseStep(session, now=now, actor=audit.Actor(SYSTEM, SYSTEM, None), by=SYSTEM, case=None)


def _rolled_back(session: Session) -> None:
    session.rollback()
    session.info.pop(_EXPECTED, None)


# -- the audit entry a request's edit expects


def expect_edit(session: Session, actor: audit.Actor, *, now: datetime, **entry: Any) -> None:
    """The "edit" entry for the request in ``session``: the next step to commit writes it."""
    session.info[_EXPECTED] = (actor, now, entry)
    session.info[_WRITTEN] = False


def edit_written(session: Session) -> bool:
    """Whether a step committed the expected edit entry (and forget it)."""
    session.info.pop(_EXPECTED, None)
    return bool(session.info.pop(_WRITTEN, False))


def _write_expected_edit(session: Session) -> bool:
    expected = session.info.get(_EXPECTED)
    if expected is None:
        return False
    actor, now, entry = expected
    audit.record(session, actor, "edit", now=now, **entry)
    return True


def write_audit(
    sessions: sessionmaker[Session], actor: audit.Actor, action: str, *, now: datetime, **entry: Any
) -> None:
    """One audit entry in a transaction of its own (a view, a search, an export, a refusal, a
    sign-in: nothing else to commit with it)."""
    with sessions() as session:
        audit.record(session, actor, action, now=now, **entry)
        session.commit()
