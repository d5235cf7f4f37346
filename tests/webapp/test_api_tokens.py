"""API tokens: listed without their secret, revoked by the caller (POST /api/token/revoke,
DELETE /api/tokens/{id}) or on the account page; revoked and expired tokens get a clear 401."""

from __future__ import annotations

import re
from datetime import timedelta

import processes
from tests.conftest import T0


def token(client, username: str = "officer") -> str:
    response = client.post("/api/token", json={"username": username, "password": "demo"})
    assert response.status_code == 200, response.json
    return response.json["token"]


def bearer(value: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {value}"}


def test_revoking_the_token_in_use_refuses_it_from_then_on(client):
    with processes.clock.frozen_at(T0):
        value = token(client)
        assert client.get("/api/tasks", headers=bearer(value)).status_code == 200
        answer = client.post("/api/token/revoke", headers=bearer(value))
        assert answer.status_code == 204 and answer.data == b""
        refused = client.get("/api/tasks", headers=bearer(value))
    assert refused.status_code == 401
    assert refused.json["message"] == "This token was revoked at 2026-03-02 09:00 UTC. Get a new one."
    assert client.post("/api/token/revoke", headers=bearer(value)).status_code == 401


def test_an_expired_token_gets_a_clear_401(client):
    with processes.clock.frozen_at(T0):
        value = token(client)
    with processes.clock.frozen_at(T0 + timedelta(hours=12)):
        refused = client.get("/api/tasks", headers=bearer(value))
    assert refused.status_code == 401
    assert refused.json["message"] == "This token expired at 2026-03-02 21:00 UTC. Get a new one."
    unknown = client.get("/api/tasks", headers=bearer("not-a-token"))
    assert unknown.status_code == 401 and "not known" in unknown.json["message"]


def test_the_list_shows_only_my_tokens_and_never_their_value(client):
    with processes.clock.frozen_at(T0):
        first = token(client)
    with processes.clock.frozen_at(T0 + timedelta(hours=1)):
        second = token(client)
        token(client, "supervisor")
        client.post("/api/token/revoke", headers=bearer(first))
        answer = client.get("/api/tokens", headers=bearer(second))
    assert answer.status_code == 200
    items = answer.json["items"]
    assert [(i["username"], i["active"]) for i in items] == [("officer", True), ("officer", False)]
    assert items[0]["expires_at"].startswith("2026-03-02T22:00")
    assert items[1]["revoked_at"].startswith("2026-03-02T10:00") and items[1]["created_at"].startswith(
        "2026-03-02T09:00"
    )
    assert first not in answer.get_data(as_text=True) and second not in answer.get_data(as_text=True)
    assert set(items[0]) == {"id", "username", "created_at", "expires_at", "revoked_at", "active"}


def test_delete_revokes_my_own_token_but_not_another_persons(client):
    mine, other = token(client), token(client, "supervisor")
    ids = {i["username"]: i["id"] for i in client.get("/api/tokens", headers=bearer(mine)).json["items"]}
    other_id = client.get("/api/tokens", headers=bearer(other)).json["items"][0]["id"]
    refused = client.delete(f"/api/tokens/{other_id}", headers=bearer(mine))
    assert refused.status_code == 404 and refused.json["message"] == "You have no token with that id."
    assert client.get("/api/tasks", headers=bearer(other)).status_code == 200
    spare = token(client)
    spare_id = max(i["id"] for i in client.get("/api/tokens", headers=bearer(spare)).json["items"])
    assert spare_id != ids["officer"]
    assert client.delete(f"/api/tokens/{spare_id}", headers=bearer(mine)).status_code == 204
    assert client.get("/api/tasks", headers=bearer(spare)).status_code == 401
    assert client.get("/api/tasks", headers=bearer(mine)).status_code == 200
    assert client.delete("/api/tokens/99999", headers=bearer(mine)).status_code == 404


def test_an_administrator_may_revoke_anyones_token(client):
    officers = token(client)
    officer_id = client.get("/api/tokens", headers=bearer(officers)).json["items"][0]["id"]
    admins = token(client, "admin")
    assert client.delete(f"/api/tokens/{officer_id}", headers=bearer(admins)).status_code == 204
    assert client.get("/api/tasks", headers=bearer(officers)).status_code == 401


def sign_in_page(client, username: str) -> None:
    page = client.get("/login").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    answer = client.post("/login", data={"username": username, "password": "demo", "csrf_token": csrf})
    assert answer.status_code == 302


def test_the_account_page_lists_my_tokens_and_revokes_one_with_csrf(client, app):
    web = app.test_client()
    sign_in_page(web, "officer")
    empty = web.get("/account/tokens").get_data(as_text=True)
    assert "You have no API tokens" in empty
    value = token(client)
    token(client, "supervisor")
    page = web.get("/account/tokens").get_data(as_text=True)
    assert page.count("<tr>") == 2  # the header and the officer's one token
    assert "In use" in page and value not in page
    action = re.search(r'action="(/account/tokens/(\d+)/revoke)"', page)
    assert action is not None
    assert 'data-confirm="Revoke token' in page
    # Without the CSRF token the form is refused and the token still works.
    refused = web.post(action.group(1))
    assert refused.status_code == 400 and "The form had expired" in refused.get_data(as_text=True)
    assert client.get("/api/tasks", headers=bearer(value)).status_code == 200
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    done = web.post(action.group(1), data={"csrf_token": csrf}, follow_redirects=True)
    text = done.get_data(as_text=True)
    assert f"Token {action.group(2)} is revoked" in text and "Revoked" in text
    assert client.get("/api/tasks", headers=bearer(value)).status_code == 401


def test_the_account_page_does_not_revoke_another_persons_token(client, app):
    token(client, "supervisor")
    web = app.test_client()
    sign_in_page(web, "officer")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', web.get("/account/tokens").get_data(as_text=True))
    assert web.post("/account/tokens/1/revoke", data={"csrf_token": csrf.group(1)}).status_code == 404
