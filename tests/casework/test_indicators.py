"""The indicators over cases driven through the real process (reports, tasks, the timer sweep),
each expected value worked out here from the scenario's own inputs."""

from __future__ import annotations

import statistics
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from casework import annual, indicators
from casework.indicators import Filters, Period
from casework.reports import PartyDetails
from db import Database
from tests.bpmn.walk import CONTACT, FIRST_RESPONSE, HIGH_RISK, LOW_RISK, REPORTED, Walk
from tests.conftest import T0

MARCH = Period(date(2026, 3, 1), date(2026, 4, 1))
NOW = datetime(2026, 4, 1, 9, 0, tzinfo=UTC)
HOMES = 2500
OVERDUE = {
    "contact_date": "2026-03-04",
    "breach_reason": "Off sick",
    "response_notes": "Called and apologised",
}


@dataclass
class Planned:
    """One case of the scenario: what is reported and, if it is closed, when and how."""

    reported_at: datetime
    types: list[str]
    strands: list[str]
    locality: str | None
    first_response_after: timedelta | None = timedelta(hours=2)  # None: missed, the sweep escalates
    closed_at: datetime | None = None
    close: dict[str, Any] = field(default_factory=dict)
    risk: dict[str, Any] = field(default_factory=lambda: LOW_RISK)


def closing(outcome: str, satisfaction: str, legal: list[str], non_legal: list[str]) -> dict[str, Any]:
    return {
        "outcome": outcome,
        "outcome_reason": "Worked through with the victim and the neighbours",
        "legal_actions": legal,
        "non_legal_actions": non_legal,
        "victim_satisfaction": satisfaction,
    }


SCENARIO = {
    # reported in February, closed in March: counts as closed in March, not as new
    "H": Planned(
        datetime(2026, 2, 20, 9, 0, tzinfo=UTC),
        ["name_calling"],
        ["age"],
        "Riverside",
        closed_at=datetime(2026, 3, 10, 9, 0, tzinfo=UTC),
        close=closing("not_resolved", "fairly_satisfied", [], ["warning"]),
    ),
    "A": Planned(
        T0,
        ["graffiti", "verbal_abuse"],
        ["race"],
        "Riverside",
        closed_at=T0 + timedelta(days=5),
        close=closing("resolved", "very_satisfied", ["injunction"], ["warning", "mediation"]),
    ),
    "B": Planned(
        T0 + timedelta(days=1),
        ["graffiti"],
        ["religion_or_belief", "race"],
        "Hillside",
        first_response_after=None,
        closed_at=T0 + timedelta(days=13),
        close=closing("not_resolved", "fairly_dissatisfied", [], ["support_referral"]),
    ),
    "C": Planned(
        T0 + timedelta(days=2),
        ["verbal_abuse"],
        ["disability"],
        "Riverside",
        closed_at=T0 + timedelta(days=22),
        close=closing("resolved", "not_answered", ["possession", "injunction"], []),
        risk=HIGH_RISK,
    ),
    # first response made 30 hours after the report, before any sweep noticed: late all the same
    "D": Planned(T0 + timedelta(days=3), ["graffiti"], ["race"], "Riverside", timedelta(hours=30)),
    # 31 March 22:00 UTC is 23:00 in London (summer time): still March; no response yet
    "E": Planned(datetime(2026, 3, 31, 22, 0, tzinfo=UTC), [], ["race"], None, first_response_after=None),
    # 31 March 23:30 UTC is 00:30 on 1 April in London: not March
    "F": Planned(datetime(2026, 3, 31, 23, 30, tzinfo=UTC), ["graffiti"], ["race"], "Riverside", None),
}
EMPLOYEE = [
    PartyDetails(role="alleged_perpetrator", relation="colleague"),
    PartyDetails(role="reporter", relation="contractor"),
]


def drive(database: Database, plan: Planned) -> None:
    walk = Walk.report(
        database, at=plan.reported_at, incident_types=plan.types, strands=plan.strands, locality=plan.locality
    )
    if plan.closed_at is None and plan.first_response_after is None:
        return  # reported only
    if plan.first_response_after is None:
        walk.at += timedelta(hours=25)
        assert walk.sweep(timedelta(0)) >= 1  # the 24-hour deadline fires: breach recorded
        walk.do("overdue_response", OVERDUE, who="supervisor")
    else:
        walk.do("first_response", FIRST_RESPONSE, after=plan.first_response_after)
    if plan.closed_at is None:
        return
    walk.do("police_referral", REPORTED)
    walk.do("risk_assessment", plan.risk)
    walk.do("support", {})
    walk.do("keep_in_contact", {**CONTACT, "next_step": "close"}, after=timedelta(days=1))
    walk.at = plan.closed_at
    walk.do("close_case", plan.close)
    if "closure_signoff" in walk.open_elements():  # a high-risk case: a supervisor signs it off
        signed = {"closure_signoff_decision": "signed_off", "closure_signoff_reason": "Risk has gone away"}
        walk.do("closure_signoff", signed, who="supervisor")
    assert walk.case().status == "closed" and walk.case().closed_at == plan.closed_at


@pytest.fixture(scope="module")
def scenario(databases: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    url, drop = databases.new(tmp_path_factory.mktemp("indicators"))
    database = Database(url)
    for plan in SCENARIO.values():
        drive(database, plan)
    Walk.report(database, at=T0 + timedelta(days=4), parties=EMPLOYEE, locality="Riverside")
    yield database
    database.dispose()
    drop()


def figures(
    database: Database, filters: Filters | None = None, period: Period = MARCH
) -> indicators.Indicators:
    with database.session() as session:
        return indicators.indicators(session, period, filters or Filters(), homes=HOMES, now=NOW)


def in_march(when: datetime) -> bool:
    return datetime(2026, 3, 1, tzinfo=UTC) <= when < datetime(2026, 3, 31, 23, 0, tzinfo=UTC)  # London


def chosen(keep: Any) -> dict[str, Planned]:
    return {name: plan for name, plan in SCENARIO.items() if keep(plan)}


def counts(result: list[indicators.Count]) -> dict[str, int]:
    return {c.key: c.count for c in result if c.count}


def test_new_cases_by_type_locality_and_strand(scenario):
    new = chosen(lambda p: in_march(p.reported_at))
    assert sorted(new) == ["A", "B", "C", "D", "E"]
    result = figures(scenario)
    assert result.new_cases == len(new) == 5
    assert counts(result.new_by_type) == {"graffiti": 3, "verbal_abuse": 2, "": 1}
    assert counts(result.new_by_locality) == {"Riverside": 3, "Hillside": 1, "": 1}
    assert counts(result.strands) == {"race": 4, "religion_or_belief": 1, "disability": 1}
    assert [c.label for c in result.new_by_type] == [
        "Offensive graffiti or fly posting",
        "Verbal abuse",
        "Not recorded",
    ]
    assert result.strands[0].percent == 80.0  # 4 of 5


def test_outcomes_satisfaction_and_actions_of_cases_closed_in_the_period(scenario):
    closed = chosen(lambda p: p.closed_at is not None and in_march(p.closed_at))
    answers = [p.close for p in closed.values()]
    result = figures(scenario)
    assert result.closed_cases == len(closed) == 4
    resolved = sum(a["outcome"] == "resolved" for a in answers)
    assert (result.resolved.numerator, result.resolved.denominator, result.resolved.percent) == (2, 4, 50.0)
    assert resolved == 2
    answered = [a["victim_satisfaction"] for a in answers if a["victim_satisfaction"] != "not_answered"]
    happy = [s for s in answered if s in ("very_satisfied", "fairly_satisfied")]
    assert (result.satisfied.numerator, result.satisfied.denominator) == (len(happy), len(answered)) == (2, 3)
    assert result.satisfied.percent == 66.7
    assert counts(result.satisfaction) == {
        "very_satisfied": 1,
        "fairly_satisfied": 1,
        "fairly_dissatisfied": 1,
        "not_answered": 1,
    }
    assert counts(result.legal_actions) == {"injunction": 2, "possession": 1}
    assert counts(result.non_legal_actions) == {"warning": 2, "mediation": 1, "support_referral": 1}
    assert (result.legal_action_cases.numerator, result.non_legal_action_cases.numerator) == (2, 3)


def test_time_to_resolve_median_and_90th_percentile_by_type(scenario):
    closed = chosen(lambda p: p.closed_at is not None and in_march(p.closed_at))
    days = {name: (p.closed_at - p.reported_at) / timedelta(days=1) for name, p in closed.items()}
    assert days == {"H": 18.0, "A": 5.0, "B": 12.0, "C": 20.0}

    def expected(values: list[float]) -> tuple[float, float]:
        ninetieth = statistics.quantiles(values, n=10, method="inclusive")[8]
        return round(statistics.median(values), 1), round(ninetieth, 1)

    result = {d.key: d for d in figures(scenario).time_to_resolve}
    every = result[""]
    assert (every.label, every.cases) == ("All types", 4)
    assert (every.median_days, every.p90_days) == expected(list(days.values())) == (15.0, 19.4)
    graffiti = result["graffiti"]
    assert (graffiti.cases, graffiti.median_days, graffiti.p90_days) == (2, *expected([days["A"], days["B"]]))
    verbal = [days[n] for n, p in closed.items() if "verbal_abuse" in p.types]
    assert (result["verbal_abuse"].median_days, result["verbal_abuse"].p90_days) == expected(verbal)
    assert (result["name_calling"].cases, result["name_calling"].median_days) == (1, 18.0)


def test_first_response_within_24_hours(scenario):
    result = figures(scenario).first_response
    # A and C answered within 2 hours; B was escalated by the sweep; D answered after 30 hours;
    # E was reported 11 hours before NOW, so its deadline has not come.
    assert (result.met, result.missed, result.pending) == (2, 2, 1)
    assert result.within_24h.percent == 50.0


def test_regulator_measures_ignore_the_filters_and_leave_out_the_employee_route(scenario):
    new_hate_cases = len(chosen(lambda p: in_march(p.reported_at)))
    for filters in (Filters(), Filters(locality="Hillside", strand="race")):
        regulator = figures(scenario, filters).regulator
        assert regulator.nm01_1.cases == regulator.nm01_2.cases == new_hate_cases
        assert (
            regulator.nm01_1.per_1000 == regulator.nm01_2.per_1000 == round(new_hate_cases * 1000 / HOMES, 2)
        )
        assert regulator.nm01_2.per_1000 == 2.0
        assert (regulator.tp12.numerator, regulator.tp12.denominator, regulator.tp12.percent) == (2, 3, 66.7)
        assert regulator.employee_route_cases == 1


@pytest.mark.parametrize(
    ("filters", "new", "closed"),
    [
        (Filters(incident_type="graffiti"), ["A", "B", "D"], ["A", "B"]),
        (Filters(strand="race"), ["A", "B", "D", "E"], ["A", "B"]),
        (Filters(locality="Riverside"), ["A", "C", "D"], ["H", "A", "C"]),
        (Filters(risk_level="high"), ["C"], ["C"]),
        (Filters(incident_type="verbal_abuse", locality="Riverside"), ["A", "C"], ["A", "C"]),
    ],
)
def test_filters(scenario, filters, new, closed):
    result = figures(scenario, filters)
    assert result.new_cases == len(new)
    assert result.closed_cases == len(closed)
    outcomes = [SCENARIO[n].close["outcome"] for n in closed]
    assert result.resolved.numerator == outcomes.count("resolved")
    assert result.time_to_resolve[0].cases == len(closed)


def test_an_empty_period_has_no_percentages(scenario):
    result = figures(scenario, period=Period(date(2025, 1, 1), date(2025, 2, 1)))
    assert (result.new_cases, result.closed_cases) == (0, 0)
    assert result.resolved.percent is None and result.first_response.within_24h.percent is None
    assert result.time_to_resolve[0].median_days is None
    assert result.regulator.nm01_1.per_1000 == 0.0


def test_the_annual_report_compares_with_the_year_before(scenario):
    with scenario.session() as session:
        report = annual.annual_report(session, 2025, homes=HOMES, now=NOW)
    assert report.labels == ("2025/26", "2024/25")
    assert report.current.period == Period(date(2025, 4, 1), date(2026, 4, 1))
    headline = {c.label: c for c in report.headline}
    # the year holds February's case H as new too: A to E and H
    assert (headline["New cases"].current, headline["New cases"].previous) == (6, 0)
    assert headline["New cases"].change == 6
    assert headline["Resolved (% of closed cases)"].current == 50.0
    assert headline["Resolved (% of closed cases)"].change is None  # nothing to compare with
    assert {c.label: (c.current, c.previous) for c in report.by_type}["Verbal abuse"] == (2, 0)


def test_percentile_interpolates_between_ranks():
    assert indicators.percentile([], 0.9) is None
    assert indicators.percentile([7.0], 0.9) == 7.0
    assert indicators.percentile([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0], 0.9) == pytest.approx(
        9.1
    )
