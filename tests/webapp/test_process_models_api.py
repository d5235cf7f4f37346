"""The process-model API: validate, deploy, list, download, start a case of any process; only
process owners and administrators. A diagram the project has never seen runs through the inbox
with no code change."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest

import processes
from casework import timers as due_timers
from tests.conftest import BPMN, T0
from tests.diagrams import noise
from tests.webapp.test_api import report, token

XML = {"Content-Type": "application/xml"}


def deploy(client, headers, xml: bytes, path: str = "/api/process-models"):
    return client.post(path, headers={**headers, **XML}, data=xml)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/process-models"),
        ("post", "/api/process-models"),
        ("post", "/api/process-models/validate"),
        ("get", "/api/process-models/hate_incident/versions/1/xml"),
    ],
)
def test_only_process_owners_and_admins_may_use_it(client, method, path):
    assert getattr(client, method)(path).status_code == 401
    for username in ("officer", "supervisor", "manager"):
        response = getattr(client, method)(path, headers={**token(client, username), **XML}, data=noise())
        assert response.status_code == 403, (username, response.json)
        assert response.json["message"] == "Only process owners and administrators may do this."


def test_an_owner_deploys_a_file_as_raw_xml_or_multipart(client):
    owner = token(client, "owner")
    first = deploy(client, owner, noise())
    assert first.status_code == 201
    assert first.json == {
        "key": "noise_complaint",
        "name": "Noise complaint",
        "version": 1,
        "created": True,
        "errors": [],
        "warnings": [],
    }
    upload = {"file": (io.BytesIO(noise(label="Decibels")), "noise.bpmn")}
    second = client.post("/api/process-models", headers=token(client, "admin"), data=upload)
    assert second.status_code == 201 and second.json["version"] == 2
    same = deploy(client, owner, noise(label="Decibels"))
    assert same.status_code == 200 and same.json["created"] is False and same.json["version"] == 2


def test_a_broken_diagram_gets_422_with_a_list_naming_each_element(client):
    owner = token(client, "owner")
    broken = noise(deadline="eight hours").replace(b'targetRef="noise_done" />', b'targetRef="nowhere" />', 1)
    for path in ("/api/process-models", "/api/process-models/validate"):
        response = deploy(client, owner, broken, path)
        assert response.status_code == 422
        assert response.json["message"] == "The diagram has problems; nothing was deployed."
        errors = {e["element_id"]: e for e in response.json["errors"]}
        assert set(errors) == {"noise_deadline", "quiet_enough"}
        assert errors["noise_deadline"]["element_name"] == "Not logged in time"
        assert errors["noise_deadline"]["message"].startswith('Boundary event "Not logged in time"')
        assert "'nowhere', which is not in the diagram" in errors["quiet_enough"]["message"]
        assert all(isinstance(e["line"], int) for e in errors.values())
    assert [p["key"] for p in client.get("/api/process-models", headers=owner).json] == ["hate_incident"]


def test_a_loop_through_a_deadline_of_no_length_gets_422_naming_the_loop(client):
    owner = token(client, "owner")
    spinning = noise(deadline="PT0S").replace(
        b'sourceRef="tell_supervisors" targetRef="chase_noise"',
        b'sourceRef="tell_supervisors" targetRef="log_noise"',
    )
    for path in ("/api/process-models", "/api/process-models/validate"):
        response = deploy(client, owner, spinning, path)
        assert response.status_code == 422
        [error] = response.json["errors"]
        assert error["element_id"] in {"log_noise", "noise_deadline", "tell_supervisors"}
        for name in ("'Log the noise complaint'", "'Not logged in time'", "'Tell the supervisors'"):
            assert name in error["message"]
    assert deploy(client, owner, spinning.replace(b"PT0S", b"PT8H")).status_code == 201


def test_malformed_xml_and_bad_uploads(client):
    owner = token(client, "owner")
    [error] = deploy(client, owner, b"<bpmn:definitions>\n<oops").json["errors"]
    assert "not well-formed XML" in error["message"] and error["line"] == 1 and error["element_id"] is None
    assert deploy(client, owner, b"   ").json["errors"][0]["message"] == "The file is empty."
    refused = client.post("/api/process-models", headers=owner, json={"xml": "<x/>"})
    assert refused.status_code == 415 and "multipart field 'file'" in refused.json["message"]


def test_validate_checks_without_deploying(client):
    owner = token(client, "owner")
    response = deploy(client, owner, noise(), "/api/process-models/validate")
    assert response.status_code == 200
    assert response.json == {
        "valid": True,
        "key": "noise_complaint",
        "name": "Noise complaint",
        "errors": [],
        "warnings": [],
    }
    assert client.get("/api/process-models/noise_complaint/versions/1/xml", headers=owner).status_code == 404


def test_the_list_shows_versions_who_when_and_open_cases(client):
    with processes.clock.frozen_at(T0):
        report(client)
        owner = token(client, "owner")
        deploy(client, owner, BPMN.read_bytes().replace(b"PT24H", b"PT12H"))
        [model] = client.get("/api/process-models", headers=owner).json
    assert model["key"] == "hate_incident" and model["latest_version"] == 2 and model["open_cases"] == 1
    newest, oldest = model["versions"]
    assert (newest["version"], newest["deployed_by"], newest["open_cases"]) == (2, "owner", 0)
    assert (oldest["version"], oldest["deployed_by"], oldest["open_cases"]) == (1, "tests", 1)
    assert newest["deployed_at"].startswith("2026-03-02T09:00")


def test_any_version_can_be_downloaded(client):
    owner = token(client, "owner")
    deploy(client, owner, BPMN.read_bytes().replace(b"PT24H", b"PT12H"))
    first = client.get("/api/process-models/hate_incident/versions/1/xml", headers=owner)
    assert first.status_code == 200 and first.mimetype == "application/xml"
    assert first.headers["Content-Disposition"] == 'attachment; filename="hate_incident-v1.bpmn"'
    assert first.data == BPMN.read_bytes()
    second = client.get("/api/process-models/hate_incident/versions/2/xml", headers=owner)
    assert b"PT12H" in second.data
    assert client.get("/api/process-models/hate_incident/versions/3/xml", headers=owner).status_code == 404


def test_starting_a_case_of_an_unknown_process_or_with_bad_data(client):
    owner = token(client, "owner")
    missing = client.post("/api/process-models/no_such/cases", headers=owner, json={})
    assert missing.status_code == 404 and "No process called 'no_such'" in missing.json["message"]
    assert client.post("/api/process-models/hate_incident/cases", headers=owner, json=[1]).status_code == 422


def test_the_openapi_document_lists_the_process_model_calls(client):
    doc = client.get("/api/openapi.json").json
    assert {
        "/api/process-models",
        "/api/process-models/validate",
        "/api/process-models/{key}/cases",
        "/api/process-models/{key}/versions/{version}/xml",
    } <= set(doc["paths"])
    deploy_doc = doc["paths"]["/api/process-models"]["post"]
    assert {"multipart/form-data", "application/xml"} <= set(deploy_doc["requestBody"]["content"])
    assert "422" in deploy_doc["responses"]


def test_a_never_seen_diagram_runs_through_the_inbox_with_no_code_change(client, app):
    owner = token(client, "owner")
    assert deploy(client, owner, noise()).status_code == 201
    with processes.clock.frozen_at(T0):
        started = client.post(
            "/api/process-models/noise_complaint/cases",
            headers=owner,
            json={"description": "Music all night at number 4", "location": "4 Elm Road"},
        )
    assert started.status_code == 201
    reference = started.json["reference"]
    assert re.fullmatch(r"HC-2026-\d{6}", reference) and started.json["status"] == "open"
    [task] = started.json["open_tasks"]
    assert task["title"] == "Log the noise complaint" and task["due"].startswith("2026-03-02T17:00")

    app.config["WTF_CSRF_ENABLED"] = False
    assert client.post("/login", data={"username": "officer", "password": "demo"}).status_code == 302
    inbox = client.get(f"/?q={reference}").text
    assert "Log the noise complaint" in inbox and 'datetime="2026-03-02T17:00:00+00:00"' in inbox
    page = client.get(f"/tasks/{task['id']}").text
    assert "Loudness (dB)" in page and "What the neighbours said" in page
    wrong = client.post(f"/tasks/{task['id']}", data={"decibels": "loud"})
    assert wrong.status_code == 422
    done = client.post(f"/tasks/{task['id']}", data={"decibels": "95", "noise_notes": "Bass at 3am"})
    assert done.status_code == 303
    case = client.get(f"/cases/{reference}").text
    assert "Visit the address" in case and "Music all night at number 4" in case


def test_a_never_seen_diagrams_deadline_escalates(client, app):
    owner = token(client, "owner")
    deploy(client, owner, noise())
    with processes.clock.frozen_at(T0):
        reference = client.post("/api/process-models/noise_complaint/cases", headers=owner, json={}).json[
            "reference"
        ]
    result = due_timers.sweep(app.extensions["database"].sessions, T0 + timedelta(hours=9))
    assert result.fired == 1
    supervisor = token(client, "supervisor")
    titles = [t["title"] for t in client.get(f"/api/tasks?q={reference}", headers=supervisor).json["items"]]
    assert titles == ["Chase the noise complaint"]
