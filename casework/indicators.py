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

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from casework import equality
from casework import indicator_queries as queries
from casework.indicator_queries import FIRST_RESPONSE_WITHIN as FIRST_RESPONSE_WITHIN
from casework.indicator_queries import percentile as percentile
from casework.vocabulary import EQUALITY_QUESTIONS, INCIDENT_TYPES, STRANDS
from db.case_labels import INCIDENT_TYPE, STRAND
from db.models import Case

LONDON = ZoneInfo("Europe/London")
RISK_LEVELS = {"high": "High", "medium": "Medium", "low": "Low"}
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
        """The filters on the case's own columns (the incident type and strand are labels:
        ``casework.indicator_queries.label_conditions``)."""
        found: list[ColumnElement[bool]] = []
        if self.locality:
            found.append(Case.locality == self.locality)
        if self.risk_level:
            found.append(Case.risk_level == self.risk_level)
        return found

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


def indicators(
    session: Session, period: Period, filters: Filters = Filters(), *, homes: int, now: datetime
) -> Indicators:
    """Every indicator for ``period``; ``now`` decides which first responses are still pending.
    The database counts (``casework.indicator_queries``); this reads its few grouped rows."""
    start, end = midnight(period.start), midnight(period.end)
    new_where = queries.new_conditions(start, end, filters)
    by_locality = queries.by_locality(session, new_where)
    new = sum(by_locality.values())
    labels = queries.by_label(session, new_where)
    responses = queries.first_responses(session, new_where, now)
    closed = queries.closed_answers(session, queries.closed_conditions(start, end, filters))
    every_closed = (
        queries.closed_answers(session, queries.closed_conditions(start, end)) if filters.active else closed
    )
    of = sum(row.count for row in closed)
    answers = [(row.asked(0), row.count) for row in closed]
    victims, with_victim, given = equality.victims_of(session, new_where)
    missed = queries.missed_deadlines(session, start, end, filters)
    return Indicators(
        period=period,
        filters=filters,
        new_cases=new,
        new_by_type=_by_count(labels[INCIDENT_TYPE], INCIDENT_TYPES, new),
        new_by_locality=_by_count(by_locality, {}, new),
        strands=_by_count(labels[STRAND], STRANDS, new),
        first_response=FirstResponse(*(responses.get(s, 0) for s in ("met", "missed", "pending"))),
        closed_cases=of,
        outcomes=_in_order(_weighted((a.get("outcome") or "", n) for a, n in answers), OUTCOMES, of),
        resolved=Ratio(sum(n for a, n in answers if a.get("outcome") == "resolved"), of),
        satisfaction=_in_order(_weighted((_satisfaction(a), n) for a, n in answers), SATISFACTION, of),
        satisfied=satisfied(answers),
        time_to_resolve=_durations(
            queries.durations(session, queries.closed_conditions(start, end, filters))
        ),
        legal_actions=_in_order(_tally(answers, "legal_actions"), LEGAL_ACTIONS, of),
        non_legal_actions=_in_order(_tally(answers, "non_legal_actions"), NON_LEGAL_ACTIONS, of),
        legal_action_cases=Ratio(sum(n for a, n in answers if _chosen(a, "legal_actions")), of),
        non_legal_action_cases=Ratio(sum(n for a, n in answers if _chosen(a, "non_legal_actions")), of),
        regulator=_regulator(session, start, end, homes, every_closed),
        victims=victims,
        new_cases_without_victim=new - with_victim,
        victim_characteristics=characteristics(given, victims),
        missed_deadlines=_by_count(missed, {}, sum(missed.values())),
        satisfaction_sources=sources(closed),
    )


def characteristics(tallies: dict[str, Counter[str]], victims: int) -> list[Characteristic]:
    """Each equality question: every answer in the form's order, then "Not recorded"."""
    return [
        Characteristic(
            name,
            question.heading,
            _in_order(tallies[name], {**question.options, equality.NOT_RECORDED_KEY: NOT_RECORDED}, victims),
        )
        for name, question in EQUALITY_QUESTIONS.items()
    ]


def satisfied(answers: Iterable[tuple[dict[str, Any], int]]) -> Ratio:
    """Very plus fairly satisfied, over those who answered the survey (each set of answers with
    how many cases gave it)."""
    given = [(_satisfaction(a), n) for a, n in answers]
    answered = [(s, n) for s, n in given if s and s != NOT_ANSWERED]
    return Ratio(sum(n for s, n in answered if s in SATISFIED), sum(n for _, n in answered))


def sources(closed: Iterable[queries.ClosedAnswers]) -> Sources:
    """How many satisfaction answers came from the survey, and how many from officers."""
    rows = list(closed)
    asked = sum(row.count for row in rows if row.survey is not None)
    recorded = sum(
        row.count
        for row in rows
        if row.survey is None and _satisfaction(row.answers) not in ("", NOT_ANSWERED)
    )
    return Sources(asked, recorded)


def localities(session: Session) -> list[str]:
    """Every locality recorded on a case, for the filter."""
    return sorted(session.scalars(select(Case.locality).where(Case.locality.is_not(None)).distinct()))


def responded(answers: dict[str, Any] | None) -> bool:
    """Whether a completed first-response form is a response: the reporter was reached, or is
    anonymous and cannot be contacted (recorded as such). An attempt that reached nobody is not.
    (``casework.indicator_queries.first_responses`` asks the same of the database.)"""
    answers = answers or {}
    return answers.get("contact_made") is True or answers.get("anonymous_no_contact") is True


def missed_deadlines(
    session: Session, start: datetime, end: datetime, filters: Filters = Filters()
) -> list[Count]:
    """Deadlines of ongoing or escalated work missed in the period (each went up a level), by
    what was missed: contact with the victim, the overdue first response, the safeguarding
    referral. Each miss counts (a case may miss contact many times). The 24-hour first response
    is counted on its own (``first_response``)."""
    counts = queries.missed_deadlines(session, start, end, filters)
    return _by_count(counts, {}, sum(counts.values()))


def _regulator(
    session: Session, start: datetime, end: datetime, homes: int, closed: list[queries.ClosedAnswers]
) -> Regulator:
    counts = session.execute(
        select(Case.route, Case.hate_perceived, func.count())
        .where(Case.reported_at >= start, Case.reported_at < end)
        .group_by(Case.route, Case.hate_perceived)
    ).all()
    asb = sum(n for route, _hate, n in counts if route == "hate")
    hate = sum(n for route, perceived, n in counts if route == "hate" and perceived)
    employee = sum(n for route, _hate, n in counts if route == "employee")
    tp12 = satisfied((row.asked(1), row.count) for row in closed)
    return Regulator(PerHomes(asb, homes), PerHomes(hate, homes), tp12, employee, sources(closed))


def _durations(found: dict[str | None, tuple[int, float | None, float | None]]) -> list[Duration]:
    cases, median, p90 = found.get(None, (0, None, None))
    every = [Duration("", "All types", cases, _days(median), _days(p90))]
    by_type = [(key, figures) for key, figures in found.items() if key is not None]
    by_type.sort(key=lambda item: (-item[1][0], _label(item[0], INCIDENT_TYPES)))
    return every + [
        Duration(key, _label(key, INCIDENT_TYPES), n, _days(median), _days(p90))
        for key, (n, median, p90) in by_type
    ]


def _days(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _satisfaction(answers: dict[str, Any]) -> str:
    return str(answers.get("victim_satisfaction") or "")


def _chosen(answers: dict[str, Any], name: str) -> list[str]:
    value = answers.get(name) or []
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def _weighted(pairs: Iterable[tuple[str, int]]) -> Counter[str]:
    counts: Counter[str] = Counter()
    for key, n in pairs:
        counts[key] += n
    return counts


def _tally(answers: Iterable[tuple[dict[str, Any], int]], name: str) -> Counter[str]:
    """Cases by each value chosen in the list answer ``name`` (a case counts once per value)."""
    counts: Counter[str] = Counter()
    for given, n in answers:
        for key in set(_chosen(given, name)):
            counts[key] += n
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
