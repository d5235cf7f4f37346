"""Flood protection for the two anonymous ways in: the public form and ``POST /api/reports``.

Flask-Limiter counts the reports each client address sends, and all of them together, in Redis
in the scaled mode (shared by every web process) and in memory in the embedded one. Only a
submission that was taken counts (a redirect from the form, a 201 from the API, and a held
spam-trap one, which looks taken); viewing the form, or a form sent back with errors, does not.
Over a limit the answer is 429 with ``Retry-After``, the phone numbers, and what was typed.
"""

from __future__ import annotations

import os
import time
from typing import Any

from flask import Flask, current_app, jsonify, render_template, request
from flask_limiter import Limiter, RateLimitExceeded
from flask_limiter.util import get_remote_address
from werkzeug.wrappers import Response

from casework.settings import check_limits
from webapp import public, report_steps

ENDPOINTS = ("public.report", "public.send", "reports.create_report")
TAKEN = (201, 303)
# The tracking page: every attempt at a reference and code counts (per address, and per
# reference typed, so guessing one case's code from many addresses is slow too); so does each
# thing a signed-in reporter sends.
TRACKING = "tracking.sign_in"
TRACKING_ACTIONS = "tracking.act"
TRACK_LIMIT = "10 per 10 minutes; 40 per day"
TRACK_ACTION_LIMIT = "20 per hour"


def _taken(response: Response) -> bool:
    return response.status_code in TAKEN


def _everyone() -> str:
    return "everyone"


def init_app(app: Flask) -> None:
    for name in ("REPORT_LIMIT_PER_ADDRESS", "REPORT_LIMIT_OVERALL"):
        check_limits(name, str(app.config[name]))
    # One limiter per app (not a module global), so each app keeps its own storage.
    limiter = Limiter(
        get_remote_address,  # request.remote_addr, after ProxyFix has applied PROXY_HOPS
        storage_uri=app.config["REDIS_URL"] or "memory://",
        strategy="moving-window",
        headers_enabled=True,
        # Redis down must not lose a report: count in this process meanwhile.
        in_memory_fallback_enabled=True,
        key_prefix="hatecases-reports",
    )
    limiter.init_app(app)
    per_address = limiter.shared_limit(
        lambda: str(current_app.config["REPORT_LIMIT_PER_ADDRESS"]),
        scope="report-per-address",
        methods=["POST"],
        deduct_when=_taken,
    )
    overall = limiter.shared_limit(
        lambda: str(current_app.config["REPORT_LIMIT_OVERALL"]),
        scope="report-overall",
        key_func=_everyone,
        methods=["POST"],
        deduct_when=_taken,
    )
    for endpoint in ENDPOINTS:
        view: Any = app.view_functions[endpoint]
        app.view_functions[endpoint] = overall(per_address(view))
    _limit_tracking(app, limiter)
    app.extensions["report_limiter"] = limiter
    app.register_error_handler(RateLimitExceeded, _too_many)


def _typed_reference() -> str:
    return "reference:" + "".join(request.form.get("reference", "").split()).upper()[:40]


def _tracking_setting(name: str, default: str) -> str:
    return str(current_app.config.get(name) or os.environ.get(name) or default)


def _limit_tracking(app: Flask, limiter: Limiter) -> None:
    for name, default in (("TRACK_LIMIT", TRACK_LIMIT), ("TRACK_ACTION_LIMIT", TRACK_ACTION_LIMIT)):
        check_limits(name, str(app.config.get(name) or os.environ.get(name) or default))

    def limit() -> str:
        return _tracking_setting("TRACK_LIMIT", TRACK_LIMIT)

    per_address = limiter.shared_limit(limit, scope="track-per-address", methods=["POST"])
    per_reference = limiter.shared_limit(
        limit, scope="track-per-reference", key_func=_typed_reference, methods=["POST"]
    )
    view: Any = app.view_functions[TRACKING]
    app.view_functions[TRACKING] = per_reference(per_address(view))
    actions = limiter.shared_limit(
        lambda: _tracking_setting("TRACK_ACTION_LIMIT", TRACK_ACTION_LIMIT),
        scope="track-actions",
        methods=["POST"],
    )
    act: Any = app.view_functions[TRACKING_ACTIONS]
    app.view_functions[TRACKING_ACTIONS] = actions(act)


def _retry_after() -> int:
    limiter: Limiter = current_app.extensions["report_limiter"]
    limit = limiter.current_limit
    reset_at = limit.reset_at if limit is not None else int(time.time()) + 60
    return max(1, int(reset_at - time.time()))


def _wait_words(seconds: int) -> str:
    minutes = max(1, round(seconds / 60))
    if minutes < 90:
        return f"{minutes} minute{'s' if minutes != 1 else ''}"
    hours = round(minutes / 60)
    return f"{hours} hours"


def _too_many(err: RateLimitExceeded) -> tuple[Response | str, int, dict[str, str]]:
    seconds = _retry_after()
    headers = {"Retry-After": str(seconds)}
    config = current_app.config
    if request.path.startswith("/api/"):
        message = (
            "Too many reports have been sent from here or to us in a short time, so this one was not "
            f"saved. Keep what you sent and try again in {_wait_words(seconds)}, or phone us: "
            f"{config['PHONE_OFFICE_HOURS']} (office hours) or {config['PHONE_OUT_OF_HOURS']} "
            "(out of hours). If someone is in danger now, call 999."
        )
        body: dict[str, Any] = {"code": 429, "message": message, "errors": {}}
        return jsonify(body), 429, headers
    if request.endpoint in (TRACKING, TRACKING_ACTIONS):
        return render_template("tracking/too_many.html", wait=_wait_words(seconds)), 429, headers
    page = render_template(
        "public/too_many.html",
        values=report_steps.typed() if request.endpoint == "public.send" else public.submitted(),
        wait=_wait_words(seconds),
        strands=public.STRANDS,
    )
    return page, 429, headers
