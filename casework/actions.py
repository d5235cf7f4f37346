"""The action plan (issue 15): ad-hoc actions on a case beside the diagram's tasks.

An action says what is to be done, by whom (a member of staff who may open the case and edit
it), by which day, and whether it was agreed with the victim. It is open until its owner or a
colleague marks it done or cancels it; an open action whose day has passed is overdue, as a task
past its due time is. Actions show on the case page and in their owner's inbox. Each change is
one case step, with its line on the timeline; the route's audit entry is written with it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework import case_access, steps
from casework.casefile import find_case
from casework.permissions import Permission, roles_with
from db.models import Case, CaseAction, User
from db.timeline import ActionAdded, ActionClosed

LONDON = ZoneInfo("Europe/London")
STATUSES: dict[str, str] = {"open": "Open", "done": "Done", "cancelled": "Cancelled"}
CLOSING = {"done": "done", "cancelled": "cancelled"}
DESCRIPTION_MAX = 2000
LATEST = timedelta(days=5 * 366)  # a due day further ahead than this is a typing mistake


class Invalid(ValueError):
    """Input to correct, as ``{field: message}``."""

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = errors
        super().__init__(" ".join(errors.values()))


class NotFound(LookupError):
    """No such action on this case."""


@dataclass(frozen=True)
class ActionView:
    id: int
    case_reference: str
    description: str
    owner_id: int
    owner_name: str
    due_on: date
    due_at: datetime
    status: str
    agreed_with_victim: bool
    created_at: datetime
    created_by: str
    closed_at: datetime | None
    closed_by: str | None

    @property
    def status_label(self) -> str:
        return STATUSES.get(self.status, self.status)

    def overdue(self, now: datetime) -> bool:
        return self.status == "open" and self.due_at <= now


def view(action: CaseAction) -> ActionView:
    return ActionView(
        id=action.id,
        case_reference=action.case.reference or "",
        description=action.description,
        owner_id=action.owner_id,
        owner_name=action.owner.display_name,
        due_on=due_day(action.due_at),
        due_at=action.due_at,
        status=action.status,
        agreed_with_victim=action.agreed_with_victim,
        created_at=action.created_at,
        created_by=action.created_by,
        closed_at=action.closed_at,
        closed_by=action.closed_by,
    )


def end_of(day: date) -> datetime:
    """An action due on ``day`` is overdue from the start of the next day, UK time."""
    return datetime.combine(day + timedelta(days=1), time(0), LONDON)


def due_day(due_at: datetime) -> date:
    return (due_at.astimezone(LONDON) - timedelta(microseconds=1)).date()


def owners(session: Session, case: Case) -> list[User]:
    """Who may own an action on ``case``: active staff who may edit cases and open this one."""
    staff = session.scalars(
        select(User)
        .where(User.active.is_(True), User.role.in_(roles_with(Permission.EDIT_CASES)))
        .order_by(User.display_name)
    )
    return [u for u in staff if case_access.may_open(session, u, case)]


def for_case(session: Session, case: Case) -> list[ActionView]:
    """Open actions first, soonest due first; then the closed ones."""
    rows = session.scalars(select(CaseAction).where(CaseAction.case_id == case.id))
    return sorted((view(a) for a in rows), key=_order)


def _order(action: ActionView) -> tuple[bool, float, int]:
    return (action.status != "open", action.due_at.timestamp(), action.id)


def for_owner(session: Session, user: User, *, limit: int = 100) -> list[ActionView]:
    """The open actions ``user`` owns on cases they may still open, soonest due first."""
    rows = session.scalars(
        select(CaseAction)
        .join(Case, Case.id == CaseAction.case_id)
        .where(CaseAction.owner_id == user.id, CaseAction.status == "open", case_access.not_hidden(user))
        .order_by(CaseAction.due_at, CaseAction.id)
        .limit(limit)
    )
    return [view(a) for a in rows]


def _due(value: object, now: datetime, errors: dict[str, str]) -> date | None:
    if isinstance(value, datetime):
        value = value.date()
    if not isinstance(value, date):
        text = str(value or "").strip()
        if not text:
            errors["due_on"] = "Enter the day the action is due."
            return None
        try:
            value = date.fromisoformat(text)
        except ValueError:
            errors["due_on"] = "Enter the due day as a real date, for example 2026-12-31."
            return None
    today = now.astimezone(LONDON).date()
    if value < today:
        errors["due_on"] = "The due day is in the past: choose today or a later day."
    elif end_of(value) - now > LATEST:
        errors["due_on"] = "The due day is more than five years away: check the year."
    return value


def _owner(session: Session, case: Case, owner_id: object, errors: dict[str, str]) -> User | None:
    try:
        wanted = int(str(owner_id))
    except (TypeError, ValueError):
        errors["owner_id"] = "Choose who will do the action."
        return None
    owner = next((u for u in owners(session, case) if u.id == wanted), None)
    if owner is None:
        errors["owner_id"] = "Choose someone who may work on this case."
    return owner


def _description(value: object, errors: dict[str, str]) -> str:
    text = str(value or "").strip()
    if not text:
        errors["description"] = "Describe the action: what is to be done."
    elif len(text) > DESCRIPTION_MAX:
        errors["description"] = (
            f"Keep the description to {DESCRIPTION_MAX:,} characters (it has {len(text):,})."
        )
    return text


def _yes(value: object) -> bool:
    if isinstance(value, bool):
        return value
    return str(value or "").strip().lower() in {"yes", "true", "on", "1"}


def add(
    session: Session,
    reference: str,
    *,
    description: object,
    owner_id: object,
    due_on: object,
    agreed_with_victim: object = False,
    user: User,
    now: datetime,
) -> CaseAction:
    """Put an action on the case's plan, in a case step; ``Invalid`` names each field to correct."""
    case = find_case(session, reference)
    with steps.case_step(session, now=now, user=user, case=case) as step:
        errors: dict[str, str] = {}
        text = _description(description, errors)
        owner = _owner(session, case, owner_id, errors)
        day = _due(due_on, now, errors)
        if case.status != "open":
            errors["case"] = "The case is not open: actions can only be added to an open case."
        if errors or owner is None or day is None:
            raise Invalid(errors)
        agreed = _yes(agreed_with_victim)
        action = CaseAction(
            case_id=case.id,
            description=text,
            owner_id=owner.id,
            due_at=end_of(day),
            status="open",
            agreed_with_victim=agreed,
            created_at=now,
            created_by=user.display_name,
        )
        session.add(action)
        session.flush()
        agreed_text = " (agreed with the victim)" if agreed else ""
        step.record(
            ActionAdded(f"Action for {owner.display_name}, due {day.day} {day:%B %Y}{agreed_text}: {text}")
        )
        if owner.id != user.id:
            step.notify_person(
                case.id,
                case.reference or "",
                owner,
                f"An action for you, due {day.day} {day:%B %Y}",
                email=False,
            )
    return action


def close(
    session: Session, reference: str, action_id: object, *, status: object, user: User, now: datetime
) -> CaseAction:
    """Mark an open action done or cancel it, in a case step."""
    case = find_case(session, reference)
    with steps.case_step(session, now=now, user=user, case=case) as step:
        action = _action_of(session, case, action_id)
        wanted = str(status or "").strip()
        if wanted not in CLOSING:
            raise Invalid({"status": "Say whether the action is done or cancelled."})
        if action.status != "open":
            already = STATUSES[action.status].lower()
            raise Invalid({"status": f"This action is already {already}; it cannot change again."})
        action.status = wanted
        action.closed_at = now
        action.closed_by = user.display_name
        verb = "done" if wanted == "done" else "cancelled"
        step.record(
            ActionClosed(f"Action {verb} (it was for {action.owner.display_name}): {action.description}")
        )
    return action


def _action_of(session: Session, case: Case, action_id: object) -> CaseAction:
    try:
        wanted = int(str(action_id))
    except (TypeError, ValueError):
        raise NotFound(f"There is no action {action_id!r} on case {case.reference}.") from None
    if not 0 < wanted < 2**31:  # beyond what the id column holds: no such row
        raise NotFound(f"There is no action {action_id!r} on case {case.reference}.")
    action = session.get(CaseAction, wanted)
    if action is None or action.case_id != case.id:
        raise NotFound(f"There is no action {action_id!r} on case {case.reference}.")
    return action
