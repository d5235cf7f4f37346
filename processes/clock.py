"""The engine's clock, which tests and the timer sweep can set.

``frozen_at`` sets the instant in a context variable; ``now`` and the engine's timers
(``processes.engine`` points SpiffWorkflow's timer module at ``frozen``) read it. Outside
``frozen_at`` it is the real clock.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime

_now: ContextVar[datetime | None] = ContextVar("engine_now", default=None)


def frozen() -> datetime | None:
    """The instant set by the innermost ``frozen_at``, or ``None`` outside one."""
    return _now.get()


def now() -> datetime:
    """The engine's current instant (aware, UTC)."""
    fixed = _now.get()
    return fixed if fixed is not None else datetime.now(UTC)


@contextmanager
def frozen_at(instant: datetime | None) -> Iterator[datetime]:
    """Run the engine as if it were ``instant`` (the real time when ``None``)."""
    if instant is not None and instant.tzinfo is None:
        raise ValueError("the engine clock needs an aware datetime")
    at = instant or datetime.now(UTC)
    token = _now.set(at)
    try:
        yield at
    finally:
        _now.reset(token)
