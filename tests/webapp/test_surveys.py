"""The closure survey (policy 11.1, issue 19 point 7): sent to the victim at closure by their
channel, only when safe and never to someone else; answered once from its private link; used by
the indicators over the officer's record. Also the spam trap on the tracking page."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from casework import indicators, outbox, steps, surveys
from db import timeline
from db.models import Case, ClosureSurvey, OutboxMessage, ReporterMessage
from tests.bpmn.walk import CONTACT, FIRST_RESPONSE, LOW_RISK, REPORTED
from tests.webapp.test_api import token
from tests.webapp.test_lifecycle_api import Officer
from tests.webapp.test_pages import sign_in, text
from tests.webapp.test_reporters import REPORT, case_row, rows, send


@pytest.fixture
def web(app: Flask) -> FlaskClient:
    app.config["WTF_CSRF_ENABLED"] = False
    return app.test_client()


LINK = re.compile(r"/survey/([A-Za-z0-9_-]{20,})")


def close(app: Flask, reference: str) -> None:
    """The case closes as the process closes it: its closure event recorded in a case step."""
    with app.extensions["database"].session() as session:
        case = session.scalars(select(Case).where(Case.reference == reference)).one()
        with steps.case_step(session, now=datetime.now(UTC), by="Olivia Officer", case=case) as step:
            case.status, case.closed_at = "closed", step.now
            step.record(timeline.CaseClosed())


def survey_link(app: Flask, reference: str) -> str:
    case_id = case_row(app, reference).id
    [mail] = rows(app, OutboxMessage, OutboxMessage.case_id == case_id, OutboxMessage.kind == surveys.KIND)
    found = LINK.search(mail.body)
    assert found, mail.body
    return f"/survey/{found.group(1)}"


def answer(web: FlaskClient, path: str, **data: str) -> Any:
    return web.post(path, data=data)


def walk_to_closure(app: Flask, web: FlaskClient, **changes: Any) -> str:
    """A public report walked through the API to its closure (a low-risk case), the officer
    recording the victim as fairly satisfied."""
    reference, _ = send(web, **changes)
    officer = Officer(app.test_client(), reference)
    officer.do("first_response", FIRST_RESPONSE)
    officer.do("police_referral", REPORTED)
    officer.do("risk_assessment", LOW_RISK)
    officer.do("support", {"support_measures": ["cctv"], "support_agencies": [], "support_consent": True})
    officer.do("keep_in_contact", {**CONTACT, "next_step": "close"})
    step = officer.do(
        "close_case",
        {
            "outcome": "resolved",
            "outcome_reason": "No incidents since",
            "victim_satisfaction": "fairly_satisfied",
        },
    )
    assert step["case_status"] == "closed"
    return reference


def test_a_real_closure_sends_the_victim_a_survey_by_email(app: Flask, web: FlaskClient) -> None:
    reference = walk_to_closure(app, web, contact_methods=["email"])
    [mail] = rows(app, OutboxMessage, OutboxMessage.kind == surveys.KIND)
    assert mail.recipient == "jo@example.com" and "Bloggs" not in mail.body
    assert "tell us how we did" in mail.subject
    token = LINK.search(mail.body)
    assert token is not None
    [survey] = rows(app, ClosureSurvey)
    assert survey.channel == "email" and token.group(1) not in survey.token_hash  # only its hash is kept
    sent = [m for m in rows(app, ReporterMessage) if m.topic == "survey"]
    assert [(m.channel, m.outbox_id) for m in sent] == [("email", mail.id)]
    sign_in(web, "officer")
    assert "Closure survey sent by email" in text(web.get(f"/cases/{reference}"))
    outbox.drain(app.extensions["database"].sessions, outbox.LogSender(), datetime.now(UTC))
    [delivered] = rows(app, OutboxMessage, OutboxMessage.id == mail.id)
    assert delivered.delivered_at is not None and "/survey/" not in delivered.body  # the link is not kept


def test_a_text_goes_when_text_is_their_only_channel(app: Flask, web: FlaskClient) -> None:
    reference, _ = send(web, contact_methods=["text"])
    close(app, reference)
    [texted] = [m for m in rows(app, OutboxMessage, OutboxMessage.kind == "sms") if "/survey/" in m.body]
    assert texted.recipient == "07700 900123"
    assert [s.channel for s in rows(app, ClosureSurvey)] == ["text"]


def test_no_survey_when_it_is_not_safe_or_to_a_witness_or_third_party(app: Flask, web: FlaskClient) -> None:
    unsafe, _ = send(web, safe_to_contact="no")
    witness, _ = send(web, reporter_is="witness", contact_methods=["email"])
    third, _ = send(web, reporter_is="third_party", contact_methods=["email"])
    for reference in (unsafe, witness, third):
        close(app, reference)
    assert rows(app, ClosureSurvey) == []
    assert rows(app, OutboxMessage, OutboxMessage.kind == surveys.KIND) == []
    assert not [m for m in rows(app, OutboxMessage) if "/survey/" in m.body]
    notes = {(case_row(app, r).id) for r in (unsafe, witness, third)}
    kept = [m for m in rows(app, ReporterMessage) if m.topic == "survey"]
    assert {m.case_id for m in kept} == notes and all(m.channel == "none" for m in kept)
    assert sum(m.text == surveys.NOT_THE_VICTIM for m in kept) == 2


def test_the_survey_is_answered_once_and_a_used_link_reveals_nothing(app: Flask, web: FlaskClient) -> None:
    reference, _ = send(web, contact_methods=["email"])
    close(app, reference)
    path = survey_link(app, reference)
    public = app.test_client()
    page = public.get(path)
    assert page.status_code == 200 and surveys.TP12_QUESTION in text(page)
    assert "Very satisfied" in page.text and reference not in page.text
    done = answer(public, path, outcome="very_satisfied", tp12="fairly_dissatisfied")
    assert done.status_code == 200 and "Thank you for your answers" in text(done)
    [survey] = rows(app, ClosureSurvey)
    assert (survey.outcome, survey.tp12) == ("very_satisfied", "fairly_dissatisfied")
    assert survey.answered_at is not None
    again = answer(public, path, outcome="very_dissatisfied", tp12="very_dissatisfied")
    assert again.status_code == 404 and "This survey link does not work" in text(again)
    assert reference not in again.text
    assert public.get(path).status_code == 404
    assert rows(app, ClosureSurvey)[0].outcome == "very_satisfied"  # the first answer stands
    sign_in(web, "officer")
    assert "The victim answered the closure survey" in text(web.get(f"/cases/{reference}"))


def test_a_wrong_link_gets_the_same_page_as_a_used_one(app: Flask, web: FlaskClient) -> None:
    reference, _ = send(web, contact_methods=["email"])
    close(app, reference)
    public = app.test_client()
    for path in ("/survey/not-a-real-link-at-all-xxxxxxxx", "/survey/" + "a" * 300):
        for response in (public.get(path), answer(public, path, outcome="neither", tp12="neither")):
            assert response.status_code == 404 and "This survey link does not work" in text(response)
    assert rows(app, ClosureSurvey)[0].answered_at is None


def test_a_missing_or_unknown_answer_is_named_and_what_was_chosen_is_kept(
    app: Flask, web: FlaskClient
) -> None:
    reference, _ = send(web, contact_methods=["email"])
    close(app, reference)
    path = survey_link(app, reference)
    public = app.test_client()
    missing = answer(public, path, outcome="fairly_satisfied")
    assert missing.status_code == 422
    assert "Choose how satisfied you are with our approach to anti-social behaviour." in text(missing)
    assert 'href="#tp12"' in missing.text
    assert re.search(r'value="fairly_satisfied"\s+checked', missing.text)  # nothing typed is lost
    unknown = answer(public, path, outcome="delighted", tp12="neither")
    assert unknown.status_code == 422
    assert "Choose one of the five answers listed for how satisfied you are with the outcome" in text(unknown)
    assert rows(app, ClosureSurvey)[0].answered_at is None
    assert answer(public, path, outcome="neither", tp12="neither").status_code == 200


def test_the_indicators_use_the_survey_answer_over_the_officers_record(app: Flask, web: FlaskClient) -> None:
    # The officer recorded both victims as fairly satisfied; only the first was asked, and said otherwise.
    asked = walk_to_closure(app, web, contact_methods=["email"])
    recorded = walk_to_closure(app, web, safe_to_contact="no")
    assert len(rows(app, ClosureSurvey)) == 1
    path = survey_link(app, asked)
    assert answer(app.test_client(), path, outcome="very_dissatisfied", tp12="neither").status_code == 200
    assert case_row(app, recorded).status == "closed"

    today = datetime.now(UTC).date()
    period = indicators.Period(date(today.year - 1, 1, 1), date(today.year + 1, 1, 1))
    with app.extensions["database"].session() as session:
        figures = indicators.indicators(session, period, homes=1000, now=datetime.now(UTC))
    assert figures.closed_cases == 2
    assert figures.satisfied == indicators.Ratio(1, 2)  # the victim's own answer, not assumed
    assert figures.regulator.tp12 == indicators.Ratio(1, 2)
    assert figures.satisfaction_sources.words == "from 1 survey answer and 1 officer's record"
    assert figures.regulator.tp12_sources == indicators.Sources(1, 1)
    web.post("/logout")
    sign_in(web, "manager")
    shown = text(web.get(f"/dashboards/indicators?from={period.start}&to={period.end}"))
    assert "from 1 survey answer and 1 officer's record" in shown
    api = web.get(f"/api/indicators?from={period.start}&to={period.end}", headers=token(web, "manager")).json
    assert api["satisfaction_sources"] == {
        "survey": 1,
        "officer": 1,
        "words": "from 1 survey answer and 1 officer's record",
    }
    assert api["regulator"]["tp12_sources"]["survey"] == 1


def test_the_tracking_page_refuses_a_bot_without_saying_why(app: Flask, web: FlaskClient) -> None:
    reference, code = send(web)
    bot = app.test_client()
    form = bot.get("/track").text
    trap = re.search(r'<div class="trap" aria-hidden="true">.*?</div>', form, re.S)
    assert trap and 'tabindex="-1"' in trap.group(0)
    refused = bot.post(
        "/track", data={"reference": reference, "code": code, "website": "http://spam.example"}
    )
    assert refused.status_code == 422
    assert "We could not find a report with that reference and tracking code" in text(refused)
    assert "spam" not in text(refused).replace("automated spam", "")
    assert bot.get("/track/case").status_code == 302  # not signed in
    person = app.test_client()
    taken = person.post("/track", data={"reference": reference, "code": code, "website": ""})
    assert taken.status_code == 303


def test_the_report_form_refuses_a_bot_but_takes_a_persons_report(app: Flask, web: FlaskClient) -> None:
    before = len(rows(app, Case))
    bot = web.post("/report", data={**REPORT, "website": "http://spam.example"}, follow_redirects=True)
    assert bot.status_code == 200 and "Report received" in text(bot)
    assert "spam" not in text(bot).lower()
    assert len(rows(app, Case)) == before
    reference, _ = send(web)
    assert len(rows(app, Case)) == before + 1 and case_row(app, reference).reporter_email == "jo@example.com"
