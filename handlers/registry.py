"""The table of handlers and the request each one receives."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session


@dataclass(frozen=True)
class ServiceRequest:
    """What a handler gets: the case it works for, its parameters from the diagram, the case data.

    It writes through ``session``, inside the transaction of the step that called it, so its
    effect is saved with the step or not at all.
    """

    operation: str
    params: dict[str, Any]
    data: dict[str, Any]
    case_id: int
    case_reference: str
    session: Session
    now: datetime


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
