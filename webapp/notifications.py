"""In-app notifications: the list, marking read, and the unread count shown in the header."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

import processes
from casework import notifications as service
from webapp import storage
from webapp.auth import current_row

bp = Blueprint("notifications", __name__)


def init_app(app: Flask) -> None:
    @app.context_processor
    def unread_notifications() -> dict[str, Any]:
        if not current_user.is_authenticated:
            return {"unread_notifications": 0}
        return {"unread_notifications": service.unread_count(storage.session(), current_row())}


@bp.route("/notifications")
def index() -> str:
    unread_only = request.args.get("show") == "unread"
    page = request.args.get("page", "1")
    page_number = int(page) if page.isdigit() and 0 < int(page) < 100000 else 1
    result = service.notifications(
        storage.session(), current_row(), unread_only=unread_only, page=page_number
    )
    return render_template("notifications/index.html", page=result, unread_only=unread_only)


@bp.route("/notifications/<int:notification_id>/read", methods=["POST"])
def mark_read(notification_id: int) -> Response:
    session = storage.session()
    if not service.visible(session, current_row(), notification_id):
        abort(404)
    service.mark_read(session, current_row(), now=processes.clock.now(), notification_id=notification_id)
    return redirect(url_for("notifications.index", show=request.args.get("show")))


@bp.route("/notifications/read-all", methods=["POST"])
def mark_all_read() -> Response:
    count = service.mark_read(storage.session(), current_row(), now=processes.clock.now())
    flash(f"{count} notification{'s' if count != 1 else ''} marked as read.")
    return redirect(url_for("notifications.index"))
