"""Subject access over the API (managers and admins): search, then export as JSON."""

from __future__ import annotations

from typing import Any

from flask import request
from flask_smorest import Blueprint, abort
from marshmallow import Schema, fields

import processes
from casework import audit, consents, subject_access
from webapp import storage
from webapp.access import api_user

bp = Blueprint("subject_access_api", __name__, url_prefix="/api", description="Subject access")


class PersonQuerySchema(Schema):
    name = fields.String(load_default="")
    email = fields.String(load_default="")
    phone = fields.String(load_default="")
    address = fields.String(load_default="")


class MatchSchema(Schema):
    key = fields.String(metadata={"description": "party:<id> or reporter:<case id>; pass to the export"})
    case_reference = fields.String()
    reported_at = fields.DateTime()
    role = fields.String()
    name = fields.String(allow_none=True)
    email = fields.String(allow_none=True)
    phone = fields.String(allow_none=True)
    address = fields.String(allow_none=True)
    matched = fields.List(fields.String())


class ExportRequestSchema(Schema):
    who = fields.List(fields.String(), required=True, metadata={"description": "Keys of the chosen matches"})


def _actor() -> audit.Actor:
    return audit.Actor.of(api_user(), request.remote_addr)


@bp.route("/subject-access", methods=["GET"])
@bp.doc(security=[{"bearer": []}])
@bp.arguments(PersonQuerySchema, location="query")
@bp.response(200, MatchSchema(many=True))
def search(terms: dict[str, str]) -> Any:
    """People on cases and case reporters matching any of name, email, phone, address (audited).

    Only cases the caller may open are listed: the ``X-Restricted-Cases`` header counts the
    restricted cases that also matched (ask a person named on them), and ``Warning`` says so."""
    try:
        found = subject_access.search(
            storage.session(), dict(terms), viewer=api_user(), actor=_actor(), now=processes.clock.now()
        )
    except consents.Invalid as err:
        abort(422, message=str(err), errors=err.errors)
    headers = {"X-Restricted-Cases": str(found.restricted)}
    if found.note:
        headers["Warning"] = f'299 - "{found.note}"'
    return found.matches, 200, headers


@bp.route("/subject-access/export", methods=["POST"])
@bp.doc(security=[{"bearer": []}])
@bp.arguments(ExportRequestSchema)
def export(body: dict[str, list[str]]) -> Any:
    """Everything held about the person the chosen matches are, other people redacted (audited)."""
    try:
        return subject_access.export(
            storage.session(),
            body["who"],
            viewer=api_user(),
            actor=_actor(),
            now=processes.clock.now(),
            format="json",
        )
    except consents.Invalid as err:
        abort(422, message=str(err), errors=err.errors)
