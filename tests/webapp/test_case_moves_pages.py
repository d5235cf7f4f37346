"""Moving open cases of the real diagram to a new version from the modeller's pages: the
preview, the move (form and JSON batches), the timeline entry and moving back."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import BPMN
from tests.webapp.test_api import first_task, report, token

V2 = (
    BPMN.read_bytes()
    .replace(b"PT24H", b"PT36H")
    .replace(b'label="Date of contact, or of the attempt"', b'label="Contacted on"')
)


@pytest.fixture
def web(app: Flask) -> FlaskClient:
    app.config["WTF_CSRF_ENABLED"] = False
    return app.test_client()


def sign_in(web: FlaskClient, username: str) -> None:
    assert web.post("/login", data={"username": username, "password": "demo"}).status_code == 302


def deploy_v2(web: FlaskClient) -> None:
    assert web.post("/modeller/deploy", data=V2, content_type="application/xml").status_code == 201


def test_the_preview_lists_open_cases_on_older_versions(web):
    reference = report(web)
    sign_in(web, "owner")
    assert "No open case runs an older version" in web.get("/modeller/hate_incident/migrate").text
    deploy_v2(web)
    assert "Move open cases to version 2" in web.get("/modeller/").text
    page = web.get("/modeller/hate_incident/migrate").text
    row = re.search(rf'<tr data-case="{reference}">(.*?)</tr>', page, re.S).group(1)
    assert 'value="' + reference + '" id="move-' + reference + '" checked' in row
    assert "Make the first response" in row and "Yes" in row
    assert "1 open case on older versions; 1 can move." in page


def test_moving_keeps_the_deadline_takes_the_new_form_and_can_be_undone(web):
    reference = report(web)
    officer = token(web)
    before = first_task(web, officer, reference)
    sign_in(web, "owner")
    deploy_v2(web)
    moved = web.post(
        "/modeller/hate_incident/migrate", data={"reference": [reference]}, follow_redirects=True
    )
    assert "Moved 1 of 1 case." in moved.text
    assert f'<tr data-moved="{reference}">' in moved.text and "Move back" in moved.text

    after = first_task(web, officer, reference)
    assert (after["id"], after["due"]) == (before["id"], before["due"])
    fields = {
        f["id"]: f["label"] for f in web.get(f"/api/tasks/{after['id']}", headers=officer).json["fields"]
    }
    assert fields["contact_date"] == "Contacted on"
    timeline = web.get(f"/api/cases/{reference}", headers=officer).json["timeline"]
    assert timeline[-1]["kind"] == "migrated" and timeline[-1]["actor"] == "Oscar Owner"

    back = web.post(
        f"/modeller/cases/{reference}/move-back", data={"key": "hate_incident"}, follow_redirects=True
    )
    assert f"{reference} is back on the version it ran before." in back.text
    fields = {
        f["id"]: f["label"] for f in web.get(f"/api/tasks/{after['id']}", headers=officer).json["fields"]
    }
    assert fields["contact_date"] == "Date of contact, or of the attempt"
    again = web.post(
        f"/modeller/cases/{reference}/move-back", data={"key": "hate_incident"}, follow_redirects=True
    )
    assert "cannot be moved back" in again.text


def test_json_batches_report_each_case(web):
    reference = report(web)
    sign_in(web, "owner")
    deploy_v2(web)
    response = web.post(
        "/modeller/hate_incident/migrate",
        json={"references": [reference, "HC-1999-999999"]},
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 200
    [good, missing] = response.json["outcomes"]
    assert good == {"reference": reference, "moved": True, "message": f"{reference} moved to version 2."}
    assert missing["moved"] is False and "There is no case" in missing["message"]
    bad = web.post("/modeller/hate_incident/migrate", json={"references": "all"})
    assert bad.status_code == 422


def test_officers_cannot_move_cases(web):
    reference = report(web)
    sign_in(web, "officer")
    assert web.get("/modeller/hate_incident/migrate").status_code == 403
    assert web.post("/modeller/hate_incident/migrate", data={"reference": [reference]}).status_code == 403
    assert web.post(f"/modeller/cases/{reference}/move-back").status_code == 403
