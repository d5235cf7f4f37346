"""Victims' protected characteristics from voluntary equality monitoring (policy 12.3), as the
indicators count them.

Only parties recorded as victims count, one answer set per victim (a case may have several
victims, or none: an anonymous report about someone else names no victim). A question a victim
left unanswered counts as not recorded (the empty key); "Prefer not to say" is an answer.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Text, cast, func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from casework.vocabulary import EQUALITY_QUESTIONS
from db.models import Case, Party

NOT_RECORDED_KEY = ""


def victims_of(
    session: Session, conditions: Iterable[ColumnElement[bool]]
) -> tuple[int, int, dict[str, Counter[str]]]:
    """The victims of the cases that ``conditions`` (on ``Case``) keep: how many victims, how
    many of those cases have one, and the tally of their answers (``tally``). The database
    groups victims by their whole answer set, so each distinct set is read once."""
    kept = list(conditions)
    victims = (
        select(Party.case_id, Party.equality)
        .join(Case, Case.id == Party.case_id)
        .where(Party.role == "victim", *kept)
    )
    answers = cast(Party.equality, Text)
    rows = session.execute(victims.with_only_columns(answers, func.count()).group_by(answers)).all()
    cases = session.scalar(victims.with_only_columns(func.count(func.distinct(Party.case_id)))) or 0
    counts = tally((json.loads(raw) if raw else {}, n) for raw, n in rows)
    return sum(n for _, n in rows), cases, counts


def tally(answers: Iterable[tuple[dict[str, Any] | None, int]]) -> dict[str, Counter[str]]:
    """For each question, how many victims gave each answer (not recorded under ``""``), from
    each answer set with how many victims gave it."""
    counts: dict[str, Counter[str]] = {name: Counter() for name in EQUALITY_QUESTIONS}
    for given, n in answers:
        for name, counter in counts.items():
            counter[str((given or {}).get(name) or NOT_RECORDED_KEY)] += n
    return counts
