"""The annual report for the Customer Experience Committee and the Board: a reporting year's
indicators (1 April to 31 March, the regulator's year) beside the year before."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from casework import case_studies
from casework.indicators import Count, Indicators, Period, indicators, midnight

Number = int | float | None


@dataclass(frozen=True)
class Comparison:
    label: str
    current: Number
    previous: Number

    @property
    def change(self) -> Number:
        if self.current is None or self.previous is None:
            return None
        difference = self.current - self.previous
        return round(difference, 2) if isinstance(difference, float) else difference


@dataclass(frozen=True)
class AnnualReport:
    year: int
    current: Indicators
    previous: Indicators
    headline: list[Comparison]
    by_type: list[Comparison]
    by_strand: list[Comparison]
    by_locality: list[Comparison]
    # (question, heading, victims by answer) for each equality-monitoring question
    by_characteristic: list[tuple[str, str, list[Comparison]]] = field(default_factory=list)
    # (title, text) of the approved anonymised case studies of cases closed in the year (policy 11.3)
    case_studies: list[tuple[str, str]] = field(default_factory=list)

    @property
    def labels(self) -> tuple[str, str]:
        return year_label(self.year), year_label(self.year - 1)


def year_label(year: int) -> str:
    return f"{year}/{(year + 1) % 100:02d}"


HEADLINE: list[tuple[str, Callable[[Indicators], Number]]] = [
    ("New cases", lambda i: i.new_cases),
    ("Cases closed", lambda i: i.closed_cases),
    ("Resolved (% of closed cases)", lambda i: i.resolved.percent),
    ("Satisfied with the outcome (% of those who answered)", lambda i: i.satisfied.percent),
    ("First response within 24 hours (%)", lambda i: i.first_response.within_24h.percent),
    ("Median days to resolve", lambda i: i.time_to_resolve[0].median_days),
    ("90th percentile days to resolve", lambda i: i.time_to_resolve[0].p90_days),
    ("Closed cases with legal action (%)", lambda i: i.legal_action_cases.percent),
    ("Closed cases with non-legal action (%)", lambda i: i.non_legal_action_cases.percent),
    ("NM01(1) ASB cases per 1,000 homes", lambda i: i.regulator.nm01_1.per_1000),
    ("NM01(2) hate cases per 1,000 homes", lambda i: i.regulator.nm01_2.per_1000),
    ("TP12 satisfied with the approach to ASB (%)", lambda i: i.regulator.tp12.percent),
    ("Satisfaction answers from the victims' closure survey", lambda i: i.satisfaction_sources.survey),
    (
        "Satisfaction answers from officers' records (no survey answer)",
        lambda i: i.satisfaction_sources.officer,
    ),
    ("Employee-route cases (not counted above)", lambda i: i.regulator.employee_route_cases),
    ("Victims recorded on new cases (equality monitoring)", lambda i: i.victims),
]


def annual_report(session: Session, year: int, *, homes: int, now: datetime) -> AnnualReport:
    current = indicators(session, Period.reporting_year(year), homes=homes, now=now)
    period = Period.reporting_year(year)
    studies = case_studies.approved_in(session, midnight(period.start), midnight(period.end))
    previous = indicators(session, Period.reporting_year(year - 1), homes=homes, now=now)
    return AnnualReport(
        year,
        current,
        previous,
        [Comparison(label, figure(current), figure(previous)) for label, figure in HEADLINE],
        _side_by_side(current.new_by_type, previous.new_by_type),
        _side_by_side(current.strands, previous.strands),
        _side_by_side(current.new_by_locality, previous.new_by_locality),
        [
            (now.key, now.label, _side_by_side(now.counts, before.counts))
            for now, before in zip(
                current.victim_characteristics, previous.victim_characteristics, strict=True
            )
        ],
        [(study.title, study.text) for study in studies],
    )


def _side_by_side(current: list[Count], previous: list[Count]) -> list[Comparison]:
    """Every key of either year, in this year's order, then those only last year had."""
    before = {c.key: c for c in previous}
    rows = [Comparison(c.label, c.count, before[c.key].count if c.key in before else 0) for c in current]
    now_keys = {c.key for c in current}
    rows += [Comparison(c.label, 0, c.count) for c in previous if c.key not in now_keys]
    return rows
