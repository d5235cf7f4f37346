"""Rolling a process back (the page and the API), what the versions page shows of it, the
confirmation's list of changes before a deploy, and the compare page's list."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from db.models import AuditEvent, Case
from tests.conftest import BPMN
from tests.webapp.test_api import report, token

XML = {"Content-Type": "application/xml"}
RELABELLED = BPMN.read_bytes().replace(b'name="Make the first response"', b'name="Make first contact"')


def deploy(client: FlaskClient, headers: dict[str, str], xml: bytes) -> int:
    response = client.post("/api/process-models", headers={**headers, **XML}, data=xml)
    assert response.status_code == 201, response.json
    return response.json["version"]


def case_version(app: Flask, reference: str) -> int:
    with app.extensions["database"].sessions() as session:
        case = session.scalar(select(Case).where(Case.reference == reference))
        assert case is not None
        return case.process_version.version


def rollback_entries(app: Flask) -> list[AuditEvent]:
    with app.extensions["database"].sessions() as session:
        return list(session.scalars(select(AuditEvent).where(AuditEvent.action == "process-rolled-back")))


def test_the_api_rolls_back_and_new_cases_start_on_the_previous_version(client, app):
    owner = token(client, "owner")
    assert deploy(client, owner, RELABELLED) == 2
    on_two = report(client)
    rolled = client.post("/api/process-models/hate_incident/rollback", headers=owner)
    assert rolled.status_code == 200, rolled.json
    assert rolled.json == {
        "key": "hate_incident",
        "name": "Hate incident case",
        "withdrawn_version": 2,
        "current_version": 1,
    }
    on_one = report(client)
    assert (case_version(app, on_two), case_version(app, on_one)) == (2, 1)
    [entry] = rollback_entries(app)
    assert (entry.username, entry.subject_type, entry.subject) == ("owner", "process", "hate_incident")
    assert "from version 2 to version 1" in (entry.detail or "")

    [model] = client.get("/api/process-models", headers=owner).json
    assert model["latest_version"] == 1
    two, one = model["versions"]
    assert (two["current"], two["withdrawn_by"], one["current"]) == (False, "owner", True)
    assert two["withdrawn_at"] is not None and one["withdrawn_at"] is None

    # Deploying again numbers after the withdrawn version; new cases start on it.
    assert deploy(client, owner, RELABELLED.replace(b"PT24H", b"PT36H")) == 3
    assert case_version(app, report(client)) == 3


def test_the_api_refuses_with_one_version_and_for_others(client, app):
    owner = token(client, "owner")
    refused = client.post("/api/process-models/hate_incident/rollback", headers=owner)
    assert refused.status_code == 409
    assert "version 1 is the only version new cases could start on" in refused.json["message"]
    assert client.post("/api/process-models/no_such/rollback", headers=owner).status_code == 404
    deploy(client, owner, RELABELLED)
    for username in ("officer", "supervisor", "manager"):
        response = client.post("/api/process-models/hate_incident/rollback", headers=token(client, username))
        assert response.status_code == 403
    assert client.post("/api/process-models/hate_incident/rollback").status_code == 401
    assert rollback_entries(app) == []
    # Rolled back once, version 1 is the only one left to start on.
    assert client.post("/api/process-models/hate_incident/rollback", headers=owner).status_code == 200
    assert client.post("/api/process-models/hate_incident/rollback", headers=owner).status_code == 409


def sign_in(web: FlaskClient, username: str) -> None:
    assert web.post("/login", data={"username": username, "password": "demo"}).status_code == 302


def test_the_page_asks_to_confirm_then_rolls_back(app, client):
    web = app.test_client()
    app.config["WTF_CSRF_ENABLED"] = False
    deploy(client, token(client, "owner"), RELABELLED)
    sign_in(web, "owner")
    page = web.get("/modeller/").text
    assert "Roll back to version 1" in page and "Current: new cases start on it" in page
    asked = web.post("/modeller/hate_incident/rollback")
    assert asked.status_code == 200 and "Roll back Hate incident case to version 1?" in asked.text
    assert 'name="confirmed" value="yes"' in asked.text and "Cancel" in asked.text
    assert rollback_entries(app) == []
    done = web.post("/modeller/hate_incident/rollback", data={"confirmed": "yes"}, follow_redirects=True)
    assert "new cases start on version 1 again" in done.text
    assert "Rolled back by owner" in done.text
    assert "Roll back to version" not in done.text  # version 1 is the only one left
    assert len(rollback_entries(app)) == 1
    again = web.post("/modeller/hate_incident/rollback", data={"confirmed": "yes"}, follow_redirects=True)
    assert "cannot be rolled back" in again.text and len(rollback_entries(app)) == 1


def test_officers_may_not_roll_back_from_the_page(app):
    web = app.test_client()
    app.config["WTF_CSRF_ENABLED"] = False
    sign_in(web, "officer")
    assert web.post("/modeller/hate_incident/rollback", data={"confirmed": "yes"}).status_code == 403


def test_the_deploy_confirmation_lists_changes_against_the_current_version(app):
    web = app.test_client()
    app.config["WTF_CSRF_ENABLED"] = False
    sign_in(web, "owner")
    same = web.post("/modeller/changes", data=BPMN.read_bytes(), content_type="application/xml").json
    assert same["same"] is True and same["current_version"] == 1 and same["next_version"] == 2
    body = web.post("/modeller/changes", data=RELABELLED, content_type="application/xml").json
    assert body["same"] is False and body["layout"] == []
    [element] = body["elements"]
    assert element["element_id"] == "first_response" and element["kind"] == "changed"
    assert element["properties"] == [
        {"name": "label", "old": "Make the first response", "new": "Make first contact"}
    ]
    broken = web.post("/modeller/changes", data=b"<oops", content_type="application/xml")
    assert broken.status_code == 422 and "not well-formed" in broken.json["message"]


def test_the_compare_page_lists_each_change_with_old_and_new_values(app, client):
    web = app.test_client()
    app.config["WTF_CSRF_ENABLED"] = False
    deploy(client, token(client, "owner"), RELABELLED.replace(b"PT24H", b"PT36H"))
    sign_in(web, "owner")
    page = web.get("/modeller/hate_incident/compare").text
    assert "Changed:</strong> User task “Make first contact” (first_response)" in page
    assert "Label:\n        “Make the first response” → “Make first contact”" in page
    assert "Timer duration:\n        “PT24H” → “PT36H”" in page
    assert "moved" not in page.split("<h2>Changes</h2>")[1].lower()
