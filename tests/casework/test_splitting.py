"""Splitting off an incident matched at intake (issue 19 point 4): a new case started through the
engine, the reporter's answers, code and files moved, the cases linked, both timelines and the
audit log written, NM01 counting the new case; a diagram that fails keeps the split case as one
that could not start; bad input changes nothing."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

import processes
from casework import (
    further_reports,
    incidents,
    indicators,
    linked_cases,
    matching,
    reporters,
    splitting,
    steps,
    tracking,
)
from casework.casefile import find_case
from casework.form_errors import Invalid
from db.models import AuditEvent, Case, CaseIncident, Evidence, ReporterDetails, Task, TimelineEvent
from tests.casework.test_matching import VICTIM, _report
from tests.conftest import T0
from tests.consent_cases import user
from tests.trial_diagrams import scripted

LATER = T0 + timedelta(days=3)
SPLIT_AT = T0 + timedelta(days=4)
REASON = "A different matter: a dispute with a neighbour over parking"


def _matched(session, **fields) -> tuple[str, int]:
    """An open case, and a second report by the same victim matched to it: (reference, incident id)."""
    first = further_reports.submit(session, _report(), now=T0, acknowledgements_per_address=3)
    again = further_reports.submit(
        session,
        _report("Someone keyed my car", parties=[VICTIM], location="Car park", **fields),
        now=LATER,
        acknowledgements_per_address=3,
    )
    assert isinstance(again, further_reports.Matched) and again.incident_id is not None
    assert again.case_reference == first.case_reference
    return first.case_reference, again.incident_id


def _split(session, reference: str, incident: int, reason: object = REASON, who: str = "officer"):
    return splitting.split_off(
        session, reference, incident, reason=reason, user=user(session, who), now=SPLIT_AT
    )


def _lines(session, reference: str, kind: str) -> list[str]:
    case = find_case(session, reference)
    return list(
        session.scalars(
            select(TimelineEvent.summary).where(TimelineEvent.case_id == case.id, TimelineEvent.kind == kind)
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


def test_a_split_off_incident_becomes_a_running_case_linked_to_the_first(session):
    reference, incident = _matched(session)
    assert _nm01(session) == 1
    result = _split(session, reference, incident)
    new = find_case(session, result.case_reference)
    assert result.case_reference != reference and new.status == "open"
    assert new.description == "Someone keyed my car" and new.location == "Car park"
    assert [p.name for p in new.parties] == ["Amira Khan"]
    # Started through the engine like any new report: it has the first-response work.
    assert "opened" in [
        e for e in session.scalars(select(TimelineEvent.kind).where(TimelineEvent.case_id == new.id))
    ]
    assert session.scalar(select(func.count(Task.id)).where(Task.case_id == new.id))
    # Linked both ways, both timelines and the audit log say so.
    [link] = linked_cases.links_of(session, find_case(session, reference))
    assert (link.reference, link.how, link.reason) == (new.reference, "Split off", REASON)
    assert [v.reference for v in linked_cases.links_of(session, new)] == [reference]
    [off] = _lines(session, reference, "incident_split")
    assert new.reference in off and REASON in off
    [came] = _lines(session, new.reference, "split_from")
    assert reference in came
    actions = dict(session.execute(select(AuditEvent.action, AuditEvent.subject)).all())
    assert actions["incident-split"] == reference and actions["case-split-from"] == new.reference
    # The counting rule: the new case counts as a new case; the incident no longer counts twice.
    assert _nm01(session) == 2
    first = find_case(session, reference)
    assert matching.incidents_in(session, first, days=90, now=SPLIT_AT) == 2
    listed = incidents.of_case(session, first)
    assert [(i.id, i.split_to) for i in listed] == [(0, None), (incident, new.reference)]


def test_the_reporters_code_and_files_move_with_the_incident(session, database, tmp_path):
    """The first case had no code (a staff report), so the public report's code became the case's:
    it moves with the incident, and the reference the reporter was given still finds the new case."""
    first = further_reports.submit(session, _report(), now=T0)
    code = "ABCD-EFGH-JKMN"
    preferences = reporters.Preferences(
        reporter_is="victim", safe_to_contact=True, contact_methods=["email"], language="pl"
    )
    again = further_reports.submit(
        session,
        _report("Someone keyed my car", parties=[VICTIM], reporter=preferences, tracking_code=code),
        now=LATER,
    )
    assert isinstance(again, further_reports.Matched) and again.code_kept
    case = find_case(session, first.case_reference)
    assert tracking.case_for(session, first.case_reference, code).id == case.id
    with steps.case_step(session, now=LATER + timedelta(seconds=2), case=case) as step:
        for name, description, at in (
            ("car.jpg", incidents.REPORT_FILES, LATER + timedelta(seconds=1)),
            ("door.jpg", incidents.REPORT_FILES, T0 + timedelta(seconds=1)),  # the first report's
        ):
            step.session.add(
                Evidence(
                    case_id=case.id,
                    kind="photo",
                    description=description,
                    filename=name,
                    media_type="image/jpeg",
                    size=3,
                    sha256="0" * 64,
                    storage_key=name,
                    scan_status="clean",
                    uploaded_at=at,
                    uploaded_by="The reporter (online)",
                )
            )
    result = _split(session, first.case_reference, again.incident_id or 0)
    new = find_case(session, result.case_reference)
    files = dict(session.execute(select(Evidence.filename, Evidence.case_id)).all())
    assert files == {"car.jpg": new.id, "door.jpg": case.id}
    details = session.scalar(select(ReporterDetails).where(ReporterDetails.case_id == new.id))
    assert details is not None and details.language == "pl"
    assert session.scalar(select(ReporterDetails).where(ReporterDetails.case_id == case.id)) is None
    # The code opens the new case, with the reference the reporter was given or the new one.
    assert tracking.case_for(session, first.case_reference, code).id == new.id
    assert tracking.case_for(session, new.reference or "", code).id == new.id
    assert tracking.case_for(session, first.case_reference, "WXYZ-WXYZ-WXYZ") is None
    moved = _lines(session, new.reference or "", "notification")
    assert any("1 file(s)" in line and "tracking code" in line for line in moved)


def test_a_diagram_that_fails_keeps_the_split_case_as_could_not_start(session):
    reference, incident = _matched(session, channel="letter")
    with steps.unit_of_work(session, now=LATER):
        processes.deploy(
            session, scripted("share = 1 / (channel != 'letter')", "hate_incident"), deployed_by="owner"
        )
    result = _split(session, reference, incident)
    new = find_case(session, result.case_reference)
    assert new.status == "not_started" and "ZeroDivisionError" in (new.step_failure or "")
    assert session.get_one(CaseIncident, incident).split_case_id == new.id
    assert _lines(session, new.reference or "", "split_from") and _lines(session, reference, "incident_split")
    assert session.scalar(select(AuditEvent.action).where(AuditEvent.action == "report-kept"))


def _unchanged(session, reference: str, incident: int) -> None:
    assert session.scalar(select(func.count(Case.id))) == 1
    assert session.get_one(CaseIncident, incident).split_at is None
    assert not _lines(session, reference, "incident_split")


def test_bad_splits_are_refused_and_change_nothing(session):
    reference, incident = _matched(session)
    with pytest.raises(splitting.IncidentNotFound):
        _split(session, reference, incident + 99)
    with pytest.raises(processes.NotAllowed, match="opened case"):
        _split(session, reference, incidents.OPENING)
    with pytest.raises(Invalid) as err:
        _split(session, reference, incident, reason=" ")
    assert set(err.value.errors) == {"reason"}
    _unchanged(session, reference, incident)
    _split(session, reference, incident)
    with pytest.raises(processes.NotAllowed, match="split off already"):
        _split(session, reference, incident)


def test_the_only_incident_of_a_case_and_a_closed_case_are_refused(session):
    alone = further_reports.submit(
        session, _report(parties=[], reporter_name=None, reporter_email=None), now=T0
    )
    with pytest.raises(processes.NotAllowed, match="cannot be split off"):
        _split(session, alone.case_reference, incidents.OPENING)
    reference, incident = _matched(session)
    case = find_case(session, reference)
    with steps.case_step(session, now=LATER, case=case):
        case.status, case.closed_at = "closed", LATER
    with pytest.raises(processes.NotAllowed, match="not open"):
        _split(session, reference, incident)
