"""The signed-in person's account: their API tokens (when each was made, when it expires, revoke
it) and changing their password."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from werkzeug.wrappers import Response

import processes
from casework import accounts, people
from casework.permissions import Permission, allows
from webapp import storage
from webapp.auth import current_row

bp = Blueprint("account", __name__, url_prefix="/account")


def _may_revoke_any() -> bool:
    return allows(current_row().role, Permission.REVOKE_ANY_TOKEN)


@bp.route("/tokens")
def tokens() -> str:
    """One's own tokens; an administrator also sees everyone's in use, or one person's (?user=)."""
    session, me, now = storage.session(), current_row(), processes.clock.now()
    owner = me
    if request.args.get("user") and _may_revoke_any():
        try:
            owner = accounts.find(session, request.args["user"])
        except LookupError:
            abort(404)
    everyone = accounts.tokens_in_use(session, now=now) if _may_revoke_any() and owner is me else []
    rows = people.tokens_of(session, owner)
    return render_template("account/tokens.html", tokens=rows, owner=owner, me=me, everyone=everyone, now=now)


@bp.route("/tokens/new", methods=["POST"])
def new_token() -> str:
    """A token made here, for people who sign in through single sign-on (no password to send to
    POST /api/token); shown once, on this answer only (not cached: see security_headers)."""
    now, me = processes.clock.now(), current_row()
    value, expires = people.issue_token(storage.session(), me, now=now)
    rows = people.tokens_of(storage.session(), me)
    return render_template(
        "account/tokens.html",
        tokens=rows,
        owner=me,
        me=me,
        everyone=[],
        now=now,
        new_token=value,
        new_expires=expires,
    )


@bp.route("/tokens/<int:token_id>/revoke", methods=["POST"])
def revoke(token_id: int) -> Response:
    own = people.tokens_of(storage.session(), current_row())
    if not any(t.id == token_id for t in own) and not _may_revoke_any():
        abort(404)  # others' tokens are only for those who may revoke anyone's
    row = people.revoke_token(storage.session(), token_id, by=current_row(), now=processes.clock.now())
    if row is None:
        abort(404)
    flash(f"Token {token_id} is revoked: calls made with it are now refused.")
    back = request.form.get("user", "")
    return redirect(url_for("account.tokens", user=back or None))


@bp.route("/sign-ins")
def sign_ins() -> str:
    attempts = accounts.recent_sign_ins(storage.session(), current_row())
    return render_template("account/sign_ins.html", attempts=attempts)


@bp.route("/password", methods=["GET", "POST"])
def password() -> Response | tuple[str, int]:
    if request.method == "GET":
        return render_template("account/password.html", error=None), 200
    user = current_row()
    form = request.form
    problem = people.change_password(
        storage.session(),
        user,
        form.get("current", ""),
        form.get("new", ""),
        form.get("confirm", ""),
        request.remote_addr,
        now=processes.clock.now(),
    )
    if problem is not None:
        return render_template("account/password.html", error=problem), 400
    # This browser stays signed in; every other session and token has ended.
    session["sv"] = user.session_version
    flash("Your password is changed. You were signed out everywhere else, and your API tokens are revoked.")
    return redirect(url_for("account.password"))
