"""Victims' protected characteristics from voluntary equality monitoring (policy 12.3), as the
indicators count them.

Only parties recorded as victims count, one answer set per victim (a case may have several
victims, or none: an anonymous report about someone else names no victim). A question a victim
left unanswered counts as not recorded (the empty key); "Prefer not to say" is an answer.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from casework.vocabulary import EQUALITY_QUESTIONS
from db.models import Case, Party

NOT_RECORDED_KEY = ""


def victims_of(
    session: Session,
    case_ids: Collection[int],
    start: datetime,
    end: datetime,
    conditions: Iterable[ColumnElement[bool]] = (),
) -> list[tuple[int, dict[str, Any]]]:
    """(case id, answers) of every victim of the cases ``case_ids`` reported in ``[start, end)``.

    The period and SQL-side filters narrow the query; ``case_ids`` (the cases the indicators
    counted after the filters applied in Python) decides. No long ``IN`` list is sent."""
    rows = session.execute(
        select(Party.case_id, Party.equality)
        .join(Case, Case.id == Party.case_id)
        .where(Party.role == "victim", Case.reported_at >= start, Case.reported_at < end, *conditions)
        .order_by(Party.id)
    )
    return [(case_id, answers or {}) for case_id, answers in rows if case_id in case_ids]


def tally(answers: Iterable[dict[str, Any]]) -> dict[str, Counter[str]]:
    """For each question, how many victims gave each answer (not recorded under ``""``)."""
    counts: dict[str, Counter[str]] = {name: Counter() for name in EQUALITY_QUESTIONS}
    for given in answers:
        for name, counter in counts.items():
            counter[str(given.get(name) or NOT_RECORDED_KEY)] += 1
    return counts
