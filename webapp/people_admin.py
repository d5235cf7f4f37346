"""The people pages (administrators): find a person, add one, change their details, role and
teams, deactivate (listing their open tasks to move) and reactivate them."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

import processes
from casework import accounts, password_resets, people, steps, supervision
from casework.permissions import ROLE_LABELS, Role
from webapp import storage
from webapp.auth import current_row

bp = Blueprint("people_admin", __name__)
Page = str | Response | tuple[str, int]
FIELDS = ("display_name", "email", "phone", "job_title", "role")


def _details() -> accounts.Details:
    form = request.form
    return accounts.Details(**{name: form.get(name, "") for name in FIELDS}, teams=form.getlist("teams"))


def _values(user: Any = None) -> dict[str, Any]:
    """The form's values: what was typed, else the person's current details."""
    if request.method == "POST":
        return {
            **{name: request.form.get(name, "") for name in (*FIELDS, "username")},
            "teams": request.form.getlist("teams"),
        }
    if user is None:
        return {"teams": []}
    extra = accounts.profile(storage.session(), user)
    return {
        "display_name": user.display_name,
        "email": user.email or "",
        "phone": extra.phone or "",
        "job_title": extra.job_title or "",
        "role": user.role,
        "teams": user.group_names,
    }


def _form(
    template: str, errors: dict[str, str] | None = None, status: int = 200, **extra: Any
) -> tuple[str, int]:
    session = storage.session()
    return render_template(
        template,
        roles=[(role.value, ROLE_LABELS[role]) for role in Role],
        teams=[(g.name, g.label) for g in accounts.teams(session)],
        errors=errors or {},
        **extra,
    ), status


@bp.route("/admin/people")
def index() -> Page:
    query = request.args.get("q", "")
    page = request.args.get("page", "1")
    listing = accounts.search(storage.session(), query, int(page) if page.isdigit() else 1)
    return render_template("admin/people.html", listing=listing, query=query, role_labels=ROLE_LABELS)


@bp.route("/admin/people/new")
def new() -> Page:
    return _form("admin/person_new.html", values=_values())


@bp.route("/admin/people", methods=["POST"])
def add() -> Page:
    password = request.form.get("password", "")
    try:
        with steps.unit_of_work(storage.session(), now=processes.clock.now(), user=current_row()) as step:
            user = accounts.add(step, request.form.get("username", ""), _details(), password or None)
            username, name = user.username, user.display_name
    except accounts.AccountError as err:
        return _form("admin/person_new.html", {err.field: str(err)}, 422, values=_values())
    flash(f"Added {name}.", "success")
    return redirect(url_for("people_admin.person", username=username), 303)


def _person_page(username: str, errors: dict[str, str] | None = None, status: int = 200) -> tuple[str, int]:
    session = storage.session()
    try:
        user = accounts.find(session, username)
    except LookupError:
        abort(404)
    return _form(
        "admin/person.html",
        errors,
        status,
        person=user,
        values=_values(user),
        held=accounts.open_tasks_held(session, user),
        tokens=people.tokens_of(session, user),
        colleagues=[(n, label) for n, label in supervision.active_officers(session) if n != user.username],
        now=processes.clock.now(),
    )


@bp.route("/admin/people/<username>")
def person(username: str) -> Page:
    return _person_page(username)


@bp.route("/admin/people/<username>", methods=["POST"])
def change(username: str) -> Page:
    try:
        with steps.unit_of_work(storage.session(), now=processes.clock.now(), user=current_row()) as step:
            name = accounts.change(step, username, _details()).display_name
    except LookupError:
        abort(404)
    except accounts.AccountError as err:
        return _person_page(username, {err.field: str(err)}, 422)
    flash(f"Saved {name}'s details.", "success")
    return redirect(url_for("people_admin.person", username=username), 303)


@bp.route("/admin/people/<username>/active", methods=["POST"])
def set_active(username: str) -> Page:
    activate = request.form.get("active") == "true"
    me = current_row()
    try:
        with steps.unit_of_work(storage.session(), now=processes.clock.now(), user=me) as step:
            if activate:
                name = accounts.reactivate(step, username).display_name
            else:
                name = accounts.deactivate(step, username, by=me).display_name
    except LookupError:
        abort(404)
    except accounts.AccountError as err:
        return _person_page(username, {err.field: str(err)}, 422)
    if activate:
        flash(f"{name} is active again and may sign in.", "success")
    else:
        flash(
            f"{name} is deactivated: their sessions have ended and their API tokens are revoked.", "success"
        )
    return redirect(url_for("people_admin.person", username=username), 303)


@bp.route("/admin/people/<username>/reset", methods=["POST"])
def send_reset(username: str) -> Page:
    link = url_for("password_reset.reset", token="TOKEN", _external=True).replace("TOKEN", "{token}")
    try:
        with steps.unit_of_work(storage.session(), now=processes.clock.now(), user=current_row()) as step:
            user = accounts.find(step.session, username)
            password_resets.send_link(step, user, link)
            name, email = user.display_name, user.email
    except LookupError:
        abort(404)
    except password_resets.ResetError as err:
        return _person_page(username, {err.field: str(err)}, 422)
    flash(
        f"A link to set a new password is on its way to {name} at {email}. It works once, for 24 hours.",
        "success",
    )
    return redirect(url_for("people_admin.person", username=username), 303)
