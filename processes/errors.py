"""Errors the facade raises, in words an officer or a process owner can act on."""

from __future__ import annotations

from dataclasses import dataclass, field


class ProcessError(Exception):
    """Base class for every error the facade raises."""


@dataclass
class Problem:
    """One thing wrong with a diagram, named by the element it concerns."""

    message: str
    element_id: str | None = None
    element_name: str | None = None
    line: int | None = None

    def as_dict(self) -> dict[str, object]:
        return {
            "element_id": self.element_id,
            "element_name": self.element_name,
            "message": self.message,
            "line": self.line,
        }


class InvalidDiagram(ProcessError):
    """The diagram's problems (each would fail), and its warnings (each runs, perhaps not as it
    looks: a plain task passing straight through)."""

    def __init__(self, problems: list[Problem], warnings: list[Problem] | None = None) -> None:
        self.problems = problems
        self.warnings = list(warnings or [])
        super().__init__("; ".join(p.message for p in problems))


class UnknownProcess(ProcessError):
    pass


class TaskNotFound(ProcessError):
    pass


class Conflict(ProcessError):
    """The task or case changed underneath the caller; nothing was saved."""


@dataclass
class FormInvalid(ProcessError):
    errors: dict[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        return "; ".join(f"{k}: {v}" for k, v in self.errors.items())


class NotAllowed(ProcessError):
    """The user may not work this task (not a candidate, or not the assignee)."""


class EngineFailure(ProcessError):
    """A step of the process failed to run (a handler, an expression); the case is unchanged.

    ``element_id`` and ``element_name`` name the step when the engine knows it; ``reason`` is the
    error underneath (a deploy's trial case tells a missing start value from a real fault by it).
    """

    def __init__(
        self,
        message: str,
        *,
        element_id: str | None = None,
        element_name: str | None = None,
        reason: BaseException | None = None,
    ) -> None:
        super().__init__(message)
        self.element_id = element_id
        self.element_name = element_name
        self.reason = reason
