"""The subject access page and API: search, choose, download (HTML and JSON), errors, the audit
entries, and officers refused."""

from __future__ import annotations

import json
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from db.models import AuditEvent
from tests.consent_cases import report_case
from tests.webapp.test_api import token
from tests.webapp.test_supervision_pages import section, sign_in, text


@pytest.fixture
def web(app: Flask) -> FlaskClient:
    app.config["WTF_CSRF_ENABLED"] = False
    return app.test_client()


@pytest.fixture
def case(app: Flask) -> str:
    return report_case(app.extensions["database"])


def _entries(app: Flask, action: str) -> list[AuditEvent]:
    with app.extensions["database"].session() as session:
        return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def test_a_manager_finds_the_person_and_downloads_a_readable_redacted_page(app, web, case):
    sign_in(web, "manager")
    page = web.get("/subject-access").get_data(as_text=True)
    assert 'id="subject-search"' in page and 'id="matches"' not in page
    assert "Subject access</a>" in page  # in the navigation
    page = web.get("/subject-access", query_string={"email": "amira@example.org"}).get_data(as_text=True)
    matches = text(section(page, "matches")).replace(" ,", ",")
    keys = re.findall(r'name="who" value="([a-z]+:[0-9]+)"', page)
    assert len(keys) == 2
    assert "Amira Khan, victim on case " + case in matches
    assert "Amira Khan, reporter (named on the report) on case " + case in matches
    (search,) = _entries(app, "search")
    assert search.username == "manager" and search.detail == "email=amira@example.org"
    answer = web.post(
        "/subject-access/export",
        data={"who": keys, "format": "html", "email": "amira@example.org"},
    )
    assert answer.status_code == 200 and answer.mimetype == "text/html"
    assert answer.headers["Content-Disposition"] == 'attachment; filename="subject-access-amira-khan.html"'
    body = answer.get_data(as_text=True)
    assert f"Case {case}" in body and "What is withheld, and why" in body
    assert "[alleged perpetrator] shouted racist abuse at Amira Khan; [witness] saw it" in body
    assert "Brian" not in body and "Carl" not in body
    assert "Age: 35 to 44" in body
    (export,) = _entries(app, "export")
    assert export.username == "manager" and case in export.subject


def test_the_json_download_and_an_export_with_nothing_chosen(app, web, case):
    sign_in(web, "admin")
    page = web.get("/subject-access", query_string={"address": "4 Birch"}).get_data(as_text=True)
    keys = re.findall(r'name="who" value="(party:[0-9]+)"', page)
    answer = web.post("/subject-access/export", data={"who": keys, "format": "json"})
    assert answer.headers["Content-Disposition"].endswith('.json"')
    data = json.loads(answer.get_data(as_text=True))
    assert data["cases"][0]["reference"] == case and data["cases"][0]["roles"] == ["Victim"]
    answer = web.post("/subject-access/export", data={"format": "json", "name": "Amira"})
    assert answer.status_code == 422
    page = answer.get_data(as_text=True)
    assert "Choose the matches that are the person." in text(page)
    assert "Amira Khan, victim on case" in text(section(page, "matches")).replace(" ,", ",")
    assert len(_entries(app, "export")) == 1


def test_a_search_without_a_usable_term_says_so(web, case):
    sign_in(web, "manager")
    answer = web.get("/subject-access", query_string={"name": "a"})
    assert answer.status_code == 422
    assert "Give at least 2 characters." in text(answer.get_data(as_text=True))


@pytest.mark.parametrize("role", ["officer", "supervisor"])
def test_officers_and_supervisors_are_refused(app, web, case, role):
    sign_in(web, role)
    assert web.get("/subject-access", query_string={"name": "Amira"}).status_code == 403
    assert web.post("/subject-access/export", data={"who": ["party:1"], "format": "json"}).status_code == 403
    assert "Subject access</a>" not in web.get("/notifications").get_data(as_text=True)
    assert _entries(app, "export") == [] and _entries(app, "search") == []
    client = app.test_client()
    assert client.get("/api/subject-access?name=Amira", headers=token(client, role)).status_code == 403


def test_the_api_searches_and_exports(app, client, case):
    headers = token(client, "manager")
    answer = client.get("/api/subject-access", query_string={"phone": "07700 900123"}, headers=headers)
    assert answer.status_code == 200
    (match,) = answer.get_json()
    assert (match["role"], match["case_reference"], match["matched"]) == ("Victim", case, ["phone"])
    answer = client.post("/api/subject-access/export", json={"who": [match["key"]]}, headers=headers)
    assert answer.status_code == 200 and answer.get_json()["names"] == ["Amira Khan"]
    assert client.post("/api/subject-access/export", json={"who": []}, headers=headers).status_code == 422
    assert client.get("/api/subject-access", headers=headers).status_code == 422
    assert [e.action for e in _entries(app, "export")] == ["export"]
