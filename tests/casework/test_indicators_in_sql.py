"""The indicators counted by the database give every figure the old way gives (each case read
into Python and counted there, ``indicators_by_rows``), on a varied set of cases driven through
the real process: types, strands and localities mixed, first responses on time, late and missed,
closures with each outcome, satisfaction and action, victims' survey answers and equality
answers, the employee route; with and without each filter, on SQLite and PostgreSQL."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import asdict
from datetime import date, timedelta
from typing import Any

import pytest

from benchmarks.dashboards import NOW, plans
from casework import indicators
from casework.indicators import Filters, Period
from casework.reports import PartyDetails
from db import Database
from db.models import Case, CaseLabel, ClosureSurvey
from tests.bpmn.walk import Walk
from tests.casework import indicators_by_rows
from tests.casework.test_indicators import drive

YEAR = Period(date(2025, 12, 1), date(2026, 12, 1))
NOVEMBER = Period(date(2026, 11, 1), date(2026, 12, 1))
FILTERS = [
    Filters(),
    Filters(incident_type="graffiti"),
    Filters(strand="race"),
    Filters(locality="Riverside"),
    Filters(risk_level="low"),
    Filters(incident_type="assault", strand="disability", locality="Old Town"),
]


@pytest.fixture(scope="module")
def varied(databases: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    url, drop = databases.new(tmp_path_factory.mktemp("indicators_in_sql"))
    database = Database(url)
    for plan in plans(30, random.Random(11)):
        drive(database, plan)
    victims = [
        PartyDetails(role="victim", name="Ann", equality={"sex": "female", "age_band": "25_34"}),
        PartyDetails(role="victim", name="Bo", equality={"sex": "prefer_not_to_say"}),
        PartyDetails(role="victim", name="Cy"),
        PartyDetails(role="witness", name="Di", equality={"sex": "male"}),
    ]
    Walk.report(database, at=NOW - timedelta(days=3), parties=victims, locality="Riverside")
    employee = [
        PartyDetails(role="alleged_perpetrator", relation="colleague"),
        PartyDetails(role="reporter", relation="contractor"),
    ]
    Walk.report(database, at=NOW - timedelta(days=2), parties=employee, locality="Riverside")
    with database.session() as session:  # two victims answered the closure survey
        closed = session.query(Case).filter_by(status="closed").order_by(Case.id).limit(2).all()
        for number, case in enumerate(closed):
            session.add(
                ClosureSurvey(
                    case_id=case.id,
                    token_hash=f"{number:064d}",
                    channel="email",
                    sent_at=case.closed_at,
                    answered_at=case.closed_at + timedelta(days=1),
                    outcome=["very_dissatisfied", "fairly_satisfied"][number],
                    tp12=["neither", "very_satisfied"][number],
                )
            )
        session.commit()
    yield database
    database.dispose()
    drop()


@pytest.mark.parametrize("period", [YEAR, NOVEMBER], ids=["year", "november"])
@pytest.mark.parametrize("filters", FILTERS, ids=lambda f: "-".join(f.active.values()) or "none")
def test_every_figure_is_the_one_counted_in_python(varied: Database, period: Period, filters: Filters):
    with varied.session() as session:
        in_sql = indicators.indicators(session, period, filters, homes=5000, now=NOW)
        by_rows = indicators_by_rows.indicators(session, period, filters, homes=5000, now=NOW)
    assert in_sql.new_cases > 0 or filters.active
    assert asdict(in_sql) == asdict(by_rows)


def test_the_data_set_has_what_the_comparison_needs(varied: Database):
    """So the comparison above cannot pass on empty figures."""
    with varied.session() as session:
        figures = indicators.indicators(session, YEAR, homes=5000, now=NOW)
    assert figures.new_cases >= 30 and figures.closed_cases >= 5
    assert figures.first_response.met and figures.first_response.missed
    assert figures.victims == 3 and figures.regulator.employee_route_cases == 1
    assert figures.satisfaction_sources.survey == 2 and figures.satisfaction_sources.officer
    assert sum(c.count for c in figures.legal_actions) and sum(c.count for c in figures.non_legal_actions)
    assert any(c.count for c in figures.missed_deadlines)


def test_labels_follow_a_change_of_the_strands(varied: Database):
    with varied.session() as session:
        case = session.query(Case).filter_by(route="hate").order_by(Case.id).first()
        assert case is not None
        case.change_strands(["age", "disability"], "The victim told us more")
        case.incident_types = ["assault"]
        session.commit()
        labels = {(label.kind, label.value) for label in session.query(CaseLabel).filter_by(case_id=case.id)}
    assert labels == {("strand", "age"), ("strand", "disability"), ("incident_type", "assault")}
