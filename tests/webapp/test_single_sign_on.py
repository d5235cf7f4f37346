"""Single sign-on against a real OpenID Connect provider (``tests/oidc_provider``) on loopback:
Authlib runs the whole code flow (PKCE, state, nonce, the provider's keys); nothing is mocked.
Every bad answer (a forged, expired, wrong-audience or wrong-issuer ID token, a bad state, a
provider that is down, a person in no mapped group) gets a clear message and changes nothing."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from casework import people
from db.models import AuditEvent, User, UserIdentity
from tests.conftest import T0
from tests.oidc_provider import OFFICER, Provider, free_port
from webapp import create_app

CALLBACK = "http://localhost/sso/callback"
LOGIN = "http://localhost/login"
SUPERVISOR = {
    "sub": "entra-0002",
    "email": "supervisor@example.org",
    "name": "Sam S",
    "groups": ["HC-Supervisors"],
}
STRANGER = {"sub": "entra-0003", "email": "stranger@landlord.example", "name": "Stan", "groups": ["Finance"]}


@pytest.fixture(scope="module")
def provider() -> Iterator[Provider]:
    running = Provider([CALLBACK], [LOGIN], accounts=[OFFICER, SUPERVISOR, STRANGER]).start()
    yield running
    running.stop()


def make_app(db_url: str, **settings: Any) -> Flask:
    return create_app({"TESTING": True, "DATABASE_URL": db_url, "SECRET_KEY": "test-secret", **settings})


@pytest.fixture
def sso_app(db_url: str, provider: Provider) -> Iterator[Flask]:
    provider.tamper("none")
    app = make_app(db_url, **provider.settings())
    yield app
    app.extensions["database"].dispose()
    provider.tamper("none")


def through_provider(client: FlaskClient, provider: Provider, email: str, next_: str = "") -> Any:
    start = client.get("/sso/start" + (f"?next={next_}" if next_ else ""))
    assert start.status_code == 302, start.get_data(as_text=True)
    sent = parse_qs(urlsplit(start.headers["Location"]).query)
    assert sent["code_challenge_method"] == ["S256"] and sent["code_challenge"][0]
    assert sent["state"][0] and sent["nonce"][0]
    back = provider.sign_in(start.headers["Location"], email, until=CALLBACK)
    return client.get(back.removeprefix("http://localhost"))


def counts(app: Flask) -> tuple[int, int, list[str]]:
    with app.extensions["database"].session() as session:
        users = session.scalar(select(func.count()).select_from(User)) or 0
        identities = session.scalar(select(func.count()).select_from(UserIdentity)) or 0
        roles = [f"{u.username}:{u.role}:{','.join(u.group_names)}" for u in session.scalars(select(User))]
        return users, identities, sorted(roles)


def signed_in(client: FlaskClient) -> bool:
    return client.get("/notifications").status_code == 200


def audit_actions(app: Flask) -> list[tuple[str, str | None, str | None]]:
    with app.extensions["database"].session() as session:
        rows = session.scalars(select(AuditEvent).order_by(AuditEvent.id))
        return [(e.action, e.username, e.detail) for e in rows]


def csrf(client: FlaskClient, path: str) -> str:
    page = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]


def test_first_sign_in_creates_the_person_with_the_mapped_role_and_team(sso_app: Flask, provider: Provider):
    client = sso_app.test_client()
    page = client.get("/login").get_data(as_text=True)
    assert "Sign in with Landlord Account" in page
    answer = through_provider(client, provider, OFFICER["email"], next_="/notifications")
    assert answer.status_code == 302, answer.get_data(as_text=True)
    assert answer.headers["Location"] == "/notifications"
    assert signed_in(client)
    with sso_app.extensions["database"].session() as session:
        user = session.scalar(select(User).where(User.email == OFFICER["email"]))
        assert user is not None
        assert (user.username, user.display_name, user.role) == ("priya.patel", "Priya Patel", "officer")
        assert user.group_names == ["community-safety"]
        identity = session.scalar(select(UserIdentity))
        assert identity is not None and (identity.issuer, identity.subject) == (
            provider.issuer,
            OFFICER["sub"],
        )
    actions = audit_actions(sso_app)
    assert ("sso-linked", "priya.patel", "created") in actions
    assert ("sign-in", "priya.patel", "single sign-on") in actions
    # A second sign-in finds the same person by their identity: no new user.
    before = counts(sso_app)
    fresh = sso_app.test_client()
    through_provider(fresh, provider, OFFICER["email"])
    assert signed_in(fresh) and counts(sso_app) == before


def test_an_existing_account_is_matched_by_email_and_its_password_switched_off(
    sso_app: Flask, provider: Provider
):
    client = sso_app.test_client()
    users_before = counts(sso_app)[0]
    through_provider(client, provider, SUPERVISOR["email"])  # the demo supervisor's address
    assert signed_in(client) and counts(sso_app)[0] == users_before
    assert "supervisor:supervisor:community-safety,supervisors" in counts(sso_app)[2]
    other = sso_app.test_client()
    refused = other.post(
        "/login", data={"username": "supervisor", "password": "demo", "csrf_token": csrf(other, "/login")}
    )
    assert refused.status_code == 401
    assert "This account signs in with Landlord Account, not a password here" in refused.get_data(
        as_text=True
    )
    token = sso_app.test_client().post("/api/token", json={"username": "supervisor", "password": "demo"})
    assert token.status_code == 401
    assert ("sso-linked", "supervisor", "linked") in audit_actions(sso_app)


def test_role_and_teams_follow_the_groups_on_each_sign_in_and_a_change_is_audited(
    db_url: str, provider: Provider
):
    first = make_app(db_url, **provider.settings())
    through_provider(first.test_client(), provider, OFFICER["email"])
    first.extensions["database"].dispose()
    promoted = {"HC-Officers": {"role": "supervisor", "teams": ["supervisors"]}}
    app = make_app(db_url, **provider.settings(OIDC_GROUP_MAP=promoted))
    try:
        client = app.test_client()
        through_provider(client, provider, OFFICER["email"])
        assert "priya.patel:supervisor:supervisors" in counts(app)[2]
        changed = [a for a in audit_actions(app) if a[0] == "sso-access-changed"]
        assert changed[-1] == (
            "sso-access-changed",
            "priya.patel",
            "role officer; teams community-safety -> role supervisor; teams supervisors",
        )
    finally:
        app.extensions["database"].dispose()


UNTRUSTED = "could not be trusted (its signed token did not check out)"


@pytest.mark.parametrize("mode", ["forged", "expired", "audience", "issuer"])
def test_a_bad_id_token_is_refused_and_changes_nothing(sso_app: Flask, provider: Provider, mode: str):
    before = counts(sso_app)
    provider.tamper(mode)
    client = sso_app.test_client()
    answer = through_provider(client, provider, OFFICER["email"])
    assert answer.status_code == 400
    assert UNTRUSTED in answer.get_data(as_text=True)
    assert counts(sso_app) == before and not signed_in(client)
    assert any(a == "sign-in-failed" and d and UNTRUSTED in d for a, _, d in audit_actions(sso_app))


def test_a_bad_or_replayed_state_is_refused(sso_app: Flask, provider: Provider):
    before = counts(sso_app)
    client = sso_app.test_client()
    start = client.get("/sso/start")
    back = provider.sign_in(start.headers["Location"], OFFICER["email"], until=CALLBACK)
    forged = re.sub(r"state=[^&]+", "state=not-the-one-we-sent", back)
    answer = client.get(forged.removeprefix("http://localhost"))
    assert answer.status_code == 400
    assert "That sign-in was not started here or has expired" in answer.get_data(as_text=True)
    other = sso_app.test_client()  # another browser, with the right state but not its cookie
    stolen = other.get(back.removeprefix("http://localhost"))
    assert stolen.status_code == 400 and not signed_in(other)
    assert counts(sso_app) == before and not signed_in(client)


def test_a_person_in_no_mapped_group_is_refused(sso_app: Flask, provider: Provider):
    before = counts(sso_app)
    client = sso_app.test_client()
    answer = through_provider(client, provider, STRANGER["email"])
    assert answer.status_code == 403
    assert "not in any group that gives access to this system" in answer.get_data(as_text=True)
    assert counts(sso_app) == before and not signed_in(client)


def test_a_provider_that_is_down_gets_a_clear_message(db_url: str):
    down = f"http://127.0.0.1:{free_port()}"
    app = make_app(db_url, **Provider([], []).settings(OIDC_ISSUER=down))
    try:
        before = counts(app)
        client = app.test_client()
        answer = client.get("/sso/start")
        assert answer.status_code == 503
        assert "cannot be reached just now" in answer.get_data(as_text=True)
        assert counts(app) == before and not signed_in(client)
    finally:
        app.extensions["database"].dispose()


def test_sign_out_ends_the_session_and_goes_to_the_providers_end_session(sso_app: Flask, provider: Provider):
    client = sso_app.test_client()
    through_provider(client, provider, OFFICER["email"])
    copied = sso_app.test_client()
    copied.set_cookie("session", client.get_cookie("session").value)  # type: ignore[union-attr]
    answer = client.post("/logout", data={"csrf_token": csrf(client, "/notifications")})
    assert answer.status_code == 302
    end = urlsplit(answer.headers["Location"])
    assert f"{end.scheme}://{end.netloc}{end.path}" == f"{provider.issuer}/session/end"
    query = parse_qs(end.query)
    assert query["post_logout_redirect_uri"] == [LOGIN] and query["id_token_hint"][0].count(".") == 2
    assert not signed_in(client) and not signed_in(copied)


def test_without_the_settings_there_is_no_button_and_no_route(client: FlaskClient):
    assert "Sign in with" not in client.get("/login").get_data(as_text=True)
    assert client.get("/sso/start").status_code == 404


def test_a_single_sign_on_user_makes_an_api_token_on_the_tokens_page(sso_app: Flask, provider: Provider):
    client = sso_app.test_client()
    through_provider(client, provider, OFFICER["email"])
    page = client.post("/account/tokens/new", data={"csrf_token": csrf(client, "/account/tokens")})
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    token = re.search(r'id="new-token" type="text" readonly value="([^"]+)"', page.get_data(as_text=True))
    assert token is not None
    calls = sso_app.test_client().get("/api/tasks", headers={"Authorization": f"Bearer {token.group(1)}"})
    assert calls.status_code == 200
    assert "Make a new token" in client.get("/account/tokens").get_data(as_text=True)
    assert token.group(1) not in client.get("/account/tokens").get_data(as_text=True)


def test_a_deactivated_account_is_refused_and_an_ambiguous_email_is_not_guessed(
    sso_app: Flask, provider: Provider
):
    through_provider(sso_app.test_client(), provider, OFFICER["email"])
    with sso_app.extensions["database"].session() as session:
        people.deactivate(session, "priya.patel", by="admin", now=T0)
        for name in ("officer", "manager"):  # two accounts with the supervisor's address
            user = session.scalar(select(User).where(User.username == name))
            assert user is not None
            user.email = SUPERVISOR["email"].upper()
        session.commit()
    before = counts(sso_app)
    client = sso_app.test_client()
    answer = through_provider(client, provider, OFFICER["email"])
    assert answer.status_code == 403 and "has been switched off" in answer.get_data(as_text=True)
    answer = through_provider(client, provider, SUPERVISOR["email"])
    assert answer.status_code == 403
    assert "More than one account here has your email address" in answer.get_data(as_text=True)
    assert counts(sso_app) == before and not signed_in(client)
