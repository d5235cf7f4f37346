"""Keeping the case's risk level (used for contact frequency and for managers' filters).

Nobody lowers a risk level alone (issue 14): a level below the one the assessment computed is
recorded only once a supervisor approved it (``risk_lowering_decision``); otherwise the computed
level is recorded, whatever the diagram sends. Raising it is recorded at once.
"""

from __future__ import annotations

from typing import Any

from db.timeline import RiskRecorded
from handlers.registry import ServiceRequest, handler

LEVELS = ("high", "medium", "low")  # highest first


def _below(level: str, other: Any) -> bool:
    return other in LEVELS and LEVELS.index(level) > LEVELS.index(other)


def _approved_lowering(data: dict[str, Any], level: str) -> bool:
    return data.get("risk_lowering_decision") == "approved" and data.get("risk_requested_level") == level


def level_and_how(data: dict[str, Any]) -> tuple[str, str]:
    """The level to record from the assessment's data, and how it was reached."""
    level = data.get("risk_level")
    if not isinstance(level, str) or level not in LEVELS:
        raise ValueError(f"no risk level to record (got {level!r})")
    computed = data.get("risk_band")
    if _below(level, computed):
        if _approved_lowering(data, level):
            return level, f"lowered by the officer from {computed}, approved by a supervisor"
        level = str(computed)
    if data.get("risk_overridden"):
        how = "raised by the officer"
    elif data.get("risk_critical"):
        how = "from the assessment, a critical answer"
    else:
        how = "from the assessment"
    if data.get("risk_lowering_requested") and data.get("risk_requested_level"):
        how += f"; {data['risk_requested_level']} asked for, awaiting a supervisor's approval"
    return level, how


@handler("record_risk")
def record_risk(request: ServiceRequest) -> dict[str, Any]:
    level, how = level_and_how(request.data)
    case = request.case()
    previous, case.risk_level = case.risk_level, level
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
