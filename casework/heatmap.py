"""Where open cases wait in a process, for the heatmap drawn on the diagram.

A case waits at an element when it has an **open task** there (``tasks.status = 'open'``); it
has waited since the task was created. Timers are not counted, for two reasons:

- every timer in the deployed diagrams is a boundary event on a user task (the 24-hour first
  response, its reminder, the contact timer, the complaint deadlines), so a case waiting on one
  already waits at the task it is attached to; counting the timer too would count the wait twice;
- a timer row holds only when it falls due, not when the case began waiting on it, so no wait
  time could be given. A diagram that waited on a timer alone (an intermediate catch event) would
  show no badge there; such a case is still listed on the stuck-work page if it has no task.

A case counts once per element, from its oldest open task there. Cases on every deployed version
of the process count, so a case not yet moved to the latest version still shows; an element that
the drawn version lacks is left to the page to mention. Median and oldest wait are worked out in
Python from the rows, so they are the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework import case_access
from db.models import Case, ProcessVersion, Task, User

MAIN_PROCESS = "hate_incident"
LISTED = 200  # cases listed per element, longest waiting first; the count covers them all


@dataclass(frozen=True)
class WaitingCase:
    reference: str
    since: datetime

    def seconds(self, now: datetime) -> float:
        return max(0.0, (now - self.since).total_seconds())


@dataclass(frozen=True)
class ElementWait:
    """The open cases waiting at one element of the diagram."""

    element_id: str
    name: str
    count: int
    median_seconds: float
    oldest_seconds: float
    cases: tuple[WaitingCase, ...]  # longest waiting first, at most ``LISTED``, only those the viewer opens
    closed: int = 0  # counted but not listed: cases the viewer may not open (restricted, another team)


@dataclass(frozen=True)
class Heatmap:
    key: str
    now: datetime
    elements: tuple[ElementWait, ...]  # most cases first

    @property
    def total(self) -> int:
        """Case-waits on the diagram: a case waiting at two elements counts twice."""
        return sum(element.count for element in self.elements)

    def element(self, element_id: str) -> ElementWait | None:
        return next((e for e in self.elements if e.element_id == element_id), None)


def heatmap(
    session: Session, key: str = MAIN_PROCESS, *, viewer: User, now: datetime, listed: int = LISTED
) -> Heatmap:
    """Every element of process ``key`` where open cases wait, with how many and for how long.
    Every case counts; only those ``viewer`` may open are listed (by reference)."""
    opens = case_access.openable_by(viewer).label("opens")  # the case page's rule, in the query
    rows = session.execute(
        select(Task.element_id, Task.title, Task.created_at, Case.reference, opens)
        .join(Case, Case.id == Task.case_id)
        .join(ProcessVersion, ProcessVersion.id == Case.process_version_id)
        .where(
            ProcessVersion.process_key == key,
            Case.status == "open",
            Task.status == "open",
        )
        .order_by(Task.element_id, Task.created_at, Case.reference)
    )
    names: dict[str, str] = {}
    waiting: dict[str, dict[str, tuple[datetime, bool]]] = {}
    for element_id, title, created_at, reference, may_open in rows:
        if reference is None:  # set in the transaction that opens the case: never seen committed
            continue
        names[element_id] = title
        waiting.setdefault(element_id, {}).setdefault(reference, (created_at, bool(may_open)))  # oldest first
    elements = [
        _element(element_id, names[element_id], cases, now, listed) for element_id, cases in waiting.items()
    ]
    elements.sort(key=lambda e: (-e.count, -e.oldest_seconds, e.element_id))
    return Heatmap(key, now, tuple(elements))


def _element(
    element_id: str,
    name: str,
    cases: dict[str, tuple[datetime, bool]],
    now: datetime,
    listed: int,
) -> ElementWait:
    waits = sorted(
        (WaitingCase(ref, since) for ref, (since, _) in cases.items()), key=lambda w: (w.since, w.reference)
    )
    seconds = [w.seconds(now) for w in waits]
    shown = [w for w in waits if cases[w.reference][1]]
    return ElementWait(
        element_id=element_id,
        name=name,
        count=len(waits),
        median_seconds=float(statistics.median(seconds)),
        oldest_seconds=max(seconds),
        cases=tuple(shown[:listed]),
        closed=len(waits) - len(shown),
    )


def describe(seconds: float) -> str:
    """A wait in words, in its largest unit and the next: "3 days 4 hours", "25 minutes"."""
    whole, amounts = int(seconds), []
    for unit, size in (("day", 86_400), ("hour", 3_600), ("minute", 60)):
        amount, whole = divmod(whole, size)
        amounts.append((amount, unit))
    first = next((i for i, (amount, _) in enumerate(amounts) if amount), None)
    if first is None:
        return "under a minute"
    words = [f"{n} {unit}{'' if n == 1 else 's'}" for n, unit in amounts[first : first + 2] if n]
    return " ".join(words)
