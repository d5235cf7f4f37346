"""Matching at intake (issue 19 point 4): a report strongly matching an open case is another
incident on it (one case, NM01 counts one); a weaker match opens a case with a possible match;
a closed case never takes a new report; a repeat victim is flagged after enough incidents."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

import processes
from casework import further_reports, indicators, matching, reports
from casework.casefile import find_case
from db.models import AuditEvent, Case, Notification, OutboxMessage, TimelineEvent
from tests.conftest import T0

VICTIM = reports.PartyDetails(
    role="victim", name="Amira Khan", address="4 Birch Close, Leeds LS6 2AB", phone="07700 900123"
)
ACCUSED = reports.PartyDetails(role="alleged_perpetrator", name="Carl Price")


def _report(description: str = "Carl Price shouted abuse at my door", **fields: object) -> reports.Report:
    values: dict[str, object] = {
        "description": description,
        "location": "4 Birch Close, Leeds LS6 2AB",
        "strands": ["race"],
        "reporter_name": "Amira Khan",
        "reporter_email": "amira@example.org",
        "parties": [VICTIM, ACCUSED],
        **fields,
    }
    return reports.Report(**values)  # type: ignore[arg-type]


def _submit(session, report: reports.Report, at=T0) -> processes.StepResult:
    return further_reports.submit(session, report, now=at, acknowledgements_per_address=3)


def _kinds(session, reference: str) -> list[str]:
    case = find_case(session, reference)
    return list(
        session.scalars(
            select(TimelineEvent.kind).where(TimelineEvent.case_id == case.id).order_by(TimelineEvent.id)
        )
    )


def _nm01(session) -> int:
    found = indicators.indicators(
        session,
        indicators.Period(date(2026, 3, 1), date(2026, 5, 1)),
        homes=1000,
        now=T0 + timedelta(days=30),
    )
    return found.regulator.nm01_1.cases


def test_a_second_report_by_the_same_victim_is_another_incident_on_the_open_case(session):
    first = _submit(session, _report())
    again = _submit(
        session,
        _report("They spat at me in the car park", parties=[VICTIM], location="Car park"),
        at=T0 + timedelta(days=3),
    )
    assert isinstance(again, further_reports.Matched)
    assert again.case_reference == first.case_reference
    assert session.scalar(select(func.count(Case.id))) == 1
    kinds = _kinds(session, first.case_reference)
    assert kinds.count("opened") == 1 and kinds.count("incident") == 1
    case = find_case(session, first.case_reference)
    incident = session.scalars(
        select(TimelineEvent.summary).where(
            TimelineEvent.case_id == case.id, TimelineEvent.kind == "incident"
        )
    ).one()
    assert "They spat at me in the car park" in incident
    timeline = list(session.scalars(select(TimelineEvent.summary).where(TimelineEvent.case_id == case.id)))
    assert any("matched to this open case" in line for line in timeline)
    # The reporter is acknowledged with the open case's reference; the team is told.
    mails = list(session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == "amira@example.org")))
    assert len(mails) == 2 and all(first.case_reference in m.subject for m in mails)
    notices = session.scalars(select(Notification.message).where(Notification.case_id == case.id)).all()
    assert any("matched to this open case" in n for n in notices)
    assert session.scalars(select(AuditEvent.action).where(AuditEvent.action == "report-matched")).one()
    assert _nm01(session) == 1


def test_the_same_home_and_victim_name_is_a_strong_match_without_a_contact(session):
    first = _submit(session, _report())
    victim = reports.PartyDetails(role="victim", name="amira  khan", address="4 Birch Close LS62AB")
    again = _submit(
        session,
        _report("Again", parties=[victim], reporter_name=None, reporter_email=None),
        at=T0 + timedelta(days=1),
    )
    assert again.case_reference == first.case_reference


def test_a_report_at_the_same_address_by_someone_else_is_a_new_case_with_a_possible_match(session):
    first = _submit(session, _report())
    neighbour = reports.PartyDetails(role="victim", name="Dev Patel", address="4 Birch Close, Leeds LS6 2AB")
    other = _submit(
        session,
        _report(
            "Eggs thrown at the window",
            parties=[neighbour],
            reporter_name="Dev Patel",
            reporter_email="dev@example.org",
        ),
        at=T0 + timedelta(days=1),
    )
    assert not isinstance(other, further_reports.Matched)
    assert other.case_reference != first.case_reference
    assert _nm01(session) == 2
    [possible] = matching.possible_matches(session, find_case(session, other.case_reference))
    assert possible.case.reference == first.case_reference
    assert not possible.strong
    assert possible.why == ("the same home (postcode and house number)",)


def test_the_same_alleged_perpetrator_is_only_a_possible_match(session):
    first = _submit(session, _report())
    victim = reports.PartyDetails(role="victim", name="Dev Patel", address="9 Oak Road, Leeds LS7 1AA")
    other = _submit(
        session,
        _report(
            "Carl Price again",
            parties=[victim, ACCUSED],
            location="9 Oak Road, Leeds LS7 1AA",
            reporter_name="Dev Patel",
            reporter_email="dev@example.org",
        ),
    )
    assert other.case_reference != first.case_reference
    [possible] = matching.possible_matches(session, find_case(session, other.case_reference))
    assert possible.why == ("the same alleged perpetrator",)


def test_a_closed_cases_victim_reporting_again_opens_a_new_case(session):
    first = _submit(session, _report())
    case = find_case(session, first.case_reference)
    case.status = "closed"
    session.commit()
    again = _submit(session, _report("It started again"), at=T0 + timedelta(days=10))
    assert not isinstance(again, further_reports.Matched)
    assert again.case_reference != first.case_reference
    assert _nm01(session) == 2


def test_a_report_that_cannot_be_added_to_its_case_still_opens_a_case(session, monkeypatch):
    first = _submit(session, _report())

    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("the engine fell over")

    monkeypatch.setattr(further_reports.processes, "deliver_message", broken)
    again = _submit(session, _report("Another one"), at=T0 + timedelta(days=1))
    monkeypatch.undo()
    assert again.case_reference != first.case_reference
    assert find_case(session, again.case_reference).description == "Another one"
    assert "incident" not in _kinds(session, first.case_reference)


@pytest.mark.parametrize(("reports_made", "flagged"), [(2, None), (3, 3)])
def test_a_repeat_victim_is_flagged_after_three_incidents_in_three_months(session, reports_made, flagged):
    for day in range(reports_made):
        last = _submit(session, _report(f"Incident {day}"), at=T0 + timedelta(days=day * 20))
    case = find_case(session, last.case_reference)
    now = T0 + timedelta(days=50)
    assert matching.repeat_victim(session, case, incidents=3, days=91, now=now) == flagged
    # Moved on past the window, the early incidents no longer count.
    assert matching.repeat_victim(session, case, incidents=3, days=91, now=T0 + timedelta(days=130)) is None


def test_the_same_victims_phone_written_another_way_is_a_strong_match(session):
    first = _submit(session, _report())
    victim = reports.PartyDetails(role="victim", name="A. Khan", phone="+44 7700 900 123")
    again = _submit(
        session,
        _report("At the bus stop", parties=[victim], location="Bus stop, Otley Road", reporter_email=None),
        at=T0 + timedelta(days=2),
    )
    assert again.case_reference == first.case_reference
