"""People's accounts over JSON (administrators): /api/people. The same service, rules and
audit entries as the pages (``casework.accounts``)."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint, abort
from marshmallow import Schema, fields

import processes
from casework import accounts, steps
from casework.permissions import Role
from webapp import storage
from webapp.access import api_user

bp = Blueprint("people_api", __name__, url_prefix="/api", description="People's accounts (administrators)")
SECURITY: list[dict[str, list[str]]] = [{"bearer": []}]


class DetailsSchema(Schema):
    display_name = fields.String(required=True, error_messages={"required": "Give the person's name."})
    email = fields.String(required=True, error_messages={"required": "Give the person's email address."})
    phone = fields.String(load_default="")
    job_title = fields.String(load_default="")
    role = fields.String(
        required=True,
        error_messages={"required": "Give a role."},
        metadata={"description": ", ".join(Role)},
    )
    teams = fields.List(fields.String(), load_default=list, metadata={"description": "Team identifiers"})


class NewPersonSchema(DetailsSchema):
    username = fields.String(required=True, error_messages={"required": "Give a username."})
    password = fields.String(load_default=None, allow_none=True, load_only=True)


class PersonSchema(Schema):
    username = fields.String()
    display_name = fields.String()
    email = fields.String(allow_none=True)
    role = fields.String()
    teams = fields.List(fields.String(), attribute="group_names")
    active = fields.Boolean()


class SearchSchema(Schema):
    q = fields.String(load_default="")
    page = fields.Integer(load_default=1)


class ListingSchema(Schema):
    people = fields.List(fields.Nested(PersonSchema))
    total = fields.Integer()
    page = fields.Integer()
    pages = fields.Integer()


def _details(body: dict[str, Any]) -> accounts.Details:
    return accounts.Details(
        **{k: body[k] for k in ("display_name", "email", "phone", "job_title", "role", "teams")}
    )


def _refuse(err: Exception) -> None:
    if isinstance(err, accounts.AccountError):
        abort(422, message=str(err), errors={err.field: [str(err)]})
    abort(404, message="There is no person with that username.")


@bp.route("/people", methods=["GET"])
@bp.doc(security=SECURITY)
@bp.arguments(SearchSchema, location="query")
@bp.response(200, ListingSchema)
def list_people(args: dict[str, Any]) -> Any:
    """People whose name, username or email contains ``q``, 50 a page, by name."""
    return accounts.search(storage.session(), args["q"], max(1, args["page"]))


@bp.route("/people", methods=["POST"])
@bp.doc(security=SECURITY)
@bp.arguments(NewPersonSchema)
@bp.response(201, PersonSchema)
def add_person(body: dict[str, Any]) -> Any:
    """Add a person; 422 naming the field for a taken username or email, an unknown role or team,
    or a weak password."""
    try:
        with steps.unit_of_work(storage.session(), now=processes.clock.now(), user=api_user()) as step:
            user = accounts.add(step, body["username"], _details(body), body["password"])
    except accounts.AccountError as err:
        _refuse(err)
    return user


@bp.route("/people/<username>", methods=["PUT"])
@bp.doc(security=SECURITY)
@bp.arguments(DetailsSchema)
@bp.response(200, PersonSchema)
def change_person(body: dict[str, Any], username: str) -> Any:
    """Replace a person's details, role and teams; 422 as for adding, or for the last admin's role."""
    try:
        with steps.unit_of_work(storage.session(), now=processes.clock.now(), user=api_user()) as step:
            user = accounts.change(step, username, _details(body))
    except (accounts.AccountError, LookupError) as err:
        _refuse(err)
    return user


@bp.route("/people/<username>/deactivate", methods=["POST"])
@bp.doc(security=SECURITY)
@bp.response(200, PersonSchema)
def deactivate_person(username: str) -> Any:
    """Deactivate: sessions and tokens end at once; 422 for oneself or the last admin."""
    me = api_user()
    try:
        with steps.unit_of_work(storage.session(), now=processes.clock.now(), user=me) as step:
            user = accounts.deactivate(step, username, by=me)
    except (accounts.AccountError, LookupError) as err:
        _refuse(err)
    return user


@bp.route("/people/<username>/reactivate", methods=["POST"])
@bp.doc(security=SECURITY)
@bp.response(200, PersonSchema)
def reactivate_person(username: str) -> Any:
    """Reactivate a deactivated person."""
    try:
        with steps.unit_of_work(storage.session(), now=processes.clock.now(), user=api_user()) as step:
            user = accounts.reactivate(step, username)
    except (accounts.AccountError, LookupError) as err:
        _refuse(err)
    return user
