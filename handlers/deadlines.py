"""Deadlines that keep running: a first-response attempt that reached nobody, and escalated or
ongoing work (contact with the victim, the overdue first response, the safeguarding referral)
whose own deadline passed. Each missed one is on the timeline for reporting."""

from __future__ import annotations

from typing import Any

from db.timeline import ContactAttempted, DeadlineMissed
from handlers.notifications import tell_group
from handlers.registry import ServiceRequest, handler


def _param(request: ServiceRequest, name: str) -> str:
    value = str(request.params.get(name, "")).strip()
    if not value:
        raise ValueError(f"{request.operation} needs the parameter '{name}'")
    return value


@handler("record_contact_attempt")
def record_contact_attempt(request: ServiceRequest) -> dict[str, Any]:
    """Put the failed attempt on the timeline; the diagram offers the next attempt."""
    request.record(ContactAttempted(str(request.data.get("contact_method") or "")))
    attempts = request.data.get("contact_attempts")
    return {"contact_attempts": (attempts if isinstance(attempts, int) else 0) + 1}


@handler("escalate_missed_deadline")
def escalate_missed_deadline(request: ServiceRequest) -> dict[str, Any]:
    """Record that ``deadline`` was missed and tell ``group`` (parameters: deadline, group,
    message), in the app and by email."""
    deadline, group = _param(request, "deadline"), _param(request, "group")
    message = _param(request, "message")
    request.record(DeadlineMissed(deadline, group))
    tell_group(request, group, message, email=True)
    return {"escalated": group, "at": request.now.isoformat()}
