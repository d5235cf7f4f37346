"""Notifications to a group or a person: shown in the app, and emailed through the outbox."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from casework import case_access
from casework.outbox import ACKNOWLEDGEMENT, queue_email
from db.models import Case, Group, Notification, Task, TimelineEvent, User
from handlers.registry import ServiceRequest, handler


def _param(request: ServiceRequest, name: str) -> str:
    value = str(request.params.get(name, "")).strip()
    if not value:
        raise ValueError(f"{request.operation} needs the parameter '{name}'")
    return value


def _email(request: ServiceRequest, people: list[User], message: str) -> None:
    for person in people:
        if person.email and person.active:
            queue_email(
                request.session,
                case_id=request.case_id,
                to=person.email,
                subject=f"Case {request.case_reference}: {message}",
                body=f"{message}\n\nCase {request.case_reference}. Sign in to see the case "
                "and your tasks. (No personal details are sent by email.)",
                now=request.now,
            )


def _record(request: ServiceRequest, summary: str) -> None:
    request.session.add(
        TimelineEvent(
            case_id=request.case_id, at=request.now, kind="notification", actor="system", summary=summary
        )
    )


def _tell_group(request: ServiceRequest, group: str, message: str, *, email: bool) -> None:
    """Tell the members of ``group`` who may open the case (a restricted case, or one of a team the
    group is not, stays closed to the others): one notice to the group when all of them may, else
    one to each who may."""
    members = list(request.session.scalars(select(User).join(User.groups).where(Group.name == group)))
    allowed = [m for m in members if case_access.may_open_id(request.session, m, request.case_id)]
    text = f"{request.case_reference}: {message}"
    if len(allowed) == len(members):
        request.session.add(
            Notification(case_id=request.case_id, group_name=group, message=text, created_at=request.now)
        )
    else:
        for member in allowed:
            request.session.add(
                Notification(case_id=request.case_id, user_id=member.id, message=text, created_at=request.now)
            )
    if email:
        _email(request, allowed, message)


@handler("notify_group")
def notify_group(request: ServiceRequest) -> dict[str, Any]:
    """Tell every member of a group who may open the case (parameters: group, message)."""
    group, message = _param(request, "group"), _param(request, "message")
    _tell_group(request, group, message, email=True)
    _record(request, f"Notified {group}: {message}")
    return {"notified": group, "at": request.now.isoformat()}


@handler("notify_assignee")
def notify_assignee(request: ServiceRequest) -> dict[str, Any]:
    """Remind whoever holds the open task ``task`` (its element id); its groups if no one does."""
    element, message = _param(request, "task"), _param(request, "message")
    task = request.session.scalar(
        select(Task).where(Task.case_id == request.case_id, Task.element_id == element, Task.status == "open")
    )
    if task is None:
        return {"notified": None}
    if task.assignee is not None:
        if not case_access.may_open_id(request.session, task.assignee, request.case_id):
            return {"notified": None}  # restricted since, without them: they no longer see the case
        request.session.add(
            Notification(
                case_id=request.case_id,
                user_id=task.assignee.id,
                message=f"{request.case_reference}: {message}",
                created_at=request.now,
            )
        )
        _email(request, [task.assignee], message)
        _record(request, f"Reminded {task.assignee.display_name}: {message}")
        return {"notified": task.assignee.username}
    for group in task.group_names:
        _tell_group(request, group, message, email=False)
    _record(request, f"Reminded {', '.join(task.group_names)}: {message}")
    return {"notified": task.group_names}


@handler("acknowledge_report")
def acknowledge_report(request: ServiceRequest) -> dict[str, Any]:
    """Email the reporter their case reference, if they gave an email address."""
    case = request.session.get(Case, request.case_id)
    if case is None or not case.reporter_email:
        return {"acknowledged": False}
    if request.data.get("acknowledge_by_email") is False:
        _record(request, "Acknowledgement not emailed: this address had the most allowed in 24 hours")
        return {"acknowledged": False}
    queue_email(
        request.session,
        case_id=case.id,
        to=case.reporter_email,
        subject=f"Your report {request.case_reference} has been received",
        body=(
            f"Thank you for reporting. Your case reference is {request.case_reference}.\n\n"
            "A community safety officer will contact you within 24 hours. If you are in danger, "
            "call 999. You can also report to the police on 101, anonymously to Crimestoppers on "
            "0800 555 111, or online through True Vision."
        ),
        now=request.now,
        kind=ACKNOWLEDGEMENT,
    )
    _record(request, "Acknowledgement emailed to the reporter")
    return {"acknowledged": True}
