"""Notifications to a group or a person, shown in the app (and, in the scaled mode, emailed)."""

from __future__ import annotations

from typing import Any

from db.models import Notification, TimelineEvent
from handlers.registry import ServiceRequest, handler


@handler("notify_group")
def notify_group(request: ServiceRequest) -> dict[str, Any]:
    group = str(request.params.get("group", "")).strip()
    message = str(request.params.get("message", "")).strip()
    if not group or not message:
        raise ValueError("notify_group needs the parameters 'group' and 'message'")
    request.session.add(
        Notification(
            case_id=request.case_id,
            group_name=group,
            message=f"{request.case_reference}: {message}",
            created_at=request.now,
        )
    )
    request.session.add(
        TimelineEvent(
            case_id=request.case_id,
            at=request.now,
            kind="notification",
            actor="system",
            summary=f"Notified {group}: {message}",
        )
    )
    return {"notified": group, "at": request.now.isoformat()}
