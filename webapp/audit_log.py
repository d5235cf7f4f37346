"""The audit log page: supervisors read their team's entries, managers and admins all of them."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from casework import audit
from webapp import storage
from webapp.auth import current_row

bp = Blueprint("audit_log", __name__)


@bp.route("/audit")
def index() -> str:
    page = request.args.get("page", "1")
    args = {
        "username": request.args.get("username", "").strip()[:80],
        "action": request.args.get("action", "") if request.args.get("action") in audit.ACTIONS else "",
        "subject": request.args.get("subject", "").strip()[:200],
    }
    result = audit.entries(
        storage.session(),
        current_row(),
        username=args["username"],
        action=args["action"],
        subject=args["subject"],
        page=int(page) if page.isdigit() and 0 < int(page) < 100000 else 1,
    )
    return render_template(
        "audit/index.html",
        page=result,
        args=args,
        actions=audit.ACTIONS,
        everyone=audit.reads_all(current_row()),
    )
