"""/api/people (administrators): the same rules as the pages, over JSON: 422 naming the field
and nothing changed for bad input; deactivating ends the person's tokens at once."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.webapp.test_people_admin import NEW, snapshot

BODY = {k: v for k, v in NEW.items()}


def bearer(client: FlaskClient, username: str, password: str = "demo") -> dict[str, str]:
    token = client.post("/api/token", json={"username": username, "password": password}).json["token"]
    return {"Authorization": f"Bearer {token}"}


def test_an_admin_adds_finds_changes_and_deactivates_a_person(app: Flask, client: FlaskClient):
    admin = bearer(client, "admin")
    added = client.post("/api/people", json=BODY, headers=admin)
    assert added.status_code == 201 and added.json["teams"] == ["community-safety"]
    nadia = bearer(client, "nadia", NEW["password"])
    assert client.get("/api/tasks", headers=nadia).status_code == 200
    found = client.get("/api/people?q=newcomer", headers=admin).json
    assert found["total"] == 1 and found["people"][0]["username"] == "nadia"
    details = {k: BODY[k] for k in ("display_name", "email", "role", "teams")}
    changed = client.put("/api/people/nadia", json={**details, "role": "supervisor"}, headers=admin)
    assert changed.status_code == 200 and changed.json["role"] == "supervisor"
    gone = client.post("/api/people/nadia/deactivate", headers=admin)
    assert gone.status_code == 200 and gone.json["active"] is False
    assert client.get("/api/tasks", headers=nadia).status_code == 401
    assert client.post("/api/people/nadia/reactivate", headers=admin).json["active"] is True


@pytest.mark.parametrize(
    ("method", "url", "body", "field", "message"),
    [
        ("post", "/api/people", {**BODY, "username": "officer"}, "username", "already someone"),
        ("post", "/api/people", {**BODY, "email": "officer@example.org"}, "email", "already has the email"),
        ("post", "/api/people", {**BODY, "role": "emperor"}, "role", "Choose one of the roles"),
        ("post", "/api/people", {**BODY, "teams": ["night-watch"]}, "teams", "no team called"),
        ("post", "/api/people/admin/deactivate", None, "active", "cannot deactivate yourself"),
        (
            "put",
            "/api/people/admin",
            {"display_name": "Ada Admin", "email": "admin@example.org", "role": "officer", "teams": []},
            "role",
            "only active administrator",
        ),
    ],
)
def test_bad_input_is_refused_with_the_field_and_nothing_changes(
    app, client, method, url, body, field, message
):
    admin = bearer(client, "admin")
    before = snapshot(app)
    response = getattr(client, method)(url, json=body, headers=admin)
    assert response.status_code == 422, response.json
    assert message in response.json["message"] and field in response.json["errors"]
    assert snapshot(app) == before


def test_only_admins_may(client):
    assert client.get("/api/people", headers=bearer(client, "manager")).status_code == 403
