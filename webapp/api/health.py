"""GET /healthz: is the app up and can it reach its database?"""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify
from werkzeug.wrappers import Response

from webapp import storage

bp = Blueprint("health", __name__)


@bp.route("/healthz")
def healthz() -> tuple[Response, int]:
    database = "ok" if storage.database().reachable() else "unreachable"
    status = "ok" if database == "ok" else "degraded"
    return jsonify(
        {"status": status, "database": database, "timers": current_app.config["TIMERS"]}
    ), 200 if status == "ok" else 503
