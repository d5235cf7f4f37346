"""A report is never lost because a diagram is broken: when the deployed version fails as the
process starts, the public form and the API still take the report and give its reference, the
reporter is acknowledged as usual, supervisors are told, the case is listed as "could not start"
with the engine's words, and a supervisor starts it on another version once one works."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

import processes
from casework import steps
from db import Database
from db.models import AuditEvent, Case, Notification, OutboxMessage, ProcessVersion, TimelineEvent
from tests.conftest import T0
from tests.trial_diagrams import scripted
from tests.webapp.test_api import REPORT, token
from webapp import create_app

BROKEN_WORDS = "ZeroDivisionError"


@pytest.fixture
def broken(db_url):
    """Deploy, past the deploy's own trial case (straight through the engine), a hate_incident
    version whose start fails on a report with no earlier complaints: its script divides by the
    count, which the static checks' sample data holds as 1."""
    database = Database(db_url)
    with database.session() as session, steps.unit_of_work(session, now=T0):
        broken = scripted("share = 1 / prior_complaints_6m", "hate_incident")
        version = processes.deploy(session, broken, deployed_by="owner").version
    database.dispose()
    return version


@pytest.fixture
def web(db_url):
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": db_url,
            "SECRET_KEY": "t",
            "WTF_CSRF_ENABLED": False,
            "TIMERS": "off",
        }
    )
    yield app.test_client()
    app.extensions["database"].dispose()


def read(db_url, query):
    database = Database(db_url)
    try:
        with database.session() as session:
            return list(session.scalars(query))
    finally:
        database.dispose()


def sign_in(web, username):
    assert web.post("/login", data={"username": username, "password": "demo"}).status_code == 302


def test_the_api_keeps_the_report_and_lists_it_as_could_not_start(web, db_url, broken):
    response = web.post("/api/reports", json=REPORT)
    assert response.status_code == 201, response.json
    reference = response.json["reference"]
    assert re.fullmatch(r"HC-\d{4}-\d{6}", reference)
    [case] = read(db_url, select(Case).where(Case.reference == reference))
    assert case.status == "not_started" and case.description == REPORT["description"]
    assert BROKEN_WORDS in (case.step_failure or "")
    # The reporter gets their reference by email as usual; supervisors are told.
    acknowledged = OutboxMessage.case_id == case.id, OutboxMessage.kind == "acknowledgement"
    [mail] = read(db_url, select(OutboxMessage).where(*acknowledged))
    assert mail.recipient == REPORT["reporter_email"] and reference in mail.body
    notices = read(db_url, select(Notification.message).where(Notification.case_id == case.id))
    assert notices and "could not start" in notices[0]
    kinds = read(db_url, select(TimelineEvent.kind).where(TimelineEvent.case_id == case.id))
    assert {"opened", "not_started"} <= set(kinds)
    assert read(db_url, select(AuditEvent.action).where(AuditEvent.subject == reference)) == ["report-kept"]
    supervisor = token(web, "supervisor")
    listed = web.get("/api/stuck?kind=not_started", headers=supervisor).json
    assert listed["counts"]["not_started"] == 1
    [item] = listed["items"]
    assert item["case_reference"] == reference and BROKEN_WORDS in item["reason"]
    # Not counted as a failed step of a running case, nor as anything else.
    assert listed["counts"]["failed"] == 0


def test_the_public_form_keeps_the_report_and_shows_the_reference(web, db_url, broken):
    form = {"description": "Stones thrown at my window", "location": "4 Oak Road", "strands": "race"}
    response = web.post("/report", data=form, follow_redirects=True)
    assert response.status_code == 200
    [case] = read(db_url, select(Case).where(Case.description == form["description"]))
    assert case.status == "not_started"
    assert case.reference in response.text


def test_a_supervisor_starts_it_on_a_working_version_and_it_runs_on(web, db_url, broken):
    reference = web.post("/api/reports", json=REPORT).json["reference"]
    supervisor = token(web, "supervisor")
    # On the broken version again: it fails again, nothing changes, it stays listed.
    again = web.post(f"/api/stuck/cases/{reference}/start", json={"version": broken}, headers=supervisor)
    assert again.status_code == 409 and BROKEN_WORDS in again.json["message"]
    [case] = read(db_url, select(Case).where(Case.reference == reference))
    assert case.status == "not_started"
    # An officer may not start it; no such version is a 404.
    officer = token(web, "officer")
    assert web.post(f"/api/stuck/cases/{reference}/start", json={}, headers=officer).status_code == 403
    missing = web.post(f"/api/stuck/cases/{reference}/start", json={"version": 99}, headers=supervisor)
    assert missing.status_code == 404
    # On the version before the broken one: the process runs from its start.
    started = web.post(
        f"/api/stuck/cases/{reference}/start", json={"version": broken - 1}, headers=supervisor
    )
    assert started.status_code == 200, started.json
    assert started.json["status"] == "open" and started.json["open_tasks"]
    [case] = read(db_url, select(Case).where(Case.reference == reference))
    [version] = read(
        db_url, select(ProcessVersion.version).where(ProcessVersion.id == case.process_version_id)
    )
    assert (case.status, version, case.step_failure) == ("open", broken - 1, None)
    # The acknowledgement is not sent twice; the start is on the timeline and in the audit log.
    acknowledged = OutboxMessage.case_id == case.id, OutboxMessage.kind == "acknowledgement"
    assert len(read(db_url, select(OutboxMessage).where(*acknowledged))) == 1
    kinds = read(db_url, select(TimelineEvent.kind).where(TimelineEvent.case_id == case.id))
    assert "process_started" in kinds
    edits = read(
        db_url, select(AuditEvent).where(AuditEvent.subject == reference, AuditEvent.action == "edit")
    )
    assert [e.username for e in edits] == ["supervisor"]
    listed = web.get("/api/stuck?kind=not_started", headers=supervisor).json
    assert listed["counts"]["not_started"] == 0
    done = web.post(f"/api/stuck/cases/{reference}/start", json={}, headers=supervisor)
    assert done.status_code == 409 and "not waiting to start" in done.json["message"]


def test_the_stuck_page_offers_the_versions_and_starts_it(web, db_url, broken):
    reference = web.post("/api/reports", json=REPORT).json["reference"]
    sign_in(web, "supervisor")
    page = web.get("/dashboards/stuck?kind=not_started")
    row = re.search(rf'<tr class="stuck-row" data-case="{reference}">(.*?)</tr>', page.text, re.S)
    assert row is not None and BROKEN_WORDS in row.group(1)
    assert f"Version {broken} (new cases start on it)" in row.group(1) and "Start the process" in row.group(1)
    failed = web.post(
        f"/dashboards/stuck/cases/{reference}/start", data={"version": str(broken)}, follow_redirects=True
    )
    assert "could not start on that version either" in failed.text
    case_page = web.get(f"/cases/{reference}")
    assert "Could not start" in case_page.text and BROKEN_WORDS in case_page.text
    done = web.post(
        f"/dashboards/stuck/cases/{reference}/start", data={"version": str(broken - 1)}, follow_redirects=True
    )
    assert "the process started; the case runs on" in done.text and "Nothing is stuck here" in done.text


def test_a_further_report_after_the_fix_opens_normally(web, db_url, broken):
    database = Database(db_url)
    with database.session() as session, steps.unit_of_work(session, now=T0 + timedelta(minutes=1)):
        row = session.scalars(select(ProcessVersion).where(ProcessVersion.version == broken)).one()
        row.withdrawn_at = T0  # rolled back
    database.dispose()
    response = web.post("/api/reports", json=REPORT)
    assert response.status_code == 201 and response.json["status"] == "open"
