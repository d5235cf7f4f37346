"""GET /healthz: is the app up and can it reach its database?"""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.wrappers import Response

from webapp import storage

bp = Blueprint("health", __name__)


@bp.route("/healthz")
def healthz() -> tuple[Response, int]:
    try:
        storage.session().execute(text("SELECT 1"))
        database = "ok"
    except SQLAlchemyError:
        database = "unreachable"
    status = "ok" if database == "ok" else "degraded"
    return jsonify(
        {"status": status, "database": database, "timers": current_app.config["TIMERS"]}
    ), 200 if status == "ok" else 503
