"""Monitoring indicators (policy section 11) and the regulator's tenant satisfaction measures.

Which cases each figure counts:

- *New cases*, the equality breakdowns, the first response and NM01 count cases **reported** in
  the period; the outcome, satisfaction, time to resolve, actions and TP12 count cases **closed**
  in it. A period is ``[start, end)`` in UK days (midnight Europe/London).
- Employee-route cases (a colleague reported by a colleague or contractor, policy section 6) are
  handled under the employee procedures, not this policy's case process: they have no first
  response, no outcome and no survey, and they are not anti-social behaviour cases, so they are
  left out of every figure and only counted on their own (``employee_route_cases``).
- NM01(1) counts the ASB cases this system holds, NM01(2) those perceived as hate-motivated
  (every case reported here, by the perception rule). NM01(1) for the regulator also needs the
  landlord's other ASB cases, which live elsewhere. The counting rule holds by construction: a
  further report on an open case goes into that case (a message), so it opens no new case.
- The regulator's measures (NM01, TP12) are organisation-wide: the filters do not apply to them.
- Satisfaction with the outcome and TP12 are asked, not assumed (policy 11.1): the victim's own
  answers to the closure survey (``casework.surveys``) where given, otherwise the officer's record
  (the ``victim_satisfaction`` answer of the closure task); each figure says how many came from
  each (``Sources``). Very plus fairly satisfied over those who answered; "did not answer" is left
  out of both.
- Which task is the first response and which the closure, and which of their fields hold each
  answer, is what the diagram declares (``indicator`` properties, see ``processes.bindings``), in
  any deployed version: renaming a task or a field in the modeller keeps the figures.
- Victims' protected characteristics count the victims recorded on new cases (see
  ``casework.equality``): every answer, "Prefer not to say" and "Not recorded", zeros too.
- Percentiles interpolate linearly between ranks (Excel's PERCENTILE.INC).
"""

from __future__ import annotations

import math
import statistics
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from casework import equality, surveys
from casework.vocabulary import EQUALITY_QUESTIONS, INCIDENT_TYPES, STRANDS
from db.models import Case, Task, TimelineEvent
from db.timeline import DeadlineMissed
from processes import bindings

LONDON = ZoneInfo("Europe/London")
RISK_LEVELS = {"high": "High", "medium": "Medium", "low": "Low"}
FIRST_RESPONSE_WITHIN = timedelta(hours=24)
# The answers of the closure form in bpmn/hate_incident.bpmn, in the form's order. A value
# the diagram gains later is still counted, under its own key.
OUTCOMES = {"resolved": "Resolved", "not_resolved": "Not resolved"}
SATISFACTION = {
    "very_satisfied": "Very satisfied",
    "fairly_satisfied": "Fairly satisfied",
    "neither": "Neither satisfied nor dissatisfied",
    "fairly_dissatisfied": "Fairly dissatisfied",
    "very_dissatisfied": "Very dissatisfied",
    "not_answered": "Did not answer",
}
SATISFIED = ("very_satisfied", "fairly_satisfied")
NOT_ANSWERED = "not_answered"
LEGAL_ACTIONS = {
    "injunction": "Injunction",
    "possession": "Possession proceedings",
    "ground_7a": "Ground 7A",
    "closure_order": "Closure order",
    "community_protection_notice": "Community protection notice",
}
NON_LEGAL_ACTIONS = {
    "warning": "Warning",
    "acceptable_behaviour_contract": "Acceptable behaviour contract",
    "mediation": "Mediation",
    "restorative_solution": "Restorative solution",
    "good_neighbour_agreement": "Good neighbour agreement",
    "support_referral": "Support referral",
}
NOT_RECORDED = "Not recorded"


def midnight(day: date) -> datetime:
    """The instant a UK day starts."""
    return datetime.combine(day, time(0), tzinfo=LONDON)


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # the first day not counted

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)

    @classmethod
    def reporting_year(cls, year: int) -> Period:
        """The landlord's reporting year, 1 April ``year`` to 31 March the year after."""
        return cls(date(year, 4, 1), date(year + 1, 4, 1))


@dataclass(frozen=True)
class Filters:
    incident_type: str | None = None
    strand: str | None = None
    locality: str | None = None
    risk_level: str | None = None

    def conditions(self) -> list[ColumnElement[bool]]:
        """The filters SQL can apply on every database (the list columns are checked in Python)."""
        found: list[ColumnElement[bool]] = []
        if self.locality:
            found.append(Case.locality == self.locality)
        if self.risk_level:
            found.append(Case.risk_level == self.risk_level)
        return found

    def matches(self, incident_types: Sequence[str] | None, strands: Sequence[str] | None) -> bool:
        return (not self.incident_type or self.incident_type in (incident_types or ())) and (
            not self.strand or self.strand in (strands or ())
        )

    @property
    def active(self) -> dict[str, str]:
        return {k: v for k, v in vars(self).items() if v}


@dataclass(frozen=True)
class Ratio:
    numerator: int
    denominator: int

    @property
    def percent(self) -> float | None:
        return round(100 * self.numerator / self.denominator, 1) if self.denominator else None


@dataclass(frozen=True)
class Count:
    key: str
    label: str
    count: int
    of: int  # the base a percentage is taken of

    @property
    def percent(self) -> float | None:
        return Ratio(self.count, self.of).percent


@dataclass(frozen=True)
class Duration:
    key: str
    label: str
    cases: int
    median_days: float | None
    p90_days: float | None


@dataclass(frozen=True)
class FirstResponse:
    met: int
    missed: int
    pending: int  # reported recently: neither made nor late yet

    @property
    def within_24h(self) -> Ratio:
        return Ratio(self.met, self.met + self.missed)


@dataclass(frozen=True)
class PerHomes:
    cases: int
    homes: int

    @property
    def per_1000(self) -> float:
        return round(self.cases * 1000 / self.homes, 2)


@dataclass(frozen=True)
class Sources:
    """Where the answers behind a satisfaction figure came from."""

    survey: int  # the victim's own answers to the closure survey
    officer: int  # the officer's record at closure, where the victim did not answer the survey

    @property
    def words(self) -> str:
        survey = f"{self.survey} survey answer{'' if self.survey == 1 else 's'}"
        officer = f"{self.officer} officer's record{'' if self.officer == 1 else 's'}"
        return f"from {survey} and {officer}".replace("officer's records", "officers' records")


@dataclass(frozen=True)
class Regulator:
    nm01_1: PerHomes
    nm01_2: PerHomes
    tp12: Ratio
    employee_route_cases: int
    tp12_sources: Sources = Sources(0, 0)


@dataclass(frozen=True)
class Characteristic:
    """Victims of new cases by their answer to one equality-monitoring question."""

    key: str  # the question (casework.vocabulary.EQUALITY_QUESTIONS)
    label: str
    counts: list[Count]


@dataclass(frozen=True)
class Indicators:
    period: Period
    filters: Filters
    new_cases: int
    new_by_type: list[Count]
    new_by_locality: list[Count]
    strands: list[Count]
    first_response: FirstResponse
    closed_cases: int
    outcomes: list[Count]
    resolved: Ratio
    satisfaction: list[Count]
    satisfied: Ratio
    time_to_resolve: list[Duration]
    legal_actions: list[Count]
    non_legal_actions: list[Count]
    legal_action_cases: Ratio
    non_legal_action_cases: Ratio
    regulator: Regulator
    victims: int  # victims recorded on the new cases
    new_cases_without_victim: int
    victim_characteristics: list[Characteristic]
    # Each missed deadline of ongoing or escalated work in the period, by what was missed.
    missed_deadlines: list[Count] = field(default_factory=list)
    satisfaction_sources: Sources = Sources(0, 0)


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
    session: Session, period: Period, filters: Filters = Filters(), *, homes: int, now: datetime
) -> Indicators:
    """Every indicator for ``period``; ``now`` decides which first responses are still pending."""
    start, end = midnight(period.start), midnight(period.end)
    new = [row for row in _new_cases(session, start, end, filters, now) if filters.matches(*_lists(row))]
    every_closed = _closed_cases(session, start, end)
    closed = [row for row in every_closed if _closed_matches(row, filters)]
    answers = [row.asked(0) for row in closed]
    new_ids = {row.case_id for row in new}
    victims = equality.victims_of(session, new_ids, start, end, filters.conditions())
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
    tallies = equality.tally(answers)
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


def localities(session: Session) -> list[str]:
    """Every locality recorded on a case, for the filter."""
    return sorted(session.scalars(select(Case.locality).where(Case.locality.is_not(None)).distinct()))


def percentile(values: Sequence[float], q: float) -> float | None:
    """The ``q`` quantile (0 to 1) of ``values``, interpolating linearly between ranks."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * q
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def responded(answers: dict[str, Any] | None) -> bool:
    """Whether a completed first-response form is a response: the reporter was reached, or is
    anonymous and cannot be contacted (recorded as such). An attempt that reached nobody is not."""
    answers = answers or {}
    return answers.get("contact_made") is True or answers.get("anonymous_no_contact") is True


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


def missed_deadlines(
    session: Session, start: datetime, end: datetime, filters: Filters = Filters()
) -> list[Count]:
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
        if filters.matches(types, strands)
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
        filters.matches(row.incident_types, row.strands)
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


def _days(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _lists(row: _New) -> tuple[list[str], list[str]]:
    return row.incident_types, row.strands


def _satisfaction(answers: dict[str, Any]) -> str:
    return str(answers.get("victim_satisfaction") or "")


def _chosen(answers: dict[str, Any], name: str) -> list[str]:
    value = answers.get(name) or []
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def _tally(groups: Iterable[Iterable[str]]) -> Counter[str]:
    counts: Counter[str] = Counter()
    for group in groups:
        counts.update(set(group))
    return counts


def _label(key: str, labels: dict[str, str]) -> str:
    return labels.get(key, key) if key else NOT_RECORDED


def _by_count(counts: Counter[str], labels: dict[str, str], of: int) -> list[Count]:
    """Largest first; a case may count under several keys, so the counts may add up to more."""
    ordered = sorted(counts.items(), key=lambda item: (-item[1], _label(item[0], labels)))
    return [Count(key, _label(key, labels), n, of) for key, n in ordered]


def _in_order(counts: Counter[str], labels: dict[str, str], of: int) -> list[Count]:
    """Every known answer in the form's order (zeros too), then any other value found."""
    known = [Count(key, label, counts.get(key, 0), of) for key, label in labels.items()]
    others = sorted(key for key in counts if key not in labels)
    return known + [Count(key, _label(key, labels), counts[key], of) for key in others]
