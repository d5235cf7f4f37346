"""Two-factor sign-in over HTTP: setting it up, the code asked for after the password (wrong,
reused, a recovery code used twice, throttled), roles that must use it, turning it off, an
administrator's reset, and POST /api/token's ``totp``. The clock is moved, never waited on."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pyotp
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

import processes
from casework.settings import ConfigError
from db.models import AuditEvent, RecoveryCode, User, UserSecondFactor
from tests.conftest import T0
from webapp import storage

IP = {"REMOTE_ADDR": "10.0.0.7"}


def make_app(db_url: str, required: str = "") -> Flask:
    from webapp import create_app

    return create_app(
        {
            "TESTING": True,
            "DATABASE_URL": db_url,
            "SECRET_KEY": "test-secret",
            "WTF_CSRF_ENABLED": False,
            "TWO_FACTOR_REQUIRED_ROLES": required,
        }
    )


@pytest.fixture
def web(db_url: str) -> Iterator[Flask]:
    app = make_app(db_url)
    yield app
    app.extensions["database"].dispose()


@pytest.fixture
def strict(db_url: str) -> Iterator[Flask]:
    app = make_app(db_url, "admin,manager")
    yield app
    app.extensions["database"].dispose()


def password(client: FlaskClient, username: str, secret: str = "demo") -> Any:
    return client.post("/login", data={"username": username, "password": secret}, environ_base=IP)


def send_code(client: FlaskClient, code: str) -> Any:
    return client.post("/login/code", data={"code": code}, environ_base=IP)


def code_at(key: str, seconds: int = 0) -> str:
    """The code the app shows ``seconds`` after the app's clock (the frozen one in a test)."""
    return pyotp.TOTP(key).at(processes.clock.now() + timedelta(seconds=seconds))


def signed_in(client: FlaskClient) -> bool:
    return client.get("/notifications").status_code == 200


def enrol(client: FlaskClient) -> tuple[str, list[str]]:
    """Set up two-factor from the page (signed in, or pending); the secret and recovery codes."""
    page = client.get("/two-factor/set-up").get_data(as_text=True)
    assert "<svg" in page  # the QR code, inline
    secret = re.search(r'id="two-factor-secret">([A-Z2-7 ]+)<', page)
    assert secret is not None
    key = secret.group(1).replace(" ", "")
    answer = client.post("/two-factor/set-up", data={"code": code_at(key)}, environ_base=IP)
    assert answer.status_code == 200, answer.get_data(as_text=True)
    codes = re.findall(r"<li><code>([0-9a-f-]{19})</code></li>", answer.get_data(as_text=True))
    assert len(codes) == 10
    return key, codes


def officer_with_two_factor(app: Flask) -> tuple[str, list[str]]:
    client = app.test_client()
    assert password(client, "officer").status_code == 302
    return enrol(client)


def test_setting_up_needs_a_right_code_and_shows_ten_recovery_codes_stored_hashed(web):
    client = web.test_client()
    password(client, "officer")
    client.get("/two-factor/set-up")
    wrong = client.post("/two-factor/set-up", data={"code": "123456"}, environ_base=IP)
    assert wrong.status_code == 400
    assert "The code is not right" in wrong.get_data(as_text=True)
    with storage.database(web).session() as session:
        factor = session.scalar(select(UserSecondFactor))
        assert factor is not None and factor.enabled_at is None  # not on until confirmed
    _, codes = enrol(client)
    with storage.database(web).session() as session:
        hashes = list(session.scalars(select(RecoveryCode.code_hash)))
        assert len(hashes) == 10 and not set(codes) & set(hashes)
        assert session.scalar(select(AuditEvent).where(AuditEvent.action == "two-factor-on")) is not None
    assert "is <strong>on</strong>" in client.get("/account/two-factor").get_data(as_text=True)


def test_the_password_alone_does_not_sign_in_and_a_wrong_code_is_refused(web):
    with processes.clock.frozen_at(T0):
        key, _ = officer_with_two_factor(web)
    client = web.test_client()
    with processes.clock.frozen_at(T0 + timedelta(minutes=1)):
        answer = password(client, "officer")
        assert answer.status_code == 302 and answer.headers["Location"].endswith("/login/code")
        assert not signed_in(client)
        wrong = send_code(client, "000000" if code_at(key) != "000000" else "111111")
        assert wrong.status_code == 401
        assert "The code is not right" in wrong.get_data(as_text=True)
        assert 'value=""' in wrong.get_data(as_text=True) and 'aria-invalid="true"' in wrong.get_data(
            as_text=True
        )
        assert not signed_in(client)
        assert send_code(client, code_at(key)).status_code == 302
        assert signed_in(client)


def test_a_code_cannot_be_used_twice_within_its_window(web):
    with processes.clock.frozen_at(T0):
        key, _ = officer_with_two_factor(web)
    code = pyotp.TOTP(key).at(T0 + timedelta(seconds=60))
    with processes.clock.frozen_at(T0 + timedelta(seconds=60)):
        first = web.test_client()
        password(first, "officer")
        assert send_code(first, code).status_code == 302
        second = web.test_client()
        password(second, "officer")
        again = send_code(second, code)
    assert again.status_code == 401
    assert not signed_in(second)
    with storage.database(web).session() as session:
        failed = session.scalar(select(AuditEvent).where(AuditEvent.action == "sign-in-failed"))
        assert failed is not None and failed.username == "officer" and failed.outcome == "failed"
    # The code of the step after is still good (a clock a little ahead).
    with processes.clock.frozen_at(T0 + timedelta(seconds=70)):
        assert send_code(second, pyotp.TOTP(key).at(T0 + timedelta(seconds=90))).status_code == 302


def test_a_recovery_code_signs_in_once(web):
    _, codes = officer_with_two_factor(web)
    client = web.test_client()
    password(client, "officer")
    answer = send_code(client, codes[3].upper())  # as typed from paper, in capitals
    assert answer.status_code == 302
    assert "You have 9 left" in client.get("/notifications").get_data(as_text=True)
    other = web.test_client()
    password(other, "officer")
    assert send_code(other, codes[3]).status_code == 401
    assert not signed_in(other)
    with storage.database(web).session() as session:
        used = session.scalar(select(AuditEvent).where(AuditEvent.action == "two-factor-recovery-code-used"))
        assert used is not None and used.username == "officer"


def test_wrong_codes_are_throttled_like_wrong_passwords(web):
    with processes.clock.frozen_at(T0):
        key, _ = officer_with_two_factor(web)
    client = web.test_client()
    with processes.clock.frozen_at(T0 + timedelta(minutes=5)):
        password(client, "officer")
        for _ in range(3):
            assert send_code(client, "999999").status_code == 401
        held = send_code(client, pyotp.TOTP(key).at(T0 + timedelta(minutes=5)))
    assert held.status_code == 429 and "Too many sign-in attempts" in held.get_data(as_text=True)
    assert not signed_in(client)


def test_a_pending_sign_in_expires(web):
    with processes.clock.frozen_at(T0):
        key, _ = officer_with_two_factor(web)
        client = web.test_client()
        password(client, "officer")
    later = T0 + timedelta(minutes=11)
    with processes.clock.frozen_at(later):
        answer = send_code(client, pyotp.TOTP(key).at(later))
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/login")


def test_the_token_endpoint_needs_the_current_code(web):
    with processes.clock.frozen_at(T0):
        key, _ = officer_with_two_factor(web)
    client = web.test_client()
    body = {"username": "officer", "password": "demo"}
    at = T0 + timedelta(minutes=1)
    with processes.clock.frozen_at(at):
        missing = client.post("/api/token", json=body, environ_base=IP)
        assert missing.status_code == 401
        assert "send the 6-digit code" in missing.json["message"]
        wrong = client.post("/api/token", json={**body, "totp": "12345x"}, environ_base=IP)
        assert wrong.status_code == 401 and "not right" in wrong.json["message"]
        code = pyotp.TOTP(key).at(at)
        good = client.post("/api/token", json={**body, "totp": code}, environ_base=IP)
        assert good.status_code == 200 and good.json["token"]
        reused = client.post("/api/token", json={**body, "totp": code}, environ_base=IP)
        assert reused.status_code == 401
    too_long = client.post("/api/token", json={**body, "totp": "1" * 41}, environ_base=IP)
    assert too_long.status_code == 422


def test_roles_that_must_use_it_set_it_up_before_anything_else(strict):
    client = strict.test_client()
    answer = password(client, "admin")
    assert answer.headers["Location"].endswith("/two-factor/set-up")
    assert not signed_in(client)
    token = client.post("/api/token", json={"username": "admin", "password": "demo"}, environ_base=IP)
    assert token.status_code == 401 and "has not set it up" in token.json["message"]
    enrol(client)
    assert signed_in(client)
    # It cannot be turned off by the person.
    off = client.post("/account/two-factor/off", data={"code": "000000"}, environ_base=IP)
    assert off.status_code == 400 and "cannot be turned off" in off.get_data(as_text=True)
    # An officer is not asked.
    officer = strict.test_client()
    assert password(officer, "officer").headers["Location"] == "/"


def test_someone_signed_in_before_it_was_required_is_sent_to_set_it_up(web, db_url):
    client = web.test_client()
    password(client, "manager")
    assert signed_in(client)
    web.config["TWO_FACTOR_REQUIRED_ROLES"] = "all"
    answer = client.get("/")
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/two-factor/set-up")
    enrol(client)
    assert client.get("/").status_code == 200


def test_a_person_turns_it_off_with_a_code(web):
    with processes.clock.frozen_at(T0):
        key, _ = officer_with_two_factor(web)
    client = web.test_client()
    at = T0 + timedelta(minutes=2)
    with processes.clock.frozen_at(at):
        password(client, "officer")
        send_code(client, pyotp.TOTP(key).at(at))
        wrong = client.post("/account/two-factor/off", data={"code": "bad"}, environ_base=IP)
        assert wrong.status_code == 400 and "The code is not right" in wrong.get_data(as_text=True)
    later = at + timedelta(minutes=1)
    with processes.clock.frozen_at(later):
        off = client.post(
            "/account/two-factor/off", data={"code": pyotp.TOTP(key).at(later)}, environ_base=IP
        )
    assert off.status_code == 302
    assert password(web.test_client(), "officer").headers["Location"] == "/"


def test_an_administrator_resets_someones_two_factor(web):
    officer_with_two_factor(web)
    admin = web.test_client()
    password(admin, "admin")
    page = admin.get("/people/two-factor").get_data(as_text=True)
    assert "officer" in page and "Being set up" not in page
    unknown = admin.post("/people/two-factor/reset", data={"username": "nobody"}, environ_base=IP)
    assert unknown.status_code == 400 and "There is no one with the username" in unknown.get_data(
        as_text=True
    )
    assert 'value="nobody"' in unknown.get_data(as_text=True)  # what was typed is kept
    done = admin.post("/people/two-factor/reset", data={"username": "Officer "}, environ_base=IP)
    assert done.status_code == 302
    with storage.database(web).session() as session:
        officer = session.scalar(select(User).where(User.username == "officer"))
        assert officer is not None and session.get(UserSecondFactor, officer.id) is None
        entry = session.scalar(select(AuditEvent).where(AuditEvent.action == "two-factor-reset"))
        assert entry is not None and entry.username == "admin" and entry.subject == "officer"
    again = admin.post("/people/two-factor/reset", data={"username": "officer"}, environ_base=IP)
    assert again.status_code == 400 and "nothing to reset" in again.get_data(as_text=True)
    assert password(web.test_client(), "officer").headers["Location"] == "/"
    # Not for an officer.
    officer_client = web.test_client()
    password(officer_client, "officer")
    assert officer_client.post("/people/two-factor/reset", data={"username": "admin"}).status_code == 403


def test_an_unknown_role_in_the_setting_is_refused(db_url):
    with pytest.raises(ConfigError, match="roles that do not exist: wizard"):
        make_app(db_url, "admin,wizard")
