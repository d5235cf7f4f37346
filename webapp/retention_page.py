"""The retention page (administrators): the period, the cases due, the job's last runs, run it now."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from werkzeug.wrappers import Response

import processes
from casework import audit, evidence_store, retention
from webapp import storage
from webapp.auth import current_row

bp = Blueprint("retention", __name__, url_prefix="/admin")


def _period() -> timedelta:
    return timedelta(days=current_app.config["RETENTION_DAYS"])


@bp.route("/retention")
def index() -> str:
    now = processes.clock.now()
    state = retention.status(storage.session(), now=now, retention=_period())
    return render_template("retention/index.html", state=state, days=current_app.config["RETENTION_DAYS"])


@bp.route("/retention", methods=["POST"])
def run() -> Response:
    actor = audit.Actor.of(current_row(), None)
    count = retention.anonymise_expired(
        storage.session(),
        now=processes.clock.now(),
        retention=_period(),
        actor=actor,
        store=evidence_store.open_store(current_app.config["EVIDENCE_STORE_URL"]),
    )
    flash(f"{count} case{'' if count == 1 else 's'} anonymised.", "success")
    return redirect(url_for("retention.index"), 303)
