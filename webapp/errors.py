"""Error pages and JSON errors: a clear message, never a stack trace or personal data.

JSON errors read ``{"code", "message"}`` plus ``"errors": {field: message}`` for field errors,
whether they come from a schema (webargs), from ``abort(..., errors=...)`` or from Werkzeug.
A list given as ``errors`` (a diagram's problems, each naming an element) is passed on as it is.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, jsonify, render_template, request
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from webapp import log_privacy, public_uploads

log = logging.getLogger(__name__)

MESSAGES = {
    400: "The request could not be understood.",
    401: "Sign in first.",
    403: "You are not allowed to do that.",
    404: "There is nothing at this address.",
    405: "That action is not possible here.",
    409: "Someone else changed this first.",
    413: "The upload is too large.",
    415: "Send the body as application/json.",
    422: "Some of what was sent is not valid.",
    429: "Too many attempts; wait a minute and try again.",
    500: "Something went wrong on our side. Nothing you sent was lost; please try again.",
}


PLAIN_500 = (
    "<!doctype html><html lang='en-GB'><title>Something went wrong</title>"
    f"<h1>Something went wrong</h1><p>{MESSAGES[500]}</p></html>"
)


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.path == "/healthz"


def _first_message(problem: Any) -> str:
    if isinstance(problem, list) and problem:
        return _first_message(problem[0])
    if isinstance(problem, dict) and problem:
        return _first_message(next(iter(problem.values())))
    return str(problem)


def _field_errors(data: dict[str, Any]) -> dict[str, str]:
    if isinstance(data.get("errors"), dict) and "messages" not in data:
        return {str(k): _first_message(v) for k, v in data["errors"].items()}
    flat: dict[str, str] = {}
    for location, fields in (data.get("messages") or {}).items():
        if isinstance(fields, dict):
            flat.update({str(name): _first_message(p) for name, p in fields.items()})
        else:
            flat[location] = _first_message(fields)
    return flat


def json_error(err: HTTPException) -> tuple[Response, int]:
    code = err.code or 500
    data: dict[str, Any] = getattr(err, "data", None) or {}
    errors: dict[str, str] | list[Any] = (
        data["errors"] if isinstance(data.get("errors"), list) else _field_errors(data)
    )
    message = data.get("message") or MESSAGES.get(code, err.description or "Error")
    if code == 400 and "json" in errors:
        message, errors = "The body is not valid JSON.", {}
    body: dict[str, Any] = {"code": code, "message": message}
    if errors or code == 422:
        body["errors"] = errors
    if isinstance(data.get("warnings"), list):  # a diagram's warnings, apart from its errors
        body["warnings"] = data["warnings"]
    return jsonify(body), code


def init_app(app: Flask) -> None:
    """Register after the API, so these handlers replace flask-smorest's."""
    log_privacy.install()

    @app.errorhandler(HTTPException)
    def http_error(err: HTTPException) -> tuple[Response | str, int]:
        if _wants_json():
            return json_error(err)
        code = err.code or 500
        if code == 413 and request.endpoint in public_uploads.ENDPOINTS:
            return public_uploads.too_large()
        message = MESSAGES.get(code, err.description or "Error")
        if code == 400 and err.description and "CSRF" in err.description:
            message = "The form had expired. Go back, reload the page and send it again."
        return render_template("errors/error.html", code=code, message=message), code

    @app.errorhandler(Exception)
    def unexpected(err: Exception) -> tuple[Response | str, int]:
        # Not log.exception: the message of an error can quote what was typed into a form.
        log.error("unhandled error on %s %s\n%s", request.method, request.path, log_privacy.describe(err))
        if _wants_json():
            return jsonify({"code": 500, "message": MESSAGES[500]}), 500
        try:
            return render_template("errors/error.html", code=500, message=MESSAGES[500]), 500
        except Exception as page_err:  # the page itself needs the database (signed-in user, counts)
            log.error("the error page could not be rendered\n%s", log_privacy.describe(page_err))
            return PLAIN_500, 500
