"""Issue 19 point 5 through HTTP: the public pages in English, Urdu (right to left) and Polish,
chosen by the switch (remembered in a cookie) or offered from Accept-Language; the easy-read
guidance; and the reporter's messages written in the language they reported in."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po
from flask import Flask
from flask.testing import FlaskClient

import translations
from db.models import OutboxMessage, ReporterDetails
from tests.webapp.test_reporters import REPORT, claim_first_response, rows, send

ROOT = Path(__file__).resolve().parents[2]
# A sentence of the form's in each language, and the page's direction.
FORM = {
    "en": ("Report a hate incident", "ltr"),
    "ur": ("نفرت پر مبنی واقعے کی رپورٹ کریں", "rtl"),
    "pl": ("Zgłoś incydent z nienawiści", "ltr"),
}
PUBLIC_PAGES = ("/report", "/report/easy-read", "/track")


@pytest.fixture
def web(app: Flask) -> FlaskClient:
    app.config["WTF_CSRF_ENABLED"] = False
    return app.test_client()


def html_tag(page: str) -> str:
    found = re.search(r"<html[^>]*>", page)
    assert found, page[:200]
    return found.group(0)


@pytest.mark.parametrize("language", list(FORM))
def test_the_form_is_shown_in_each_language(web: FlaskClient, language: str) -> None:
    sentence, direction = FORM[language]
    page = web.get(f"/report?lang={language}").text
    assert f"<h1>{sentence}</h1>" in page
    assert f'dir="{direction}"' in html_tag(page)
    assert ('lang="en-GB"' if language == "en" else f'lang="{language}"') in html_tag(page)
    others = [FORM[other][0] for other in FORM if other != language]
    assert not any(f"<h1>{other}</h1>" in page for other in others)


def test_every_public_page_has_the_language_switch_as_plain_links(web: FlaskClient) -> None:
    for path in PUBLIC_PAGES:
        page = web.get(path).text
        switch = re.search(r'<nav class="language-switch".*?</nav>', page, re.S)
        assert switch, path
        assert re.search(r'<a href="[^"]*lang=ur"[^>]*lang="ur"[^>]*>اردو</a>', switch.group(0)), path
        assert re.search(r'<a href="[^"]*lang=pl"[^>]*>Polski</a>', switch.group(0)), path
        assert 'aria-current="true" lang="en">English' in switch.group(0)


def test_the_choice_is_remembered_on_the_next_pages(web: FlaskClient) -> None:
    web.get("/report?lang=ur")
    assert web.get_cookie("language") is not None
    assert web.get_cookie("language").value == "ur"  # type: ignore[union-attr]
    assert 'dir="rtl"' in html_tag(web.get("/report").text)
    assert "اپنی رپورٹ دیکھیں" in web.get("/track").text
    web.get("/track?lang=pl")
    assert "<h1>Zgłoś incydent z nienawiści</h1>" in web.get("/report").text
    assert web.get("/report/received?lang=ur").status_code == 302  # nothing sent yet: to the form
    assert 'dir="rtl"' in html_tag(web.get("/report").text)  # remembered on a redirect too


def test_staff_pages_stay_in_english_whatever_the_cookie(web: FlaskClient) -> None:
    web.get("/report?lang=ur")
    page = web.get("/login").text
    assert 'lang="en-GB"' in html_tag(page) and 'dir="ltr"' in html_tag(page)
    assert 'class="language-switch"' not in page


def test_accept_language_is_honoured_until_a_choice_is_made(web: FlaskClient) -> None:
    polish = {"Accept-Language": "pl-PL,pl;q=0.9,en-GB;q=0.5"}
    assert "<h1>Zgłoś incydent z nienawiści</h1>" in web.get("/report", headers=polish).text
    urdu = {"Accept-Language": "ur-PK, ur;q=0.8"}
    assert 'dir="rtl"' in html_tag(web.get("/report", headers=urdu).text)
    assert "<h1>Report a hate incident</h1>" in web.get("/report", headers={"Accept-Language": "de"}).text
    response = web.get("/report", headers=polish)
    assert "Accept-Language" in response.headers.get("Vary", "")
    web.get("/report?lang=en")  # the switch wins over the browser from then on
    assert "<h1>Report a hate incident</h1>" in web.get("/report", headers=polish).text


def test_errors_are_in_the_chosen_language_and_nothing_typed_is_lost(web: FlaskClient) -> None:
    web.get("/report?lang=pl")
    response = web.post("/report", data={**REPORT, "description": "krótko", "location": "Ulica Dębowa"})
    assert response.status_code == 422
    page = response.text
    assert "Wystąpił problem" in page
    assert '<a href="#description">Opisz, co się stało, w co najmniej 10 znakach' in page
    assert "krótko</textarea>" in page and 'value="Ulica Dębowa"' in page


def test_the_tracking_pages_messages_are_in_the_chosen_language(web: FlaskClient) -> None:
    web.get("/track?lang=ur")
    page = web.post("/track", data={"reference": "", "code": ""}).text
    assert "اپنا کیس نمبر لکھیں" in page and "اپنا ٹریکنگ کوڈ لکھیں" in page
    wrong = web.post("/track", data={"reference": "HC-2026-000001", "code": "AAAA-BBBB-CCCC"})
    assert wrong.status_code == 422
    assert "ہمیں اس کیس نمبر اور ٹریکنگ کوڈ والی کوئی رپورٹ نہیں ملی" in wrong.text


def test_the_easy_read_guidance_is_linked_from_the_form_in_short_sentences(web: FlaskClient) -> None:
    form = web.get("/report").text
    assert 'href="/report/easy-read"' in form
    page = web.get("/report/easy-read").text
    assert "Reporting a hate incident: easy read" in page
    items = re.findall(r"<li>([^<]+)</li>", page)
    assert len(items) >= 10 and all(len(item.split()) <= 16 for item in items)
    assert "Jak zgłosić incydent z nienawiści" in web.get("/report/easy-read?lang=pl").text


def test_the_reporters_messages_are_sent_in_their_language(app: Flask, web: FlaskClient) -> None:
    web.get("/report?lang=pl")
    reference, _code = send(web)
    details = rows(app, ReporterDetails)
    assert [d.language for d in details] == ["pl"]
    mail = rows(app, OutboxMessage, OutboxMessage.recipient == "jo@example.com")
    assert [m.subject for m in mail] == [f"Otrzymaliśmy Twoje zgłoszenie {reference}: Twój kod śledzenia"]
    assert f"Numer Twojej sprawy to {reference}." in mail[0].body
    claim_first_response(app.test_client(), reference)
    updates = rows(app, OutboxMessage, OutboxMessage.kind.in_(("reporter_update", "sms")))
    assert len(updates) == 2
    assert all(f"zajmuje się Twoim zgłoszeniem {reference}" in m.body for m in updates)


def test_a_report_in_english_is_answered_in_english(app: Flask, web: FlaskClient) -> None:
    reference, _code = send(web)
    assert [d.language for d in rows(app, ReporterDetails)] == ["en"]
    mail = rows(app, OutboxMessage, OutboxMessage.recipient == "jo@example.com")
    assert [m.subject for m in mail] == [f"Your report {reference} has been received: your tracking code"]


def test_every_public_text_has_a_translation_in_each_language() -> None:
    catalogues = {}
    for language in ("ur", "pl"):
        with (translations.DIRECTORY / language / "LC_MESSAGES" / "messages.po").open("rb") as po:
            catalogues[language] = {m.id: m.string for m in read_po(po) if m.id}
    config = (translations.DIRECTORY / "babel.cfg").read_text()
    sources = [
        (method, path)
        for method, pattern in re.findall(r"\[(\w+): ([^\]]+)\]", config)
        for path in ROOT.glob(pattern)
    ]
    wanted = {
        message[1]
        for method, path in sources
        for message in extract_from_file(method, str(path), keywords={"_": None})
        if isinstance(message[1], str)
    }
    assert len(sources) >= 10 and len(wanted) > 150
    placeholder = re.compile(r"%\(\w+\)s|<[^>]+>")
    for language, catalogue in catalogues.items():
        missing = sorted(w for w in wanted if w not in catalogue)
        assert missing == [], (language, missing[:5])
        for msgid, msgstr in catalogue.items():
            assert msgstr.strip(), (language, msgid)
            assert sorted(placeholder.findall(msgid)) == sorted(placeholder.findall(msgstr)), (
                language,
                msgid,
            )


def test_the_catalogues_are_compiled_when_the_po_is_newer(tmp_path: Path) -> None:
    po = tmp_path / "pl" / "LC_MESSAGES" / "messages.po"
    po.parent.mkdir(parents=True)
    po.write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=utf-8\\n"\n\nmsgid "Yes"\nmsgstr "Tak"\n'
    )
    assert translations.compile_catalogues(tmp_path) == [po.with_suffix(".mo")]
    assert translations.compile_catalogues(tmp_path) == []  # up to date: not written again
