"""Every JSON API endpoint through Flask's test client, with good and bad input."""

from __future__ import annotations

from datetime import timedelta

import pytest

import processes
from casework import timers as due_timers
from tests.conftest import T0

REPORT = {
    "description": "Abuse shouted at my door",
    "location": "1 Elm Road",
    "strands": ["race", "age"],
    "occurred_at": "2026-03-01T21:30:00+00:00",
    "reporter_email": "me@example.org",
}
FIRST_RESPONSE = {
    "contact_made": True,
    "contact_method": "phone",
    "contact_date": "2026-03-02",
    "response_notes": "Spoke to the victim, visit booked.",
    "reporting_advice": ["police"],
}


def token(client, username="officer", password="demo") -> dict[str, str]:
    response = client.post("/api/token", json={"username": username, "password": password})
    assert response.status_code == 200, response.json
    return {"Authorization": f"Bearer {response.json['token']}"}


def report(client) -> str:
    response = client.post("/api/reports", json=REPORT)
    assert response.status_code == 201, response.json
    return response.json["reference"]


def first_task(client, headers, reference):
    items = client.get("/api/tasks", headers=headers).json["items"]
    return next(t for t in items if t["case_reference"] == reference)


def test_health(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json["status"] == "ok"


def test_openapi_document_lists_every_endpoint_with_schemas(client):
    doc = client.get("/api/openapi.json").json
    assert doc["openapi"].startswith("3.")
    assert {
        "/api/token",
        "/api/reports",
        "/api/tasks",
        "/api/tasks/{task_id}",
        "/api/tasks/{task_id}/claim",
        "/api/tasks/{task_id}/complete",
        "/api/cases/{reference}",
    } <= set(doc["paths"])
    report_schema = doc["components"]["schemas"]["Report"]
    assert set(report_schema["required"]) == {"description", "location", "strands"}


def test_report_without_login_returns_a_reference(client):
    reference = report(client)
    assert reference.startswith("HC-")


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({}, {"description", "location", "strands"}),
        ({**REPORT, "strands": []}, {"strands"}),
        ({**REPORT, "strands": ["football"]}, {"strands"}),
        ({**REPORT, "description": 42}, {"description"}),
        ({**REPORT, "occurred_at": "yesterday"}, {"occurred_at"}),
        ({**REPORT, "reporter_email": "not-an-email"}, {"reporter_email"}),
        ({**REPORT, "surprise": True}, {"surprise"}),
    ],
)
def test_report_with_bad_fields_gets_field_errors(client, body, fields):
    response = client.post("/api/reports", json=body)
    assert response.status_code == 422
    assert set(response.json["errors"]) == fields
    assert all(isinstance(m, str) and m for m in response.json["errors"].values())


def test_malformed_json_is_a_clear_400(client):
    response = client.post("/api/reports", data="{not json", content_type="application/json")
    assert response.status_code == 400 and response.json["message"] == "The body is not valid JSON."


def test_token_with_wrong_password_is_refused(client):
    assert client.post("/api/token", json={"username": "officer", "password": "nope"}).status_code == 401
    assert client.post("/api/token", json={"username": "officer"}).status_code == 422


@pytest.mark.parametrize("path", ["/api/tasks", "/api/tasks/x", "/api/cases/HC-2026-000001"])
def test_calls_without_a_token_are_401(client, path):
    assert client.get(path).status_code == 401
    assert client.get(path, headers={"Authorization": "Bearer forged"}).status_code == 401


def test_expired_token_is_refused(client):
    headers = token(client)
    with processes.clock.frozen_at(processes.clock.now() + timedelta(hours=13)):
        assert client.get("/api/tasks", headers=headers).status_code == 401


def test_inbox_shows_my_groups_tasks_with_due_dates(client):
    reference = report(client)
    officer = token(client)
    task = first_task(client, officer, reference)
    assert task["name"] == "first_response" and task["candidate_groups"] == ["community-safety"]
    assert task["assignee"] is None and task["due"]
    assert client.get("/api/tasks", headers=token(client, "manager")).json["total"] == 0


def test_inbox_query_is_validated(client):
    response = client.get("/api/tasks?sort=colour&page=0", headers=token(client))
    assert response.status_code == 422 and set(response.json["errors"]) == {"sort", "page"}


def test_task_detail_lists_the_form_fields_from_the_bpmn(client):
    reference = report(client)
    headers = token(client)
    task_id = first_task(client, headers, reference)["id"]
    detail = client.get(f"/api/tasks/{task_id}", headers=headers).json
    fields = {f["id"]: f for f in detail["fields"]}
    assert fields["contact_method"]["type"] == "enum" and fields["contact_method"]["required"] is True
    assert {o["id"] for o in fields["contact_method"]["options"]} >= {"phone", "home_visit"}
    assert fields["reporting_advice"]["multiple"] is True
    assert fields["response_notes"]["multiline"] is True and fields["response_notes"]["min_length"] == 10
    assert client.get("/api/tasks/no-such-task", headers=headers).status_code == 404


def test_claim_then_someone_else_gets_409(client):
    reference = report(client)
    officer, supervisor = token(client), token(client, "supervisor")
    task_id = first_task(client, officer, reference)["id"]
    response = client.post(f"/api/tasks/{task_id}/claim", headers=officer)
    assert response.status_code == 200 and response.json["assignee"] == "officer"
    conflict = client.post(f"/api/tasks/{task_id}/claim", headers=supervisor)
    assert conflict.status_code == 409 and "held by Olivia Officer" in conflict.json["message"]
    assert client.post(f"/api/tasks/{task_id}/release", headers=supervisor).status_code == 409
    assert client.post(f"/api/tasks/{task_id}/release", headers=officer).status_code == 200
    assert client.post(f"/api/tasks/{task_id}/claim", headers=token(client, "manager")).status_code == 403


def test_complete_validates_then_moves_the_case_on(client):
    reference = report(client)
    headers = token(client)
    task_id = first_task(client, headers, reference)["id"]
    before = client.get(f"/api/cases/{reference}", headers=headers).json
    bad = client.post(
        f"/api/tasks/{task_id}/complete", headers=headers, json={"contact_method": "fax", "contact_date": 7}
    )
    assert bad.status_code == 422
    assert set(bad.json["errors"]) == {"contact_method", "contact_date", "response_notes"}
    assert client.get(f"/api/cases/{reference}", headers=headers).json == before  # nothing changed
    not_object = client.post(f"/api/tasks/{task_id}/complete", headers=headers, json=["x"])
    assert not_object.status_code == 422
    garbage = client.post(
        f"/api/tasks/{task_id}/complete", headers=headers, data="{", content_type="application/json"
    )
    assert garbage.status_code == 400

    good = client.post(f"/api/tasks/{task_id}/complete", headers=headers, json=FIRST_RESPONSE)
    assert good.status_code == 200
    assert [t["name"] for t in good.json["next_tasks"]] == ["police_referral"]
    again = client.post(f"/api/tasks/{task_id}/complete", headers=headers, json=FIRST_RESPONSE)
    assert again.status_code == 409 and "no longer open" in again.json["message"]


def test_case_shows_status_tasks_and_timeline(client):
    reference = report(client)
    headers = token(client)
    task_id = first_task(client, headers, reference)["id"]
    client.post(f"/api/tasks/{task_id}/complete", headers=headers, json=FIRST_RESPONSE)
    case = client.get(f"/api/cases/{reference.lower()}", headers=headers).json
    assert case["status"] == "open" and case["stage"] == "Report to the police"
    assert case["strands"] == ["race", "age"]
    assert [e["kind"] for e in case["timeline"]] == [
        "opened",
        "notification",
        "task_created",
        "task_completed",
        "task_created",
    ]
    assert case["timeline"][1]["summary"] == "Acknowledgement emailed to the reporter"
    assert case["timeline"][3]["actor"] == "Olivia Officer"
    assert client.get("/api/cases/HC-1999-999999", headers=headers).status_code == 404


def test_escalation_reaches_the_supervisors_inbox(client, app):
    with processes.clock.frozen_at(T0):
        reference = report(client)
    result = due_timers.sweep(app.extensions["database"].sessions, T0 + timedelta(hours=25))
    assert result.fired == 2  # the reminder, then the deadline
    supervisor = token(client, "supervisor")
    task = first_task(client, supervisor, reference)
    assert task["name"] == "overdue_response" and task["candidate_groups"] == ["supervisors"]
    assert all(
        t["case_reference"] != reference
        for t in client.get("/api/tasks", headers=token(client)).json["items"]
    )
    timeline = client.get(f"/api/cases/{reference}", headers=supervisor).json["timeline"]
    assert any("Deadline passed" in e["summary"] for e in timeline)
