"""POST /api/token (throttled), and the caller's tokens and their revocation. The bearer token
of every other /api call is checked by ``webapp.access`` before its view runs."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Flask, Response, current_app, g, jsonify, request
from flask_smorest import Blueprint, abort

import processes
from casework import people, sign_in, two_factor
from db.models import ApiToken, User
from webapp import storage
from webapp.access import api_user
from webapp.auth import audit_sign_in, csrf, retry_after_seconds
from webapp.schemas import TokenListSchema, TokenRequestSchema, TokenSchema

NO_CODE = (
    "This account uses two-factor sign-in: send the 6-digit code your authenticator app shows now "
    "as 'totp' with the username and password."
)
WRONG_CODE = "The two-factor code is not right, or was used already: send the code your app shows now."
NOT_SET_UP = (
    "This account must use two-factor sign-in and has not set it up: sign in on the web once to set "
    "it up, then ask for a token with the code as 'totp'."
)

bp = Blueprint("token", __name__, url_prefix="/api", description="Signing in to the API")


def init_app(app: Flask) -> None:
    # The API authenticates every call with a bearer token, not a cookie, so CSRF does not apply.
    for name in (
        "token",
        "reports",
        "tasks",
        "cases_api",
        "notifications_api",
        "process_models_api",
        "dashboards_api",
        "supervision_api",
        "restriction_api",
        "subject_access_api",
        "actions_api",
        "people_api",
    ):
        csrf.exempt(app.blueprints[name])


@bp.route("/token", methods=["POST"])
@bp.arguments(TokenRequestSchema)
@bp.response(200, TokenSchema)
@bp.alt_response(401, description="Wrong username or password, or a two-factor code missing or wrong")
@bp.alt_response(429, description="Too many failed attempts for this username or from this address")
def token(credentials: dict[str, str]) -> dict[str, Any] | Response:
    session = storage.session()
    now = processes.clock.now()
    outcome = sign_in.attempt(
        session, credentials["username"], credentials["password"], request.remote_addr, now=now
    )
    audit_sign_in(credentials["username"], outcome.user, throttled=outcome.throttled)
    if outcome.retry_at is not None:
        return _too_many(outcome.retry_at, now)
    if outcome.user is None:
        abort(401, message="The username or password is not right.")
    assert outcome.user is not None  # abort() raised otherwise
    problem = _second_factor(outcome.user, credentials.get("totp"), now)
    if isinstance(problem, Response):
        return problem
    value, expires = people.issue_token(session, outcome.user, now=now)
    return {"token": value, "expires_at": expires}


def _second_factor(user: User, code: str | None, now: datetime) -> Response | None:
    """Refuse (401, or 429 when throttled) a two-factor account without its current code."""
    session = storage.session()
    if not two_factor.is_on(session, user):
        if two_factor.is_required(user, current_app.config.get("TWO_FACTOR_REQUIRED_ROLES", "")):
            abort(401, message=NOT_SET_UP)
        return None
    if not code:
        abort(401, message=NO_CODE)
    check = two_factor.check_code(session, user, code or "", request.remote_addr, now=now)
    if check.retry_at is not None:
        return _too_many(check.retry_at, now)
    if not check.ok:
        abort(401, message=WRONG_CODE)
    return None


def _too_many(retry_at: datetime, now: datetime) -> Response:
    answer = jsonify(
        {"code": 429, "message": sign_in.wait_message(retry_at, now=now), "retry_at": retry_at.isoformat()}
    )
    answer.status_code = 429
    answer.headers["Retry-After"] = str(retry_after_seconds(retry_at, now))
    return answer


def _info(row: ApiToken, now: datetime) -> dict[str, Any]:
    return {
        "id": row.id,
        "user": row.user,
        "created_at": row.created_at,
        "expires_at": row.expires_at,
        "revoked_at": row.revoked_at,
        "active": row.revoked_at is None and row.expires_at > now,
    }


@bp.route("/token/revoke", methods=["POST"])
@bp.doc(security=[{"bearer": []}])
@bp.response(204)
def revoke_current() -> None:
    """Revoke the token this call is made with (signing out of the API)."""
    people.revoke_token(storage.session(), g.api_token_id, by=api_user(), now=processes.clock.now())


@bp.route("/tokens", methods=["GET"])
@bp.doc(security=[{"bearer": []}])
@bp.response(200, TokenListSchema)
def list_tokens() -> dict[str, Any]:
    """The caller's own tokens: when each was made, when it expires, whether it was revoked."""
    now = processes.clock.now()
    return {"items": [_info(row, now) for row in people.tokens_of(storage.session(), api_user())]}


@bp.route("/tokens/<int:token_id>", methods=["DELETE"])
@bp.doc(security=[{"bearer": []}])
@bp.response(204)
@bp.alt_response(404, description="No such token of yours")
def delete_token(token_id: int) -> None:
    """Revoke one of the caller's tokens (administrators: anyone's)."""
    if people.revoke_token(storage.session(), token_id, by=api_user(), now=processes.clock.now()) is None:
        abort(404, message="You have no token with that id.")
