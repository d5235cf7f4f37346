"""The table of handlers, the request each one receives and what the step offers them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy.orm import Session

from db.models import Case, User
from db.timeline import Event


class HandlerContext(Protocol):
    """What the case step running a handler does for it (``casework.steps.CaseStep``): every
    row a handler adds beyond its own domain rows goes through these, in the step's transaction."""

    def record(self, event: Event, *, case: Case | int | None = None, by: str | None = None) -> None: ...

    def queue_email(
        self, *, to: str, subject: str, body: str, case_id: int | None, kind: str = "email"
    ) -> None: ...

    def notify_group(
        self, case_id: int, reference: str, group: str, message: str, *, email: bool
    ) -> None: ...

    def notify_person(
        self, case_id: int, reference: str, person: User, message: str, *, email: bool
    ) -> bool: ...

    def record_disclosure(
        self,
        case: Case,
        *,
        recipient: str,
        purpose: str,
        lawful_basis: str,
        information: str,
        reason: str | None,
        by: str,
        with_consent: bool = False,
    ) -> None: ...


@dataclass(frozen=True)
class ServiceRequest:
    """What a handler gets: the case it works for, its parameters from the diagram, the case data.

    It writes through ``session`` and ``context``, inside the transaction of the step that called
    it, so its effect is saved with the step or not at all.
    """

    operation: str
    params: dict[str, Any]
    data: dict[str, Any]
    case_id: int
    case_reference: str
    session: Session
    now: datetime
    context: HandlerContext

    def case(self) -> Case:
        case = self.session.get(Case, self.case_id)
        if case is None:
            raise LookupError(f"case {self.case_id} not found")
        return case

    def record(self, event: Event) -> None:
        """A line on the case's timeline, written by the system."""
        self.context.record(event, case=self.case_id, by="system")


Handler = Callable[[ServiceRequest], dict[str, Any]]
REGISTRY: dict[str, Handler] = {}


class UnknownOperation(LookupError):
    pass


def handler(name: str) -> Callable[[Handler], Handler]:
    def register(func: Handler) -> Handler:
        if name in REGISTRY:
            raise ValueError(f"two handlers for operation {name!r}")
        REGISTRY[name] = func
        return func

    return register


def operations() -> set[str]:
    return set(REGISTRY)


def dispatch(request: ServiceRequest) -> dict[str, Any]:
    try:
        func = REGISTRY[request.operation]
    except KeyError:
        raise UnknownOperation(f"no handler for operation {request.operation!r}") from None
    return func(request)
