"""Two-factor sign-in pages: the code asked for after the password, setting up an authenticator
app (QR code, recovery codes shown once), turning it off, and an administrator's reset.

Between the password and the code the browser's session holds only a pending sign-in (the user,
their session version, when): nobody is signed in until the code is right. Someone whose role
must use two-factor (``TWO_FACTOR_REQUIRED_ROLES``) and has not set it up goes from the password
to the set-up page, and is signed in only once it is done.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

import processes
from casework import sign_in
from casework import two_factor as factors
from db.models import User
from webapp import storage
from webapp.auth import audit_sign_in, current_row, finish_sign_in, retry_after_seconds

bp = Blueprint("two_factor", __name__)
PENDING = "two_factor_pending"
PENDING_SECONDS = 10 * 60
WRONG_CODE = (
    "The code is not right. Type the 6-digit code your authenticator app shows now "
    "(each code works once), or one of your recovery codes."
)
WRONG_SETUP_CODE = "The code is not right. Type the 6-digit code your authenticator app shows now."
# Pages someone who must set up two-factor may still open while signed in.
SETUP_ENDPOINTS = {"two_factor.setup", "two_factor.settings", "auth.logout", "static"}

Page = tuple[str, int] | tuple[str, int, dict[str, str]] | Response


def required_setting() -> str:
    return str(current_app.config.get("TWO_FACTOR_REQUIRED_ROLES", ""))


def must_set_up(user: User) -> bool:
    return factors.is_required(user, required_setting()) and not factors.is_on(storage.session(), user)


def hold(user: User, *, known: bool, next_url: str | None) -> Response | None:
    """After a right password: to the code page (two-factor on) or the set-up page (required but
    not set up), with a pending sign-in; None when the person needs no second step."""
    if factors.is_on(storage.session(), user):
        endpoint = "two_factor.code"
    elif factors.is_required(user, required_setting()):
        endpoint = "two_factor.setup"
    else:
        return None
    session[PENDING] = {
        "user": user.id,
        "sv": user.session_version,
        "at": int(processes.clock.now().timestamp()),
        "known": known,
        "next": next_url,
    }
    return redirect(url_for(endpoint))


def _pending() -> User | None:
    held: Any = session.get(PENDING)
    if not isinstance(held, dict):
        return None
    user = storage.session().get(User, int(held.get("user", 0)))
    fresh = processes.clock.now().timestamp() - held.get("at", 0) <= PENDING_SECONDS
    if user is None or not user.active or user.session_version != held.get("sv") or not fresh:
        session.pop(PENDING, None)
        return None
    return user


def _start_again() -> Response:
    flash("Sign in again: the sign-in was not finished within 10 minutes, or was ended.")
    return redirect(url_for("auth.login"))


def _finish(user: User, page: Response | None = None) -> Response:
    held = session.pop(PENDING, {})
    return finish_sign_in(user, known=bool(held.get("known")), next_url=held.get("next"), page=page)


def _throttled(template: str, retry_at: Any, **context: Any) -> Page:
    now = processes.clock.now()
    error = sign_in.wait_message(retry_at, now=now)
    page = render_template(template, error=error, **context)
    return page, 429, {"Retry-After": str(retry_after_seconds(retry_at, now))}


@bp.route("/login/code", methods=["GET", "POST"])
def code() -> Page:
    user = _pending()
    if user is None:
        return _start_again()
    if request.method == "GET":
        return render_template("two_factor/code.html", error=None), 200
    now = processes.clock.now()
    check = factors.check_code(
        storage.session(), user, request.form.get("code", ""), request.remote_addr, now=now
    )
    # The password step wrote "sign-in"; a wrong or throttled code is written as a failure.
    if not check.ok:
        audit_sign_in(user.username, None, throttled=check.retry_at is not None)
    if check.retry_at is not None:
        return _throttled("two_factor/code.html", check.retry_at)
    if not check.ok:
        return render_template("two_factor/code.html", error=WRONG_CODE), 401
    if check.used_recovery_code:
        left = factors.recovery_codes_left(storage.session(), user)
        flash(f"You used a recovery code: it will not work again. You have {left} left.")
    return _finish(user)


def _setup_page(user: User, error: str | None) -> str:
    factor = factors.start_enrolment(storage.session(), user, now=processes.clock.now())
    uri = factors.provisioning_uri(user, factor)
    return render_template(
        "two_factor/setup.html",
        error=error,
        qr=factors.qr_svg(uri),
        secret=factors.grouped(factor.secret),
        required=factors.is_required(user, required_setting()),
        pending=not current_user.is_authenticated,
    )


@bp.route("/two-factor/set-up", methods=["GET", "POST"])
def setup() -> Page:
    """Setting up an authenticator app: while signing in (required), or from one's account."""
    user = current_row() if current_user.is_authenticated else _pending()
    if user is None:
        return _start_again()
    db = storage.session()
    if factors.is_on(db, user):
        return redirect(url_for("two_factor.settings"))
    if request.method == "GET":
        return _setup_page(user, None), 200
    signing_in = not current_user.is_authenticated
    done = factors.confirm_enrolment(
        db,
        user,
        request.form.get("code", ""),
        request.remote_addr,
        now=processes.clock.now(),
        signing_in=signing_in,
    )
    if done.retry_at is not None:
        return _throttled("two_factor/setup.html", done.retry_at, qr=None, secret=None, pending=signing_in)
    if done.codes is None:
        return _setup_page(user, WRONG_SETUP_CODE), 400
    answer = Response(mimetype="text/html")
    if signing_in:
        answer = _finish(user, answer)
    # Rendered once signed in, so that the page shows the signed-in header and home link.
    answer.set_data(render_template("two_factor/recovery_codes.html", codes=done.codes))
    answer.headers["Cache-Control"] = "no-store"  # shown once: not kept in the browser's cache
    return answer


@bp.route("/account/two-factor", methods=["GET"])
def settings() -> str:
    user = current_row()
    db = storage.session()
    return render_template(
        "two_factor/settings.html",
        on=factors.is_on(db, user),
        required=factors.is_required(user, required_setting()),
        left=factors.recovery_codes_left(db, user),
        error=None,
    )


@bp.route("/account/two-factor/off", methods=["POST"])
def turn_off() -> Page:
    """Turning it off needs a current code (a stolen session alone cannot), and is refused when
    the person's role must use it."""
    user = current_row()
    db = storage.session()
    now = processes.clock.now()
    error = None
    if factors.is_required(user, required_setting()):
        error = (
            "Your role must use two-factor sign-in, so it cannot be turned off. "
            "An administrator can reset it."
        )
    elif not factors.is_on(db, user):
        return redirect(url_for("two_factor.settings"))
    else:
        check = factors.check_code(db, user, request.form.get("code", ""), request.remote_addr, now=now)
        if check.retry_at is not None:
            error = sign_in.wait_message(check.retry_at, now=now)
        elif not check.ok:
            error = WRONG_CODE
    if error is not None:
        page = render_template(
            "two_factor/settings.html",
            on=True,
            required=factors.is_required(user, required_setting()),
            left=factors.recovery_codes_left(db, user),
            error=error,
        )
        return page, 400
    factors.turn_off(db, user, by=user, ip=request.remote_addr, now=now)
    flash("Two-factor sign-in is off. You sign in with your password only.")
    return redirect(url_for("two_factor.settings"))


@bp.route("/people/two-factor", methods=["GET"])
def people_list() -> tuple[str, int]:
    return _people_page(None, request.args.get("username", "")), 200


def _people_page(error: str | None, username: str) -> str:
    db = storage.session()
    with_factor = factors.people_with_factor(db)
    return render_template("two_factor/people.html", people=with_factor, error=error, username=username)


@bp.route("/people/two-factor/reset", methods=["POST"])
def reset() -> Page:
    """An administrator removes someone's second factor (a lost phone): audited; the person's
    sessions and tokens end, and they set it up again at their next sign-in if required."""
    username = request.form.get("username", "").strip().lower()
    db = storage.session()
    person = factors.find_person(db, username) if username else None
    error = None
    if not username:
        error = "Enter the username of the person whose two-factor sign-in to reset."
    elif person is None:
        error = f"There is no one with the username {username!r}."
    elif not factors.factor_of(db, person):
        error = f"{person.display_name} does not use two-factor sign-in: there is nothing to reset."
    if error is not None or person is None:
        return _people_page(error, username), 400
    factors.turn_off(db, person, by=current_row(), ip=request.remote_addr, now=processes.clock.now())
    flash(
        f"{person.display_name}'s two-factor sign-in is reset, and their sessions and API tokens are ended."
    )
    return redirect(url_for("two_factor.people_list"))


def enforce() -> Response | None:
    """Someone signed in whose role now must use two-factor can do nothing else until it is set
    up (a session from before the setting changed, or a reset)."""
    if not current_user.is_authenticated or request.endpoint in SETUP_ENDPOINTS:
        return None
    if request.path.startswith("/api/"):
        return None  # bearer tokens: POST /api/token asks for the code
    if must_set_up(current_user.row):
        flash("Your role must use two-factor sign-in: set it up to go on.")
        return redirect(url_for("two_factor.setup"))
    return None


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.before_request(enforce)
