"""What the facade hands back: the project's own types, never SpiffWorkflow objects."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy.orm import Session

from db.models import Case
from db.timeline import Event
from processes.errors import Problem
from processes.forms import FormField


class StepContext(Protocol):
    """The unit of work the engine runs in (``casework.steps.CaseStep``): its session, where the
    engine's timeline events go, and the way to the service-task handlers."""

    session: Session

    def record(
        self,
        event: Event,
        *,
        case: Case | int | None = None,
        by: str | None = None,
        at: datetime | None = None,
    ) -> None: ...

    def call_service(
        self, operation: str, params: dict[str, Any], data: dict[str, Any], case: Case, now: datetime
    ) -> dict[str, Any]: ...


@dataclass(frozen=True)
class Deployment:
    id: int
    key: str
    name: str
    version: int
    created: bool
    warnings: tuple[Problem, ...] = ()


@dataclass(frozen=True)
class TaskView:
    id: str
    case_id: int
    case_reference: str
    element_id: str
    title: str
    status: str
    candidate_groups: tuple[str, ...]
    assignee: str | None
    created_at: datetime
    due_at: datetime | None
    documentation: str | None = None
    fields: tuple[FormField, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class StepResult:
    case_id: int
    case_reference: str
    case_status: str
    open_tasks: tuple[TaskView, ...]
