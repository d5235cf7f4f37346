"""PUT / DELETE /api/cases/{reference}/restriction: restrict a case to named people, or lift it."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint, abort
from marshmallow import Schema, fields, validate

import processes
from casework import case_access, restriction
from webapp import storage
from webapp.access import api_user

bp = Blueprint("restriction_api", __name__, url_prefix="/api", description="Restricted cases")


class RestrictionSchema(Schema):
    people = fields.List(
        fields.String(validate=validate.Length(min=1, max=80)),
        required=True,
        validate=validate.Length(max=100),
        metadata={"description": "Usernames who may open the case (you are always added)"},
    )


class RestrictionStateSchema(Schema):
    restricted = fields.Boolean()
    people = fields.List(fields.String(), metadata={"description": "Usernames who may open the case"})


def _set(reference: str, usernames: list[str] | None) -> dict[str, Any]:
    try:
        people = restriction.set_restriction(
            storage.session(), reference, usernames, by=api_user(), now=processes.clock.now()
        )
    except case_access.CaseUnknown as err:
        abort(404, message=str(err))
    except case_access.CaseAccessError as err:
        abort(422, message=str(err), errors={"people": str(err)})
    return {"restricted": usernames is not None, "people": [user.username for user in people]}


@bp.route("/cases/<reference>/restriction", methods=["PUT"])
@bp.doc(security=[{"bearer": []}])
@bp.arguments(RestrictionSchema)
@bp.response(200, RestrictionStateSchema)
@bp.alt_response(404, description="No such case")
@bp.alt_response(422, description="Someone named cannot open cases")
def restrict(body: dict[str, Any], reference: str) -> dict[str, Any]:
    """Restrict the case to the people named (supervisors and managers)."""
    return _set(reference, body["people"])


@bp.route("/cases/<reference>/restriction", methods=["DELETE"])
@bp.doc(security=[{"bearer": []}])
@bp.response(200, RestrictionStateSchema)
@bp.alt_response(404, description="No such case")
@bp.alt_response(422, description="The case is not restricted")
def lift(reference: str) -> dict[str, Any]:
    """Lift the restriction: the case's team may open it again."""
    return _set(reference, None)
