"""Issue 19 through HTTP: the public form's memorable date and questions about the reporter, the
tracking code and page (status, diary, call back, complaint, case review), the officer's reset,
and the updates the reporter is sent, by the channel they chose and never when it is not safe.
Every bad input gets a clear message and keeps what was typed."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from casework import outbox, retention, sms, steps
from db import timeline
from db.models import AuditEvent, Case, Notification, OutboxMessage, ReporterDetails, ReporterMessage
from tests.jobs.services import Mailbox
from tests.webapp.test_pages import field_error, sign_in, task_id, text

REPORT = {
    "description": "Two men shouted racist abuse at me outside the shop and spat at my door.",
    "occurred_day": "27",
    "occurred_month": "3",
    "occurred_year": "2026",
    "occurred_time": "18:30",
    "location": "Oak Court, Riverside Estate",
    "strands": ["race"],
    "reporter_is": "victim",
    "reporter_name": "Jo Bloggs",
    "reporter_email": "jo@example.com",
    "reporter_phone": "07700 900123",
    "safe_to_contact": "yes",
    "contact_methods": ["email", "text"],
    "contact_times": "Weekdays after 6pm",
}


@pytest.fixture
def web(app: Flask) -> FlaskClient:
    app.config["WTF_CSRF_ENABLED"] = False
    return app.test_client()


def send(web: FlaskClient, **changes: Any) -> tuple[str, str]:
    """Report through the form; the reference and tracking code the next page shows."""
    data = {**REPORT, **changes}
    response = web.post("/report", data={k: v for k, v in data.items() if v is not None})
    assert response.status_code == 303, response.text
    page = web.get("/report/received").text
    reference = re.search(r'id="case-reference"[^>]*>([^<]+)<', page)
    code = re.search(r'id="tracking-code"[^>]*>([^<]+)<', page)
    assert reference and code, page
    return reference.group(1), code.group(1)


def rows(app: Flask, model: Any, *where: Any) -> list[Any]:
    with app.extensions["database"].session() as session:
        return list(session.scalars(select(model).where(*where)))


def case_row(app: Flask, reference: str) -> Case:
    return rows(app, Case, Case.reference == reference)[0]


# -- the form


def test_the_form_has_a_memorable_date_the_questions_and_a_quick_exit(web: FlaskClient) -> None:
    web.post("/report/start")  # the questions are asked one per page
    page = web.get("/report/when").text
    for box in ('id="occurred_date" name="occurred_day"', 'name="occurred_month"', 'name="occurred_year"'):
        assert box in page
    assert 'type="date"' not in page and 'inputmode="numeric"' in page
    words = " ".join(text(web.get(f"/report/{slug}").text) for slug in ("who", "contact", "needs"))
    assert "Who are you?" in words and "Is it safe for us to contact you?" in words
    assert "British Sign Language (BSL)" in words and "Easy read" in words and "Through someone else" in words
    words = text(page)
    exit_link = re.search(r'<a href="([^"]+)" class="button button--warning exit-this-page__button"', page)
    assert exit_link and exit_link.group(1).startswith("https://www.bbc.co.uk/")  # a link: works without JS
    assert "Leave this page quickly" in words and "press Shift three times" in words
    assert "Leave this page quickly" in web.get("/track").text


@pytest.mark.parametrize(
    ("day", "month", "year", "message"),
    [
        ("28112026", "", "", "Date must be a real date"),
        ("31", "2", "2026", "Date must be a real date"),
        ("12", "", "2026", "Date must include a month"),
        ("12", "3", "26", "Year must include 4 numbers"),
    ],
)
def test_an_impossible_date_is_refused_and_everything_typed_is_kept(
    app: Flask, web: FlaskClient, day: str, month: str, year: str, message: str
) -> None:
    data = {**REPORT, "occurred_day": day, "occurred_month": month, "occurred_year": year}
    response = web.post("/report", data=data)
    assert response.status_code == 422
    assert message in field_error(response, "occurred_date")
    assert 'href="#occurred_date"' in response.text
    for kept in (f'name="occurred_day" value="{day}"', f'name="occurred_year" value="{year}"', "Jo Bloggs"):
        assert kept in response.text
    assert "Weekdays after 6pm" in response.text and ">Two men shouted" in response.text
    assert rows(app, Case) == []


def test_a_good_date_in_three_boxes_is_stored_as_uk_time(app: Flask, web: FlaskClient) -> None:
    reference, _ = send(web, occurred_day="01", occurred_month="7")
    assert case_row(app, reference).occurred_at == datetime(2026, 7, 1, 17, 30, tzinfo=UTC)  # 18:30 BST


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"contact_methods": []}, "contact_methods", "Choose at least one way"),
        ({"reporter_email": ""}, "reporter_email", "Enter your email address"),
        ({"contact_methods": ["letter"]}, "reporter_address", "address to write to"),
        ({"contact_methods": ["someone_else"]}, "contact_through", "who to contact"),
        ({"needs": ["interpreter"]}, "interpreter_language", "which language"),
        ({"reporter_is": "anonymous"}, "reporter_is", "leave your name and contact details empty"),
        ({"safe_to_contact": "maybe"}, "safe_to_contact", "Choose one of the answers"),
        ({"needs": ["telepathy"]}, "needs", "Choose from the needs listed"),
    ],
)
def test_missing_contact_answers_get_a_clear_message_and_nothing_is_lost(
    app: Flask, web: FlaskClient, changes: dict[str, Any], field: str, message: str
) -> None:
    response = web.post("/report", data={**REPORT, **changes})
    assert response.status_code == 422
    assert message in field_error(response, field)
    assert f'href="#{field}"' in response.text
    assert 'value="Weekdays after 6pm"' in response.text and 'value="27"' in response.text
    assert rows(app, Case) == []


def test_what_they_said_about_contact_is_kept_and_the_code_only_as_a_hash(
    app: Flask, web: FlaskClient
) -> None:
    reference, code = send(web, needs=["interpreter", "large_print"], interpreter_language="Urdu")
    assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", code)
    assert 'id="tracking-code"' not in web.get("/report/received").text  # shown once
    details = rows(app, ReporterDetails)[0]
    assert details.reporter_is == "victim" and details.safe_to_contact is True
    assert details.contact_methods == ["email", "text"] and details.interpreter_language == "Urdu"
    assert details.tracking_hash and code not in details.tracking_hash
    assert code.replace("-", "") not in (details.tracking_hash or "")
    emailed = rows(app, OutboxMessage, OutboxMessage.kind == "tracking_code")
    assert [m.recipient for m in emailed] == ["jo@example.com"] and code in emailed[0].body
    sign_in(web, "officer")
    part = text(web.get(f"/cases/{reference}").text)
    assert "Yes, by: Email, Text message" in part and "An interpreter (Urdu), Large print" in part


def test_not_safe_means_no_email_at_all(app: Flask, web: FlaskClient) -> None:
    reference, _ = send(web, safe_to_contact="no")
    case = case_row(app, reference)
    assert rows(app, OutboxMessage, OutboxMessage.recipient == "jo@example.com") == []
    assert rows(app, ReporterDetails)[0].safe_to_contact is False
    sign_in(web, "officer")
    assert "No: do not contact them" in text(web.get(f"/cases/{case.reference}").text)


# -- the tracking page


def track(web: FlaskClient, reference: str, code: str) -> Any:
    return web.post("/track", data={"reference": reference, "code": code})


def test_a_wrong_code_and_an_unknown_reference_get_the_same_answer(web: FlaskClient) -> None:
    reference, code = send(web)
    wrong = track(web, reference, "AAAA-BBBB-CCCC")
    unknown = track(web, "HC-2026-999999", "AAAA-BBBB-CCCC")
    assert wrong.status_code == unknown.status_code == 422
    assert wrong.text.replace(reference, "REF") == unknown.text.replace("HC-2026-999999", "REF")
    assert "could not find a report with that reference and tracking code" in text(wrong)
    assert 'value="AAAA-BBBB-CCCC"' in wrong.text  # what was typed is kept
    assert web.get("/track/case").status_code == 302
    empty = web.post("/track", data={"reference": "", "code": ""})
    assert empty.status_code == 422 and "Enter your tracking code" in field_error(empty, "code")
    too_long = web.post("/track", data={"reference": reference, "code": "A" * 61})
    assert too_long.status_code == 422 and "too long to be a tracking code" in field_error(too_long, "code")
    assert track(web, reference, code).status_code == 303


def test_the_right_code_shows_the_status_in_plain_words(web: FlaskClient) -> None:
    reference, code = send(web)
    answer = track(web, f" {reference.lower()} ", code.lower().replace("-", " "))
    assert answer.status_code == 303 and answer.headers["Location"].endswith("/track/case")
    page = text(web.get("/track/case"))
    assert f"Your report {reference}" in page and "We received your report." in page
    assert "the community safety team" in page and "Open: we are working on it" in page
    assert "When we will next contact you By" in page  # the 24-hour first response
    assert "Jo Bloggs" not in page and "Oak Court" not in page


def test_the_attempts_are_rate_limited_even_with_the_right_code(app: Flask, web: FlaskClient) -> None:
    app.config["TRACK_LIMIT"] = "3 per minute"
    reference, code = send(web)
    for _ in range(3):
        assert track(web, reference, "AAAA-BBBB-CCCC").status_code == 422
    answer = track(web, reference, code)
    assert answer.status_code == 429 and "Too many attempts" in answer.text
    assert int(answer.headers["Retry-After"]) > 0


def test_a_diary_entry_is_on_the_timeline_and_in_the_officers_notifications(
    app: Flask, web: FlaskClient
) -> None:
    reference, code = send(web)
    track(web, reference, code)
    bad = web.post(
        "/track/case/diary",
        data={
            "diary_day": "31",
            "diary_month": "2",
            "diary_year": "2026",
            "diary_text": "They came back again.",
        },
    )
    assert bad.status_code == 422 and "Date must be a real date" in field_error(bad, "diary_date")
    assert ">They came back again.</textarea>" in bad.text and 'value="31"' in bad.text
    good = web.post(
        "/track/case/diary",
        data={
            "diary_day": "1",
            "diary_month": "12",
            "diary_year": "2026",
            "diary_time": "1405",
            "diary_text": "They came back again.",
        },
    )
    assert good.status_code == 303
    assert "Your diary entry (1 December 2026, 14:05): They came back again." in text(web.get("/track/case"))
    assert [n.message for n in rows(app, Notification)] == [
        f"{reference}: the reporter added a diary entry: read it on the case's timeline"
    ]
    sign_in(web, "officer")
    timeline = text(web.get(f"/cases/{reference}").text)
    assert "Diary entry from the reporter (1 December 2026, 14:05): They came back again." in timeline
    assert "your diary" not in timeline.lower().replace("add to your diary", "")


def test_call_back_complaint_and_case_review_from_the_tracking_page(web: FlaskClient) -> None:
    reference, code = send(web)
    track(web, reference, code)
    assert web.post("/track/case/callback", data={"callback_when": "After 5pm"}).status_code == 303
    missing = web.post("/track/case/complaint", data={"complaint_text": "Nobody called me back."})
    assert missing.status_code == 422 and "Choose at least one thing" in field_error(missing, "about")
    assert ">Nobody called me back.</textarea>" in missing.text
    complaint = {"complaint_text": "Nobody called me back.", "about": ["delay"]}
    assert web.post("/track/case/complaint", data=complaint).status_code == 303
    review = web.post("/track/case/case-review", data={"review_text": "x"})
    assert review.status_code == 422 and "at least 5 characters" in field_error(review, "review_text")
    page = text(web.get("/track/case"))
    assert "You asked us to call you back." in page
    assert "We received your complaint about how the case was handled." in page
    sign_in(web, "officer")
    timeline = text(web.get(f"/cases/{reference}").text)
    assert "The reporter asked for a call back: After 5pm" in timeline
    assert "Complaint about the handling of the case from the victim" in timeline


def test_the_officer_resets_the_code_shown_once_and_audited(app: Flask, web: FlaskClient) -> None:
    reference, old = send(web)
    reporter = app.test_client()
    assert track(reporter, reference, old).status_code == 303
    sign_in(web, "officer")
    answer = web.post(f"/cases/{reference}/tracking-code", follow_redirects=True)
    new = re.search(r"new tracking code is ([A-Z2-9-]{14})", answer.text)
    assert new, answer.text
    assert reporter.get("/track/case").status_code == 302  # the old code's session has ended
    assert track(reporter, reference, old).status_code == 422
    assert track(reporter, reference, new.group(1)).status_code == 303
    assert new.group(1) not in web.get(f"/cases/{reference}").text  # shown only once
    entries = rows(app, AuditEvent, AuditEvent.action == "tracking-code-reset")
    assert [e.subject for e in entries] == [reference]


# -- kept informed


def claim_first_response(web: FlaskClient, reference: str) -> None:
    sign_in(web, "officer")
    tid = task_id(web, reference, "Make the first response")
    assert web.post(f"/tasks/{tid}/claim").status_code == 303


def test_the_reporter_is_told_who_is_dealing_with_it_by_email_and_text(app: Flask, web: FlaskClient) -> None:
    reference, code = send(web)
    claim_first_response(web, reference)
    sent = rows(app, OutboxMessage, OutboxMessage.kind.in_(("reporter_update", "sms")))
    assert sorted((m.kind, m.recipient) for m in sent) == [
        ("reporter_update", "jo@example.com"),
        ("sms", "07700 900123"),
    ]
    assert all("is dealing with your report" in m.body and "Bloggs" not in m.body for m in sent)
    page = web.get(f"/cases/{reference}").text
    assert "Updates sent to the reporter" in page and "is dealing with your report" in text(page)
    reporter = app.test_client()
    track(reporter, reference, code)
    assert "Who is dealing with it Olivia When" in text(reporter.get("/track/case"))  # first name only


def test_no_update_when_they_said_it_is_not_safe(app: Flask, web: FlaskClient) -> None:
    reference, _ = send(web, safe_to_contact="no")
    claim_first_response(web, reference)
    assert rows(app, OutboxMessage, OutboxMessage.case_id == case_row(app, reference).id) == []
    kept = rows(app, ReporterMessage)
    assert [(m.channel, m.text) for m in kept] == [
        ("none", "Not sent: the reporter said it is not safe to contact them")
    ]
    assert "Not sent: the reporter said it is not safe" in text(web.get(f"/cases/{reference}").text)


def test_the_update_and_the_code_reach_a_real_mail_server_and_the_code_is_not_kept(
    app: Flask, web: FlaskClient
) -> None:
    reference, code = send(web, contact_methods=["email"])
    claim_first_response(web, reference)
    sessions = app.extensions["database"].sessions
    with Mailbox() as mailbox:
        sender = outbox.sender_from_config({"SMTP_HOST": "127.0.0.1", "SMTP_PORT": mailbox.port})
        outbox.drain(sessions, sender, datetime.now(UTC))
    subjects = sorted(m["Subject"] for m in mailbox.messages)
    assert subjects == [
        f"An update on your report {reference}",
        f"Your report {reference} has been received: your tracking code",
    ]
    assert all(m["To"] == "jo@example.com" for m in mailbox.messages)
    stored = rows(app, OutboxMessage, OutboxMessage.kind == "tracking_code")[0]
    assert stored.delivered_at is not None and code not in stored.body


def test_a_referral_and_closure_are_told_to_a_witness_but_not_a_contact_with_the_victim(
    app: Flask, web: FlaskClient
) -> None:
    reference, _ = send(web, reporter_is="witness", contact_methods=["email"])
    with app.extensions["database"].session() as session:
        case = session.scalars(select(Case).where(Case.reference == reference)).one()
        with steps.case_step(session, now=datetime.now(UTC), by="Olivia Officer", case=case) as step:
            step.record(timeline.ContactRecorded("Spoke to the victim, Mrs Patel, at home"))
            step.record(timeline.Referred("Reported to the police (reference MP-123)"))
            step.record(timeline.Referred("Not reported to the police; reason recorded"))
            step.record(timeline.CaseClosed())
    # A witness is not asked the closure survey: the officer sees why (casework.surveys).
    assert [(m.topic, m.channel) for m in rows(app, ReporterMessage)] == [
        ("referral", "email"),
        ("closed", "email"),
        ("survey", "none"),
    ]
    bodies = [m.body for m in rows(app, OutboxMessage, OutboxMessage.kind == "reporter_update")]
    assert len(bodies) == 2 and not any("MP-123" in b or "Patel" in b for b in bodies)
    assert "has been closed" in bodies[1]


def test_texts_go_to_the_text_sender_and_are_only_logged_without_a_notify_key(
    caplog: pytest.LogCaptureFixture,
) -> None:
    sender = outbox.sender_from_config({})
    assert isinstance(sender, outbox.ByKind) and isinstance(sender.texts, sms.LogSms)
    configured = outbox.sender_from_config({"NOTIFY_API_KEY": "k", "NOTIFY_SMS_TEMPLATE_ID": "t"})
    assert isinstance(configured, outbox.ByKind) and configured.texts == sms.NotifySms("k", "t")
    text_message = OutboxMessage(id=7, kind=sms.KIND, recipient="07700 900123", subject="s", body="Your case")
    with caplog.at_level("INFO"):
        sender.send(text_message)
    assert "text message 7 not sent" in caplog.text and "07700" not in caplog.text
    assert "Your case" not in caplog.text


def test_support_agreed_is_shown_to_the_victim_but_not_to_a_witness(app: Flask, web: FlaskClient) -> None:
    pages = {}
    for who in ("victim", "witness"):
        client = app.test_client()
        reference, code = send(client, reporter_is=who)
        with app.extensions["database"].session() as session:
            case = session.scalars(select(Case).where(Case.reference == reference)).one()
            with steps.case_step(session, now=datetime.now(UTC), by="Olivia Officer", case=case) as step:
                step.record(timeline.SupportAgreed(["referred with consent to victim_support_service"]))
        track(client, reference, code)
        pages[who] = text(client.get("/track/case"))
    assert "What we agreed with you referred with consent to Victim Support" in pages["victim"]
    assert "What we agreed" not in pages["witness"] and "Victim Support" not in pages["witness"]


def test_a_case_review_request_reaches_the_case(web: FlaskClient) -> None:
    reference, code = send(web)
    track(web, reference, code)
    answer = web.post("/track/case/case-review", data={"review_text": "Three reports and nothing done."})
    assert answer.status_code == 303
    assert "An ASB Case Review was requested." in text(web.get("/track/case"))
    sign_in(web, "officer")
    assert "ASB Case Review requested: Three reports and nothing done." in text(
        web.get(f"/cases/{reference}")
    )


def test_retention_removes_what_the_reporter_told_us_and_the_code(app: Flask, web: FlaskClient) -> None:
    reference, code = send(web, safe_to_contact="yes")
    claim_first_response(web, reference)
    with app.extensions["database"].session() as session:
        case = session.scalars(select(Case).where(Case.reference == reference)).one()
        case.status, case.closed_at = "closed", datetime(2020, 1, 1, tzinfo=UTC)
        session.commit()
        retention.anonymise_expired(session, now=datetime.now(UTC), retention=timedelta(days=30))
    assert rows(app, ReporterDetails) == [] and rows(app, ReporterMessage) == []
    assert track(app.test_client(), reference, code).status_code == 422
