"""What the facade hands back: the project's own types, never SpiffWorkflow objects."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from processes.forms import FormField


@dataclass(frozen=True)
class Deployment:
    id: int
    key: str
    name: str
    version: int
    created: bool


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
