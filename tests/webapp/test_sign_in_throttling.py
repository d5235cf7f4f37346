"""Sign-in throttling on the sign-in page and on POST /api/token: five failures for one
username in 15 minutes, or thirty from one address, and further attempts are refused with 429
(even with the right password) until a stated time; old attempts expire and are deleted."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

import processes
from casework import people, sign_in
from db.models import AuditEvent, LoginAttempt
from tests.conftest import T0
from webapp import storage


@pytest.fixture
def web(db_url: str) -> Iterator[Flask]:
    from webapp import create_app

    app = create_app(
        {"TESTING": True, "DATABASE_URL": db_url, "SECRET_KEY": "test-secret", "WTF_CSRF_ENABLED": False}
    )
    yield app
    app.extensions["database"].dispose()


def page_sign_in(client: FlaskClient, username: str, password: str, ip: str = "10.0.0.1"):
    return client.post(
        "/login", data={"username": username, "password": password}, environ_base={"REMOTE_ADDR": ip}
    )


def api_sign_in(client: FlaskClient, username: str, password: str, ip: str = "10.0.0.1"):
    return client.post(
        "/api/token", json={"username": username, "password": password}, environ_base={"REMOTE_ADDR": ip}
    )


def attempts(app: Flask) -> int:
    with storage.database(app).session() as session:
        return session.scalar(select(func.count()).select_from(LoginAttempt)) or 0


def test_five_failures_lock_the_username_on_the_page_even_with_the_right_password(web):
    client = web.test_client()
    with processes.clock.frozen_at(T0):
        for _ in range(5):
            assert page_sign_in(client, "officer", "wrong").status_code == 401
    with processes.clock.frozen_at(T0 + timedelta(minutes=1)):
        refused = page_sign_in(client, "Officer ", "demo")
    assert refused.status_code == 429
    text = refused.get_data(as_text=True)
    assert "Too many sign-in attempts" in text and "Try again after 09:15 UTC (in 14 minutes)" in text
    assert refused.headers["Retry-After"] == str(14 * 60 + 1)
    assert "Sign out" not in text
    # The refused attempt is not counted, so trying again does not push the time back.
    assert attempts(web) == 5
    with processes.clock.frozen_at(T0 + timedelta(minutes=15, seconds=1)):
        assert page_sign_in(client, "officer", "demo").status_code == 302


def test_the_api_token_call_is_throttled_with_a_json_message(web):
    client = web.test_client()
    with processes.clock.frozen_at(T0):
        for _ in range(5):
            assert api_sign_in(client, "officer", "wrong").status_code == 401
        refused = api_sign_in(client, "officer", "demo")
        assert refused.status_code == 429
        assert refused.json["code"] == 429
        assert refused.json["message"].startswith("Too many sign-in attempts")
        assert "09:15 UTC" in refused.json["message"]
        assert refused.headers["Retry-After"] == str(15 * 60 + 1)
        assert "token" not in refused.json
        # Failures on the page and on the API count together.
        assert page_sign_in(client, "officer", "demo").status_code == 429
        # Another user is not held up.
        assert api_sign_in(client, "supervisor", "demo").status_code == 200


def test_thirty_failures_from_one_address_lock_that_address_for_every_username(web):
    client = web.test_client()
    with processes.clock.frozen_at(T0):
        for n in range(30):
            assert page_sign_in(client, f"guess{n}", "wrong", ip="10.9.9.9").status_code == 401
        assert page_sign_in(client, "manager", "demo", ip="10.9.9.9").status_code == 429
        assert api_sign_in(client, "manager", "demo", ip="10.9.9.9").status_code == 429
        # The same account from another address is fine.
        assert api_sign_in(client, "manager", "demo", ip="10.1.1.1").status_code == 200


def test_a_success_does_not_reset_the_address_count_or_another_users_count(web):
    client = web.test_client()
    with processes.clock.frozen_at(T0):
        for n in range(29):
            assert page_sign_in(client, f"guess{n}", "wrong", ip="10.9.9.9").status_code == 401
        for _ in range(5):
            assert page_sign_in(client, "officer", "wrong", ip="10.2.2.2").status_code == 401
        # Someone signs in well from the guessing address, and from the officer's address.
        assert api_sign_in(client, "admin", "demo", ip="10.9.9.9").status_code == 200
        assert api_sign_in(client, "supervisor", "demo", ip="10.2.2.2").status_code == 200
        assert page_sign_in(client, "guess29", "wrong", ip="10.9.9.9").status_code == 401
        assert api_sign_in(client, "admin", "demo", ip="10.9.9.9").status_code == 429
        assert api_sign_in(client, "officer", "demo", ip="10.2.2.2").status_code == 429


def test_failures_expire_after_the_window_and_a_users_success_starts_their_count_again(web):
    client = web.test_client()
    with processes.clock.frozen_at(T0):
        for _ in range(4):
            page_sign_in(client, "officer", "wrong")
    with processes.clock.frozen_at(T0 + timedelta(minutes=16)):
        # The four are outside the window now: four more are not enough to lock.
        for _ in range(4):
            page_sign_in(client, "officer", "wrong")
        assert api_sign_in(client, "officer", "demo").status_code == 200
        for _ in range(4):
            page_sign_in(client, "officer", "wrong")
        assert api_sign_in(client, "officer", "demo").status_code == 200
        page_sign_in(client, "officer", "wrong")
        for _ in range(4):
            page_sign_in(client, "officer", "wrong")
        assert api_sign_in(client, "officer", "demo").status_code == 429


def test_attempts_older_than_a_day_are_deleted_as_new_ones_are_recorded(web):
    client = web.test_client()
    with processes.clock.frozen_at(T0):
        for _ in range(3):
            page_sign_in(client, "officer", "wrong")
    assert attempts(web) == 3
    with processes.clock.frozen_at(T0 + timedelta(hours=23)):
        page_sign_in(client, "officer", "wrong")
    assert attempts(web) == 4
    with processes.clock.frozen_at(T0 + timedelta(days=1, minutes=1)):
        page_sign_in(client, "officer", "demo")
    assert attempts(web) == 2


def test_throttled_attempts_are_in_the_audit_log(web):
    client = web.test_client()
    with processes.clock.frozen_at(T0):
        for _ in range(3):
            page_sign_in(client, "officer", "wrong")
        for _ in range(3):
            api_sign_in(client, "officer", "wrong")
        assert api_sign_in(client, "supervisor", "demo").status_code == 200
    with storage.database(web).session() as session:
        signed_in = session.scalars(select(AuditEvent.username).where(AuditEvent.action == "sign-in"))
        assert list(signed_in) == ["supervisor"]
    with storage.database(web).session() as session:
        failed = select(AuditEvent.outcome).where(AuditEvent.action == "sign-in-failed")
        outcomes = list(session.scalars(failed.order_by(AuditEvent.id)))
    assert outcomes == ["failed"] * 5 + ["throttled"]


def test_wait_message_rounds_up_to_whole_minutes():
    assert sign_in.wait_message(T0 + timedelta(seconds=30), now=T0).endswith("(in 1 minute).")
    assert sign_in.wait_message(T0 + timedelta(minutes=14, seconds=1), now=T0).endswith("(in 15 minutes).")


def test_passwords_are_stored_as_argon2id_hashes(web):
    with storage.database(web).session() as session:
        user = people.authenticate(session, "officer", "demo")
        assert user is not None
        assert user.password_hash.startswith("$argon2id$") and "demo" not in user.password_hash
        assert people.authenticate(session, "officer", "Demo") is None
        assert people.authenticate(session, "nobody", "demo") is None


def test_behind_a_proxy_the_forwarded_address_is_counted(db_url):
    from webapp import create_app

    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": db_url,
            "SECRET_KEY": "test-secret",
            "WTF_CSRF_ENABLED": False,
            "PROXY_HOPS": 1,
        }
    )
    client = app.test_client()
    try:
        with processes.clock.frozen_at(T0):
            for n in range(30):
                client.post(
                    "/login",
                    data={"username": f"guess{n}", "password": "x"},
                    headers={"X-Forwarded-For": "203.0.113.7"},
                )
            forwarded = {"X-Forwarded-For": "203.0.113.7"}
            assert (
                client.post(
                    "/api/token", json={"username": "admin", "password": "demo"}, headers=forwarded
                ).status_code
                == 429
            )
            other = {"X-Forwarded-For": "198.51.100.2"}
            assert (
                client.post(
                    "/api/token", json={"username": "admin", "password": "demo"}, headers=other
                ).status_code
                == 200
            )
        with storage.database(app).session() as session:
            assert set(session.scalars(select(LoginAttempt.ip))) == {"203.0.113.7", "198.51.100.2"}
    finally:
        app.extensions["database"].dispose()
