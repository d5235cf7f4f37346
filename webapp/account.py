"""The signed-in person's own API tokens: when each was made, when it expires, revoke it."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import login_required
from werkzeug.wrappers import Response

import processes
from casework import people
from webapp import storage
from webapp.auth import current_row

bp = Blueprint("account", __name__, url_prefix="/account")


@bp.route("/tokens")
@login_required
def tokens() -> str:
    rows = people.tokens_of(storage.session(), current_row())
    return render_template("account/tokens.html", tokens=rows, now=processes.clock.now())


@bp.route("/tokens/<int:token_id>/revoke", methods=["POST"])
@login_required
def revoke(token_id: int) -> Response:
    own = people.tokens_of(storage.session(), current_row())
    if not any(t.id == token_id for t in own):  # this page is for one's own tokens only
        abort(404)
    people.revoke_token(storage.session(), token_id, by=current_row(), now=processes.clock.now())
    flash(f"Token {token_id} is revoked: calls made with it are now refused.")
    return redirect(url_for("account.tokens"))
