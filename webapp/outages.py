"""When the database cannot be reached (a dropped connection, a restart), answer 503 with a
clear message instead of a server error; the connection pool reconnects on the next request."""

from __future__ import annotations

import logging

from flask import Flask, jsonify, render_template, request
from sqlalchemy.exc import DBAPIError, OperationalError
from werkzeug.wrappers import Response

log = logging.getLogger(__name__)
MESSAGE = "The case database is unavailable for a moment. Nothing was saved; please try again."


def _is_outage(err: DBAPIError) -> bool:
    return isinstance(err, OperationalError) or bool(err.connection_invalidated)


def init_app(app: Flask) -> None:
    @app.errorhandler(DBAPIError)
    def database_unavailable(err: DBAPIError) -> tuple[Response | str, int]:
        if not _is_outage(err):
            raise err
        log.warning(
            "database unavailable on %s %s: %s", request.method, request.path, type(err.orig).__name__
        )
        if request.path.startswith("/api/") or request.path == "/healthz":
            return jsonify({"code": 503, "message": MESSAGE}), 503
        try:
            return render_template("errors/error.html", code=503, message=MESSAGE), 503
        except DBAPIError:  # the page itself needs the database (the signed-in user)
            return f"<!doctype html><title>Unavailable</title><p>{MESSAGE}</p>", 503
