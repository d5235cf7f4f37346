"""Supervisors' actions over JSON: give a task (or every open task of an officer) to someone else,
escalate a case at once, and record a quality review of a case. Supervisors, managers and
administrators only; anyone signed in may read a case's reviews."""

from __future__ import annotations

from typing import Any, NoReturn

from flask_smorest import Blueprint, abort
from marshmallow import Schema, fields, validate

import processes
from casework import supervision
from casework.casefile import CaseNotFound
from webapp import storage
from webapp.access import api_user
from webapp.api.tasks import abort_for
from webapp.schemas import TaskSchema

bp = Blueprint("supervision_api", __name__, url_prefix="/api", description="Supervisors' actions")
SECURITY: list[dict[str, list[str]]] = [{"bearer": []}]


class ReassignSchema(Schema):
    to = fields.String(
        required=True,
        validate=validate.Length(min=1, max=80),
        metadata={"description": "Username of the officer who takes the task (in one of its groups)"},
    )
    case_version = fields.Integer(
        load_default=None,
        allow_none=True,
        metadata={"description": "The case version you saw; a different one now answers 409"},
    )


class ReassignAllSchema(Schema):
    to = fields.String(
        required=True,
        validate=validate.Length(min=1, max=80),
        metadata={"description": "Username of the officer who takes the tasks"},
    )


class SkippedSchema(Schema):
    task_id = fields.String()
    title = fields.String()
    case_reference = fields.String()
    reason = fields.String()


class BulkReassignmentSchema(Schema):
    from_username = fields.String(data_key="from")
    to_username = fields.String(data_key="to")
    from_name = fields.String()
    to_name = fields.String()
    count = fields.Integer(metadata={"description": "How many tasks moved"})
    reassigned = fields.List(fields.Nested(TaskSchema))
    skipped = fields.List(
        fields.Nested(SkippedSchema), metadata={"description": "Tasks left with their holder, and why"}
    )


class EscalateSchema(Schema):
    reason = fields.String(
        required=True,
        validate=validate.Length(min=supervision.REASON_MIN, max=supervision.REASON_MAX),
        metadata={"description": "Why the case is escalated (shown on the case's timeline)"},
    )


class EscalationSchema(Schema):
    case_reference = fields.String()
    reason = fields.String()
    group = fields.String(metadata={"description": "The group notified"})
    at = fields.DateTime()


class ReviewRequestSchema(Schema):
    score = fields.Integer(
        required=True,
        strict=True,
        validate=validate.Range(min=1, max=5),
        metadata={"description": "1 (poor) to 5 (excellent)"},
    )
    comments = fields.String(required=True, validate=validate.Length(min=1, max=supervision.COMMENTS_MAX))


class ReviewSchema(Schema):
    id = fields.Integer()
    case_reference = fields.String()
    score = fields.Integer()
    comments = fields.String()
    reviewer = fields.String(metadata={"description": "Username of the reviewer"})
    reviewer_name = fields.String()
    created_at = fields.DateTime()


def _refuse(err: Exception) -> NoReturn:
    """The HTTP answer for a refusal from the supervision service."""
    if isinstance(err, supervision.NotPermitted):
        abort(403, message=str(err))
    if isinstance(err, supervision.Invalid):
        abort(422, message="Some of what was sent is not valid.", errors=err.errors)
    if isinstance(err, CaseNotFound):
        abort(404, message=str(err))
    if isinstance(err, processes.ProcessError):
        abort_for(err)
    raise err


Refusal = (supervision.SupervisionError, CaseNotFound, processes.ProcessError)


@bp.route("/tasks/<task_id>/reassign", methods=["POST"])
@bp.doc(security=SECURITY)
@bp.arguments(ReassignSchema)
@bp.response(200, TaskSchema)
@bp.alt_response(409, description="The task is no longer open, or the case changed")
@bp.alt_response(422, description="Unknown user, or not in the task's groups: {errors: {to: message}}")
def reassign_task(body: dict[str, Any], task_id: str) -> Any:
    """Give an open task to another officer, who must be in one of the task's candidate groups."""
    try:
        return supervision.reassign_task(
            storage.session(),
            task_id,
            body["to"],
            user=api_user(),
            now=processes.clock.now(),
            expected_case_version=body["case_version"],
        )
    except Refusal as err:
        _refuse(err)


@bp.route("/officers/<username>/reassign", methods=["POST"])
@bp.doc(security=SECURITY)
@bp.arguments(ReassignAllSchema)
@bp.response(200, BulkReassignmentSchema)
@bp.alt_response(404, description="No officer has that username")
def reassign_all(body: dict[str, Any], username: str) -> Any:
    """Give every open task the officer holds to another (e.g. for leave). A task the other may
    not work, or that changed meanwhile, stays with its holder and is listed in ``skipped``."""
    try:
        return supervision.reassign_all(
            storage.session(), username, body["to"], user=api_user(), now=processes.clock.now()
        )
    except supervision.UnknownOfficer as err:
        if err.field == "from":
            abort(404, message=err.errors["from"])
        _refuse(err)
    except Refusal as err:
        _refuse(err)


@bp.route("/cases/<reference>/escalate", methods=["POST"])
@bp.doc(security=SECURITY)
@bp.arguments(EscalateSchema)
@bp.response(201, EscalationSchema)
@bp.alt_response(409, description="The case is closed")
def escalate(body: dict[str, Any], reference: str) -> Any:
    """Escalate the case to the supervisors now: they are notified and the reason is on the timeline."""
    try:
        return supervision.escalate(
            storage.session(), reference, body["reason"], user=api_user(), now=processes.clock.now()
        )
    except Refusal as err:
        _refuse(err)


@bp.route("/cases/<reference>/reviews", methods=["POST"])
@bp.doc(security=SECURITY)
@bp.arguments(ReviewRequestSchema)
@bp.response(201, ReviewSchema)
def review(body: dict[str, Any], reference: str) -> Any:
    """Record a quality review of the case: a score from 1 to 5 and comments."""
    try:
        return supervision.review_case(
            storage.session(),
            reference,
            body["score"],
            body["comments"],
            user=api_user(),
            now=processes.clock.now(),
        )
    except Refusal as err:
        _refuse(err)


@bp.route("/cases/<reference>/reviews", methods=["GET"])
@bp.doc(security=SECURITY)
@bp.response(200, ReviewSchema(many=True))
def reviews(reference: str) -> Any:
    """The case's quality reviews, newest first."""
    try:
        return supervision.case_reviews(storage.session(), reference)
    except CaseNotFound as err:
        abort(404, message=str(err))
