"""Notifications over JSON: list mine (and my groups'), mark read."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint, abort
from marshmallow import Schema, fields, validate

import processes
from casework import notifications as service
from webapp import storage
from webapp.access import api_user

bp = Blueprint("notifications_api", __name__, url_prefix="/api", description="Notifications")
SECURITY: list[dict[str, list[str]]] = [{"bearer": []}]


class NotificationQuerySchema(Schema):
    unread = fields.Boolean(load_default=False)
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100000))


class NotificationSchema(Schema):
    id = fields.Integer()
    message = fields.String()
    created_at = fields.DateTime()
    case_reference = fields.String(allow_none=True)
    read = fields.Boolean()


class NotificationPageSchema(Schema):
    items = fields.List(fields.Nested(NotificationSchema))
    total = fields.Integer()
    unread = fields.Integer()
    page = fields.Integer()
    pages = fields.Integer()


class MarkedSchema(Schema):
    marked = fields.Integer()


@bp.route("/notifications", methods=["GET"])
@bp.doc(security=SECURITY)
@bp.arguments(NotificationQuerySchema, location="query")
@bp.response(200, NotificationPageSchema)
def list_notifications(query: dict[str, Any]) -> Any:
    """My notifications and my groups', newest first, with the unread count."""
    return service.notifications(
        storage.session(), api_user(), unread_only=query["unread"], page=query["page"]
    )


@bp.route("/notifications/<int:notification_id>/read", methods=["POST"])
@bp.doc(security=SECURITY)
@bp.response(200, MarkedSchema)
def mark_read(notification_id: int) -> dict[str, int]:
    session = storage.session()
    if not service.visible(session, api_user(), notification_id):
        abort(404, message="There is no such notification for you.")
    return {
        "marked": service.mark_read(
            session, api_user(), now=processes.clock.now(), notification_id=notification_id
        )
    }


@bp.route("/notifications/read-all", methods=["POST"])
@bp.doc(security=SECURITY)
@bp.response(200, MarkedSchema)
def mark_all_read() -> dict[str, int]:
    return {"marked": service.mark_read(storage.session(), api_user(), now=processes.clock.now())}
