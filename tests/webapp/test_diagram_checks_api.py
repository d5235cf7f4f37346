"""The process-model API and the modeller report a diagram's errors and warnings apart
(issue 18): diagrams saved by other tools never give a server error, the runnable ones deploy
with warnings, every refusal names an element; a mistyped timer deep in the shipped diagram is
named before anything is deployed."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.diagrams_other_tools import REFUSED, RUNNABLE, read
from tests.webapp.test_api import token

XML = {"Content-Type": "application/xml"}
SHIPPED = (Path(__file__).resolve().parents[2] / "bpmn" / "hate_incident.bpmn").read_text()
DEEP_TIMER = '<bpmn:timeDuration xsi:type="bpmn:tFormalExpression">working_days(20)</bpmn:timeDuration>'
DEEP_ID = "complaint_stage2_deadline"
KINDS = {
    "timeDuration": "is not an ISO 8601 duration such as PT3H or P2D",
    "timeDate": "is not an ISO 8601 date and time such as 2026-03-27T09:00:00Z",
    "timeCycle": "is not an ISO 8601 cycle such as R3/PT1H",
}


@pytest.fixture
def web(app: Flask) -> FlaskClient:
    app.config["WTF_CSRF_ENABLED"] = False
    web = app.test_client()
    assert web.post("/login", data={"username": "owner", "password": "demo"}).status_code == 302
    return web


def deep_timer(text: str, tag: str = "timeDuration") -> bytes:
    new = f'<bpmn:{tag} xsi:type="bpmn:tFormalExpression">{text}</bpmn:{tag}>'
    return SHIPPED.replace(DEEP_TIMER, new).encode()


@pytest.mark.parametrize("name", sorted(RUNNABLE))
def test_a_runnable_diagram_from_another_tool_validates_and_deploys_with_warnings(client, name):
    owner = token(client, "owner")
    checked = client.post("/api/process-models/validate", headers={**owner, **XML}, data=read(name))
    assert checked.status_code == 200, checked.json
    assert checked.json["errors"] == [] and checked.json["valid"] is True
    assert {w["element_id"] for w in checked.json["warnings"]} == RUNNABLE[name]
    deployed = client.post("/api/process-models", headers={**owner, **XML}, data=read(name))
    assert deployed.status_code == 201, deployed.json
    assert deployed.json["errors"] == []
    assert {w["element_id"] for w in deployed.json["warnings"]} == RUNNABLE[name]


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_a_diagram_from_another_tool_that_would_fail_is_refused_naming_an_element(client, name):
    owner = token(client, "owner")
    for path in ("/api/process-models/validate", "/api/process-models"):
        response = client.post(path, headers={**owner, **XML}, data=read(name))
        assert response.status_code == 422, response.json
        assert response.json["errors"] and all(e["element_id"] for e in response.json["errors"])
        assert REFUSED[name] in {e["element_id"] for e in response.json["errors"]}
        assert isinstance(response.json["warnings"], list)


def test_the_modeller_returns_errors_and_warnings_apart(web):
    name = "camunda_modeler_plain_and_manual.bpmn"
    for path, status in (("/modeller/validate", 200), ("/modeller/deploy", 201)):
        response = web.post(path, data=read(name), content_type="application/xml")
        assert response.status_code == status, response.json
        assert response.json["errors"] == []
        assert {w["element_id"] for w in response.json["warnings"]} == RUNNABLE[name]
    refused = web.post("/modeller/validate", data=read("not_executable.bpmn"), content_type="application/xml")
    assert refused.status_code == 422
    assert [e["element_id"] for e in refused.json["errors"]] == ["drawing_only"]
    assert [w["element_id"] for w in refused.json["warnings"]] == ["sid-t"]


def test_the_upload_page_lists_warnings_apart_from_errors(web):
    page = web.post(
        "/modeller/upload", data={"file": (io.BytesIO(read("not_executable.bpmn")), "drawing.bpmn")}
    )
    assert page.status_code == 422
    assert "The file was not deployed" in page.text
    assert 'id="upload-warnings"' in page.text and "Plain task &#39;Do something&#39; (sid-t)" in page.text
    deployed = web.post(
        "/modeller/upload",
        data={"file": (io.BytesIO(read("camunda_modeler_plain_and_manual.bpmn")), "plain.bpmn")},
        follow_redirects=True,
    )
    assert deployed.status_code == 200
    assert "Deployed Plain and manual version 1." in deployed.text
    assert "Warning: Plain task &#39;Think about it&#39; (Activity_plain)" in deployed.text


@pytest.mark.parametrize("tag", sorted(KINDS))
@pytest.mark.parametrize("word", ["PT3X", "P1DX", "banana"])
def test_validate_names_a_mistyped_timer_deep_in_the_shipped_diagram(client, tag, word):
    response = client.post(
        "/api/process-models/validate", headers={**token(client, "owner"), **XML}, data=deep_timer(word, tag)
    )
    assert response.status_code == 422, response.json
    [error] = response.json["errors"]
    assert error["element_id"] == DEEP_ID and error["element_name"] == "Stage 2 review: deadline"
    assert error["message"].endswith(f"'{word}' {KINDS[tag]}.")
    assert response.json["warnings"] == []


@pytest.mark.parametrize(
    ("old", "new", "element_id", "words"),
    [
        (DEEP_TIMER, DEEP_TIMER.replace("working_days(20)", 'working_days("x")'), DEEP_ID, "not 'x'"),
        (
            "prior_complaints_6m == 1</bpmn:conditionExpression>",
            "prior_complaints_6m + 'a' == 1</bpmn:conditionExpression>",
            "flow_second_complaint",
            "the condition fails: TypeError: unsupported operand type(s) for +: 'int' and 'str'",
        ),
    ],
)
def test_validate_names_an_expression_that_raises(client, old, new, element_id, words):
    response = client.post(
        "/api/process-models/validate",
        headers={**token(client, "owner"), **XML},
        data=SHIPPED.replace(old, new).encode(),
    )
    assert response.status_code == 422, response.json
    [error] = response.json["errors"]
    assert error["element_id"] == element_id and words in error["message"]


def test_the_shipped_diagram_validates_with_no_errors_or_warnings(client):
    response = client.post(
        "/api/process-models/validate", headers={**token(client, "owner"), **XML}, data=SHIPPED.encode()
    )
    assert response.status_code == 200, response.json
    assert response.json["errors"] == [] and response.json["warnings"] == []
