"""The retention job from the command line, and an anonymised case on the case page and the API."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

import processes
from casework import retention
from casework.reports import PartyDetails
from casework.settings import ConfigError
from db import Database
from db.models import AuditEvent, Case
from tests.bpmn.walk import CONTACT, FIRST_RESPONSE, LOW_RISK, REPORTED, Walk
from tests.conftest import T0
from webapp import create_app

CLOSED = T0 + timedelta(days=3)
DAYS = 2190
LATER = CLOSED + timedelta(days=DAYS + 1)


def closed_case(database: Database) -> str:
    walk = Walk.report(
        database,
        description="Shouted abuse at Amina on the stairs",
        location="14 Elm Road",
        reporter_name="Amina Khan",
        reporter_email="amina@example.org",
        parties=[PartyDetails(role="victim", name="Amina Khan", relation="tenant", address="14 Elm Road")],
    )
    walk.do("first_response", FIRST_RESPONSE)
    walk.do("police_referral", REPORTED)
    walk.do("risk_assessment", LOW_RISK)
    walk.do("support", {})
    walk.do("keep_in_contact", {**CONTACT, "next_step": "close"}, after=timedelta(days=1))
    walk.at = CLOSED
    walk.do(
        "close_case",
        {
            "outcome": "resolved",
            "outcome_reason": "Amina is happy now",
            "legal_actions": [],
            "non_legal_actions": ["warning"],
            "victim_satisfaction": "very_satisfied",
        },
    )
    return walk.reference


def sign_in(client: FlaskClient, username: str) -> None:
    response = client.post("/login", data={"username": username, "password": "demo"})
    assert response.status_code == 302, response.data


def test_the_cli_anonymises_expired_cases_and_says_how_many(app: Flask, database: Database) -> None:
    reference = closed_case(database)
    runner = app.test_cli_runner()
    early = runner.invoke(args=["retention", "run", "--at", (CLOSED + timedelta(days=DAYS - 1)).isoformat()])
    assert early.exit_code == 0 and "cases anonymised: 0" in early.output
    assert "2190 days" in early.output
    late = runner.invoke(args=["retention", "run", "--at", LATER.isoformat()])
    assert late.exit_code == 0 and "cases anonymised: 1" in late.output
    bad = runner.invoke(args=["retention", "run", "--at", "next tuesday"])
    assert bad.exit_code == 2 and "not an ISO-8601" in bad.output
    with database.session() as session:
        details = list(
            session.scalars(select(AuditEvent.detail).where(AuditEvent.subject_type == "retention"))
        )
    assert details == ["0 cases anonymised", "1 cases anonymised"]
    assert reference


def test_an_anonymised_case_says_so_on_its_page_and_in_the_api(app: Flask, database: Database) -> None:
    reference = closed_case(database)
    app.config["WTF_CSRF_ENABLED"] = False
    client = app.test_client()
    sign_in(client, "supervisor")
    before = client.get(f"/cases/{reference}")
    assert (
        before.status_code == 200 and b"Amina Khan" in before.data and b"retention policy" not in before.data
    )

    with database.session() as session:
        assert retention.anonymise_expired(session, now=LATER, retention=timedelta(days=DAYS)) == 1

    page = client.get(f"/cases/{reference}")
    assert page.status_code == 200
    html = page.data.decode()
    assert 'id="anonymised"' in html
    assert "Personal data removed on" in html and LATER.strftime("%B %Y") in html
    assert "Amina" not in html and "14 Elm Road" not in html
    assert retention.MARKER.replace("[", "").replace("]", "") in html
    assert "Name removed" in html and "Completed tasks" in html

    response = client.post("/api/token", json={"username": "supervisor", "password": "demo"})
    headers = {"Authorization": f"Bearer {response.json['token']}"}
    body = client.get(f"/api/cases/{reference}", headers=headers)
    assert body.status_code == 200, body.json
    assert body.json["anonymised_at"].startswith(LATER.date().isoformat())
    assert body.json["description"] == retention.MARKER
    assert body.json["documents"] == []
    assert [p["name"] for p in body.json["parties"]] == [None]
    assert "Amina" not in body.get_data(as_text=True)


def test_an_open_case_in_the_api_is_not_anonymised(app: Flask, database: Database) -> None:
    reference = Walk.report(database).reference
    client = app.test_client()
    response = client.post("/api/token", json={"username": "supervisor", "password": "demo"})
    body = client.get(
        f"/api/cases/{reference}", headers={"Authorization": f"Bearer {response.json['token']}"}
    )
    assert body.status_code == 200 and body.json["anonymised_at"] is None


@pytest.mark.parametrize(
    ("value", "message"),
    [("six years", "RETENTION_DAYS must be a whole number"), ("7", "RETENTION_DAYS must be between 30")],
)
def test_a_bad_retention_period_stops_start_up(
    monkeypatch: pytest.MonkeyPatch, value: str, message: str
) -> None:
    monkeypatch.setenv("RETENTION_DAYS", value)
    with pytest.raises(ConfigError, match=message):
        create_app({"TESTING": True})


def test_the_retention_period_defaults_to_six_years_and_can_be_set(monkeypatch: pytest.MonkeyPatch) -> None:
    from casework.settings import from_environment

    monkeypatch.delenv("RETENTION_DAYS", raising=False)
    assert from_environment()["RETENTION_DAYS"] == 2190
    monkeypatch.setenv("RETENTION_DAYS", "365")
    assert from_environment()["RETENTION_DAYS"] == 365


def test_the_in_process_scheduler_runs_retention_when_due_then_a_day_later(
    app: Flask, database: Database
) -> None:
    import processes
    from webapp.scheduler import RETENTION_EVERY, TimerThread

    reference = closed_case(database)
    thread = TimerThread(app)  # not started: its daily step is driven by hand
    with processes.clock.frozen_at(LATER):
        assert thread.retain(database.sessions, LATER + timedelta(hours=1)) == LATER + timedelta(hours=1)
        with database.session() as session:
            assert session.scalar(select(AuditEvent.id).where(AuditEvent.subject_type == "retention")) is None
        assert thread.retain(database.sessions, LATER) == LATER + RETENTION_EVERY
    with database.session() as session:
        case = session.scalars(select(Case).where(Case.reference == reference)).one()
        assert case.anonymised_at == LATER and case.reporter_name is None


def test_the_celery_task_and_its_daily_beat_entry(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The task body run in this process against the test database (no worker: the scaled-mode
    tests in tests/jobs start real ones)."""
    import processes
    from jobs import celery_app, tasks

    entry = celery_app.celery.conf.beat_schedule["anonymise-expired-cases"]
    assert entry == {"task": "jobs.tasks.anonymise_expired", "schedule": 24 * 60 * 60.0}
    closed_case(database)
    monkeypatch.setattr(celery_app, "_database", database)
    monkeypatch.setitem(celery_app.celery.conf.hatecases, "RETENTION_DAYS", DAYS)
    with processes.clock.frozen_at(LATER):
        assert tasks.anonymise_expired() == 1
        assert tasks.anonymise_expired() == 0


def test_an_administrator_sees_what_is_due_and_runs_the_job_from_the_page(
    app: Flask, database: Database
) -> None:
    reference = closed_case(database)
    app.config["WTF_CSRF_ENABLED"] = False
    client = app.test_client()
    with processes.clock.frozen_at(LATER):  # signed in at the time the page is used
        sign_in(client, "admin")
        page = client.get("/admin/retention").text
        assert 'id="retention-due">1<' in page and 'id="retention-done">0<' in page
        assert "The job has not run yet." in page
        done = client.post("/admin/retention", follow_redirects=True).text
        assert "1 case anonymised." in done and 'id="retention-done">1<' in done
        assert '<td data-label="By">admin</td>' in done
    with database.session() as session:
        case = session.scalars(select(Case).where(Case.reference == reference)).one()
        assert case.anonymised_at == LATER
        [run] = session.scalars(select(AuditEvent).where(AuditEvent.subject_type == "retention"))
        assert (run.username, run.detail) == ("admin", "1 cases anonymised")
    client.post("/logout")
    sign_in(client, "manager")  # only administrators run it
    assert client.get("/admin/retention").status_code == 403
    assert client.post("/admin/retention").status_code == 403
