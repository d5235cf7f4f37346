"""The teams page (administrators): add a team, rename it (the old name is kept), name its
leader, remove it when no open task is offered to it."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

import processes
from casework import steps, supervision, teams
from webapp import storage
from webapp.auth import current_row

bp = Blueprint("teams", __name__)
Page = str | Response | tuple[str, int]


def _render(
    values: dict[str, Any] | None = None, errors: dict[str, str] | None = None, status: int = 200
) -> tuple[str, int]:
    session = storage.session()
    return render_template(
        "admin/teams.html",
        rows=teams.everything(session),
        people=supervision.active_officers(session),
        values=values or {},
        errors=errors or {},
    ), status


@bp.route("/admin/teams")
def index() -> Page:
    return _render()


@bp.route("/admin/teams", methods=["POST"])
def add() -> Page:
    values = {name: request.form.get(name, "") for name in ("name", "label")}
    try:
        with steps.unit_of_work(storage.session(), now=processes.clock.now(), user=current_row()) as step:
            label = teams.add(step, values["name"], values["label"]).label
    except teams.TeamError as err:
        return _render(values, {err.field: str(err)}, 422)
    flash(f"Added “{label}”.", "success")
    return redirect(url_for("teams.index"), 303)


@bp.route("/admin/teams/<int:team_id>", methods=["POST"])
def change(team_id: int) -> Page:
    label, leader = request.form.get("label", ""), request.form.get("leader", "")
    values = {f"label-{team_id}": label, f"leader-{team_id}": leader, "open": str(team_id)}
    user = current_row()
    try:
        with steps.unit_of_work(storage.session(), now=processes.clock.now(), user=user) as step:
            saved = teams.change(step, team_id, label, leader, by=user).label
    except LookupError:
        abort(404)
    except teams.TeamError as err:
        return _render(values, {f"{err.field}-{team_id}": str(err)}, 422)
    flash(f"Saved “{saved}”.", "success")
    return redirect(url_for("teams.index"), 303)


@bp.route("/admin/teams/<int:team_id>/remove", methods=["POST"])
def remove(team_id: int) -> Page:
    try:
        with steps.unit_of_work(storage.session(), now=processes.clock.now(), user=current_row()) as step:
            label = teams.remove(step, team_id)
    except LookupError:
        abort(404)
    except teams.TeamError as err:
        return _render({}, {err.field: str(err)}, 422)
    flash(f"Removed “{label}”.", "success")
    return redirect(url_for("teams.index"), 303)
