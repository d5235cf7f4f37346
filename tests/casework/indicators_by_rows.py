"""The indicators worked out the old way, for comparison only: every case of the period read
into Python and counted there (as ``casework.indicators`` did before it counted in SQL). The
comparison test checks the database's figures against these, figure by figure."""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from casework import equality, surveys
from casework.indicators import (
    FIRST_RESPONSE_WITHIN,
    LEGAL_ACTIONS,
    NON_LEGAL_ACTIONS,
    NOT_ANSWERED,
    NOT_RECORDED,
    OUTCOMES,
    SATISFACTION,
    SATISFIED,
    Characteristic,
    Count,
    Duration,
    Filters,
    FirstResponse,
    Indicators,
    PerHomes,
    Period,
    Ratio,
    Regulator,
    Sources,
    _by_count,
    _chosen,
    _days,
    _in_order,
    _label,
    _satisfaction,
    midnight,
    percentile,
    responded,
)
from casework.vocabulary import EQUALITY_QUESTIONS, INCIDENT_TYPES, STRANDS
from db.models import Case, Party, Task, TimelineEvent
from db.timeline import DeadlineMissed
from processes import bindings


def _matches(filters: Filters, incident_types: Sequence[str] | None, strands: Sequence[str] | None) -> bool:
    return (not filters.incident_type or filters.incident_type in (incident_types or ())) and (
        not filters.strand or filters.strand in (strands or ())
    )


def _victims_of(
    session: Session,
    case_ids: Collection[int],
    start: datetime,
    end: datetime,
    conditions: Iterable[ColumnElement[bool]] = (),
) -> list[tuple[int, dict[str, Any]]]:
    rows = session.execute(
        select(Party.case_id, Party.equality)
        .join(Case, Case.id == Party.case_id)
        .where(Party.role == "victim", Case.reported_at >= start, Case.reported_at < end, *conditions)
        .order_by(Party.id)
    )
    return [(case_id, answers or {}) for case_id, answers in rows if case_id in case_ids]


def _tally_answers(answers: Iterable[dict[str, Any]]) -> dict[str, Counter[str]]:
    counts: dict[str, Counter[str]] = {name: Counter() for name in EQUALITY_QUESTIONS}
    for given in answers:
        for name, counter in counts.items():
            counter[str(given.get(name) or equality.NOT_RECORDED_KEY)] += 1
    return counts


@dataclass(frozen=True)
class _New:
    case_id: int
    incident_types: list[str]
    strands: list[str]
    locality: str | None
    first_response: str


@dataclass(frozen=True)
class _Closed:
    case_id: int
    incident_types: list[str]
    strands: list[str]
    locality: str | None
    risk_level: str | None
    days: float
    answers: dict[str, Any] = field(default_factory=dict)
    # The victim's survey answers (outcome, TP12), when they gave them.
    survey: tuple[str, str] | None = None

    def asked(self, which: int) -> dict[str, Any]:
        """The answers with the satisfaction the victim gave in the survey (``which``: 0 the
        outcome, 1 TP12) over the officer's record."""
        if self.survey is None:
            return self.answers
        return {**self.answers, "victim_satisfaction": self.survey[which]}


def indicators(
    session: Session, period: Period, filters: Filters, *, homes: int, now: datetime
) -> Indicators:
    """Every indicator for ``period``; ``now`` decides which first responses are still pending."""
    start, end = midnight(period.start), midnight(period.end)
    new = [row for row in _new_cases(session, start, end, filters, now) if _matches(filters, *_lists(row))]
    every_closed = _closed_cases(session, start, end)
    closed = [row for row in every_closed if _closed_matches(row, filters)]
    answers = [row.asked(0) for row in closed]
    new_ids = {row.case_id for row in new}
    victims = _victims_of(session, new_ids, start, end, filters.conditions())
    return Indicators(
        period=period,
        filters=filters,
        new_cases=len(new),
        new_by_type=_by_count(_tally(row.incident_types or [""] for row in new), INCIDENT_TYPES, len(new)),
        new_by_locality=_by_count(Counter(row.locality or "" for row in new), {}, len(new)),
        strands=_by_count(_tally(row.strands or [""] for row in new), STRANDS, len(new)),
        first_response=FirstResponse(
            *(sum(row.first_response == s for row in new) for s in ("met", "missed", "pending"))
        ),
        closed_cases=len(closed),
        outcomes=_in_order(Counter(a.get("outcome") or "" for a in answers), OUTCOMES, len(closed)),
        resolved=Ratio(sum(a.get("outcome") == "resolved" for a in answers), len(closed)),
        satisfaction=_in_order(Counter(_satisfaction(a) for a in answers), SATISFACTION, len(closed)),
        satisfied=satisfied(answers),
        time_to_resolve=_durations(closed),
        legal_actions=_in_order(
            _tally(_chosen(a, "legal_actions") for a in answers), LEGAL_ACTIONS, len(closed)
        ),
        non_legal_actions=_in_order(
            _tally(_chosen(a, "non_legal_actions") for a in answers), NON_LEGAL_ACTIONS, len(closed)
        ),
        legal_action_cases=Ratio(sum(bool(_chosen(a, "legal_actions")) for a in answers), len(closed)),
        non_legal_action_cases=Ratio(
            sum(bool(_chosen(a, "non_legal_actions")) for a in answers), len(closed)
        ),
        regulator=_regulator(session, start, end, homes, every_closed),
        victims=len(victims),
        new_cases_without_victim=len(new_ids - {case_id for case_id, _ in victims}),
        victim_characteristics=characteristics([given for _, given in victims]),
        missed_deadlines=missed_deadlines(session, start, end, filters),
        satisfaction_sources=sources(closed),
    )


def characteristics(answers: list[dict[str, Any]]) -> list[Characteristic]:
    """Each equality question: every answer in the form's order, then "Not recorded"."""
    tallies = _tally_answers(answers)
    return [
        Characteristic(
            name,
            question.heading,
            _in_order(
                tallies[name], {**question.options, equality.NOT_RECORDED_KEY: NOT_RECORDED}, len(answers)
            ),
        )
        for name, question in EQUALITY_QUESTIONS.items()
    ]


def satisfied(answers: Iterable[dict[str, Any]]) -> Ratio:
    """Very plus fairly satisfied, over those who answered the survey."""
    given = [_satisfaction(a) for a in answers]
    answered = [s for s in given if s and s != NOT_ANSWERED]
    return Ratio(sum(s in SATISFIED for s in answered), len(answered))


def sources(closed: Iterable[_Closed]) -> Sources:
    """How many satisfaction answers came from the survey, and how many from officers."""
    rows = list(closed)
    asked = sum(row.survey is not None for row in rows)
    recorded = sum(
        row.survey is None and _satisfaction(row.answers) not in ("", NOT_ANSWERED) for row in rows
    )
    return Sources(asked, recorded)


def _first_responses(session: Session, case_ids: Iterable[int]) -> dict[int, datetime]:
    """When each case's first response was made: its first completed first-response task whose
    answers say the reporter was reached (or cannot be, being anonymous)."""
    found: dict[int, datetime] = {}
    bound = bindings.every_binding(session, "first_response")
    ids = list(case_ids)
    for chunk in (ids[i : i + 500] for i in range(0, len(ids), 500)):
        rows = session.execute(
            select(Task.case_id, Task.element_id, Task.completed_at, Task.submitted).where(
                Task.case_id.in_(chunk),
                Task.element_id.in_(list(bound)),
                Task.status == "completed",
                Task.completed_at.is_not(None),
            )
        )
        for case_id, element_id, completed_at, submitted in rows:
            answers = bound[element_id].answers(submitted)
            if responded(answers) and (case_id not in found or completed_at < found[case_id]):
                found[case_id] = completed_at
    return found


def _new_cases(
    session: Session, start: datetime, end: datetime, filters: Filters, now: datetime
) -> list[_New]:
    rows = session.execute(
        select(
            Case.id,
            Case.reported_at,
            Case.incident_types,
            Case.strands,
            Case.locality,
            Case.first_response_breached_at,
        ).where(
            Case.reported_at >= start, Case.reported_at < end, Case.route == "hate", *filters.conditions()
        )
    ).all()
    done = _first_responses(session, [row[0] for row in rows])
    return [
        _New(
            case_id,
            types or [],
            strands or [],
            locality,
            _first_response(reported, breached, done.get(case_id), now),
        )
        for case_id, reported, types, strands, locality, breached in rows
    ]


def missed_deadlines(session: Session, start: datetime, end: datetime, filters: Filters) -> list[Count]:
    """Deadlines of ongoing or escalated work missed in the period (each went up a level), by
    what was missed: contact with the victim, the overdue first response, the safeguarding
    referral. Each miss counts (a case may miss contact many times). The 24-hour first response
    is counted on its own (``first_response``)."""
    rows = session.execute(
        select(TimelineEvent.details, Case.incident_types, Case.strands)
        .join(Case, Case.id == TimelineEvent.case_id)
        .where(
            TimelineEvent.kind == DeadlineMissed.KIND,
            TimelineEvent.at >= start,
            TimelineEvent.at < end,
            *filters.conditions(),
        )
    )
    counts = Counter(
        str((details or {}).get("deadline") or "")
        for details, types, strands in rows
        if _matches(filters, types, strands)
    )
    return _by_count(counts, {}, sum(counts.values()))


def _first_response(
    reported_at: datetime, breached_at: datetime | None, done_at: datetime | None, now: datetime
) -> str:
    """``met`` when the first response was made within 24 hours of the report; ``missed`` when the
    breach was recorded, or the response was late, or the deadline passed before the sweep noticed."""
    deadline = reported_at + FIRST_RESPONSE_WITHIN
    if breached_at is not None:
        return "missed"
    if done_at is not None:
        return "met" if done_at <= deadline else "missed"
    return "missed" if now >= deadline else "pending"


def _closed_cases(session: Session, start: datetime, end: datetime) -> list[_Closed]:
    bound = bindings.every_binding(session, "closure")
    rows = session.execute(
        select(
            Case.id,
            Case.reported_at,
            Case.closed_at,
            Case.incident_types,
            Case.strands,
            Case.locality,
            Case.risk_level,
            Task.element_id,
            Task.submitted,
        )
        .outerjoin(
            Task,
            and_(Task.case_id == Case.id, Task.element_id.in_(list(bound)), Task.status == "completed"),
        )
        .where(Case.status == "closed", Case.closed_at >= start, Case.closed_at < end, Case.route == "hate")
    ).all()
    asked = surveys.answers_for(session, [row[0] for row in rows])
    return [
        _Closed(
            case_id,
            types or [],
            strands or [],
            locality,
            risk,
            (closed - reported) / timedelta(days=1),
            bound[element].answers(submitted) if element in bound else {},
            _survey(asked.get(case_id)),
        )
        for case_id, reported, closed, types, strands, locality, risk, element, submitted in rows
    ]


def _survey(found: Any) -> tuple[str, str] | None:
    return (str(found.outcome), str(found.tp12)) if found is not None else None


def _closed_matches(row: _Closed, filters: Filters) -> bool:
    return (
        _matches(filters, row.incident_types, row.strands)
        and (not filters.locality or row.locality == filters.locality)
        and (not filters.risk_level or row.risk_level == filters.risk_level)
    )


def _regulator(
    session: Session, start: datetime, end: datetime, homes: int, closed: list[_Closed]
) -> Regulator:
    counts = session.execute(
        select(Case.route, Case.hate_perceived, func.count())
        .where(Case.reported_at >= start, Case.reported_at < end)
        .group_by(Case.route, Case.hate_perceived)
    ).all()
    asb = sum(n for route, _hate, n in counts if route == "hate")
    hate = sum(n for route, perceived, n in counts if route == "hate" and perceived)
    employee = sum(n for route, _hate, n in counts if route == "employee")
    tp12 = satisfied(row.asked(1) for row in closed)
    return Regulator(PerHomes(asb, homes), PerHomes(hate, homes), tp12, employee, sources(closed))


def _durations(closed: list[_Closed]) -> list[Duration]:
    by_type: dict[str, list[float]] = {}
    for row in closed:
        for key in row.incident_types or [""]:
            by_type.setdefault(key, []).append(row.days)
    every = [row.days for row in closed]
    found = [
        Duration("", "All types", len(every), _days(statistics.median(every) if every else None), _p90(every))
    ]
    ordered = sorted(by_type.items(), key=lambda item: (-len(item[1]), _label(item[0], INCIDENT_TYPES)))
    for key, days in ordered:
        found.append(
            Duration(key, _label(key, INCIDENT_TYPES), len(days), _days(statistics.median(days)), _p90(days))
        )
    return found


def _p90(days: list[float]) -> float | None:
    return _days(percentile(days, 0.9))


def _lists(row: _New) -> tuple[list[str], list[str]]:
    return row.incident_types, row.strands


def _tally(groups: Iterable[Iterable[str]]) -> Counter[str]:
    counts: Counter[str] = Counter()
    for group in groups:
        counts.update(set(group))
    return counts
