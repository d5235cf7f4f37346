"""Issue 19 item 1 through HTTP: the public report one question per page, Check your answers,
and sending. Each page's bad input gets a message linked to its input and loses nothing; Change
comes back to Check your answers; the answers are kept on the server (never in the cookie), are
deleted when they expire or are sent; sending twice makes one report."""

from __future__ import annotations

import io
import re
import threading
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

import processes
from db.models import Case, Evidence, ReportDraft, ReportDraftFile
from tests.evidence_files import photo
from tests.webapp.test_pages import text
from tests.webapp.test_reporters import REPORT

# The pages in order, with what each sends for REPORT (a victim who may be emailed and texted).
ANSWERS: list[tuple[str, dict[str, Any]]] = [
    ("danger", {"in_danger": "no"}),
    ("what-happened", {"description": REPORT["description"]}),
    (
        "when",
        {k: REPORT[k] for k in ("occurred_day", "occurred_month", "occurred_year", "occurred_time")},
    ),
    ("where", {"location": REPORT["location"]}),
    ("kind", {"incident_types": ["verbal_abuse"]}),
    ("targeted", {"strands": REPORT["strands"]}),
    ("who", {"reporter_is": "victim"}),
    ("contact", {k: REPORT[k] for k in ("safe_to_contact", "contact_methods", "contact_times")}),
    ("details", {k: REPORT[k] for k in ("reporter_name", "reporter_email", "reporter_phone")}),
    ("needs", {"needs": ["large_print"]}),
    ("about-you", {"age_band": "35_44"}),
    ("files", {}),
]


@pytest.fixture
def web(app: Flask, tmp_path: Path) -> FlaskClient:
    app.config.update(WTF_CSRF_ENABLED=False, EVIDENCE_STORE_URL=(tmp_path / "evidence").as_uri())
    return app.test_client()


def start(web: FlaskClient) -> None:
    response = web.post("/report/start")
    assert response.status_code == 303 and response.headers["Location"] == "/report/danger"


def answer_all(web: FlaskClient, **changes: dict[str, Any]) -> None:
    """Start a report and answer every page; ends on Check your answers."""
    start(web)
    for slug, answers in ANSWERS:
        response = web.post(f"/report/{slug}", data={**answers, **changes.get(slug, {})})
        assert response.status_code == 303, (slug, text(response.text)[:600])
    assert response.headers["Location"] == "/report/check"


def send(web: FlaskClient) -> str:
    response = web.post("/report/send")
    assert response.status_code == 303 and response.headers["Location"] == "/report/received"
    page = web.get("/report/received").text
    found = re.search(r'id="case-reference"[^>]*>([^<]+)<', page)
    assert found, text(page)[:600]
    return found.group(1)


def count(app: Flask, model: Any) -> int:
    with app.extensions["database"].session() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def error_links(page: str) -> list[tuple[str, str]]:
    summary = re.search(r'<div class="error-summary".*?</div>', page, re.S)
    assert summary, text(page)[:600]
    return re.findall(r'<a href="([^"]+)">([^<]+)</a>', summary.group(0))


def test_the_start_page_says_how_long_answers_are_kept_and_starts_a_draft(web: FlaskClient) -> None:
    page = web.get("/report").text
    assert "<h1>Report a hate incident</h1>" in page
    assert "We keep your answers for 2 hours after your last change, then delete them." in text(page)
    assert "call 999" in text(page)
    start(web)
    question = web.get("/report/danger").text
    assert "Is anyone in danger now?" in text(question) and 'href="/report"' in question  # Back


def test_a_page_without_a_draft_goes_to_the_start(web: FlaskClient) -> None:
    for path in ("/report/what-happened", "/report/check"):
        response = web.get(path)
        assert response.status_code == 303 and response.headers["Location"] == "/report"


def test_a_whole_report_page_by_page_makes_one_case_with_every_answer(app: Flask, web: FlaskClient) -> None:
    answer_all(web)
    check = text(web.get("/report/check").text)
    for shown in (
        REPORT["description"],
        "27 March 2026, 18:30",
        "Oak Court, Riverside Estate",
        "Verbal abuse",
        "It happened to me",
        "jo@example.com",
        "Large print",
        "35 to 44",
    ):
        assert shown in check
    reference = send(web)
    with app.extensions["database"].session() as session:
        case = session.scalar(select(Case).where(Case.reference == reference))
        assert case is not None and case.location == "Oak Court, Riverside Estate"
        assert case.incident_types == ["verbal_abuse"]
    assert count(app, ReportDraft) == 0  # deleted once the answer was shown


@pytest.mark.parametrize(
    ("slug", "bad", "field", "message"),
    [
        ("danger", {}, "in_danger", "Select yes if anyone is in danger now, or no if not."),
        ("what-happened", {"description": "short"}, "description", "Tell us what happened, in at least 10"),
        (
            "when",
            {"occurred_day": "31", "occurred_month": "2", "occurred_year": "2026"},
            "occurred_date",
            "Date must be a real date",
        ),
        ("when", {"occurred_time": "25:99"}, "occurred_date", "Enter the date as well as the time"),
        ("where", {"location": ""}, "location", "Tell us where it happened"),
        (
            "kind",
            {"incident_types": ["made_up"]},
            "incident_types",
            "Choose from the kinds of incident listed.",
        ),
        ("targeted", {"strands": []}, "strands", ""),
        ("who", {"reporter_is": "alien"}, "reporter_is", "Choose one of the answers listed"),
        (
            "contact",
            {"safe_to_contact": "yes"},
            "contact_methods",
            "Choose at least one way we may contact you",
        ),
        ("details", {"reporter_email": "not-an-address"}, "reporter_email", "Enter an email address like"),
        ("needs", {"needs": ["interpreter"]}, "interpreter_language", "Tell us which language"),
        ("about-you", {"age_band": "900"}, "age_band", "Choose one of the answers listed"),
    ],
)
def test_each_pages_bad_input_is_named_linked_and_loses_nothing(
    web: FlaskClient, slug: str, bad: dict[str, Any], field: str, message: str
) -> None:
    answer_all(web)
    before = text(web.get("/report/check").text)
    response = web.post(f"/report/{slug}?change=1", data={**bad, "change": "1"})
    assert response.status_code == 422
    links = error_links(response.text)
    assert links and links[0][0] == f"#{field}" and message in links[0][1]
    assert f'id="{field}"' in response.text  # the link has its input on this page
    assert f'id="{field}-error"' in response.text or field == "occurred_date"
    for value in bad.values():  # what was typed is shown again (a choice not offered cannot be)
        for item in value if isinstance(value, list) else [value]:
            if item and slug not in ("kind", "who", "about-you"):
                assert f'value="{item}"' in response.text or f">{item}</textarea>" in response.text
    # Every other page's answers are still there.
    after = text(web.get("/report/check").text)
    for kept in (REPORT["description"], "Oak Court, Riverside Estate", "jo@example.com"):
        if kept in before and slug not in ("what-happened", "where", "details"):
            assert kept in after


def test_check_your_answers_writes_the_date_in_the_readers_language(web: FlaskClient) -> None:
    web.get("/report?lang=pl")
    answer_all(web)
    check = text(web.get("/report/check").text)
    assert "27 marca 2026, 18:30" in check and "March" not in check


def test_change_returns_to_check_your_answers(web: FlaskClient) -> None:
    answer_all(web)
    check = web.get("/report/check").text
    assert 'href="/report/where?change=1"' in check
    page = web.get("/report/where?change=1").text
    assert 'href="/report/check"' in page and 'name="change" value="1"' in page  # Back, and on
    response = web.post("/report/where", data={"location": "Elm Street, LS9 8AB", "change": "1"})
    assert response.status_code == 303 and response.headers["Location"] == "/report/check"
    assert "Elm Street, LS9 8AB" in text(web.get("/report/check").text)


def test_a_change_that_needs_another_answer_goes_to_that_page_first(web: FlaskClient) -> None:
    answer_all(web, contact={"contact_methods": ["text"]})
    response = web.post(
        "/report/contact", data={"safe_to_contact": "yes", "contact_methods": ["letter"], "change": "1"}
    )
    assert response.status_code == 303 and response.headers["Location"] == "/report/details?change=1"
    page = web.post("/report/details", data={**ANSWERS[8][1], "change": "1"})
    assert page.status_code == 422
    assert error_links(page.text)[0] == (
        "#reporter_address",
        "Enter the address to write to, or untick Letter.",
    )


def test_an_anonymous_reporter_is_not_asked_for_contact_details(web: FlaskClient) -> None:
    answer_all(web)
    response = web.post("/report/who", data={"reporter_is": "anonymous", "change": "1"})
    assert response.headers["Location"] == "/report/check"
    check = text(web.get("/report/check").text)
    assert "jo@example.com" not in check and "35 to 44" not in check and "Is it safe" not in check


def test_check_your_answers_lists_what_is_missing_linked_to_its_page(app: Flask, web: FlaskClient) -> None:
    start(web)
    web.post("/report/danger", data={"in_danger": "no"})
    page = web.get("/report/check").text
    links = error_links(page)
    assert (
        "/report/what-happened?change=1",
        "Tell us what happened, in at least 10 characters (and no more than 10,000).",
    ) in links
    assert any(href == "/report/where?change=1" for href, _ in links)
    response = web.post("/report/send")
    assert response.status_code == 422 and count(app, Case) == 0


def test_someone_in_danger_is_told_to_call_999_first(web: FlaskClient) -> None:
    start(web)
    response = web.post("/report/danger", data={"in_danger": "yes"})
    assert response.headers["Location"] == "/report/danger-now"
    page = text(web.get("/report/danger-now").text)
    assert "Call 999 now" in page and "press 55" in page


def test_the_cookie_holds_a_key_and_never_the_answers(app: Flask, web: FlaskClient) -> None:
    answer_all(web)
    cookie = web.get_cookie("session")
    assert cookie is not None
    serializer = app.session_interface.get_signing_serializer(app)  # type: ignore[attr-defined]
    stored = serializer.loads(cookie.value)
    assert set(stored) <= {"report_draft", "language", "csrf_token", "_fresh"}, stored
    for answer in ("racist abuse", "Oak Court", "jo@example.com", "07700"):
        assert answer not in str(stored)
    with app.extensions["database"].session() as session:
        draft = session.scalars(select(ReportDraft)).one()
        assert draft.id != stored["report_draft"] and len(stored["report_draft"]) >= 40  # kept hashed
        assert draft.answers["location"] == "Oak Court, Riverside Estate"


def test_a_draft_expires_and_is_deleted(
    app: Flask, web: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    answer_all(web)
    later = processes.clock.now() + timedelta(hours=2, minutes=1)
    monkeypatch.setattr(processes.clock, "now", lambda: later)
    page = web.get("/report/check")
    assert page.status_code == 200 and "Your answers have been deleted" in page.text
    assert "2 hours after the last change" in text(page.text)
    assert count(app, ReportDraft) == 0
    assert web.get("/report/check").headers["Location"] == "/report"  # and then a fresh start


def test_an_expired_draft_goes_when_another_report_starts(
    app: Flask, web: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    answer_all(web)
    later = processes.clock.now() + timedelta(hours=3)
    monkeypatch.setattr(processes.clock, "now", lambda: later)
    app.test_client().post("/report/start")
    assert count(app, ReportDraft) == 1


def test_sending_again_makes_one_report(app: Flask, web: FlaskClient) -> None:
    answer_all(web)
    reference = send(web)
    again = web.post("/report/send")  # Back, then Send again
    assert again.status_code == 303 and again.headers["Location"] == "/report/received"
    assert reference in web.get("/report/received").text
    assert count(app, Case) == 1


def test_a_double_click_makes_one_report_and_shows_its_code(app: Flask, web: FlaskClient) -> None:
    answer_all(web)
    cookie = web.get_cookie("session")
    assert cookie is not None
    other = app.test_client()
    other.set_cookie("session", cookie.value)
    answers: list[int] = []

    def click(client: FlaskClient) -> None:
        answers.append(client.post("/report/send").status_code)

    clicks = [threading.Thread(target=click, args=(c,)) for c in (web, other)]
    for thread in clicks:
        thread.start()
    for thread in clicks:
        thread.join()
    assert answers == [303, 303] and count(app, Case) == 1
    page = other.get("/report/received").text  # whichever answer the browser shows
    assert 'id="tracking-code"' in page


def test_a_failed_upload_keeps_every_other_answer(app: Flask, web: FlaskClient) -> None:
    answer_all(web)
    response = web.post(
        "/report/files",
        data={
            "files": [(png(), "photo.png"), (io.BytesIO(b"MZ not a photo"), "tool.exe")],
            "action": "upload",
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    links = error_links(response.text)
    assert links[0][0] == "#files" and "tool.exe" in links[0][1] and "not a photo" in links[0][1]
    assert "photo.png" in response.text  # the good one is kept
    check = text(web.get("/report/check").text)
    assert REPORT["description"] in check and "photo.png" in check and "tool.exe" not in check
    reference = send(web)
    assert count(app, ReportDraftFile) == 0
    with app.extensions["database"].session() as session:
        kept = session.scalars(select(Evidence)).all()
        assert [e.filename for e in kept] == ["photo.png"], reference


def test_a_file_can_be_removed_before_sending(app: Flask, web: FlaskClient) -> None:
    answer_all(web)
    web.post(
        "/report/files",
        data={"files": [(png(), "photo.png")], "action": "upload"},
        content_type="multipart/form-data",
    )
    page = web.get("/report/files").text
    found = re.search(r'action="/report/files/(\d+)/remove"', page)
    assert found
    assert web.post(f"/report/files/{found.group(1)}/remove").status_code == 303
    assert count(app, ReportDraftFile) == 0


def test_the_spam_trap_on_a_page_makes_no_case(app: Flask, web: FlaskClient) -> None:
    answer_all(web, where={"website": "http://spam.example"})
    response = web.post("/report/send")
    assert response.status_code == 303
    assert count(app, Case) == 0 and count(app, ReportDraft) == 0


def png() -> io.BytesIO:
    return io.BytesIO(photo())
