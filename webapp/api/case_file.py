"""The case-file actions of the API: add a person, link cases, put a case on hold or take it off,
cancel it as a duplicate, split off an incident matched at intake. Each calls the same casework
service as the case page; bad input is 422 with a message per field, a case the process or its
state refuses is 409."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import current_app
from flask_smorest import Blueprint, abort
from marshmallow import Schema, fields

import processes
from casework import case_people, duplicates, holds, incidents, linked_cases, splitting
from casework.casefile import CaseNotFound, find_case
from casework.form_errors import Invalid
from casework.vocabulary import LINK_KINDS, PARTY_ROLES
from webapp import storage
from webapp.access import api_user

bp = Blueprint("case_file_api", __name__, url_prefix="/api", description="Case file: people, links, holds")
SECURITY: list[dict[str, list[str]]] = [{"bearer": []}]


class PersonInSchema(Schema):
    role = fields.String(required=True, metadata={"description": "; ".join(PARTY_ROLES)})
    name = fields.String(required=True)
    relation = fields.String(load_default=None, allow_none=True)
    tenure = fields.String(load_default=None, allow_none=True)
    address = fields.String(load_default=None, allow_none=True)
    phone = fields.String(load_default=None, allow_none=True)
    email = fields.String(load_default=None, allow_none=True)
    vulnerabilities = fields.String(load_default=None, allow_none=True)
    communication_needs = fields.String(load_default=None, allow_none=True)


class PersonOutSchema(Schema):
    id = fields.Integer()
    role = fields.String()
    name = fields.String(allow_none=True)


class LinkInSchema(Schema):
    other = fields.String(required=True, metadata={"description": "The other case's reference"})
    kind = fields.String(required=True, metadata={"description": "; ".join(LINK_KINDS)})
    reason = fields.String(required=True)


class LinkOutSchema(Schema):
    reference = fields.String()
    kind = fields.String()
    how = fields.String()
    reason = fields.String()
    at = fields.DateTime()
    by = fields.String()
    direction = fields.String(allow_none=True)


class HoldInSchema(Schema):
    reason = fields.String(required=True)
    review_on = fields.String(required=True, metadata={"description": "YYYY-MM-DD, after today"})


class HoldEndSchema(Schema):
    note = fields.String(load_default=None, allow_none=True)


class HoldOutSchema(Schema):
    reason = fields.String()
    review_at = fields.DateTime()
    placed_at = fields.DateTime()
    placed_by = fields.String()
    lifted_at = fields.DateTime(allow_none=True)
    lifted_by = fields.String(allow_none=True)


class DuplicateInSchema(Schema):
    other = fields.String(required=True, metadata={"description": "The case this one duplicates"})
    reason = fields.String(required=True)


class DuplicateOutSchema(Schema):
    reference = fields.String()
    status = fields.String()
    duplicate_of = fields.String()


class IncidentOutSchema(Schema):
    id = fields.Integer(metadata={"description": "0: the report that opened the case"})
    reported_at = fields.DateTime()
    description = fields.String()
    channel = fields.String()
    split_to = fields.String(allow_none=True, metadata={"description": "The case it was split off into"})


class SplitInSchema(Schema):
    reason = fields.String(required=True, metadata={"description": "Why it is not the same matter"})


class SplitOutSchema(Schema):
    reference = fields.String(metadata={"description": "The new case"})
    status = fields.String(metadata={"description": "open, or not_started when its process could not start"})
    split_from = fields.String()


def _run(work: Callable[[], Any]) -> Any:
    try:
        return work()
    except CaseNotFound as err:
        abort(404, message=str(err))
    except Invalid as err:
        abort(422, message=str(err), errors=err.errors)
    except processes.ProcessError as err:
        abort(409, message=str(err))


@bp.route("/cases/<reference>/people", methods=["POST"])
@bp.doc(security=SECURITY)
@bp.arguments(PersonInSchema)
@bp.response(201, PersonOutSchema)
@bp.alt_response(409, description="The case is closed, not in a state for this, or changed meanwhile")
def add_person(body: dict[str, Any], reference: str) -> Any:
    """Add a person (victim, witness, alleged perpetrator, reporter) with their needs."""
    return _run(
        lambda: case_people.add_person(
            storage.session(), reference, body, user=api_user(), now=processes.clock.now()
        )
    )


@bp.route("/cases/<reference>/links", methods=["GET"])
@bp.doc(security=SECURITY)
@bp.response(200, LinkOutSchema(many=True))
def list_links(reference: str) -> Any:
    """The case's linked cases, from either side."""
    session = storage.session()
    return _run(lambda: linked_cases.links_of(session, find_case(session, reference)))


@bp.route("/cases/<reference>/links", methods=["POST"])
@bp.doc(security=SECURITY)
@bp.arguments(LinkInSchema)
@bp.response(201, LinkOutSchema(many=True))
@bp.alt_response(409, description="The case is closed, not in a state for this, or changed meanwhile")
def link(body: dict[str, Any], reference: str) -> Any:
    """Link the case to another (same victim, perpetrator or address, or another reason)."""
    session = storage.session()
    _run(lambda: linked_cases.link(session, reference, **body, user=api_user(), now=processes.clock.now()))
    return linked_cases.links_of(session, find_case(session, reference))


@bp.route("/cases/<reference>/hold", methods=["PUT"])
@bp.doc(security=SECURITY)
@bp.arguments(HoldInSchema)
@bp.response(200, HoldOutSchema)
@bp.alt_response(409, description="The case is closed, not in a state for this, or changed meanwhile")
def hold(body: dict[str, Any], reference: str) -> Any:
    """Put the open case on hold, with the reason and the date to review it."""
    return _run(
        lambda: holds.put_on_hold(
            storage.session(), reference, **body, user=api_user(), now=processes.clock.now()
        )
    )


@bp.route("/cases/<reference>/hold/end", methods=["POST"])
@bp.doc(security=SECURITY)
@bp.arguments(HoldEndSchema)
@bp.response(200, HoldOutSchema)
@bp.alt_response(409, description="The case is closed, not in a state for this, or changed meanwhile")
def end_hold(body: dict[str, Any], reference: str) -> Any:
    """Take the case off hold."""
    return _run(
        lambda: holds.take_off_hold(
            storage.session(), reference, **body, user=api_user(), now=processes.clock.now()
        )
    )


@bp.route("/cases/<reference>/duplicate", methods=["POST"])
@bp.doc(security=SECURITY)
@bp.arguments(DuplicateInSchema)
@bp.response(200, DuplicateOutSchema)
@bp.alt_response(409, description="The case is closed, not in a state for this, or changed meanwhile")
def cancel_as_duplicate(body: dict[str, Any], reference: str) -> Any:
    """Close the case as a duplicate of another open case: its incidents move there, the cases are
    linked, and its open tasks and deadlines end."""
    session = storage.session()
    target = _run(
        lambda: duplicates.cancel_as_duplicate(
            session,
            reference,
            original=body["other"],
            reason=body["reason"],
            user=api_user(),
            now=processes.clock.now(),
        )
    )
    case = find_case(session, reference)
    return {"reference": case.reference, "status": case.status, "duplicate_of": target.reference}


@bp.route("/cases/<reference>/incidents", methods=["GET"])
@bp.doc(security=SECURITY)
@bp.response(200, IncidentOutSchema(many=True))
def list_incidents(reference: str) -> Any:
    """The case's incidents: the report that opened it (0), and the reports matched to it at intake."""
    session = storage.session()
    return _run(lambda: incidents.of_case(session, find_case(session, reference)))


@bp.route("/cases/<reference>/incidents/<int:incident_id>/split", methods=["POST"])
@bp.doc(security=SECURITY)
@bp.arguments(SplitInSchema)
@bp.response(201, SplitOutSchema)
@bp.alt_response(409, description="The opening report, a case not open, or split off already")
def split_incident(body: dict[str, Any], reference: str, incident_id: int) -> Any:
    """Split an incident matched at intake off into a new case, started like any new report: the
    reporter's answers, code and files go with it, and the two cases are linked."""
    result = _run(
        lambda: splitting.split_off(
            storage.session(),
            reference,
            incident_id,
            reason=body["reason"],
            user=api_user(),
            now=processes.clock.now(),
            acknowledgements_per_address=current_app.config["ACKNOWLEDGEMENTS_PER_ADDRESS"],
        )
    )
    return {"reference": result.case_reference, "status": result.case_status, "split_from": reference.upper()}
