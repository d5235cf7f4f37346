"""The reporter's language everywhere (issue 19 point 5): dates and times on the tracking page and
their diary in their language and UK time; the closure survey sent in it and its page shown in it;
the words the pages take from the code translated; an update in their language and none when they
said it is not safe; every error on the public forms linked to its field and announced."""

from __future__ import annotations

from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

import lxml.html
import pytest
from babel.dates import format_date, format_datetime
from babel.messages.pofile import read_po
from flask import Flask
from flask.testing import FlaskClient

import translations
from casework import reporter_view, surveys
from db import timeline
from db.models import OutboxMessage, ReporterMessage
from tests.webapp.test_reporters import REPORT, case_row, claim_first_response, rows, send, track
from tests.webapp.test_surveys import survey_link, walk_to_closure

LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def web(app: Flask) -> FlaskClient:
    app.config["WTF_CSRF_ENABLED"] = False
    return app.test_client()


def test_the_tracking_page_and_diary_write_dates_in_the_reporters_language(
    app: Flask, web: FlaskClient
) -> None:
    web.get("/report?lang=pl")
    reference, code = send(web)
    assert track(web, reference, code).status_code in (302, 303)
    received = case_row(app, reference).reported_at
    page = web.get("/track/case").text
    assert format_datetime(received, "d MMMM y, HH:mm", tzinfo=LONDON, locale="pl") in page
    assert "zespół ds. bezpieczeństwa społeczności" in page and "Otrzymaliśmy Twoje zgłoszenie." in page
    entry = {"diary_day": "1", "diary_month": "12", "diary_year": "2025", "diary_time": "14:05"}
    saved = web.post("/track/case/diary", data={**entry, "diary_text": "Znowu walił w moje drzwi."})
    assert saved.status_code == 303
    page = web.get("/track/case").text
    day = format_date(date(2025, 12, 1), "d MMMM y", locale="pl")
    assert day == "1 grudnia 2025"
    assert f"Twój wpis w dzienniku ({day}, 14:05): Znowu walił w moje drzwi." in page


def test_the_same_pages_in_english_write_english_dates(web: FlaskClient) -> None:
    reference, code = send(web)
    track(web, reference, code)
    entry = {"diary_day": "1", "diary_month": "12", "diary_year": "2025", "diary_time": "14:05"}
    web.post("/track/case/diary", data={**entry, "diary_text": "He banged on my door again."})
    assert (
        "Your diary entry (1 December 2025, 14:05): He banged on my door again."
        in web.get("/track/case").text
    )


def test_the_survey_is_sent_in_the_victims_language_and_shown_in_it(app: Flask, web: FlaskClient) -> None:
    web.get("/report?lang=pl")
    reference = walk_to_closure(app, web, contact_methods=["email"])
    [mail] = rows(app, OutboxMessage, OutboxMessage.kind == surveys.KIND)
    assert mail.subject == f"Twoja sprawa {reference} została zamknięta: powiedz nam, jak nam poszło"
    assert "ten link jest tylko dla Ciebie" in mail.body
    path = survey_link(app, reference)
    stranger = app.test_client()  # no cookie: the language comes from the report
    page = stranger.get(path).text
    assert 'lang="pl"' in page and "Powiedz nam, jak nam poszło" in page and "Bardzo zadowolony(-a)" in page
    assert 'id="language-switch"' in page and 'id="exit-this-page"' in page
    wrong = stranger.post(path, data={"outcome": "very_satisfied"})
    assert wrong.status_code == 422
    assert "Wybierz, na ile jesteś zadowolony(-a) z naszego podejścia" in wrong.text
    assert 'lang="en-GB"' in stranger.get(f"{path}?lang=en").text  # the switch still works
    done = stranger.post(path, data={"outcome": "very_satisfied", "tp12": "fairly_satisfied"})
    assert done.status_code == 200 and "Thank you for your answers" in done.text  # as chosen


def test_an_update_in_polish_and_none_when_it_is_not_safe(app: Flask, web: FlaskClient) -> None:
    web.get("/report?lang=pl")
    reference, _ = send(web)
    unsafe, _ = send(
        web,
        reporter_name="Ola Nowak",
        reporter_email="ola@example.com",
        reporter_phone="07700 900999",
        safe_to_contact="no",
    )
    claim_first_response(web, reference)
    claim_first_response(web, unsafe)
    updates = rows(app, OutboxMessage, OutboxMessage.kind == "reporter_update")
    assert [m.recipient for m in updates] == ["jo@example.com"]
    assert f"zajmuje się Twoim zgłoszeniem {reference}" in updates[0].body
    assert rows(app, OutboxMessage, OutboxMessage.case_id == case_row(app, unsafe).id) == []
    kept = rows(app, ReporterMessage, ReporterMessage.case_id == case_row(app, unsafe).id)
    assert [(m.channel, m.text) for m in kept] == [
        ("none", "Not sent: the reporter said it is not safe to contact them")
    ]


def test_the_words_the_pages_take_from_the_code_are_translated() -> None:
    """What the tracking and survey pages translate at run time (not found by extraction)."""
    wanted = {k.REPORTER for k in timeline.KINDS.values() if k.REPORTER}
    wanted |= {reporter_view.TEAM, *reporter_view.OUTCOMES.values(), "Your diary entry (%(when)s):"}
    wanted |= {surveys.OUTCOME_QUESTION, surveys.TP12_QUESTION, *surveys.ANSWERS.values()}
    wanted |= {*surveys.CHOOSE.values(), *surveys.ONE_OF.values()}
    for language in ("ur", "pl"):
        with (translations.DIRECTORY / language / "LC_MESSAGES" / "messages.po").open("rb") as po:
            catalogue = {m.id: m.string for m in read_po(po) if m.id}
        assert sorted(w for w in wanted if not catalogue.get(w)) == [], language


def _announced_and_linked(page: str) -> None:
    """The error summary is announced (role=alert) and each of its links goes to a field that
    the field's own error message describes (on the field or its fieldset)."""
    tree = lxml.html.fromstring(page)
    [summary] = tree.xpath("//*[contains(concat(' ', @class, ' '), ' error-summary ')]")
    assert summary.get("role") == "alert"
    links = summary.xpath(".//a/@href")
    assert links
    for href in links:
        name = href.removeprefix("#")
        [field] = tree.xpath(f"//*[@id='{name}']")
        described = " ".join(
            node.get("aria-describedby", "") for node in [field, *field.iterancestors()]
        ).split()
        errors = [d for d in described if d.endswith("-error")]
        assert errors, name
        for error in errors:
            [message] = tree.xpath(f"//*[@id='{error}']")
            assert message.text_content().strip()


def test_every_error_on_the_public_forms_is_linked_to_its_field_and_announced(
    app: Flask, web: FlaskClient
) -> None:
    forms: list[Any] = [
        web.post("/report", data={**REPORT, "description": "", "occurred_day": "31", "occurred_month": "2"}),
        web.post("/track", data={"reference": "", "code": ""}),
    ]
    reference, code = send(web)
    track(web, reference, code)
    forms += [
        web.post("/track/case/diary", data={"diary_day": "40", "diary_text": "x"}),
        web.post("/track/case/complaint", data={"complaint_text": ""}),
        web.post("/track/case/case-review", data={"review_text": ""}),
    ]
    web.get("/report?lang=ur")
    forms.append(web.post("/track", data={"reference": "", "code": ""}))
    for answer in forms:
        assert answer.status_code == 422, answer.request.path
        _announced_and_linked(answer.text)
