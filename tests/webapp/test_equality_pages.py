"""Voluntary equality monitoring through the web: the public report form, the JSON API, and the
breakdown of victims' characteristics on the indicators dashboard, its CSV files, the annual
report and ``GET /api/indicators``."""

from __future__ import annotations

import csv
import io
import logging
import re
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

import processes
from casework.indicators import LONDON
from casework.vocabulary import EQUALITY_QUESTIONS, PREFER_NOT_TO_SAY
from db.models import Case, OutboxMessage, Party, TimelineEvent
from tests.webapp.test_api import token
from tests.webapp.test_pages import GOOD_REPORT, field_error, sign_in, text

ANSWERS = {
    "age_band": "35_44",
    "ethnic_group": "mixed",
    "religion_or_belief": "jewish",
    "disability": "yes",
    "sex": "male",
    "gender_identity_same": PREFER_NOT_TO_SAY,
    "sexual_orientation": "gay_or_lesbian",
}
API_REPORT = {
    "description": "Homophobic abuse shouted at me on the stairs",
    "location": "9 Birch Court",
    "strands": ["sexual_orientation"],
    "parties": [
        {"role": "victim", "name": "Ali", "equality": {"sex": "female", "age_band": "16_24"}},
        {"role": "victim", "name": "Bo"},
        {"role": "witness", "name": "Cy", "equality": {"sex": "male"}},
    ],
}


@pytest.fixture
def web_app(db_url: str) -> Iterator[Flask]:
    from webapp import create_app

    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": db_url,
            "SECRET_KEY": "test",
            "WTF_CSRF_ENABLED": False,
            "TIMERS": "off",
        }
    )
    yield app
    app.extensions["database"].dispose()


@pytest.fixture
def web(web_app: Flask) -> FlaskClient:
    return web_app.test_client()


def stored(app: Flask, query: Any) -> Any:
    with app.extensions["database"].session() as session:
        return session.execute(query).all()


def checked(page: str, name: str) -> list[str]:
    """The values of the checked radios or checkboxes called ``name``."""
    return re.findall(rf'name="{name}" value="([^"]*)"\s*checked', page)


def test_the_form_asks_each_question_and_says_why_and_that_it_is_optional(web):
    web.post("/report/start")  # the questions are asked one per page
    page = web.get("/report/about-you").text
    words = text(page)
    assert "Equality monitoring (optional)" in words
    assert "Answering is up to you" in words and "without names" in words
    for question in EQUALITY_QUESTIONS.values():
        assert question.question in words
        for value in question.options:
            assert f'name="{question.name}" value="{value}"' in page
    assert page.count(f'value="{PREFER_NOT_TO_SAY}"') == len(EQUALITY_QUESTIONS)
    assert "Who are you?" in text(web.get("/report/who").text)


def test_the_answers_are_saved_on_the_reporter_as_the_victim(web, web_app, caplog):
    caplog.set_level(logging.DEBUG)
    response = web.post("/report", data={**GOOD_REPORT, "reporter_is": "victim", **ANSWERS})
    assert response.status_code == 303, response.text
    [(role, name, email, equality)] = stored(
        web_app, select(Party.role, Party.name, Party.email, Party.equality)
    )
    assert (role, name, email) == ("victim", GOOD_REPORT["reporter_name"], GOOD_REPORT["reporter_email"])
    assert equality == ANSWERS
    # never in an email, on the timeline or in the log
    emails = stored(web_app, select(OutboxMessage.subject, OutboxMessage.body))
    assert emails, "the acknowledgement email was written"
    events = stored(web_app, select(TimelineEvent.summary, TimelineEvent.details))
    written = " ".join(str(cell) for row in [*emails, *events] for cell in row) + caplog.text
    for telling in ("jewish", "Jewish", "gay_or_lesbian", "Gay or lesbian", "Mixed or multiple", "35 to 44"):
        assert telling not in written


def test_unanswered_questions_are_not_recorded_and_no_victim_is_made_up(web, web_app):
    assert web.post("/report", data={**GOOD_REPORT, "reporter_is": "victim"}).status_code == 303
    assert web.post("/report", data=GOOD_REPORT).status_code == 303  # not said whose it was
    assert stored(web_app, select(Party.role, Party.equality)) == [("victim", None)]


def test_a_forged_answer_is_refused_with_a_message_and_nothing_typed_is_lost(web, web_app):
    forged = {**GOOD_REPORT, "reporter_is": "victim", **ANSWERS, "sex": "martian"}
    response = web.post("/report", data=forged)
    assert response.status_code == 422
    assert "Choose one of the answers listed" in field_error(response, "sex")
    assert '<a href="#sex">' in response.text  # the error summary links to the question
    page = response.text
    assert GOOD_REPORT["description"] in page and GOOD_REPORT["location"] in page
    assert f'value="{GOOD_REPORT["reporter_email"]}"' in page
    assert checked(page, "strands") == GOOD_REPORT["strands"]
    assert checked(page, "reporter_is") == ["victim"]
    for name, value in ANSWERS.items():
        if name != "sex":
            assert checked(page, name) == [value], name
    assert stored(web_app, select(func.count(Case.id))) == [(0,)]


def test_answers_about_someone_else_are_refused(web, web_app):
    response = web.post("/report", data={**GOOD_REPORT, "reporter_is": "witness", "sex": "female"})
    assert response.status_code == 422
    assert "The equality questions are about you" in field_error(response, "reporter_is")
    assert checked(response.text, "sex") == ["female"]
    assert checked(response.text, "reporter_is") == ["witness"]
    assert stored(web_app, select(func.count(Case.id))) == [(0,)]


def test_the_api_takes_answers_per_party_and_refuses_unknown_ones(web, web_app):
    bad = {**API_REPORT, "parties": [{"role": "victim", "equality": {"sex": "martian"}}]}
    response = web.post("/api/reports", json=bad)
    assert response.status_code == 422
    assert "parties" in response.json["errors"] and "'sex'" in response.json["errors"]["parties"]
    unknown = {**API_REPORT, "parties": [{"role": "victim", "equality": {"star_sign": "leo"}}]}
    assert web.post("/api/reports", json=unknown).status_code == 422
    assert stored(web_app, select(func.count(Case.id))) == [(0,)]

    assert web.post("/api/reports", json=API_REPORT).status_code == 201
    saved = stored(web_app, select(Party.name, Party.equality).order_by(Party.id))
    assert saved == [(p["name"], p.get("equality")) for p in API_REPORT["parties"]]


def victims_in(reports: list[dict[str, Any]], question: str) -> dict[str, int]:
    """The expected count of each answer (and "" for not recorded) among the reports' victims."""
    answers = [
        (party.get("equality") or {}).get(question, "")
        for body in reports
        for party in body["parties"]
        if party["role"] == "victim"
    ]
    return {key: answers.count(key) for key in [*EQUALITY_QUESTIONS[question].options, ""]}


def test_the_dashboard_csv_annual_report_and_api_show_the_breakdown(web):
    second = {**API_REPORT, "parties": [{"role": "victim", "equality": {"sex": "female"}}]}
    sent = [API_REPORT, second, {**API_REPORT, "parties": []}]
    for body in sent:
        assert web.post("/api/reports", json=body).status_code == 201
    expected = victims_in(sent, "sex")
    assert expected == {"female": 2, "male": 0, PREFER_NOT_TO_SAY: 0, "": 1}
    labels = {**EQUALITY_QUESTIONS["sex"].options, "": "Not recorded"}

    api = web.get("/api/indicators", headers=token(web, "manager")).json
    assert (api["victims"], api["new_cases_without_victim"]) == (3, 1)
    sex = next(c for c in api["victim_characteristics"] if c["key"] == "sex")
    assert {c["key"]: c["count"] for c in sex["counts"]} == expected

    sign_in(web, "manager")
    page = web.get("/dashboards/indicators").text
    section = re.search(r'<section[^>]*id="victims_sex".*?</section>', page, re.S)
    assert section, "no section for victims by sex"
    assert 'class="chart"' in section.group(0)
    assert "Equality: victims of new cases by sex" in text(section.group(0))
    for key, label in labels.items():
        row = rf'<th scope="row">{label}</th><td class="numeric">{expected[key]}</td>'
        assert re.search(row, section.group(0)), label

    download = web.get("/dashboards/indicators/victims_sex.csv")
    assert download.status_code == 200 and download.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(download.text)))
    assert rows[0] == ["Sex", "Victims", "% of 3 victims"]
    assert {row[0]: int(row[1]) for row in rows[1:]} == {labels[k]: n for k, n in expected.items()}

    today = processes.clock.now().astimezone(LONDON).date()
    year = today.year if today.month >= 4 else today.year - 1
    annual = web.get(f"/dashboards/annual?year={year}").text
    section = re.search(r'<section[^>]*id="victims_sex".*?</section>', annual, re.S)
    assert section and re.search(
        r'<th scope="row">Female</th><td class="numeric">2</td><td class="numeric">0</td>', section.group(0)
    )
    assert web.get(f"/dashboards/annual/victims_sex.csv?year={year}").status_code == 200
