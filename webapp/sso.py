"""Single sign-on pages: off to the landlord's OpenID Connect provider and back (the
authorisation code flow with PKCE, state and nonce, through Authlib), and its sign-out address.

Authlib checks the ID token's signature against the provider's published keys (JWKS), its nonce
and expiry; the issuer and audience are checked here against the settings, not only against what
discovery said. Who the person is, and their role and teams, is ``casework.single_sign_on``'s."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.base_client.errors import MismatchingStateError
from authlib.integrations.flask_client import OAuth
from flask import Blueprint, Flask, abort, current_app, redirect, render_template, request, session, url_for
from flask_login import login_user
from joserfc.errors import JoseError
from werkzeug.wrappers import Response

import processes
from casework import audit, single_sign_on, sso_settings, steps
from webapp import storage
from webapp.auth import SessionUser, _safe_next

bp = Blueprint("sso", __name__, url_prefix="/sso")
EXTENSION = "sso"
NEXT, ID_TOKEN = "sso_next", "sso_id_token"


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.context_processor(lambda: {"sso_name": provider_name()})
    if not sso_settings.enabled(app.config):
        return
    oauth = OAuth()
    oauth.init_app(app)
    issuer = app.config["OIDC_ISSUER"]
    oauth.register(
        "provider",
        client_id=app.config["OIDC_CLIENT_ID"],
        client_secret=app.config["OIDC_CLIENT_SECRET"],
        server_metadata_url=f"{issuer}/.well-known/openid-configuration",
        client_kwargs={
            "scope": "openid email profile",
            "code_challenge_method": "S256",
            "default_timeout": 10,
        },
    )
    app.extensions[EXTENSION] = oauth


def provider_name() -> str | None:
    return current_app.config["OIDC_NAME"] if EXTENSION in current_app.extensions else None


def _client() -> Any:
    if EXTENSION not in current_app.extensions:
        abort(404)
    return current_app.extensions[EXTENSION].create_client("provider")


def _refused(message: str, code: int) -> tuple[str, int]:
    steps.write_audit(
        storage.database().sessions,
        audit.Actor(None, None, request.remote_addr),
        "sign-in-failed",
        subject_type="single-sign-on",
        detail=message,
        outcome="failed",
        now=processes.clock.now(),
    )
    return render_template("auth/login.html", error=message, username=""), code


def _unreachable() -> str:
    return (
        f"The sign-in service ({provider_name()}) cannot be reached just now, so you are not signed "
        "in. Try again in a few minutes; if it keeps happening, tell IT."
    )


@bp.route("/start")
def start() -> Response | tuple[str, int]:
    client = _client()
    session[NEXT] = request.args.get("next") or ""  # checked after sign-in: home depends on who
    try:
        return client.authorize_redirect(url_for("sso.callback", _external=True))
    except (requests.RequestException, ValueError):
        return _refused(_unreachable(), 503)


UNTRUSTED = (
    "The sign-in service's answer could not be trusted (its signed token did not check out), so "
    "you are not signed in. Try again; if it keeps happening, tell IT."
)
STALE = "That sign-in was not started here or has expired. Start again with the button below."


@bp.route("/callback")
def callback() -> Response | tuple[str, int]:
    client = _client()
    config = current_app.config
    if request.args.get("error"):
        return _refused(
            "Signing in at the sign-in service was cancelled or refused. You are not signed in.", 400
        )
    checks = {
        "iss": {"essential": True, "values": [config["OIDC_ISSUER"]]},
        "aud": {"essential": True, "values": [config["OIDC_CLIENT_ID"]]},
    }
    try:
        token = client.authorize_access_token(claims_options=checks)
    except MismatchingStateError:
        return _refused(STALE, 400)
    except requests.RequestException:
        return _refused(_unreachable(), 503)
    except (AuthlibBaseError, JoseError, ValueError, KeyError):
        return _refused(UNTRUSTED, 400)
    claims = token.get("userinfo")
    if not claims:
        return _refused(UNTRUSTED, 400)
    now = processes.clock.now()
    try:
        user = single_sign_on.sign_in_with(
            storage.session(),
            dict(claims),
            issuer=config["OIDC_ISSUER"],
            groups_claim=config["OIDC_GROUPS_CLAIM"],
            group_map=config["OIDC_GROUP_MAP"],
            ip=request.remote_addr,
            now=now,
        )
    except single_sign_on.Refused as refusal:
        return _refused(str(refusal), 403)
    login_user(SessionUser(user))
    session["sv"] = user.session_version
    session["seen"] = int(now.timestamp())
    session[ID_TOKEN] = token["id_token"]
    return redirect(_safe_next(session.pop(NEXT, None)))


def sign_out_url() -> str | None:
    """The provider's end-session address (RP-initiated logout) for a person who signed in
    through it, coming back to the sign-in page; None when there is none or it cannot be read."""
    id_token = session.pop(ID_TOKEN, None)
    if id_token is None or EXTENSION not in current_app.extensions:
        return None
    try:
        metadata = _client().load_server_metadata()
    except (requests.RequestException, ValueError):
        return None
    end = metadata.get("end_session_endpoint")
    if not end:
        return None
    back = url_for("auth.login", _external=True)
    return f"{end}?{urlencode({'id_token_hint': id_token, 'post_logout_redirect_uri': back})}"
