"""Security headers on every answer, CSRF on every form, and no personal data in the logs."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from webapp import log_privacy, public
from webapp.security_headers import CONTENT_SECURITY_POLICY, DIAGRAM_POLICY

REPORT = {"description": "Shouted abuse", "location": "1 Elm Road", "strands": ["race"]}
CSRF_INPUT = re.compile(r'<input type="hidden" name="csrf_token" value="[^"]+">')
POST_FORM = re.compile(r"<form\b[^>]*method=\"post\"[^>]*>(.*?)</form>", re.S | re.I)


def sign_in(client: FlaskClient, username: str) -> None:
    page = client.get("/login").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    answer = client.post("/login", data={"username": username, "password": "demo", "csrf_token": csrf})
    assert answer.status_code == 302, answer.get_data(as_text=True)


def test_every_kind_of_answer_carries_the_security_headers(client):
    reference = client.post("/api/reports", json=REPORT).json["reference"]
    answers = [
        client.get("/login"),
        client.get("/report"),
        client.get("/static/app.css"),
        client.get("/api/tasks"),  # 401
        client.get("/no-such-page"),  # 404
        client.get(f"/cases/{reference}"),  # redirect to sign in
        client.get("/healthz"),
    ]
    for answer in answers:
        headers = answer.headers
        assert headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY, answer.request.path
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "same-origin"
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["Permissions-Policy"] == "camera=(), microphone=(), geolocation=()"
        assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
        assert "Strict-Transport-Security" not in headers  # demo mode runs on plain http
        answer.close()


def test_the_policy_allows_only_this_sites_scripts():
    directives = dict(d.split(" ", 1) for d in CONTENT_SECURITY_POLICY.split("; "))
    assert directives["script-src"] == "'self'"
    assert directives["default-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["form-action"] == "'self'"
    assert directives["base-uri"] == "'self'"
    assert directives["img-src"] == "'self' data:"
    assert directives["font-src"] == "'self' data:"
    assert directives["connect-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    # Only the pages that draw a diagram with bpmn-js allow inline styles, and nothing else more.
    diagram = dict(d.split(" ", 1) for d in DIAGRAM_POLICY.split("; "))
    assert diagram == {**directives, "style-src": "'self' 'unsafe-inline'"}


def test_only_the_diagram_pages_get_the_diagram_policy(app):
    web = app.test_client()
    sign_in(web, "admin")
    for path in ("/modeller/hate_incident", "/modeller/hate_incident/migrate", "/dashboards/heatmap"):
        answer = web.get(path)
        assert answer.status_code == 200, path
        assert answer.headers["Content-Security-Policy"] == DIAGRAM_POLICY, path
    for path in ("/modeller/", "/dashboards/indicators", "/account/tokens"):
        answer = web.get(path)
        assert answer.status_code == 200, path
        assert answer.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY, path


def test_pages_and_api_answers_with_personal_data_are_not_cached(client, app):
    reference = client.post("/api/reports", json=REPORT).json["reference"]
    token = client.post("/api/token", json={"username": "officer", "password": "demo"}).json["token"]
    case = client.get(f"/api/cases/{reference}", headers={"Authorization": f"Bearer {token}"})
    assert case.status_code == 200 and case.headers["Cache-Control"] == "no-store"
    web = app.test_client()
    sign_in(web, "officer")
    for path in ("/", f"/cases/{reference}", "/notifications", "/account/tokens"):
        answer = web.get(path)
        assert answer.status_code == 200, path
        assert answer.headers["Cache-Control"] == "no-store", path
    assert client.get("/login").headers["Cache-Control"] == "no-store"
    app.config["WTF_CSRF_ENABLED"] = False
    typed_back = client.post("/report", data={"description": "Jo Bloggs shouted at me"})
    assert typed_back.status_code == 422 and "Jo Bloggs" in typed_back.get_data(as_text=True)
    assert typed_back.headers["Cache-Control"] == "no-store"
    assert "no-store" not in client.get("/report").headers.get("Cache-Control", "")
    static = client.get("/static/app.css")
    assert "no-store" not in static.headers.get("Cache-Control", "")
    static.close()


@pytest.fixture
def production_app(db_url: str) -> Iterator[Flask]:
    from webapp import create_app

    app = create_app(
        {"TESTING": True, "DATABASE_URL": db_url, "SECRET_KEY": "x" * 40, "HATECASES_ENV": "production"}
    )
    yield app
    app.extensions["database"].dispose()


def test_strict_transport_security_and_secure_cookies_in_production(production_app):
    web = production_app.test_client()
    answer = web.get("/login")
    assert answer.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', answer.get_data(as_text=True)).group(1)
    signed_in = web.post("/login", data={"username": "officer", "password": "demo", "csrf_token": csrf})
    assert signed_in.status_code == 302
    cookie = signed_in.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_the_session_cookie_is_httponly_and_samesite(client):
    page = client.get("/login").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    answer = client.post("/login", data={"username": "officer", "password": "demo", "csrf_token": csrf})
    cookie = answer.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # demo mode runs on plain http


# Pages with POST forms, and the role that sees them.
PAGES_WITH_FORMS = {
    "officer": ["/", "/cases/{reference}", "/tasks/{task_id}", "/notifications", "/account/tokens"],
    "supervisor": ["/cases/{reference}", "/supervision/reassign", "/dashboards/stuck"],
    "owner": ["/modeller/", "/modeller/hate_incident/migrate"],
}


def test_every_post_form_carries_the_csrf_token(client, app):
    reference = client.post("/api/reports", json=REPORT).json["reference"]
    token = client.post("/api/token", json={"username": "officer", "password": "demo"}).json["token"]
    headers = {"Authorization": f"Bearer {token}"}
    task_id = client.get(f"/api/cases/{reference}", headers=headers).json["open_tasks"][0]["id"]
    client.post("/api/token", json={"username": "officer", "password": "demo"})  # a row on /account/tokens
    forms = 0
    for page in ("/login", "/report"):
        for form in POST_FORM.findall(client.get(page).get_data(as_text=True)):
            assert CSRF_INPUT.search(form), f"a form on {page} has no CSRF token"
            forms += 1
    for username, paths in PAGES_WITH_FORMS.items():
        web = app.test_client()
        sign_in(web, username)
        for template in paths:
            path = template.format(reference=reference, task_id=task_id)
            answer = web.get(path)
            assert answer.status_code == 200, f"{username} {path}: {answer.status_code}"
            found = POST_FORM.findall(answer.get_data(as_text=True))
            assert found, f"no POST form on {path}"
            for form in found:
                assert CSRF_INPUT.search(form), f"a form on {path} has no CSRF token:\n{form[:300]}"
            forms += len(found)
    assert forms >= 15


def page_post_routes(app: Flask) -> list[str]:
    return sorted(
        rule.rule
        for rule in app.url_map.iter_rules()
        if "POST" in rule.methods and not rule.rule.startswith("/api/")
    )


def test_a_post_without_the_csrf_token_is_refused_with_a_clear_message(client, app):
    web = app.test_client()
    sign_in(web, "admin")
    routes = page_post_routes(app)
    assert "/login" in routes and "/report" in routes and "/account/tokens/<int:token_id>/revoke" in routes
    for rule in routes:
        path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: "1" if m.group(1).endswith("_id") else "x", rule)
        for asker in (client, web):
            answer = asker.post(path, data={"anything": "x"})
            text = answer.get_data(as_text=True)
            assert answer.status_code == 400, f"{path}: {answer.status_code}"
            assert "The form had expired. Go back, reload the page and send it again." in text, path
    # Signed-in and still signed in: the refused form changed nothing.
    assert web.get("/account/tokens").status_code == 200


def test_request_log_lines_lose_their_query_strings(caplog):
    log_privacy.install()
    caplog.set_level(logging.INFO, logger="werkzeug")
    logging.getLogger("werkzeug").info(
        "%s - - [%s] %s",
        "127.0.0.1",
        "27/Nov/2026 10:00:00",
        '"GET /inbox?q=Jo+Bloggs&page=2 HTTP/1.1" 200 -',
    )
    gunicorn = logging.getLogger("gunicorn.access")
    caplog.set_level(logging.INFO, logger="gunicorn.access")
    gunicorn.info(
        '%(h)s "%(r)s" %(s)s', {"h": "10.0.0.1", "r": "GET /audit?username=olivia HTTP/1.1", "s": "200"}
    )
    text = caplog.text
    assert "Bloggs" not in text and "olivia" not in text and "page=2" not in text
    assert '"GET /inbox HTTP/1.1" 200' in text and '"GET /audit HTTP/1.1" 200' in text


def test_strip_query_strings_keeps_what_is_not_a_query():
    assert log_privacy.strip_query_strings("GET /a/b?x=1 HTTP/1.1") == "GET /a/b HTTP/1.1"
    assert log_privacy.strip_query_strings("Running on http://127.0.0.1:5000") == (
        "Running on http://127.0.0.1:5000"
    )


def test_an_unexpected_error_is_logged_without_what_was_typed(app, caplog, monkeypatch):
    def broken(*args: object, **kwargs: object) -> None:
        raise ValueError(f"could not store {args!r}")

    monkeypatch.setattr(public.reports, "submit", broken)
    app.config["WTF_CSRF_ENABLED"] = False
    caplog.set_level(logging.ERROR)
    answer = app.test_client().post(
        "/report",
        data={
            "description": "My neighbour Jo Bloggs shouted abuse",
            "location": "7 Secret Lane",
            "strands": "race",
            "reporter_name": "Jo Bloggs",
        },
    )
    assert answer.status_code == 500
    page = answer.get_data(as_text=True)
    assert "Jo Bloggs" not in page and "Secret Lane" not in page
    assert "unhandled error on POST /report" in caplog.text
    assert "ValueError (message withheld)" in caplog.text
    assert "Jo Bloggs" not in caplog.text and "Secret Lane" not in caplog.text
