"""POST /api/token, and bearer-token checking for every other /api call except reports."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Flask, g, request
from flask_smorest import Blueprint, abort

import processes
from casework import people
from db.models import User
from webapp import storage
from webapp.auth import csrf
from webapp.schemas import TokenRequestSchema, TokenSchema

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
    ):
        csrf.exempt(app.blueprints[name])


@bp.route("/token", methods=["POST"])
@bp.arguments(TokenRequestSchema)
@bp.response(200, TokenSchema)
@bp.alt_response(401, description="Wrong username or password")
def token(credentials: dict[str, str]) -> dict[str, Any]:
    session = storage.session()
    user = people.authenticate(session, credentials["username"], credentials["password"])
    if user is None:
        abort(401, message="The username or password is not right.")
    assert user is not None  # abort() raised otherwise
    value, expires = people.issue_token(session, user, now=processes.clock.now())
    session.commit()
    return {"token": value, "expires_at": expires}


def api_user() -> User:
    return g.api_user


def token_required(view: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if g.get("api_user") is not None:  # webapp.access checked the token already
            return view(*args, **kwargs)
        header = request.headers.get("Authorization", "")
        scheme, _, value = header.partition(" ")
        user = None
        if scheme.lower() == "bearer" and value.strip():
            user = people.user_for_token(storage.session(), value.strip(), now=processes.clock.now())
        if user is None:
            abort(
                401, message="Send 'Authorization: Bearer <token>' with a valid token from POST /api/token."
            )
        g.api_user = user
        return view(*args, **kwargs)

    return wrapped
