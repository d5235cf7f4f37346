"""Process models over JSON: validate and deploy BPMN, list versions, download a version's XML,
start a case of any deployed process. Process owners and administrators only."""

from __future__ import annotations

from typing import Any

from flask import Response, request
from flask_smorest import Blueprint, abort
from marshmallow import Schema, fields

import processes
from casework import process_models as service
from webapp import storage
from webapp.access import api_user
from webapp.api.tasks import abort_for
from webapp.schemas import TaskSchema

bp = Blueprint(
    "process_models_api", __name__, url_prefix="/api", description="Process models (process owners)"
)
SECURITY: list[dict[str, list[str]]] = [{"bearer": []}]
XML_TYPES = ("application/xml", "text/xml", "application/bpmn+xml")
UPLOAD_BODY = {
    "required": True,
    "content": {
        "multipart/form-data": {
            "schema": {"type": "object", "properties": {"file": {"type": "string", "format": "binary"}}}
        },
        "application/xml": {"schema": {"type": "string", "description": "The BPMN 2.0 XML"}},
    },
}


class ProblemSchema(Schema):
    element_id = fields.String(allow_none=True, metadata={"description": "The element's id"})
    element_name = fields.String(allow_none=True, metadata={"description": "The element's label"})
    message = fields.String(metadata={"description": "What is wrong, naming the element"})
    line = fields.Integer(allow_none=True, metadata={"description": "Line in the XML, when known"})


WARNINGS_DESCRIPTION = (
    "What runs, but perhaps not as it looks (a plain task passing straight through, a data object "
    "that is ignored); always present, possibly empty"
)


class ProblemsSchema(Schema):
    code = fields.Integer()
    message = fields.String()
    warnings = fields.List(fields.Nested(ProblemSchema), metadata={"description": WARNINGS_DESCRIPTION})
    errors = fields.Raw(
        metadata={
            "description": "The diagram's problems; or, when a field of the request itself is refused "
            "(text that cannot be stored, see webapp.storable), {field: message}",
            "oneOf": [
                {"type": "array", "items": {"$ref": "#/components/schemas/Problem"}},
                {"type": "object", "additionalProperties": {"type": "string"}},
            ],
        }
    )


class CheckedSchema(Schema):
    valid = fields.Boolean()
    key = fields.String()
    name = fields.String()
    errors = fields.List(fields.Nested(ProblemSchema))
    warnings = fields.List(fields.Nested(ProblemSchema), metadata={"description": WARNINGS_DESCRIPTION})


class DeployedSchema(Schema):
    key = fields.String()
    name = fields.String()
    version = fields.Integer()
    created = fields.Boolean(metadata={"description": "False when the file equals the latest version"})
    errors = fields.List(fields.Nested(ProblemSchema), metadata={"description": "Always empty here"})
    warnings = fields.List(fields.Nested(ProblemSchema), metadata={"description": WARNINGS_DESCRIPTION})


class VersionSchema(Schema):
    version = fields.Integer()
    deployed_at = fields.DateTime()
    deployed_by = fields.String(allow_none=True)
    open_cases = fields.Integer()
    current = fields.Boolean(metadata={"description": "The version new cases start on"})
    withdrawn_at = fields.DateTime(allow_none=True, metadata={"description": "When it was rolled back"})
    withdrawn_by = fields.String(allow_none=True, metadata={"description": "Who rolled it back"})
    note = fields.String(allow_none=True, metadata={"description": "Why the version exists, if noted"})


class RolledBackSchema(Schema):
    key = fields.String()
    name = fields.String()
    withdrawn_version = fields.Integer(attribute="withdrawn", metadata={"description": "Rolled back"})
    current_version = fields.Integer(attribute="current", metadata={"description": "New cases start on it"})


class ProcessSchema(Schema):
    key = fields.String()
    name = fields.String()
    latest_version = fields.Integer(
        attribute="latest.version", metadata={"description": "The version new cases start on"}
    )
    open_cases = fields.Integer()
    versions = fields.List(fields.Nested(VersionSchema))


class StartedSchema(Schema):
    reference = fields.String(attribute="case_reference")
    status = fields.String(attribute="case_status")
    open_tasks = fields.List(fields.Nested(TaskSchema))


NOT_A_FILE = "Neither a multipart field 'file' nor an XML body"


def _uploaded() -> tuple[bytes, str]:
    request.max_content_length = service.MAX_BYTES + 100_000  # the file and a multipart envelope
    upload = request.files.get("file")
    if upload is not None:
        return upload.read(service.MAX_BYTES + 1), upload.filename or "upload.bpmn"
    if request.mimetype in XML_TYPES:
        return request.get_data()[: service.MAX_BYTES + 1], "upload.bpmn"
    abort(
        415,
        message="Send the diagram as the multipart field 'file', or as the body with "
        "Content-Type: application/xml.",
    )
    raise AssertionError  # abort() raised


def _invalid(err: processes.InvalidDiagram) -> None:
    abort(
        422,
        message="The diagram has problems; nothing was deployed.",
        errors=[p.as_dict() for p in err.problems],
        warnings=[p.as_dict() for p in err.warnings],
    )


@bp.route("/process-models", methods=["GET"])
@bp.doc(security=SECURITY)
@bp.response(200, ProcessSchema(many=True))
def list_models() -> Any:
    """Every deployed process, its versions (newest first), who deployed each and when, and how
    many open cases run on each."""
    return service.catalogue(storage.session())


@bp.route("/process-models", methods=["POST"])
@bp.doc(security=SECURITY, requestBody=UPLOAD_BODY)
@bp.response(201, DeployedSchema)
@bp.alt_response(200, schema=DeployedSchema, description="The file equals the latest version: unchanged")
@bp.alt_response(422, schema=ProblemsSchema, description="The diagram's problems; nothing deployed")
@bp.alt_response(415, description=NOT_A_FILE)
def deploy() -> Any:
    """Check a .bpmn file and deploy it as the next version of its process (201). New cases start
    on it; open cases stay on their version. The same file as the latest version again: 200."""
    xml, filename = _uploaded()
    try:
        deployment = service.deploy(storage.session(), xml, user=api_user(), filename=filename)
    except processes.InvalidDiagram as err:
        _invalid(err)
    body = {**vars(deployment), "errors": [], "warnings": [w.as_dict() for w in deployment.warnings]}
    return body, 201 if deployment.created else 200


@bp.route("/process-models/validate", methods=["POST"])
@bp.doc(security=SECURITY, requestBody=UPLOAD_BODY)
@bp.response(200, CheckedSchema)
@bp.alt_response(422, schema=ProblemsSchema, description="The diagram's problems")
@bp.alt_response(415, description=NOT_A_FILE)
def validate() -> Any:
    """Run every deploy check on a .bpmn file without deploying it."""
    xml, filename = _uploaded()
    try:
        checked = service.validate(storage.session(), xml, filename)
    except processes.InvalidDiagram as err:
        _invalid(err)
    return {
        "valid": True,
        "key": checked.key,
        "name": checked.name,
        "errors": [],
        "warnings": [w.as_dict() for w in checked.warnings],
    }


@bp.route("/process-models/<key>/cases", methods=["POST"])
@bp.doc(
    security=SECURITY,
    requestBody={
        "required": False,
        "content": {"application/json": {"schema": {"type": "object", "additionalProperties": True}}},
    },
)
@bp.response(201, StartedSchema)
@bp.alt_response(422, description="The start data is not a JSON object, or the first steps failed on it")
def start_case(key: str) -> Any:
    """Start a case of any deployed process with the JSON object as its start data
    (``description`` and ``location``, when given, show on the case page)."""
    data: Any = request.get_json(silent=True) if request.get_data() else {}
    if not isinstance(data, dict):
        abort(422, message="The start data must be a JSON object.", errors={"_body": "Expected an object."})
    try:
        return service.start_case(storage.session(), key, data, user=api_user(), now=processes.clock.now())
    except processes.UnknownProcess as err:
        abort(404, message=str(err))
    except processes.EngineFailure as err:
        # The diagram's first steps could not run on the data sent (a missing value, say).
        abort(422, message=f"The case could not start with this data: {err} Nothing was saved.")
    except processes.ProcessError as err:
        abort_for(err)


@bp.route("/process-models/<key>/rollback", methods=["POST"])
@bp.doc(security=SECURITY)
@bp.response(200, RolledBackSchema)
@bp.alt_response(404, description="No such process")
@bp.alt_response(409, description="No earlier version to go back to")
def roll_back(key: str) -> Any:
    """Roll back: the version new cases start on is withdrawn, and the one before it (the newest
    not withdrawn) is what they start on again. Cases already on the withdrawn version stay on it.
    Recorded in the audit log with both version numbers."""
    try:
        return service.roll_back(storage.session(), key, user=api_user())
    except processes.UnknownProcess as err:
        abort(404, message=str(err))
    except service.CannotRollBack as err:
        abort(409, message=str(err))


@bp.route("/process-models/<key>/versions/<int:version>/xml", methods=["GET"])
@bp.doc(
    security=SECURITY,
    responses={"200": {"description": "The BPMN file", "content": {"application/xml": {}}}},
)
def download(key: str, version: int) -> Response:
    """Download the BPMN of one deployed version."""
    try:
        number, xml = service.version_xml(storage.session(), key, version)
    except processes.UnknownProcess as err:
        abort(404, message=str(err))
    return Response(
        xml,
        mimetype="application/xml",
        headers={
            "Content-Disposition": f'attachment; filename="{key}-v{number}.bpmn"',
            "Content-Security-Policy": "default-src 'none'; sandbox",
            "X-Content-Type-Options": "nosniff",
        },
    )
