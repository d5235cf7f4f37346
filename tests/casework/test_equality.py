"""Victims' protected characteristics (voluntary equality monitoring) in the indicators and the
annual report, over cases reported through the real intake; every expected count is worked out
here from the scenario's own inputs."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from casework import annual, indicators
from casework.indicators import Filters, Period
from casework.reports import PartyDetails
from casework.vocabulary import EQUALITY_QUESTIONS, PREFER_NOT_TO_SAY
from db import Database
from db.models import Case, Party
from tests.bpmn.walk import Walk
from tests.conftest import T0
from webapp.schemas import EqualitySchema

MARCH = Period(date(2026, 3, 1), date(2026, 4, 1))
NOW = datetime(2026, 4, 1, 9, 0, tzinfo=UTC)
HOMES = 2500
EVERY_ANSWER = {
    "age_band": "25_34",
    "ethnic_group": "black",
    "religion_or_belief": "muslim",
    "disability": "no",
    "sex": "female",
    "gender_identity_same": "yes",
    "sexual_orientation": "straight",
}


@dataclass
class Planned:
    reported_at: datetime
    strands: list[str]
    locality: str | None
    parties: list[PartyDetails] = field(default_factory=list)


def victim(name: str, equality: dict[str, str] | None = None) -> PartyDetails:
    return PartyDetails(role="victim", name=name, address=f"{name} House", equality=equality)


SCENARIO = {
    # two victims, one answering everything, one a little; the witness's answers never count
    "A": Planned(
        T0,
        ["race"],
        "Riverside",
        [
            victim("Ada", EVERY_ANSWER),
            victim("Ben", {"age_band": "65_74", "sex": PREFER_NOT_TO_SAY, "disability": "yes"}),
            PartyDetails(role="witness", name="Cal", equality={"sex": "male", "age_band": "16_24"}),
        ],
    ),
    "B": Planned(
        T0 + timedelta(days=1),
        ["religion_or_belief"],
        "Hillside",
        [victim("Dee", {**EVERY_ANSWER, "ethnic_group": "asian", "sexual_orientation": PREFER_NOT_TO_SAY})],
    ),
    "C": Planned(T0 + timedelta(days=2), ["race"], "Riverside"),  # anonymous: no victim named
    "D": Planned(T0 + timedelta(days=3), ["race", "disability"], "Riverside", [victim("Eve")]),  # no answers
    # 31 March 23:30 UTC is 1 April in London: neither March nor the reporting year 2025/26
    "E": Planned(
        datetime(2026, 3, 31, 23, 30, tzinfo=UTC), ["race"], "Riverside", [victim("Fay", {"sex": "male"})]
    ),
    # February: not March, but in the reporting year 2025/26
    "F": Planned(datetime(2026, 2, 10, 9, 0, tzinfo=UTC), ["age"], None, [victim("Flo", {"sex": "male"})]),
    # the reporting year before (2024/25)
    "P": Planned(
        datetime(2025, 3, 10, 9, 0, tzinfo=UTC),
        ["race"],
        "Riverside",
        [victim("Gus", {"sex": "male", "age_band": "75_over"}), victim("Hal", {"sex": "female"})],
    ),
}
# the employee route is left out of every figure, its victims' answers too
EMPLOYEE = [
    PartyDetails(role="alleged_perpetrator", relation="colleague"),
    PartyDetails(role="victim", relation="colleague", name="Ivy", equality={"sex": "female"}),
]


@pytest.fixture(scope="module")
def scenario(databases: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    url, drop = databases.new(tmp_path_factory.mktemp("equality"))
    database = Database(url)
    for plan in SCENARIO.values():
        Walk.report(
            database, at=plan.reported_at, strands=plan.strands, locality=plan.locality, parties=plan.parties
        )
    Walk.report(database, at=T0 + timedelta(days=4), parties=EMPLOYEE, locality="Riverside")
    yield database
    database.dispose()
    drop()


def figures(database: Database, filters: Filters | None = None) -> indicators.Indicators:
    with database.session() as session:
        return indicators.indicators(session, MARCH, filters or Filters(), homes=HOMES, now=NOW)


def in_period(when: datetime, period: Period) -> bool:
    return indicators.midnight(period.start) <= when < indicators.midnight(period.end)


def planned_victims(period: Period, keep: Any = lambda plan: True) -> list[dict[str, str]]:
    return [
        party.equality or {}
        for plan in SCENARIO.values()
        if in_period(plan.reported_at, period) and keep(plan)
        for party in plan.parties
        if party.role == "victim"
    ]


def expected(victims: list[dict[str, str]], question: str) -> dict[str, int]:
    """Every answer of the question (zeros too), then not recorded, as the indicators show them."""
    given = Counter(answers.get(question, "") for answers in victims)
    return {key: given[key] for key in [*EQUALITY_QUESTIONS[question].options, ""]}


def breakdown(result: indicators.Indicators) -> dict[str, dict[str, int]]:
    return {c.key: {n.key: n.count for n in c.counts} for c in result.victim_characteristics}


def test_the_answers_are_kept_on_the_party_as_given(scenario):
    with scenario.session() as session:
        stored = {
            name: answers
            for name, answers in session.execute(select(Party.name, Party.equality).join(Case))
            if name in ("Ada", "Ben", "Cal", "Eve")
        }
    assert stored == {
        "Ada": EVERY_ANSWER,
        "Ben": SCENARIO["A"].parties[1].equality,
        "Cal": SCENARIO["A"].parties[2].equality,
        "Eve": None,
    }


def test_victims_of_new_cases_by_each_characteristic(scenario):
    victims = planned_victims(MARCH)
    assert len(victims) == 4  # Ada, Ben, Dee, Eve; not the witness, not E (April), not the employee route
    result = figures(scenario)
    assert result.victims == len(victims)
    no_victim = [n for n, p in SCENARIO.items() if in_period(p.reported_at, MARCH) and not p.parties]
    assert result.new_cases_without_victim == len(no_victim) == 1
    assert [c.key for c in result.victim_characteristics] == list(EQUALITY_QUESTIONS)
    got = breakdown(result)
    for question in EQUALITY_QUESTIONS:
        assert got[question] == expected(victims, question), question
    assert got["sex"] == {"female": 2, "male": 0, PREFER_NOT_TO_SAY: 1, "": 1}
    assert got["age_band"]["25_34"] == 2 and got["age_band"]["65_74"] == 1 and got["age_band"][""] == 1


def test_every_answer_is_listed_in_the_forms_order_with_not_recorded_last(scenario):
    for characteristic in figures(scenario).victim_characteristics:
        question = EQUALITY_QUESTIONS[characteristic.key]
        assert characteristic.label == question.heading
        assert [c.label for c in characteristic.counts] == [*question.options.values(), "Not recorded"]
        assert [c.label for c in characteristic.counts][-2] == "Prefer not to say"
        assert sum(c.count for c in characteristic.counts) == 4  # one answer (or none) per victim
    sex = {c.key: c for c in figures(scenario).victim_characteristics[4].counts}
    assert (sex["female"].percent, sex[""].percent) == (50.0, 25.0)  # of the 4 victims


@pytest.mark.parametrize(
    ("filters", "keep"),
    [
        (Filters(strand="race"), lambda p: "race" in p.strands),
        (Filters(locality="Hillside"), lambda p: p.locality == "Hillside"),
        (Filters(strand="disability"), lambda p: "disability" in p.strands),
        (Filters(incident_type="graffiti"), lambda p: False),
    ],
)
def test_the_filters_choose_the_victims(scenario, filters, keep):
    victims = planned_victims(MARCH, keep)
    result = figures(scenario, filters)
    assert result.victims == len(victims)
    got = breakdown(result)
    for question in EQUALITY_QUESTIONS:
        assert got[question] == expected(victims, question), question


def test_the_annual_report_puts_the_year_before_beside(scenario):
    with scenario.session() as session:
        report = annual.annual_report(session, 2025, homes=HOMES, now=NOW)
    this_year = planned_victims(Period.reporting_year(2025))
    last_year = planned_victims(Period.reporting_year(2024))
    assert (len(this_year), len(last_year)) == (5, 2)  # March's four and February's Flo; Gus and Hal
    headline = {c.label: (c.current, c.previous) for c in report.headline}
    assert headline["Victims recorded on new cases (equality monitoring)"] == (5, 2)
    assert [key for key, _, _ in report.by_characteristic] == list(EQUALITY_QUESTIONS)
    for key, heading, rows in report.by_characteristic:
        labels = {**EQUALITY_QUESTIONS[key].options, "": "Not recorded"}
        assert heading == EQUALITY_QUESTIONS[key].heading
        now, before = expected(this_year, key), expected(last_year, key)
        assert {r.label: (r.current, r.previous) for r in rows} == {
            labels[k]: (now[k], before[k]) for k in labels
        }
    by_key = {key: rows for key, _, rows in report.by_characteristic}
    sex = {r.label: (r.current, r.previous, r.change) for r in by_key["sex"]}
    assert sex["Male"] == (1, 1, 0) and sex["Female"] == (2, 1, 1)


def test_the_schema_asks_exactly_the_vocabulary_questions():
    assert set(EqualitySchema().fields) == set(EQUALITY_QUESTIONS)
    assert EqualitySchema().load({"sex": "", "age_band": "16_24"}) == {"age_band": "16_24"}
    assert EqualitySchema().load({}) is None
