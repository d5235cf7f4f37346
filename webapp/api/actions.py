"""The action plan over the API: list a case's actions, add one, mark one done or cancel it."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint, abort
from marshmallow import Schema, fields, validate

import processes
from casework import actions
from casework.casefile import CaseNotFound, find_case
from webapp import storage
from webapp.access import api_user
from webapp.schemas import ROW_ID

bp = Blueprint("actions_api", __name__, url_prefix="/api", description="Action plans")
SECURITY: list[dict[str, list[str]]] = [{"bearer": []}]


class ActionInSchema(Schema):
    description = fields.String(
        required=True,
        validate=validate.Length(min=1, max=actions.DESCRIPTION_MAX),
        metadata={"description": "What is to be done"},
    )
    owner_id = fields.Integer(
        required=True, validate=ROW_ID, metadata={"description": "The member of staff who will do it"}
    )
    due_on = fields.Date(
        required=True, metadata={"description": "The day it is due (overdue from the next day)"}
    )
    agreed_with_victim = fields.Boolean(load_default=False)


class ActionChangeSchema(Schema):
    status = fields.String(
        required=True,
        validate=validate.OneOf(["done", "cancelled"], error="The status can only become done or cancelled."),
    )


class ActionOutSchema(Schema):
    id = fields.Integer()
    case_reference = fields.String()
    description = fields.String()
    owner_id = fields.Integer()
    owner_name = fields.String()
    due_on = fields.Date()
    due_at = fields.DateTime(metadata={"description": "When it becomes overdue"})
    status = fields.String(metadata={"description": "open, done or cancelled"})
    status_label = fields.String()
    agreed_with_victim = fields.Boolean()
    overdue = fields.Method("_overdue")
    created_at = fields.DateTime()
    created_by = fields.String()
    closed_at = fields.DateTime(allow_none=True)
    closed_by = fields.String(allow_none=True)

    def _overdue(self, action: actions.ActionView) -> bool:
        return action.overdue(processes.clock.now())


def _refuse(err: Exception) -> None:
    if isinstance(err, actions.Invalid):
        abort(422, message=str(err), errors=err.errors)
    if isinstance(err, processes.Conflict):
        abort(409, message=str(err))
    abort(404, message=str(err))


@bp.route("/cases/<reference>/actions", methods=["GET"])
@bp.doc(security=SECURITY)
@bp.response(200, ActionOutSchema(many=True))
def list_actions(reference: str) -> Any:
    """The case's action plan: open actions first, soonest due first."""
    try:
        case = find_case(storage.session(), reference)
    except CaseNotFound as err:
        abort(404, message=str(err))
    return actions.for_case(storage.session(), case)


@bp.route("/cases/<reference>/actions", methods=["POST"])
@bp.doc(security=SECURITY)
@bp.arguments(ActionInSchema)
@bp.response(201, ActionOutSchema)
def add_action(body: dict[str, Any], reference: str) -> Any:
    """Add an action; 422 with field errors (a past day, an owner who may not work on the case)."""
    try:
        row = actions.add(storage.session(), reference, user=api_user(), now=processes.clock.now(), **body)
    except (actions.Invalid, CaseNotFound, processes.Conflict) as err:
        _refuse(err)
    return actions.view(row)


@bp.route("/cases/<reference>/actions/<int:action_id>", methods=["PATCH"])
@bp.doc(security=SECURITY)
@bp.arguments(ActionChangeSchema)
@bp.response(200, ActionOutSchema)
def close_action(body: dict[str, Any], reference: str, action_id: int) -> Any:
    """Mark an open action done or cancel it; 422 if it is no longer open."""
    try:
        row = actions.close(
            storage.session(),
            reference,
            action_id,
            status=body["status"],
            user=api_user(),
            now=processes.clock.now(),
        )
    except (actions.Invalid, actions.NotFound, CaseNotFound, processes.Conflict) as err:
        _refuse(err)
    return actions.view(row)
