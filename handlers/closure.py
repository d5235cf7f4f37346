"""What a case actually did, for the closure form to start with (issue 14, point 10): the legal
actions from the enforcement it took, the non-legal ones from its prevention actions and the
support referrals it made. The officer corrects them on the form; the diagram names the tasks and
fields read (the service task's parameters), so renaming them there is one edit.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from db.models import Referral, Task
from handlers.registry import ServiceRequest, handler

SUPPORT_AGENCY = "support: "  # how handlers.referrals names a support referral's agency


def _param(request: ServiceRequest, name: str) -> str:
    value = str(request.params.get(name, "")).strip()
    if not value:
        raise ValueError(f"{request.operation} needs the parameter '{name}'")
    return value


def _mapping(text: str) -> dict[str, str]:
    """``a=b, c=d`` -> {a: b, c: d}."""
    pairs = (part.split("=", 1) for part in text.split(",") if "=" in part)
    return {key.strip(): value.strip() for key, value in pairs}


def _completed(request: ServiceRequest, element_id: str) -> list[Task]:
    return list(
        request.session.scalars(
            select(Task)
            .where(Task.case_id == request.case_id, Task.element_id == element_id, Task.status == "completed")
            .order_by(Task.completed_at)
        )
    )


def _answers(tasks: list[Task], field: str, renamed: dict[str, str] | None = None) -> list[str]:
    found: list[str] = []
    for task in tasks:
        value = (task.submitted or {}).get(field)
        for one in value if isinstance(value, list) else [value]:
            if isinstance(one, str) and one:
                found.append((renamed or {}).get(one, one))
    return list(dict.fromkeys(found))


def _support_referrals(request: ServiceRequest) -> bool:
    return (
        request.session.scalar(
            select(Referral.id)
            .where(
                Referral.case_id == request.case_id,
                Referral.made.is_(True),
                Referral.agency.startswith(SUPPORT_AGENCY),
            )
            .limit(1)
        )
        is not None
    )


def _taken_enforcement(request: ServiceRequest) -> list[str]:
    """The proposed action of each enforcement taken: for each completed ``enforcement_task``, the
    ``proposal_action_field`` answer of the last ``proposal_task`` completed before it."""
    proposals = _completed(request, _param(request, "proposal_task"))
    field = _param(request, "proposal_action_field")
    found = []
    for action in _completed(request, _param(request, "enforcement_task")):
        before = [
            p
            for p in proposals
            if p.completed_at and action.created_at and p.completed_at <= action.created_at
        ]
        found += _answers(before[-1:], field)
    return list(dict.fromkeys(found))


@handler("actions_used")
def actions_used(request: ServiceRequest) -> dict[str, Any]:
    """``{"legal": [...], "non_legal": [...]}``: the enforcement actions taken, the prevention
    actions recorded (``prevention_action_field`` of each completed ``prevention_task``, renamed
    by ``prevention_as``), and ``support_referral`` when a support referral was made."""
    prevention = _completed(request, _param(request, "prevention_task"))
    non_legal = _answers(
        prevention,
        _param(request, "prevention_action_field"),
        _mapping(str(request.params.get("prevention_as") or "")),
    )
    if _support_referrals(request):
        non_legal.append(_param(request, "support_referral"))
    return {"legal": _taken_enforcement(request), "non_legal": list(dict.fromkeys(non_legal))}
