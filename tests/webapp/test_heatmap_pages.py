"""The heatmap page and its JSON through Flask's test client: who may see them, the figures as a
table and as JSON, the cases of one step without JavaScript, and an unknown process."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.bpmn.walk import FIRST_RESPONSE, Walk


@pytest.fixture
def web(app: Flask) -> FlaskClient:
    app.config["WTF_CSRF_ENABLED"] = False
    return app.test_client()


def sign_in(web: FlaskClient, username: str) -> None:
    assert web.post("/login", data={"username": username, "password": "demo"}).status_code == 302


@pytest.mark.parametrize("path", ["/dashboards/heatmap", "/dashboards/heatmap.json"])
def test_officers_may_not_see_the_heatmap(web, path):
    assert web.get(path).status_code == 302  # to the sign-in page
    sign_in(web, "officer")
    assert web.get(path).status_code == 403
    assert "Where cases wait" not in web.get("/").text


@pytest.mark.parametrize("username", ["supervisor", "manager", "admin"])
def test_the_page_tables_the_figures_and_lists_the_cases_of_a_step(web, database, username):
    now = datetime.now(UTC)
    older = Walk.report(database, at=now - timedelta(hours=5))
    newer = Walk.report(database, at=now - timedelta(hours=1))
    moved = Walk.report(database, at=now - timedelta(hours=3))
    moved.do("first_response", FIRST_RESPONSE)
    sign_in(web, username)
    assert 'href="/dashboards/heatmap"' in web.get("/").text

    page = web.get("/dashboards/heatmap").text
    assert 'data-json-url="/dashboards/heatmap.json?key=hate_incident"' in page
    assert "/static/vendor/heatmap.js" in page and "<script>" not in page  # no inline script
    assert '<tr data-element-id="first_response">' in page and "police_referral" in page
    assert 'id="heatmap-case-table"' not in page

    chosen = web.get("/dashboards/heatmap?element=first_response").text
    assert "Make the first response: 2 cases waiting" in chosen
    assert chosen.index(older.reference) < chosen.index(newer.reference)  # longest first
    assert f'<tr data-case="{moved.reference}">' not in chosen


def test_the_json_gives_every_waiting_element_with_its_cases(web, database):
    now = datetime.now(UTC)
    walks = [Walk.report(database, at=now - timedelta(hours=h)) for h in (6, 2)]
    sign_in(web, "manager")
    data = web.get("/dashboards/heatmap.json").get_json()
    assert data["key"] == "hate_incident" and data["version"] == 1
    assert data["xml"].lstrip().startswith("<?xml") and 'id="first_response"' in data["xml"]
    [element] = data["elements"]
    assert (element["element_id"], element["name"], element["count"]) == (
        "first_response",
        "Make the first response",
        2,
    )
    assert element["oldest_seconds"] == pytest.approx(6 * 3600, abs=120)
    assert element["median_seconds"] == pytest.approx(4 * 3600, abs=120)
    assert element["oldest_text"] == "6 hours"
    assert [c["reference"] for c in element["cases"]] == [w.reference for w in walks]
    assert element["cases"][0]["url"] == f"/cases/{walks[0].reference}"
    assert datetime.fromisoformat(element["cases"][0]["since"]) == walks[0].at


def test_an_unknown_process_is_not_found(web):
    sign_in(web, "supervisor")
    assert web.get("/dashboards/heatmap?key=nothing").status_code == 404
    assert web.get("/dashboards/heatmap.json?key=nothing").status_code == 404
