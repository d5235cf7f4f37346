"""Signing in and out (sessions for pages, bearer tokens for the API), and who may do what."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Flask,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import LoginManager, current_user, login_user, logout_user
from flask_wtf.csrf import CSRFProtect
from werkzeug.wrappers import Response

import processes
from casework import audit, people, sign_in, single_sign_on, steps
from db.models import User
from webapp import storage

bp = Blueprint("auth", __name__)
# Set after a successful sign-in on the page: lets this browser past the sign-in throttle for its
# own user (see casework/sign_in.py). A password change invalidates it.
DEVICE_COOKIE = "known_device"
DEVICE_COOKIE_AGE = 365 * 24 * 3600
login_manager = LoginManager()
csrf = CSRFProtect()


class SessionUser:
    """The signed-in user as Flask-Login sees it, wrapping the database row."""

    def __init__(self, user: User) -> None:
        self.row = user
        self.is_authenticated = True
        self.is_active = user.active
        self.is_anonymous = False

    def get_id(self) -> str:
        return str(self.row.id)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.row, name)


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Sign in to see that page."
    csrf.init_app(app)

    login_manager.user_loader(load_user)
    login_manager.unauthorized_handler(_unauthorized)


# The cookie is signed but kept by the browser, so it cannot be deleted from the server: it holds
# the user's session version (raised on sign-out, password change, deactivation) and when it was
# last used, both checked on every request. One integer per user needs no session table.
def load_user(user_id: str) -> SessionUser | None:
    if not user_id.isdigit():
        return None
    user = storage.session().get(User, int(user_id))
    if user is None or not user.active or session.get("sv") != user.session_version:
        return None
    now = processes.clock.now()
    seen = session.get("seen")
    if not isinstance(seen, (int, float)) or now.timestamp() - seen > _idle().total_seconds():
        g.idle_signed_out = True
        session.pop("_user_id", None)
        return None
    session["seen"] = int(now.timestamp())
    return SessionUser(user)


def _idle() -> timedelta:
    return timedelta(minutes=current_app.config["IDLE_MINUTES"])


def _unauthorized() -> Response:
    """To the sign-in page, keeping the page asked for (checked again by ``_safe_next``)."""
    if g.get("idle_signed_out"):
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?"), idle=1))
    flash(login_manager.login_message)
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


def idle_message() -> str:
    minutes = current_app.config["IDLE_MINUTES"]
    return f"You were signed out after {minutes} minute{'s' if minutes != 1 else ''} without activity."


def current_row() -> User:
    """The database row of the signed-in user (on a page whose ``webapp.access`` rule needs a
    permission, the access hook has already sent anyone not signed in to the sign-in page)."""
    return current_user.row


def _safe_next(target: str | None) -> str:
    """Only a path on this site: no scheme, no host, and no ``//`` or ``/\\`` that browsers
    read as another host."""
    if target and target.startswith("/") and not target.startswith(("//", "/\\")) and "\\" not in target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc:
            return target
    from webapp import access  # access imports this module's login manager

    return access.home_url()


@bp.route("/login", methods=["GET", "POST"])
def login() -> tuple[str, int] | tuple[str, int, dict[str, str]] | Response:
    error = None
    code = 200
    username = request.form.get("username", "")
    if request.method == "POST":
        now = processes.clock.now()
        db = storage.session()
        secret = current_app.config["SECRET_KEY"]
        known = sign_in.known_device(db, username, request.cookies.get(DEVICE_COOKIE), secret)
        outcome = sign_in.attempt(
            db, username, request.form.get("password", ""), request.remote_addr, now=now, known=known
        )
        audit_sign_in(username, outcome.user, throttled=outcome.throttled)
        if outcome.retry_at is not None:
            error = sign_in.wait_message(outcome.retry_at, now=now)
            page = render_template("auth/login.html", error=error, username=username)
            return page, 429, {"Retry-After": str(retry_after_seconds(outcome.retry_at, now))}
        if outcome.user is None:
            error, code = _password_refusal(username), 401
        else:
            from webapp import two_factor  # it imports this module

            next_url = request.args.get("next")
            held = two_factor.hold(outcome.user, known=known, next_url=next_url)
            return held or finish_sign_in(outcome.user, known=known, next_url=next_url)
    notice = idle_message() if request.args.get("idle") and request.method == "GET" else None
    return render_template("auth/login.html", error=error, username=username, notice=notice), code


def _password_refusal(username: str) -> str:
    if single_sign_on.uses_single_sign_on(storage.session(), username):
        name = current_app.config["OIDC_NAME"] if current_app.config.get("OIDC_ISSUER") else "single sign-on"
        return f"This account signs in with {name}, not a password here: use the button below."
    return "The username or password is not right."


def finish_sign_in(
    user: User, *, known: bool, next_url: str | None = None, page: Response | None = None
) -> Response:
    """Sign ``user`` in to this browser's session (the password, and the code if they use
    two-factor, were right); on to ``next_url`` (if on this site), or ``page`` if given."""
    now = processes.clock.now()
    login_user(SessionUser(user))
    session["sv"] = user.session_version
    session["seen"] = int(now.timestamp())
    _tell_of_failures(user.username)
    answer = page or redirect(_safe_next(next_url))
    if not known:
        answer.set_cookie(
            DEVICE_COOKIE,
            sign_in.device_cookie(user, current_app.config["SECRET_KEY"]),
            max_age=DEVICE_COOKIE_AGE,
            httponly=True,
            samesite="Lax",
            secure=current_app.config["SESSION_COOKIE_SECURE"],
        )
    return answer


def _tell_of_failures(username: str) -> None:
    failed = sign_in.failed_since_last_sign_in(storage.session(), username)
    if failed.count:
        flash(failed.message())


def retry_after_seconds(retry_at: datetime, now: datetime) -> int:
    return max(1, int((retry_at - now).total_seconds()) + 1)


def audit_sign_in(username: str, user: User | None, *, throttled: bool = False) -> None:
    actor = audit.Actor.of(user, request.remote_addr)
    if user is None:
        # The name typed is kept (cut short) so that guessing against one account shows up.
        actor = audit.Actor(username.strip().lower()[:80] or None, None, request.remote_addr)
    steps.write_audit(
        storage.database().sessions,
        actor,
        "sign-in" if user else "sign-in-failed",
        outcome="ok" if user else "throttled" if throttled else "failed",
        now=processes.clock.now(),
    )


@bp.route("/logout", methods=["POST"])
def logout() -> Response:
    """Ends this person's sessions everywhere, and their API tokens, not only this cookie's."""
    from webapp import sso  # sso imports this module's session user

    people.sign_out(storage.session(), current_row(), request.remote_addr, now=processes.clock.now())
    provider_sign_out = sso.sign_out_url()
    logout_user()
    flash("You have signed out. That ended your sessions on every device and revoked your API tokens.")
    return redirect(provider_sign_out or url_for("auth.login"))
