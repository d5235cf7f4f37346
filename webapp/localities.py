"""The localities page (administrators): add an estate, ward or area with its postcodes, rename
it or change its postcodes (the old name is kept), deactivate or reactivate it."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

import processes
from casework import localities, steps
from webapp import storage
from webapp.auth import current_row

bp = Blueprint("localities", __name__)
Page = str | Response | tuple[str, int]


def _render(
    values: dict[str, Any] | None = None, errors: dict[str, str] | None = None, status: int = 200
) -> tuple[str, int]:
    session = storage.session()
    return render_template(
        "admin/localities.html",
        localities=localities.everything(session),
        renames=localities.renames(session),
        kinds=localities.KINDS,
        values=values or {},
        errors=errors or {},
    ), status


@bp.route("/admin/localities")
def index() -> Page:
    return _render()


@bp.route("/admin/localities", methods=["POST"])
def add() -> Page:
    values = {name: request.form.get(name, "") for name in ("name", "kind", "postcodes")}
    try:
        with steps.unit_of_work(storage.session(), now=processes.clock.now(), user=current_row()) as step:
            added = localities.add(step, values["name"], values["kind"], values["postcodes"])
            name = added.name
    except localities.LocalityError as err:
        return _render(values, {err.field: str(err)}, 422)
    flash(f"Added “{name}”.", "success")
    return redirect(url_for("localities.index"), 303)


@bp.route("/admin/localities/<int:locality_id>", methods=["POST"])
def change(locality_id: int) -> Page:
    values = {
        f"name-{locality_id}": request.form.get("name", ""),
        f"postcodes-{locality_id}": request.form.get("postcodes", ""),
        "open": str(locality_id),
    }
    user = current_row()
    try:
        with steps.unit_of_work(storage.session(), now=processes.clock.now(), user=user) as step:
            changed = localities.change(
                step, locality_id, request.form.get("name", ""), request.form.get("postcodes", ""), by=user
            )
            name = changed.name
    except LookupError:
        abort(404)
    except localities.LocalityError as err:
        return _render(values, {f"{err.field}-{locality_id}": str(err)}, 422)
    flash(f"Saved “{name}”.", "success")
    return redirect(url_for("localities.index"), 303)


@bp.route("/admin/localities/<int:locality_id>/active", methods=["POST"])
def set_active(locality_id: int) -> Page:
    active = request.form.get("active") == "true"
    try:
        with steps.unit_of_work(storage.session(), now=processes.clock.now(), user=current_row()) as step:
            name = localities.set_active(step, locality_id, active).name
    except LookupError:
        abort(404)
    flash(f"“{name}” is {localities.offered_words(active)}.", "success")
    return redirect(url_for("localities.index"), 303)
