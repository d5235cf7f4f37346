"""Matching at intake through HTTP (issue 19 point 4): the API and the public form add a second
report by the same victim to their open case (the open case's reference, no second case); the
officer sees a possible match on a new case at the same address and links it from there; a
repeat victim is flagged on the case page."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from db.models import Case, CaseLink
from tests.webapp.test_intake_pages import good, places  # noqa: F401 (places: a fixture)
from tests.webapp.test_reporters import REPORT as PUBLIC
from tests.webapp.test_supervision_pages import section, sign_in, text

VICTIM = {
    "role": "victim",
    "name": "Amira Khan",
    "email": "amira@example.org",
    "address": "4 Birch Close, LS6 2AB",
}
REPORT = {
    "description": "Abuse shouted at my door",
    "location": "4 Birch Close, Leeds LS6 2AB",
    "strands": ["race"],
    "parties": [VICTIM],
}


@pytest.fixture
def web(app: Flask) -> FlaskClient:
    app.config["WTF_CSRF_ENABLED"] = False
    return app.test_client()


def _report(web: FlaskClient, **changes: Any) -> str:
    answer = web.post("/api/reports", json={**REPORT, **changes})
    assert answer.status_code == 201, answer.json
    return str(answer.json["reference"])


def _cases(app: Flask) -> int:
    with app.extensions["database"].session() as session:
        return int(session.scalar(select(func.count(Case.id))) or 0)


def test_a_second_report_by_the_same_victim_gets_the_open_cases_reference(
    app: Flask, web: FlaskClient
) -> None:
    first = _report(web)
    again = _report(web, description="They threw eggs at my window", location="Outside the shops")
    assert again == first
    assert _cases(app) == 1
    sign_in(web, "officer")
    page = text(web.get(f"/cases/{first}").text)
    assert "They threw eggs at my window" in page
    assert "matched to this open case and added as another incident" in page


def test_the_public_form_adds_to_the_open_case_without_a_new_code(app: Flask, web: FlaskClient) -> None:
    data = {k: v for k, v in PUBLIC.items() if v is not None}
    assert web.post("/report", data=data).status_code == 303
    first_page = web.get("/report/received").text
    assert 'id="tracking-code"' in first_page
    assert (
        web.post("/report", data={**data, "description": "They came back the next night."}).status_code == 303
    )
    page = web.get("/report/received").text
    first = re.search(r'id="case-reference"[^>]*>([^<]+)<', first_page)
    second = re.search(r'id="case-reference"[^>]*>([^<]+)<', page)
    assert first and second and first.group(1) == second.group(1)
    # The open case keeps its own code: the new report's code is neither shown nor stored.
    assert 'id="tracking-code"' not in page
    assert _cases(app) == 1


def test_a_report_at_the_same_address_by_someone_else_shows_a_possible_match_to_link(
    app: Flask, web: FlaskClient
) -> None:
    first = _report(web)
    neighbour = {
        "role": "victim",
        "name": "Dev Patel",
        "email": "dev@example.org",
        "address": "4 Birch Close LS6 2AB",
    }
    other = _report(web, parties=[neighbour], description="Graffiti on our door")
    assert other != first and _cases(app) == 2
    sign_in(web, "officer")
    matches = section(web.get(f"/cases/{other}").text, "possible-matches")
    assert first in matches and "the same home (postcode and house number)" in text(matches)
    fields = dict(re.findall(r'name="(link-[a-z]+)" value="([^"]*)"', matches))
    assert fields["link-other"] == first and fields["link-kind"] == "same_address"
    answer = web.post(f"/cases/{other}/links", data=fields)
    assert answer.status_code in (302, 303), answer.text
    with app.extensions["database"].session() as session:
        assert session.scalar(select(func.count(CaseLink.id))) == 1
    # Once linked, it is no longer offered as a possible match.
    assert section(web.get(f"/cases/{other}").text, "possible-matches") == ""


def test_a_repeat_victim_is_flagged_on_the_case_page_after_three_incidents(
    app: Flask, web: FlaskClient
) -> None:
    reference = _report(web)
    sign_in(web, "officer")
    _report(web, description="Second time")
    assert 'id="repeat-victim"' not in web.get(f"/cases/{reference}").text
    assert "Repeat victim" not in web.get("/").text
    _report(web, description="Third time")
    page = web.get(f"/cases/{reference}").text
    assert 'id="repeat-victim"' in page
    assert "reported 3 incidents in the last 91 days" in text(page)
    # In the inbox too, on the case's task rows.
    rows = re.findall(r'<tr class="task-row[^"]*" data-case="([^"]+)">(.*?)</tr>', web.get("/").text, re.S)
    assert rows and all("Repeat victim" in row for case, row in rows if case == reference)
    assert any(case == reference for case, _row in rows)
    assert _cases(app) == 1


def test_staff_intake_of_a_second_report_by_the_same_victim_says_it_was_added(
    app: Flask,
    web: FlaskClient,
    places: dict[str, int],  # noqa: F811 (the fixture imported above)
) -> None:
    sign_in(web, "intake")
    first = web.post("/intake", data=good(places))
    assert first.status_code == 303
    again = web.post(
        "/intake", data=good(places, description="Mr Bell's car was scratched."), follow_redirects=True
    )
    assert again.status_code == 200
    assert "Report added as another incident on open case" in text(again.text)
    assert first.headers["Location"].rsplit("/", 1)[-1] in again.text
    assert _cases(app) == 1
