"""The engine's clock, which tests and the timer sweep can set.

SpiffWorkflow reads ``datetime.now(timezone.utc)`` inside its timer module and offers no hook,
so that module's ``datetime`` is replaced by a subclass whose ``now`` answers from a context
variable when one is set. Outside ``frozen_at`` it is the real clock.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime, tzinfo

from SpiffWorkflow.bpmn.specs.event_definitions import timer as _spiff_timer

_now: ContextVar[datetime | None] = ContextVar("engine_now", default=None)


class _EngineDatetime(datetime):
    @classmethod
    def now(cls, tz: tzinfo | None = None) -> datetime:  # type: ignore[override]
        fixed = _now.get()
        if fixed is None:
            return datetime.now(tz)
        return fixed.astimezone(tz) if tz is not None else fixed.astimezone(UTC).replace(tzinfo=None)


_spiff_timer.datetime = _EngineDatetime


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
