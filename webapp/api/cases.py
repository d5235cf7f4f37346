"""GET /api/cases/{reference}: status, open tasks and timeline."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint, abort

from casework.casefile import CaseNotFound, case_file
from webapp import storage
from webapp.api.security import token_required
from webapp.schemas import CaseSchema

bp = Blueprint("cases_api", __name__, url_prefix="/api", description="Cases")


@bp.route("/cases/<reference>", methods=["GET"])
@bp.doc(security=[{"bearer": []}])
@bp.response(200, CaseSchema)
@token_required
def get_case(reference: str) -> dict[str, Any]:
    try:
        file = case_file(storage.session(), reference)
    except CaseNotFound as err:
        abort(404, message=str(err))
    c = file.case
    return {
        "reference": c.reference,
        "status": c.status,
        "stage": file.stage,
        "version": c.version,
        "reported_at": c.reported_at,
        "occurred_at": c.occurred_at,
        "location": c.location,
        "description": c.description,
        "strands": c.strands,
        "open_tasks": file.open_tasks,
        "timeline": file.timeline,
    }
