"""Notifications to a group or a person: shown in the app, and emailed through the outbox."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import lazyload

import translations
from db.models import ReporterDetails, Task
from db.timeline import Notified
from handlers.registry import ServiceRequest, handler

# The kind of outbox message an acknowledgement is (the public form caps them per address).
ACKNOWLEDGEMENT = "acknowledgement"


def _param(request: ServiceRequest, name: str) -> str:
    value = str(request.params.get(name, "")).strip()
    if not value:
        raise ValueError(f"{request.operation} needs the parameter '{name}'")
    return value


def tell_group(request: ServiceRequest, group: str, message: str, *, email: bool) -> None:
    request.context.notify_group(request.case_id, request.case_reference, group, message, email=email)


@handler("notify_group")
def notify_group(request: ServiceRequest) -> dict[str, Any]:
    """Tell every member of a group who may open the case (parameters: group, message)."""
    group, message = _param(request, "group"), _param(request, "message")
    tell_group(request, group, message, email=True)
    request.record(Notified(f"Notified {group}: {message}"))
    return {"notified": group, "at": request.now.isoformat()}


@handler("notify_assignee")
def notify_assignee(request: ServiceRequest) -> dict[str, Any]:
    """Remind whoever holds the open task ``task`` (its element id); its groups if no one does."""
    element, message = _param(request, "task"), _param(request, "message")
    task = request.session.scalar(
        select(Task)
        .where(Task.case_id == request.case_id, Task.element_id == element, Task.status == "open")
        .options(lazyload(Task.case))  # the step holds the case: no need to read it (and its state) again
    )
    if task is None:
        return {"notified": None}
    if task.assignee is not None:
        told = request.context.notify_person(
            request.case_id, request.case_reference, task.assignee, message, email=True
        )
        if not told:
            return {"notified": None}  # restricted since, without them: they no longer see the case
        request.record(Notified(f"Reminded {task.assignee.display_name}: {message}"))
        return {"notified": task.assignee.username}
    for group in task.group_names:
        tell_group(request, group, message, email=False)
    request.record(Notified(f"Reminded {', '.join(task.group_names)}: {message}"))
    return {"notified": task.group_names}


def acknowledgement(reference: str, language: str | None = None) -> tuple[str, str]:
    """The subject and body of the email that gives a reporter their case reference, in their
    language (``translations.LANGUAGES``; English when not known)."""
    _ = translations.translator(language)
    return (
        _("Your report %(reference)s has been received", reference=reference),
        _("Thank you for reporting. Your case reference is %(reference)s.", reference=reference)
        + "\n\n"
        + _(
            "A community safety officer will contact you within 24 hours. If you are in danger, "
            "call 999. You can also report to the police on 101, anonymously to Crimestoppers on "
            "0800 555 111, or online through True Vision."
        ),
    )


@handler("acknowledge_report")
def acknowledge_report(request: ServiceRequest) -> dict[str, Any]:
    """Email the reporter their case reference, if they gave an email address."""
    case = request.case()
    if not case.reporter_email:
        return {"acknowledged": False}
    if request.data.get("acknowledged_already"):
        request.record(Notified("Acknowledgement already emailed when the report was received"))
        return {"acknowledged": True}
    if request.data.get("acknowledge_by_email") is False:
        request.record(Notified("Acknowledgement not emailed: this address had the most allowed in 24 hours"))
        return {"acknowledged": False}
    language = request.session.scalar(
        select(ReporterDetails.language).where(ReporterDetails.case_id == case.id)
    )
    subject, body = acknowledgement(request.case_reference, language)
    request.context.queue_email(
        case_id=case.id, to=case.reporter_email, subject=subject, body=body, kind=ACKNOWLEDGEMENT
    )
    request.record(Notified("Acknowledgement emailed to the reporter"))
    return {"acknowledged": True}
