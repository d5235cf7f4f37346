"""GET /api/cases/{reference}: status, open tasks and timeline."""

from __future__ import annotations

from typing import Any

from flask import request
from flask_smorest import Blueprint, abort
from marshmallow import Schema, fields, validate

import processes
from casework import audit, case_events, case_review_actions, consents, disclosures
from casework.casefile import CaseNotFound, case_file, find_case
from casework.vocabulary import COMPLAINANTS, COMPLAINT_SUBJECTS, INCIDENT_TYPES, STRANDS
from db.models import PerceptionRuleError
from webapp import storage
from webapp.access import api_user
from webapp.api.tasks import abort_for
from webapp.schemas import (
    CaseSchema,
    ConsentInSchema,
    ConsentOutSchema,
    DisclosureInSchema,
    DisclosureOutSchema,
    StepSchema,
)

bp = Blueprint("cases_api", __name__, url_prefix="/api", description="Cases")


@bp.route("/cases/<reference>", methods=["GET"])
@bp.doc(security=[{"bearer": []}])
@bp.response(200, CaseSchema)
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
    reason = fields.String(validate=validate.Length(max=2000))  # required when the strands change


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
def log_incident(body: dict[str, str], reference: str) -> Any:
    """Log another incident on an open case: the risk is reassessed; no new case is opened."""
    return _send(reference, "incident", body)


@bp.route("/cases/<reference>/case-review-requests", methods=["POST"])
@bp.doc(security=[{"bearer": []}])
@bp.arguments(CaseEventSchema)
@bp.response(201, StepSchema)
def request_case_review(body: dict[str, str], reference: str) -> Any:
    """Record that the victim asked for an ASB Case Review."""
    return _send(reference, "case_review", body)


class ComplaintSchema(CaseEventSchema):
    complainant = fields.String(
        required=True,
        validate=validate.OneOf(list(COMPLAINANTS)),
        metadata={
            "description": "Who complained: " + "; ".join(f"{k} ({v})" for k, v in COMPLAINANTS.items())
        },
    )
    complainant_name = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=200),
        metadata={"description": "Their name"},
    )
    about = fields.List(
        fields.String(validate=validate.OneOf(list(COMPLAINT_SUBJECTS))),
        required=True,
        validate=validate.Length(min=1),
        metadata={
            "description": "What it is about: "
            + "; ".join(f"{k} ({v})" for k, v in COMPLAINT_SUBJECTS.items())
        },
    )


@bp.route("/cases/<reference>/complaints", methods=["POST"])
@bp.doc(security=[{"bearer": []}])
@bp.arguments(ComplaintSchema)
@bp.response(201, StepSchema)
def complain(body: dict[str, Any], reference: str) -> Any:
    """Record a complaint about the handling of the case: who made it, what about, and what they
    said (acknowledge, stage 1, stage 2 by someone other than the stage 1 responder)."""
    try:
        return case_events.complain(
            storage.session(),
            reference,
            body["details"],
            complainant=body["complainant"],
            complainant_name=body.get("complainant_name"),
            about=body["about"],
            actor=api_user().display_name,
            now=processes.clock.now(),
        )
    except CaseNotFound as err:
        abort(404, message=str(err))
    except processes.ProcessError as err:
        abort_for(err)


@bp.route("/cases/<reference>/contacts", methods=["POST"])
@bp.doc(security=[{"bearer": []}])
@bp.arguments(CaseEventSchema)
@bp.response(201, StepSchema)
def record_contact(body: dict[str, str], reference: str) -> Any:
    """Record contact with the victim made in any stage: the contact cadence restarts."""
    return _send(reference, "contact", body)


class RecommendationSchema(Schema):
    recommendation = fields.String(
        required=True,
        validate=validate.Length(max=2000),
        metadata={"description": "What the ASB Case Review recommended"},
    )
    owner = fields.String(
        required=True, metadata={"description": "The group that owns it (e.g. community-safety)"}
    )
    due_on = fields.Date(required=True, metadata={"description": "When it is due (UK date)"})


@bp.route("/cases/<reference>/case-review-actions", methods=["POST"])
@bp.doc(security=[{"bearer": []}])
@bp.arguments(RecommendationSchema)
@bp.response(201, StepSchema)
def record_case_review_action(body: dict[str, Any], reference: str) -> Any:
    """Track a recommendation of the ASB Case Review: the owner's group gets a task due that day
    (17:00), escalated to the managers when missed. 422 naming each bad field."""
    recommendation = case_review_actions.Recommendation(body["recommendation"], body["owner"], body["due_on"])
    try:
        return case_review_actions.record(
            storage.session(),
            reference,
            recommendation,
            actor=api_user().display_name,
            now=processes.clock.now(),
        )
    except case_review_actions.Invalid as err:
        abort(422, message="The recommendation was not recorded: " + str(err), errors=err.errors)
    except CaseNotFound as err:
        abort(404, message=str(err))
    except processes.ProcessError as err:
        abort_for(err)


def _refuse(err: Exception) -> None:
    if isinstance(err, consents.Invalid):
        abort(422, message=str(err), errors=err.errors)
    if isinstance(err, consents.NotPermitted):
        abort(403, message=str(err))
    abort(404, message=str(err))


@bp.route("/cases/<reference>/consents", methods=["POST"])
@bp.doc(security=[{"bearer": []}])
@bp.arguments(ConsentInSchema)
@bp.response(201, ConsentOutSchema)
def record_consent(body: dict[str, Any], reference: str) -> Any:
    """Record a person's consent (or refusal) for a purpose; 422 with field errors."""
    session = storage.session()
    try:
        row = consents.record(session, reference, user=api_user(), now=processes.clock.now(), **body)
    except (consents.Invalid, consents.NotPermitted, CaseNotFound) as err:
        _refuse(err)
    return consents.view(row, next((p for p in row_case(reference).parties if p.id == row.party_id), None))


@bp.route("/cases/<reference>/consents/<consent_id>/withdraw", methods=["POST"])
@bp.doc(security=[{"bearer": []}])
@bp.response(200, ConsentOutSchema)
def withdraw_consent(reference: str, consent_id: str) -> Any:
    """Withdraw a given consent: on an open case, community safety get a task to stop sharing and
    tell the agencies. 422 if it was refused or already withdrawn; 409 if the case changed."""
    try:
        result = consents.withdraw(
            storage.session(), reference, consent_id, user=api_user(), now=processes.clock.now()
        )
    except (consents.Invalid, consents.NotPermitted, consents.NotFound, CaseNotFound) as err:
        _refuse(err)
    except processes.ProcessError as err:
        abort_for(err)
    row = result.consent
    return consents.view(row, next((p for p in row_case(reference).parties if p.id == row.party_id), None))


@bp.route("/cases/<reference>/disclosures", methods=["POST"])
@bp.doc(security=[{"bearer": []}])
@bp.arguments(DisclosureInSchema)
@bp.response(201, DisclosureOutSchema)
def disclose(body: dict[str, Any], reference: str) -> Any:
    """Record a disclosure outside the landlord with its lawful basis (written to the audit log with
    it). Consent needs the person's current consent for the purpose; any other basis a reason."""
    user = api_user()
    try:
        row = disclosures.record(
            storage.session(),
            reference,
            user=user,
            actor=audit.Actor.of(user, request.remote_addr),
            now=processes.clock.now(),
            **body,
        )
    except (consents.Invalid, consents.NotPermitted, CaseNotFound) as err:
        _refuse(err)
    return disclosures.view(row, next((p for p in row_case(reference).parties if p.id == row.party_id), None))


def row_case(reference: str) -> Any:
    return find_case(storage.session(), reference)


@bp.route("/cases/<reference>", methods=["PATCH"])
@bp.doc(security=[{"bearer": []}])
@bp.arguments(CaseDetailsSchema)
@bp.response(200, CaseSchema)
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
        "consents": consents.for_case(storage.session(), c),
        "disclosures": disclosures.for_case(storage.session(), c),
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
        "reported_strands": c.reported_strands,
        "open_tasks": file.open_tasks,
        "timeline": file.timeline,
    }
