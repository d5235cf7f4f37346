"""Keeping the case's risk level (used for contact frequency and for managers' filters)."""

from __future__ import annotations

from typing import Any

from db.timeline import RiskRecorded
from handlers.registry import ServiceRequest, handler


@handler("record_risk")
def record_risk(request: ServiceRequest) -> dict[str, Any]:
    level = request.data.get("risk_level")
    if level not in ("high", "medium", "low"):
        raise ValueError(f"no risk level to record (got {level!r})")
    case = request.case()
    previous, case.risk_level = case.risk_level, level
    how = "set by the officer" if request.data.get("risk_overridden") else "from the assessment"
    score = request.data.get("risk_score")
    change = f"from {previous} to {level}" if previous and previous != level else f"{level}"
    request.record(
        RiskRecorded(
            f"Risk level {change} ({how}; score {score:g})"
            if isinstance(score, int | float)
            else f"Risk level {change} ({how})"
        )
    )
    return {"risk_level": level}
