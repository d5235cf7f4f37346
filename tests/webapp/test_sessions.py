"""Sessions end with sign-out, a password change and deactivation, on every device and with
every API token; a session idle for IDLE_MINUTES ends and the sign-in page says why."""

from __future__ import annotations

import re
from datetime import timedelta

from flask.testing import FlaskClient

import processes
from tests.conftest import T0

PAGE = "/notifications"


def csrf(client: FlaskClient, path: str = "/login") -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).get_data(as_text=True)).group(1)


def sign_in(client: FlaskClient, username: str = "officer", password: str = "demo", next_: str = "") -> str:
    token = csrf(client)
    query = f"?next={next_}" if next_ else ""
    answer = client.post(
        f"/login{query}", data={"username": username, "password": password, "csrf_token": token}
    )
    assert answer.status_code == 302, answer.get_data(as_text=True)
    return answer.headers["Location"]


def api_token(client: FlaskClient, username: str = "officer") -> str:
    answer = client.post("/api/token", json={"username": username, "password": "demo"})
    assert answer.status_code == 200
    return answer.json["token"]


def copy_of(app, client: FlaskClient) -> FlaskClient:
    """Another "device" holding a copy of the client's session cookie."""
    other = app.test_client()
    other.set_cookie("session", client.get_cookie("session").value)
    return other


def opens(client: FlaskClient) -> bool:
    answer = client.get(PAGE)
    return answer.status_code == 200


def calls(client: FlaskClient, token: str) -> int:
    return client.get("/api/tasks", headers={"Authorization": f"Bearer {token}"}).status_code


def test_a_cookie_copied_before_sign_out_is_refused_after_it_and_tokens_end(app):
    with processes.clock.frozen_at(T0):
        web = app.test_client()
        sign_in(web)
        copied, elsewhere = copy_of(app, web), app.test_client()
        sign_in(elsewhere)
        token = api_token(app.test_client())
        assert opens(copied) and opens(elsewhere) and calls(app.test_client(), token) == 200
        answer = web.post("/logout", data={"csrf_token": csrf(web, PAGE)})
        assert answer.status_code == 302
        assert not opens(copied) and not opens(elsewhere) and not opens(web)
        assert calls(app.test_client(), token) == 401
        sign_in(web)  # signing in again works, with a fresh session
        assert opens(web) and not opens(copied)


def test_a_password_change_ends_other_sessions_and_tokens_and_keeps_this_one(app):
    with processes.clock.frozen_at(T0):
        web = app.test_client()
        sign_in(web)
        copied = copy_of(app, web)
        token = api_token(app.test_client())
        form = {"current": "demo", "new": "a long new passphrase", "confirm": "a long new passphrase"}
        short = web.post("/account/password", data={**form, "new": "short", "csrf_token": csrf(web, PAGE)})
        assert short.status_code == 400 and "at least 12 characters" in short.get_data(as_text=True)
        wrong = web.post("/account/password", data={**form, "current": "nope", "csrf_token": csrf(web, PAGE)})
        assert wrong.status_code == 400 and "current password is not right" in wrong.get_data(as_text=True)
        unlike = web.post(
            "/account/password", data={**form, "confirm": "something else!", "csrf_token": csrf(web, PAGE)}
        )
        assert unlike.status_code == 400 and "not the same" in unlike.get_data(as_text=True)
        assert opens(copied) and calls(app.test_client(), token) == 200  # refused changes end nothing
        changed = web.post("/account/password", data={**form, "csrf_token": csrf(web, PAGE)})
        assert changed.status_code == 302
        assert opens(web) and not opens(copied) and calls(app.test_client(), token) == 401
        sign_in(app.test_client(), password="a long new passphrase")
        refused = app.test_client().post("/login", data={"username": "officer", "password": "demo"})
        assert refused.status_code in (400, 401)
        log = app.test_client()
        sign_in(log, "admin")
        assert "Changed password" in log.get("/audit").get_data(as_text=True)


def test_deactivation_from_the_command_line_ends_sessions_and_tokens(app):
    with processes.clock.frozen_at(T0):
        web = app.test_client()
        sign_in(web)
        token = api_token(app.test_client())
        result = app.test_cli_runner().invoke(args=["users", "deactivate", "officer"])
        assert result.exit_code == 0 and "officer deactivated" in result.output
        assert not opens(web) and calls(app.test_client(), token) == 401
        missing = app.test_cli_runner().invoke(args=["users", "deactivate", "nobody"])
        assert missing.exit_code != 0 and "no user called 'nobody'" in missing.output


def test_an_idle_session_ends_and_signing_in_again_returns_to_the_page(app):
    app.config["IDLE_MINUTES"] = 30
    web = app.test_client()
    with processes.clock.frozen_at(T0):
        sign_in(web)
    with processes.clock.frozen_at(T0 + timedelta(minutes=29)):
        assert opens(web)  # activity keeps it alive
    with processes.clock.frozen_at(T0 + timedelta(minutes=58)):
        assert opens(web)
    with processes.clock.frozen_at(T0 + timedelta(minutes=88, seconds=1)):
        answer = web.get(PAGE)
        assert answer.status_code == 302
        login = web.get(answer.headers["Location"]).get_data(as_text=True)
        assert "You were signed out after 30 minutes without activity" in login
        assert web.get(PAGE).status_code == 302  # still signed out
        assert sign_in(web, next_=PAGE) == PAGE
        assert opens(web)
        # The next page stays on this site.
        assert sign_in(app.test_client(), next_="//evil.example/") != "//evil.example/"
