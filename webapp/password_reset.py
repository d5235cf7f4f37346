"""Setting a password from a one-time link (public: the person is not signed in)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

import processes
from casework import password_resets
from webapp import storage

bp = Blueprint("password_reset", __name__)


@bp.route("/password-reset/<token>", methods=["GET", "POST"])
def reset(token: str) -> Response | tuple[str, int]:
    session, now = storage.session(), processes.clock.now()
    try:
        if request.method == "GET":
            user = password_resets.check(session, token, now=now)
            return render_template("auth/reset.html", person=user, errors={}), 200
        password_resets.use(
            session,
            token,
            request.form.get("password", ""),
            request.form.get("confirm", ""),
            request.remote_addr,
            now=now,
        )
    except password_resets.ResetError as err:
        if err.field == "link":
            return render_template("auth/reset.html", person=None, errors={"link": str(err)}), 410
        person = password_resets.check(session, token, now=now)
        return render_template("auth/reset.html", person=person, errors={err.field: str(err)}), 422
    flash("Your password is set. Sign in with it now.", "success")
    return redirect(url_for("auth.login"), 303)
