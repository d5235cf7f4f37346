"""Deploy starts a trial case on the diagram and rolls it back: a diagram that passes every
static check but fails as soon as a case starts is refused, naming the step, in the API and the
modeller; a good one deploys and leaves nothing of its trial behind."""

from __future__ import annotations

import io

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from db.database import Database
from db.models import Base
from tests.conftest import BPMN
from tests.trial_diagrams import bad_condition, good, raising, timer_loop, too_large
from tests.webapp.test_api import report, token

XML = {"Content-Type": "application/xml"}
FAILING = {
    "too_large": (too_large, "work_out", "Work it out", "too large or too unusual to save"),
    "raising": (raising, "work_out", "Work it out", "ZeroDivisionError: division by zero"),
    "timer_loop": (timer_loop, "pause", "Pause", "went round this timer 25 times without waiting"),
}
# The report-driven process starts on a report's data; any other process on none.
KEYS = ["hate_incident", "trial"]


@pytest.fixture
def web(app: Flask) -> FlaskClient:
    app.config["WTF_CSRF_ENABLED"] = False
    web = app.test_client()
    assert web.post("/login", data={"username": "owner", "password": "demo"}).status_code == 302
    return web


def counts(db_url: str) -> dict[str, int]:
    database = Database(db_url)
    try:
        with database.session() as session:
            return {
                t.name: session.scalar(select(func.count()).select_from(t)) or 0
                for t in Base.metadata.sorted_tables
            }
    finally:
        database.engine.dispose()


def versions(client: FlaskClient, owner: dict[str, str]) -> dict[str, int]:
    return {p["key"]: len(p["versions"]) for p in client.get("/api/process-models", headers=owner).json}


@pytest.mark.parametrize("key", KEYS)
@pytest.mark.parametrize("kind", FAILING)
def test_the_api_refuses_a_diagram_whose_trial_case_fails_naming_the_step(client, kind, key):
    diagram, element_id, element_name, words = FAILING[kind]
    owner = token(client, "owner")
    before = versions(client, owner)
    for path in ("/api/process-models", "/api/process-models/validate"):
        response = client.post(path, headers={**owner, **XML}, data=diagram(key))
        assert response.status_code == 422, response.json
        [error] = response.json["errors"]
        assert (error["element_id"], error["element_name"]) == (element_id, element_name)
        assert words in error["message"]
    assert versions(client, owner) == before


def test_a_condition_that_fails_on_a_reports_data_is_refused_but_not_for_unknown_data(client):
    owner = token(client, "owner")
    refused = client.post(
        "/api/process-models", headers={**owner, **XML}, data=bad_condition("hate_incident")
    )
    assert refused.status_code == 422, refused.json
    [error] = refused.json["errors"]
    # The deploy check evaluates the condition on a report's start data before any trial case
    # runs, and names the flow whose condition fails.
    assert (error["element_id"], error["element_name"]) == ("repeat", None)
    assert "TypeError" in error["message"] and "the condition fails" in error["message"]
    # Another process starts on no data: a name the data would hold is not held against it.
    assert (
        client.post("/api/process-models", headers={**owner, **XML}, data=bad_condition()).status_code == 201
    )


@pytest.mark.parametrize("kind", FAILING)
def test_the_modeller_shows_the_trial_failure_next_to_the_step(web, kind):
    diagram, element_id, element_name, words = FAILING[kind]
    for path in ("/modeller/validate", "/modeller/deploy"):
        response = web.post(path, data=diagram("hate_incident"), content_type="application/xml")
        assert response.status_code == 422, response.json
        [problem] = response.json["errors"]
        assert (problem["element_id"], problem["element_name"]) == (element_id, element_name)
        assert words in problem["message"]
    page = web.post("/modeller/upload", data={"file": (io.BytesIO(diagram("trial")), "trial.bpmn")})
    assert page.status_code == 422 and "The file was not deployed" in page.text
    assert words in page.text.replace("&#39;", "'")


def real_changed() -> bytes:
    return BPMN.read_bytes().replace(b"PT24H", b"PT12H")


@pytest.mark.parametrize("diagram", [lambda: good("hate_incident"), lambda: good("trial"), real_changed])
def test_a_good_diagram_deploys_and_its_trial_leaves_nothing(client, db_url, diagram):
    owner = token(client, "owner")
    report(client)  # an open case and its rows, so a trial writing to them would show
    before = counts(db_url)
    assert (
        client.post("/api/process-models/validate", headers={**owner, **XML}, data=diagram()).status_code
        == 200
    )
    assert counts(db_url) == before
    response = client.post("/api/process-models", headers={**owner, **XML}, data=diagram())
    assert response.status_code == 201, response.json
    after = counts(db_url)
    changed = {table: (before[table], after[table]) for table in before if before[table] != after[table]}
    # The new version and the deploy's own audit entry; nothing of the trial case.
    assert changed == {
        "process_versions": (before["process_versions"], before["process_versions"] + 1),
        "audit_events": (before["audit_events"], before["audit_events"] + 1),
    }
    if diagram is real_changed:  # a real report on it writes what its trial case wrote and dropped
        report(client)
        grown = counts(db_url)
        assert all(grown[t] > after[t] for t in ("cases", "tasks", "timeline_events", "outbox"))


def test_the_real_diagram_deploys_through_the_api_and_the_modeller(client, web):
    owner = token(client, "owner")
    changed = real_changed()
    assert (
        client.post("/api/process-models/validate", headers={**owner, **XML}, data=changed).status_code == 200
    )
    response = client.post("/api/process-models", headers={**owner, **XML}, data=changed)
    assert response.status_code == 201 and response.json["version"] == 2, response.json
    again = BPMN.read_bytes().replace(b"PT24H", b"PT6H")
    assert web.post("/modeller/deploy", data=again, content_type="application/xml").status_code == 201
