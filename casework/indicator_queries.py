"""The indicators' counting, done by the database: each query groups the cases of the period on
indexed columns and on the few raw answers a figure reads, so only the distinct answers come
back, with how many cases gave each; Python then reads those few rows with the same rules as
``casework.indicators`` (weighted by their counts). The multi-valued facts come from the
``case_labels`` table (``db.case_labels``), never from the JSON lists of every case.

A raw answer is compared and grouped as its JSON text (``true``, ``"resolved"``, ``["warning"]``),
so a value reads the same on SQLite and PostgreSQL and decodes to what the form stored.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Text, and_, case, exists, false, func, literal, or_, select
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.elements import ColumnElement

from db.case_labels import INCIDENT_TYPE, STRAND
from db.models import Case, CaseLabel, ClosureSurvey, Task, TimelineEvent
from db.portable import days_between, json_text, not_later_than
from db.timeline import DeadlineMissed
from processes import bindings

FIRST_RESPONSE_WITHIN = timedelta(hours=24)
# The answers of the closure task a figure reads (binding names, ``processes.bindings``).
CLOSURE_ANSWERS = ("outcome", "victim_satisfaction", "legal_actions", "non_legal_actions")


def label_conditions(filters: Any) -> list[ColumnElement[bool]]:
    """The incident-type and strand filters, as conditions on ``Case`` (one label each)."""
    found: list[ColumnElement[bool]] = []
    for kind, value in ((INCIDENT_TYPE, filters.incident_type), (STRAND, filters.strand)):
        if value:
            label = aliased(CaseLabel)  # its own name: a query may read the labels as well
            found.append(exists().where(label.case_id == Case.id, label.kind == kind, label.value == value))
    return found


def new_conditions(start: datetime, end: datetime, filters: Any) -> list[ColumnElement[bool]]:
    """The new cases of the period that the filters keep."""
    return [
        Case.reported_at >= start,
        Case.reported_at < end,
        Case.route == "hate",
        *filters.conditions(),
        *label_conditions(filters),
    ]


def by_locality(session: Session, conditions: list[ColumnElement[bool]]) -> Counter[str]:
    rows = session.execute(select(Case.locality, func.count()).where(*conditions).group_by(Case.locality))
    found: Counter[str] = Counter()
    for locality, n in rows:
        found[locality or ""] += n
    return found


def by_label(session: Session, conditions: list[ColumnElement[bool]]) -> dict[str, Counter[str]]:
    """Cases by each incident type and strand; a case with none counts under ``""``."""
    found: dict[str, Counter[str]] = {INCIDENT_TYPE: Counter(), STRAND: Counter()}
    rows = session.execute(
        select(CaseLabel.kind, CaseLabel.value, func.count())
        .join(Case, Case.id == CaseLabel.case_id)
        .where(*conditions, CaseLabel.kind.in_(list(found)))
        .group_by(CaseLabel.kind, CaseLabel.value)
    )
    for kind, value, n in rows:
        found[kind][value] += n
    unlabelled = [
        func.coalesce(
            func.sum(
                case((~exists().where(CaseLabel.case_id == Case.id, CaseLabel.kind == kind), 1), else_=0)
            ),
            0,
        )
        for kind in found
    ]
    for kind, n in zip(found, session.execute(select(*unlabelled).where(*conditions)).one(), strict=True):
        if n:
            found[kind][""] += n
    return found


def _raw(column: Any, key: str) -> ColumnElement[str]:
    """The JSON text of ``column[key]`` (NULL when absent)."""
    return json_text(column, key)


def _decoded(raw: str | None) -> Any:
    return None if raw is None else json.loads(raw)


def first_responses(session: Session, conditions: list[ColumnElement[bool]], now: datetime) -> dict[str, int]:
    """New cases by their first response: ``met``, ``missed`` or ``pending`` (the rules of
    ``casework.indicators._first_response``). A response is the first completed first-response
    task whose answers say the reporter was reached, or is anonymous and cannot be."""
    bound = bindings.every_binding(session, "first_response")
    said = []
    for element_id, binding in bound.items():
        yes = [
            _raw(Task.submitted, binding.fields[n]) == "true"
            for n in ("contact_made", "anonymous_no_contact")
            if n in binding.fields
        ]
        said.append(and_(Task.element_id == element_id, or_(*yes) if yes else false()))
    done = (
        select(Task.case_id, func.min(Task.completed_at).label("done_at"))
        .join(Case, Case.id == Task.case_id)
        .where(
            *conditions,
            Task.status == "completed",
            Task.completed_at.is_not(None),
            or_(*said) if said else false(),
        )
        .group_by(Task.case_id)
        .subquery()
    )
    status = case(
        (Case.first_response_breached_at.is_not(None), literal("missed")),
        (
            done.c.done_at.is_not(None),
            case(
                (not_later_than(done.c.done_at, Case.reported_at, FIRST_RESPONSE_WITHIN), literal("met")),
                else_=literal("missed"),
            ),
        ),
        (Case.reported_at <= now - FIRST_RESPONSE_WITHIN, literal("missed")),
        else_=literal("pending"),
    )
    rows = session.execute(
        select(status, func.count())
        .select_from(Case)
        .outerjoin(done, done.c.case_id == Case.id)
        .where(*conditions)
        .group_by(status)
    )
    return {str(key): n for key, n in rows}


@dataclass(frozen=True)
class ClosedAnswers:
    """One distinct set of closure answers and how many closed cases gave it."""

    answers: dict[str, Any]
    survey: tuple[str, str] | None
    count: int

    def asked(self, which: int) -> dict[str, Any]:
        """The answers with the satisfaction the victim gave in the survey (``which``: 0 the
        outcome, 1 TP12) over the officer's record."""
        if self.survey is None:
            return self.answers
        return {**self.answers, "victim_satisfaction": self.survey[which]}


def closed_conditions(start: datetime, end: datetime, filters: Any = None) -> list[ColumnElement[bool]]:
    found = [Case.status == "closed", Case.closed_at >= start, Case.closed_at < end, Case.route == "hate"]
    if filters is not None:
        found += [*filters.conditions(), *label_conditions(filters)]
    return found


def _closure_join(session: Session) -> tuple[Any, dict[str, ColumnElement[str]]]:
    """The join of a closed case to its completed closure task(s), and each answer's JSON text."""
    bound = bindings.every_binding(session, "closure")
    join = and_(Task.case_id == Case.id, Task.element_id.in_(list(bound)), Task.status == "completed")
    answers: dict[str, ColumnElement[str]] = {}
    for name in CLOSURE_ANSWERS:
        whens = [
            (Task.element_id == e, _raw(Task.submitted, b.fields[name]))
            for e, b in bound.items()
            if name in b.fields
        ]
        answers[name] = case(*whens, else_=None) if whens else literal(None, Text)
    return join, answers


def _newest_surveys() -> Any:
    """The newest answered survey of each case (the last by answered time, then by id)."""
    ranked = select(
        ClosureSurvey.case_id,
        ClosureSurvey.outcome,
        ClosureSurvey.tp12,
        func.row_number()
        .over(
            partition_by=ClosureSurvey.case_id,
            order_by=(ClosureSurvey.answered_at.desc(), ClosureSurvey.id.desc()),
        )
        .label("rank"),
    ).where(ClosureSurvey.answered_at.is_not(None))
    return ranked.subquery()


def closed_answers(session: Session, conditions: list[ColumnElement[bool]]) -> list[ClosedAnswers]:
    """The distinct closure answers (with the victim's survey answers) of the closed cases."""
    join, answers = _closure_join(session)
    surveys = _newest_surveys()
    columns = [
        *answers.values(),
        surveys.c.case_id.is_not(None).label("surveyed"),
        surveys.c.outcome,
        surveys.c.tp12,
    ]
    rows = session.execute(
        select(*columns, func.count())
        .select_from(Case)
        .outerjoin(Task, join)
        .outerjoin(surveys, and_(surveys.c.case_id == Case.id, surveys.c.rank == 1))
        .where(*conditions)
        .group_by(*columns)
    )
    found = []
    for row in rows:
        given = {
            name: _decoded(raw)
            for name, raw in zip(CLOSURE_ANSWERS, row[: len(CLOSURE_ANSWERS)], strict=True)
        }
        given = {name: value for name, value in given.items() if value is not None}
        survey = (str(row.outcome), str(row.tp12)) if row.surveyed else None
        found.append(ClosedAnswers(given, survey, row[-1]))
    return found


def durations(
    session: Session, conditions: list[ColumnElement[bool]]
) -> dict[str | None, tuple[int, float | None, float | None]]:
    """Days from report to closure: ``key -> (cases, median, 90th percentile)`` for every closed
    case (key None) and by incident type (``""`` none recorded), one value per closure task joined
    as the answers are. PostgreSQL works out the percentiles; SQLite (the embedded mode, small)
    sends the days."""
    join, _ = _closure_join(session)
    days = days_between(Case.closed_at, Case.reported_at).label("days")
    every = (
        select(literal(None, Text).label("key"), days)
        .select_from(Case)
        .outerjoin(Task, join)
        .where(*conditions)
    )
    typed = (
        select(func.coalesce(CaseLabel.value, "").label("key"), days)
        .select_from(Case)
        .outerjoin(Task, join)
        .outerjoin(CaseLabel, and_(CaseLabel.case_id == Case.id, CaseLabel.kind == INCIDENT_TYPE))
        .where(*conditions)
    )
    both = every.union_all(typed).subquery()
    if session.get_bind().dialect.name == "postgresql":
        rows = session.execute(
            select(
                both.c.key,
                func.count(),
                func.percentile_cont(0.5).within_group(both.c.days),
                func.percentile_cont(0.9).within_group(both.c.days),
            ).group_by(both.c.key)
        )
        return {key: (n, median, p90) for key, n, median, p90 in rows}
    found: dict[str | None, list[float]] = {}
    for key, value in session.execute(select(both.c.key, both.c.days)):
        found.setdefault(key, []).append(float(value))
    return {key: (len(v), percentile(v, 0.5), percentile(v, 0.9)) for key, v in found.items()}


def percentile(values: Sequence[float], q: float) -> float | None:
    """The ``q`` quantile (0 to 1) of ``values``, interpolating linearly between ranks."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * q
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def missed_deadlines(session: Session, start: datetime, end: datetime, filters: Any) -> Counter[str]:
    """Each missed deadline of the period by what was missed (the JSON text of ``deadline``)."""
    raw = _raw(TimelineEvent.details, "deadline")
    rows = session.execute(
        select(raw, func.count())
        .join(Case, Case.id == TimelineEvent.case_id)
        .where(
            TimelineEvent.kind == DeadlineMissed.KIND,
            TimelineEvent.at >= start,
            TimelineEvent.at < end,
            *filters.conditions(),
            *label_conditions(filters),
        )
        .group_by(raw)
    )
    return _weighted((str(_decoded(r) or ""), n) for r, n in rows)


def _weighted(pairs: Iterable[tuple[str, int]]) -> Counter[str]:
    found: Counter[str] = Counter()
    for key, n in pairs:
        found[key] += n
    return found
