"""Sign-in throttling on the sign-in page and on POST /api/token: failures for one username from
one address bring a growing delay (answered 429 with the time to try again), thirty from one
address in 15 minutes hold that address up; an attacker elsewhere, or on the same address
without the owner's known-good device cookie, cannot lock the owner out; the owner is told of
the failures; old attempts expire and are deleted."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

import processes
from casework import people, sign_in
from db.models import AuditEvent, LoginAttempt
from tests.conftest import ROOT, T0
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


def fail(client: FlaskClient, username: str, times: int, ip: str = "10.0.0.1", api: bool = False):
    """``times`` wrong passwords for the pair, each after the delay the one before brought."""
    at = processes.clock.now()
    for n in range(times):
        with processes.clock.frozen_at(at):
            answer = (api_sign_in if api else page_sign_in)(client, username, "wrong", ip)
            assert answer.status_code == 401, n
        at += sign_in.pair_delay(n + 1)
    return at


def test_the_delay_for_one_username_and_address_grows_with_each_failure(web):
    client = web.test_client()
    with processes.clock.frozen_at(T0):
        fail(client, "officer", 2)
        # Two failures are free; the third brings 30 seconds, then it doubles.
        assert page_sign_in(client, "officer", "wrong").status_code == 401
        refused = page_sign_in(client, "Officer ", "demo")
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "31"
    text = refused.get_data(as_text=True)
    assert "Too many sign-in attempts" in text and "Try again after 09:00 UTC (in 1 minute)" in text
    assert "Sign out" not in text
    assert attempts(web) == 3  # the refused attempt is not counted, so it does not push the time back
    with processes.clock.frozen_at(T0 + timedelta(seconds=30)):
        assert page_sign_in(client, "officer", "wrong").status_code == 401
        assert page_sign_in(client, "officer", "demo").headers["Retry-After"] == "61"
    with processes.clock.frozen_at(T0 + timedelta(seconds=90)):
        assert page_sign_in(client, "officer", "wrong").status_code == 401
        assert page_sign_in(client, "officer", "demo").headers["Retry-After"] == "121"
    assert [sign_in.pair_delay(n).total_seconds() for n in range(1, 10)] == [
        0,
        0,
        30,
        60,
        120,
        240,
        480,
        900,
        900,
    ]
    with processes.clock.frozen_at(T0 + timedelta(seconds=90 + 120)):
        assert page_sign_in(client, "officer", "demo").status_code == 302


def test_an_attacker_elsewhere_does_not_lock_the_owner_out(web):
    attacker, owner = web.test_client(), web.test_client()
    with processes.clock.frozen_at(T0):
        at = fail(attacker, "officer", 4, ip="203.0.113.7")
    with processes.clock.frozen_at(at - timedelta(seconds=1)):
        assert page_sign_in(attacker, "officer", "demo", ip="203.0.113.7").status_code == 429
        assert page_sign_in(owner, "officer", "demo", ip="10.0.0.1").status_code == 302
        assert api_sign_in(owner, "officer", "demo", ip="10.0.0.1").status_code == 200


def test_a_known_good_device_gets_in_on_the_attackers_address(web):
    owner, attacker = web.test_client(), web.test_client()
    with processes.clock.frozen_at(T0):
        assert page_sign_in(owner, "officer", "demo", ip="10.5.5.5").status_code == 302
        assert owner.get_cookie("known_device") is not None
        owner.post("/logout")
    with processes.clock.frozen_at(T0 + timedelta(minutes=1)):
        at = fail(attacker, "officer", 4, ip="10.5.5.5")
    with processes.clock.frozen_at(at - timedelta(seconds=1)):
        for n in range(30):
            page_sign_in(attacker, f"guess{n}", "wrong", ip="10.5.5.5")
        assert page_sign_in(attacker, "officer", "demo", ip="10.5.5.5").status_code == 429
        # The device cookie lets its own user past, with the right password only.
        assert page_sign_in(owner, "officer", "wrong", ip="10.5.5.5").status_code == 401
        assert page_sign_in(owner, "supervisor", "demo", ip="10.5.5.5").status_code == 429
        signed_in = page_sign_in(owner, "officer", "demo", ip="10.5.5.5")
        assert signed_in.status_code == 302
        # A forged or another user's cookie is no key.
        attacker.set_cookie("known_device", owner.get_cookie("known_device").value[:-2] + "00")
        assert page_sign_in(attacker, "officer", "demo", ip="10.5.5.5").status_code == 429


def test_a_password_change_revokes_known_good_devices(web):
    owner = web.test_client()
    with processes.clock.frozen_at(T0):
        assert page_sign_in(owner, "officer", "demo", ip="10.5.5.5").status_code == 302
        new = "a long new passphrase"
        form = {"current": "demo", "new": new, "confirm": new}
        assert owner.post("/account/password", data=form).status_code == 302
        at = fail(web.test_client(), "officer", 4, ip="10.5.5.5")
    with processes.clock.frozen_at(at - timedelta(seconds=1)):
        assert page_sign_in(owner, "officer", new, ip="10.5.5.5").status_code == 429


def test_the_owner_is_told_of_failed_attempts_after_signing_in(web):
    owner = web.test_client()
    with processes.clock.frozen_at(T0):
        assert page_sign_in(owner, "officer", "demo").status_code == 302
    with processes.clock.frozen_at(T0 + timedelta(hours=12, minutes=40)):
        fail(web.test_client(), "officer", 3, ip="203.0.113.7")
    with processes.clock.frozen_at(T0 + timedelta(hours=13)):
        signed_in = page_sign_in(owner, "officer", "demo", ip="10.0.0.1")
        page = owner.get(signed_in.headers["Location"], follow_redirects=True).get_data(as_text=True)
        assert (
            "3 failed sign-in attempts for your account since your last sign-in, the latest on "
            "2 March 2026 at 21:40, from 203.0.113.7."
        ) in page
        again = page_sign_in(owner, "officer", "demo", ip="10.0.0.1")
        assert "failed sign-in" not in owner.get(again.headers["Location"]).get_data(as_text=True)


def test_the_api_token_call_is_throttled_with_a_json_message(web):
    client = web.test_client()
    with processes.clock.frozen_at(T0):
        fail(client, "officer", 2, api=True)
        assert api_sign_in(client, "officer", "wrong").status_code == 401
        refused = api_sign_in(client, "officer", "demo")
        assert refused.status_code == 429
        assert refused.json["code"] == 429
        assert refused.json["message"].startswith("Too many sign-in attempts")
        assert "09:00 UTC" in refused.json["message"]
        assert refused.headers["Retry-After"] == str(30 + 1)
        assert "token" not in refused.json
        # Failures on the page and on the API count together.
        assert page_sign_in(client, "officer", "demo").status_code == 429
        # Another user is not held up, nor this one from another address.
        assert api_sign_in(client, "supervisor", "demo").status_code == 200
        assert api_sign_in(client, "officer", "demo", ip="10.7.7.7").status_code == 200


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
        at = fail(client, "officer", 3, ip="10.2.2.2")
    with processes.clock.frozen_at(at - timedelta(seconds=1)):
        # Someone signs in well from the guessing address, and from the officer's address.
        assert api_sign_in(client, "admin", "demo", ip="10.9.9.9").status_code == 200
        assert api_sign_in(client, "supervisor", "demo", ip="10.2.2.2").status_code == 200
        assert page_sign_in(client, "guess29", "wrong", ip="10.9.9.9").status_code == 401
        assert api_sign_in(client, "admin", "demo", ip="10.9.9.9").status_code == 429
        assert api_sign_in(client, "officer", "demo", ip="10.2.2.2").status_code == 429


def test_a_users_success_starts_their_count_again(web):
    client = web.test_client()
    with processes.clock.frozen_at(T0):
        at = fail(client, "officer", 3)
    with processes.clock.frozen_at(at):
        assert api_sign_in(client, "officer", "demo").status_code == 200
        for _ in range(2):
            assert page_sign_in(client, "officer", "wrong").status_code == 401
        assert api_sign_in(client, "officer", "demo").status_code == 200
        for _ in range(3):
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
        for _ in range(2):
            page_sign_in(client, "officer", "wrong")
        for _ in range(2):
            api_sign_in(client, "officer", "wrong")
        assert api_sign_in(client, "supervisor", "demo").status_code == 200
    with storage.database(web).session() as session:
        signed_in = session.scalars(select(AuditEvent.username).where(AuditEvent.action == "sign-in"))
        assert list(signed_in) == ["supervisor"]
    with storage.database(web).session() as session:
        failed = select(AuditEvent.outcome).where(AuditEvent.action == "sign-in-failed")
        outcomes = list(session.scalars(failed.order_by(AuditEvent.id)))
    assert outcomes == ["failed"] * 3 + ["throttled"]


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


def test_the_app_itself_hashes_at_argon2ids_default_cost():
    """The tests hash at argon2id's lowest cost (tests/conftest.py); the app, in an interpreter of
    its own, hashes passwords, and checks unknown usernames, at the default (64 MiB, 3 passes)."""
    script = "from casework import people; print(people.hash_password('demo')); print(people._DUMMY_HASH)"
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True)
    hashes = out.stdout.split()
    assert len(hashes) == 2 and all(h.startswith("$argon2id$v=19$m=65536,t=3,p=4$") for h in hashes), hashes


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
