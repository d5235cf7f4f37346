"""POST /api/reports: anyone may report a hate incident; no sign-in needed."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint

import processes
from casework import reports
from webapp import storage
from webapp.schemas import ReportCreatedSchema, ReportSchema

bp = Blueprint("reports", __name__, url_prefix="/api", description="Reporting an incident")


@bp.route("/reports", methods=["POST"])
@bp.arguments(ReportSchema)
@bp.response(201, ReportCreatedSchema)
def create_report(data: dict[str, Any]) -> dict[str, Any]:
    """Report a hate incident. Returns the case reference to quote when getting in touch."""
    result = reports.submit(storage.session(), reports.Report(**data), now=processes.clock.now())
    return {
        "reference": result.case_reference,
        "status": result.case_status,
        "message": "Thank you. Your report has been received; we will contact you within 24 hours.",
    }
