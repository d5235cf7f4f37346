"""POST /api/reports: anyone may report a hate incident; no sign-in needed."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask_smorest import Blueprint
from flask_smorest.error_handler import ErrorSchema

import processes
from casework import further_reports, reports
from webapp import storage
from webapp.schemas import ReportCreatedSchema, ReportSchema

bp = Blueprint("reports", __name__, url_prefix="/api", description="Reporting an incident")


@bp.route("/reports", methods=["POST"])
@bp.arguments(ReportSchema)
@bp.response(201, ReportCreatedSchema)
@bp.alt_response(
    429,
    schema=ErrorSchema,
    description="Too many reports from this address or from everyone in a short time: nothing was "
    "saved; try again after Retry-After seconds, or phone (the numbers are in the message)",
)
def create_report(data: dict[str, Any]) -> dict[str, Any]:
    """Report a hate incident. Returns the case reference to quote when getting in touch."""
    result = further_reports.submit(
        storage.session(),
        reports.Report(**data),
        now=processes.clock.now(),
        acknowledgements_per_address=current_app.config["ACKNOWLEDGEMENTS_PER_ADDRESS"],
    )
    return {
        "reference": result.case_reference,
        "status": result.case_status,
        "message": "Thank you. Your report has been received; we will contact you within 24 hours.",
    }
