"""What supervisors, managers and administrators do to other people's work: give a task to another
officer (one task, or every open task an officer holds, e.g. for leave), escalate a case at once,
and record a quality review of a case.

Each function takes the session and the acting user, checks the user's role, and works in a case
step (``casework.steps``); on any error nothing is saved. Giving a task to someone else moves
the case's version on, so a step racing with it (the task being completed meanwhile) ends in a
``processes.Conflict`` for one of the two, never in a lost update.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified

import processes
from casework import case_access, steps, teams
from casework.casefile import find_case
from casework.people import GROUPS
from casework.permissions import Permission, roles_with
from db.models import CaseReview, Group, Notification, Task, User
from db.timeline import Escalated, QualityReviewed, TaskReassigned
from handlers.notifications import notify_group
from handlers.registry import ServiceRequest

ROLES = roles_with(Permission.SUPERVISE)
SUPERVISORS = "supervisors"
REASON_MIN, REASON_MAX = 5, 1000
COMMENTS_MAX = 5000
SCORES = range(1, 6)


class SupervisionError(Exception):
    """Base class of the refusals below."""


class NotPermitted(SupervisionError):
    """The acting user's role does not allow supervisors' actions."""


class CaseClosedToYou(NotPermitted):
    """The task's own case is restricted and the acting user is not named on it."""

    def __init__(self) -> None:
        super().__init__(
            "This task's case is restricted and you are not named on it, so you cannot move its "
            "tasks: ask a person named on the case."
        )


class Invalid(SupervisionError):
    """Input to correct, as ``{field: message}``."""

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = errors
        super().__init__("; ".join(errors.values()))


class UnknownOfficer(Invalid):
    """No (active) user has the username given for ``field``."""

    def __init__(self, field: str, username: str, *, active: bool = True) -> None:
        self.field = field
        name, who = username.strip(), "active user" if active else "user"
        super().__init__({field: f"There is no {who} called {name!r}." if name else "Choose an officer."})


@dataclass(frozen=True)
class Skipped:
    task_id: str
    title: str
    case_reference: str
    reason: str


@dataclass(frozen=True)
class BulkReassignment:
    from_username: str
    to_username: str
    from_name: str
    to_name: str
    reassigned: list[processes.TaskView]
    skipped: list[Skipped]

    @property
    def count(self) -> int:
        return len(self.reassigned)


@dataclass(frozen=True)
class Escalation:
    case_reference: str
    reason: str
    group: str
    at: datetime


@dataclass(frozen=True)
class Review:
    id: int
    case_reference: str
    score: int
    comments: str
    reviewer: str
    reviewer_name: str
    created_at: datetime


def may_supervise(user: User) -> bool:
    return user.role in ROLES


def _check_role(user: User) -> None:
    if not may_supervise(user):
        raise NotPermitted("Only supervisors, managers and administrators may do this.")


def find_officer(session: Session, username: str, field: str = "to", *, active: bool = True) -> User:
    """The user called ``username``; only an active one unless ``active`` is false (an officer who
    has left may still hold tasks to hand on)."""
    query = select(User).where(User.username == username.strip().lower())
    user = session.scalar(query.where(User.active) if active else query)
    if user is None:
        raise UnknownOfficer(field, username, active=active)
    return user


def _teams(names: list[str] | tuple[str, ...]) -> str:
    return ", ".join(GROUPS.get(name, name) for name in names) or "no team"


def _reassign(step: steps.CaseStep, task: Task, to: User, *, user: User) -> None:
    """Give ``task`` to ``to`` inside the caller's transaction (no commit). The task's own case
    decides whether ``user`` may touch it, whatever case a page or request named."""
    session, now = step.session, step.now
    if not case_access.may_open(session, user, task.case):
        raise CaseClosedToYou()
    if task.status != "open":
        raise processes.Conflict(
            f"This task is no longer open (it was {task.status}); it cannot be reassigned."
        )
    if task.assignee_id == to.id:
        raise Invalid({"to": f"{to.display_name} already holds this task."})
    if not set(task.group_names) & set(to.group_names):
        teams = _teams(task.group_names)
        raise Invalid({"to": f"{to.display_name} is not in the team this task is offered to ({teams})."})
    before = task.assignee
    task.assignee_id, task.assignee = to.id, to
    case = task.case
    flag_modified(case, "updated_at")  # moves the case's version on: a racing step conflicts
    step.record(
        TaskReassigned(
            user.display_name,
            task.title,
            task.id,
            before.username if before else None,
            before.display_name if before else None,
            to.username,
            to.display_name,
        ),
        case=case,
    )
    session.add(
        Notification(
            case_id=case.id,
            user_id=to.id,
            message=f"{case.reference}: {user.display_name} gave you the task “{task.title}”.",
            created_at=now,
        )
    )
    session.flush()


def reassign_task(
    session: Session,
    task_id: str,
    to_username: str,
    *,
    user: User,
    now: datetime,
    expected_case_version: int | None = None,
) -> processes.TaskView:
    """Give an open task to ``to_username``, who must be in one of the task's candidate groups."""
    _check_role(user)

    task = processes.get_task(session, task_id)
    with steps.case_step(session, now=now, user=user, case=task.case) as step:
        to = find_officer(session, to_username)
        if expected_case_version is not None and task.case.version != expected_case_version:
            raise processes.Conflict("The case changed since you opened it; reload it and try again.")
        _reassign(step, task, to, user=user)
        return processes.task_view(task)


def reassign_all(
    session: Session, from_username: str, to_username: str, *, user: User, now: datetime
) -> BulkReassignment:
    """Give every open task ``from_username`` holds to ``to_username``, each task in its own
    transaction: a task the new holder may not work, or that changed meanwhile, stays where it
    was and is listed in ``skipped``; the others move."""
    _check_role(user)
    try:
        holder = find_officer(session, from_username, field="from", active=False)
        to = find_officer(session, to_username)
        if holder.id == to.id:
            raise Invalid({"to": "Choose someone other than the officer whose tasks are moving."})
        task_ids = list(
            session.scalars(
                select(Task.id)
                .where(Task.assignee_id == holder.id, Task.status == "open")
                .order_by(Task.due_at.is_(None), Task.due_at, Task.created_at)
            )
        )
    finally:
        session.rollback()  # only read so far; each task below is its own unit of work
    moved: list[processes.TaskView] = []
    skipped: list[Skipped] = []
    for task_id in task_ids:
        try:
            moved.append(_move_held(session, task_id, holder, to, user, now))
        except CaseClosedToYou as err:
            # Neither the title nor the reference of a case closed to the supervisor is shown.
            skipped.append(Skipped(task_id, "A task on a restricted case", "", str(err)))
        except (processes.ProcessError, Invalid) as err:
            task = session.get(Task, task_id)
            reason = next(iter(err.errors.values())) if isinstance(err, Invalid) else str(err)
            title, reference = (task.title, task.case.reference or "") if task else ("", "")
            skipped.append(Skipped(task_id, title, reference, reason))
    return BulkReassignment(
        holder.username, to.username, holder.display_name, to.display_name, moved, skipped
    )


def _move_held(
    session: Session, task_id: str, holder: User, to: User, user: User, now: datetime
) -> processes.TaskView:
    task = processes.get_task(session, task_id)
    with steps.case_step(session, now=now, user=user, case=task.case) as step:
        if task.assignee_id != holder.id:
            raise processes.Conflict(f"{holder.display_name} no longer holds this task.")
        _reassign(step, task, to, user=user)
        return processes.task_view(task)


def _reason(reason: str | None) -> str:
    text = (reason or "").strip()
    if not REASON_MIN <= len(text) <= REASON_MAX:
        raise Invalid(
            {"reason": f"Give the reason for escalating in {REASON_MIN} to {REASON_MAX} characters."}
        )
    return text


def escalate(
    session: Session, reference: str, reason: str | None, *, user: User, now: datetime
) -> Escalation:
    """Escalate an open case to the supervisors at once (without waiting for a timer): the
    supervisors' group is notified in the app (and by email, without the reason) and the reason
    goes on the case's timeline."""
    _check_role(user)
    text = _reason(reason)

    case = find_case(session, reference)
    with steps.case_step(session, now=now, user=user, case=case) as step:
        if case.status != "open":
            raise processes.Conflict(f"Case {case.reference} is closed; there is nothing to escalate.")
        step.record(Escalated(user.display_name, SUPERVISORS, GROUPS[SUPERVISORS], text))
        # The same handler the diagram's escalations use. The reason stays in the app: emails
        # carry no personal details, and a typed reason may hold some.
        message = f"escalated by {user.display_name}; the reason is on the case's timeline"
        notify_group(
            ServiceRequest(
                "notify_group",
                {"group": SUPERVISORS, "message": message},
                {},
                case.id,
                case.reference or "",
                session,
                now,
                step,
            )
        )
        # The case's team leader (kept on the teams page) hears of it too, in the app and by email.
        leader = teams.leader(session, case.team) if case.team else None
        if leader is not None and leader.id != user.id:
            step.notify_person(case.id, case.reference or "", leader, message, email=True)
        return Escalation(case.reference or "", text, SUPERVISORS, now)


def _review_errors(score: int | None, comments: str | None) -> dict[str, str]:
    errors: dict[str, str] = {}
    if isinstance(score, bool) or score not in SCORES:
        errors["score"] = "Choose a score from 1 (poor) to 5 (excellent)."
    text = (comments or "").strip()
    if not text:
        errors["comments"] = "Write your comments on the handling of the case."
    elif len(text) > COMMENTS_MAX:
        errors["comments"] = f"Keep the comments to {COMMENTS_MAX} characters."
    return errors


def review_case(
    session: Session, reference: str, score: int | None, comments: str | None, *, user: User, now: datetime
) -> Review:
    """Record a quality review of a case (open or closed): a score from 1 to 5 and comments."""
    _check_role(user)
    errors = _review_errors(score, comments)
    if errors:
        raise Invalid(errors)
    assert score is not None and comments is not None  # checked above
    text = comments.strip()

    case = find_case(session, reference)
    with steps.case_step(session, now=now, user=user, case=case) as step:
        row = CaseReview(case_id=case.id, reviewer_id=user.id, score=score, comments=text, created_at=now)
        session.add(row)
        step.record(QualityReviewed(user.display_name, score, text))
        session.flush()
        return _view(row, case.reference or "", user)


def _view(row: CaseReview, reference: str, reviewer: User) -> Review:
    return Review(
        row.id, reference, row.score, row.comments, reviewer.username, reviewer.display_name, row.created_at
    )


def case_reviews(session: Session, reference: str) -> list[Review]:
    """The case's quality reviews, newest first."""
    case = find_case(session, reference)
    rows = session.scalars(
        select(CaseReview)
        .where(CaseReview.case_id == case.id)
        .order_by(CaseReview.created_at.desc(), CaseReview.id.desc())
    )
    return [_view(row, case.reference or "", row.reviewer) for row in rows]


def eligible_officers(session: Session, groups: list[str] | tuple[str, ...]) -> list[tuple[str, str]]:
    """(username, name) of the active users in any of ``groups``: whom a task may be given to."""
    rows = session.execute(
        select(User.username, User.display_name)
        .join(User.groups)
        .where(Group.name.in_(list(groups) or [""]), User.active)
        .distinct()
        .order_by(User.display_name, User.username)
    )
    return [(username, name) for username, name in rows]


def active_officers(session: Session) -> list[tuple[str, str]]:
    """(username, name) of every active user who is in at least one team."""
    rows = session.execute(
        select(User.username, User.display_name)
        .where(User.active, User.groups.any())
        .order_by(User.display_name, User.username)
    )
    return [(username, name) for username, name in rows]


def task_holders(session: Session) -> list[tuple[str, str, int]]:
    """(username, name, open tasks held) of everyone holding an open task, by name."""
    rows = session.execute(
        select(User.username, User.display_name, func.count(Task.id))
        .join(Task, Task.assignee_id == User.id)
        .where(Task.status == "open")
        .group_by(User.id, User.username, User.display_name)
        .order_by(User.display_name, User.username)
    )
    return [(username, name, count) for username, name, count in rows]
