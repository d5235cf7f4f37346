"""The action plan on the case page and in the inbox: add an action, mark one done or cancel it.
A form with something to correct shows the case page again with the messages next to the fields
and what was typed kept (status 422)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, g, redirect, request, url_for
from werkzeug.wrappers import Response

import processes
from casework import actions
from casework.casefile import CaseNotFound
from db.models import Case, User
from webapp import cases, storage
from webapp.auth import current_row

bp = Blueprint("actions", __name__)
Page = str | Response | tuple[str, int]


@bp.app_template_global("case_actions")
def _case_actions(case: Case) -> list[actions.ActionView]:
    return actions.for_case(storage.session(), case)


@bp.app_template_global("action_owners")
def _action_owners(case: Case) -> list[User]:
    return actions.owners(storage.session(), case)


@bp.app_template_global("my_actions")
def _my_actions() -> list[actions.ActionView]:
    return actions.for_owner(storage.session(), current_row())


@bp.app_template_global("plan_form")
def _plan_form() -> dict[str, Any]:
    """The action form being shown again with errors: its errors and values."""
    return g.get("plan_form") or {"errors": {}, "values": {}}


def _to_case(reference: str) -> Response:
    return redirect(url_for("cases.show", reference=reference, _anchor="actions"), 303)


@bp.route("/cases/<reference>/actions", methods=["POST"])
def add(reference: str) -> Page:
    form = request.form
    try:
        actions.add(
            storage.session(),
            reference,
            description=form.get("action-description"),
            owner_id=form.get("action-owner_id"),
            due_on=form.get("action-due_on"),
            agreed_with_victim=form.get("action-agreed_with_victim"),
            user=current_row(),
            now=processes.clock.now(),
        )
    except actions.Invalid as err:
        g.plan_form = {"errors": err.errors, "values": form.to_dict()}
        return cases.show(reference), 422
    except CaseNotFound:
        abort(404)
    except processes.Conflict as err:
        flash(str(err), "error")
        return _to_case(reference)
    flash("The action is on the action plan.", "success")
    return _to_case(reference)


@bp.route("/cases/<reference>/actions/<int:action_id>", methods=["POST"])
def close(reference: str, action_id: int) -> Page:
    status = request.form.get("status")
    try:
        actions.close(
            storage.session(),
            reference,
            action_id,
            status=status,
            user=current_row(),
            now=processes.clock.now(),
        )
    except (CaseNotFound, actions.NotFound):
        abort(404)
    except (actions.Invalid, processes.Conflict) as err:
        flash(str(err), "error")
        return _to_case(reference)
    flash("The action is done." if status == "done" else "The action is cancelled.", "success")
    return _to_case(reference)
