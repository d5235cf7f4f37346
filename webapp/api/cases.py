"""GET /api/cases/{reference}: status, open tasks and timeline."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint, abort
from marshmallow import Schema, fields, validate

import processes
from casework import case_events
from casework.casefile import CaseNotFound, case_file
from casework.vocabulary import INCIDENT_TYPES, STRANDS
from db.models import PerceptionRuleError
from webapp import storage
from webapp.api.security import api_user, token_required
from webapp.api.tasks import abort_for
from webapp.schemas import CaseSchema, StepSchema

bp = Blueprint("cases_api", __name__, url_prefix="/api", description="Cases")


@bp.route("/cases/<reference>", methods=["GET"])
@bp.doc(security=[{"bearer": []}])
@bp.response(200, CaseSchema)
@token_required
def get_case(reference: str) -> dict[str, Any]:
    """Status, stage, report details, open tasks and the timeline."""
    return _case_body(reference)


class CaseEventSchema(Schema):
    details = fields.String(
        required=True,
        validate=validate.Length(min=5, max=10000),
        metadata={"description": "What happened, what is asked, or the complaint"},
    )


class CaseDetailsSchema(Schema):
    strands = fields.List(fields.String(validate=validate.OneOf(list(STRANDS))))
    incident_types = fields.List(fields.String(validate=validate.OneOf(list(INCIDENT_TYPES))))
    locality = fields.String(allow_none=True, validate=validate.Length(max=120))


def _send(reference: str, what: str, body: dict[str, str]) -> Any:
    user = api_user()
    try:
        return case_events.send(
            storage.session(),
            reference,
            what,
            body["details"],
            actor=user.display_name,
            now=processes.clock.now(),
        )
    except CaseNotFound as err:
        abort(404, message=str(err))
    except processes.ProcessError as err:
        abort_for(err)


@bp.route("/cases/<reference>/incidents", methods=["POST"])
@bp.doc(security=[{"bearer": []}])
@bp.arguments(CaseEventSchema)
@bp.response(201, StepSchema)
@token_required
def log_incident(body: dict[str, str], reference: str) -> Any:
    """Log another incident on an open case: the risk is reassessed; no new case is opened."""
    return _send(reference, "incident", body)


@bp.route("/cases/<reference>/case-review-requests", methods=["POST"])
@bp.doc(security=[{"bearer": []}])
@bp.arguments(CaseEventSchema)
@bp.response(201, StepSchema)
@token_required
def request_case_review(body: dict[str, str], reference: str) -> Any:
    """Record that the victim asked for an ASB Case Review."""
    return _send(reference, "case_review", body)


@bp.route("/cases/<reference>/complaints", methods=["POST"])
@bp.doc(security=[{"bearer": []}])
@bp.arguments(CaseEventSchema)
@bp.response(201, StepSchema)
@token_required
def complain(body: dict[str, str], reference: str) -> Any:
    """Record a complaint about the handling of the case (acknowledge, stage 1, stage 2)."""
    return _send(reference, "complaint", body)


@bp.route("/cases/<reference>", methods=["PATCH"])
@bp.doc(security=[{"bearer": []}])
@bp.arguments(CaseDetailsSchema)
@bp.response(200, CaseSchema)
@token_required
def update_case(changes: dict[str, Any], reference: str) -> dict[str, Any]:
    """Correct strands, incident types or locality. Hate motivation, once perceived, stays."""
    try:
        case_events.update_details(
            storage.session(), reference, changes, actor=api_user().display_name, now=processes.clock.now()
        )
    except CaseNotFound as err:
        abort(404, message=str(err))
    except PerceptionRuleError as err:
        abort(422, message=str(err), errors={"strands": str(err)})
    return _case_body(reference)


def _case_body(reference: str) -> dict[str, Any]:
    try:
        file = case_file(storage.session(), reference)
    except CaseNotFound as err:
        abort(404, message=str(err))
    c = file.case
    return {
        "channel": c.channel,
        "incident_types": c.incident_types,
        "locality": c.locality,
        "route": c.route,
        "team": c.team,
        "restricted": c.restricted,
        "hate_perceived": c.hate_perceived,
        "risk_level": c.risk_level,
        "first_response_breached_at": c.first_response_breached_at,
        "parties": c.parties,
        "referrals": file.referrals,
        "documents": file.documents,
        "reference": c.reference,
        "status": c.status,
        "stage": file.stage,
        "version": c.version,
        "anonymised_at": c.anonymised_at,
        "reported_at": c.reported_at,
        "occurred_at": c.occurred_at,
        "location": c.location,
        "description": c.description,
        "strands": c.strands,
        "open_tasks": file.open_tasks,
        "timeline": file.timeline,
    }
