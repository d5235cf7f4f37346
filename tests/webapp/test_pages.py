"""The server-rendered pages through Flask's test client: reporting, the inbox, working a task
and the case page. Each test gets its own migrated SQLite database (CSRF is off here; the
browser test runs with it on)."""

from __future__ import annotations

import html
import re
import shutil
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

import processes
from casework import people
from db import Database
from webapp import create_app, inbox, public

DIAGRAM = Path(__file__).resolve().parents[2] / "bpmn" / "hate_incident.bpmn"
YESTERDAY = (date.today() - timedelta(days=1)).isoformat()
GOOD_REPORT = {
    "description": "Two men shouted racist abuse at me outside the shop and spat at my door.",
    "occurred_date": YESTERDAY,
    "occurred_time": "18:30",
    "location": "Oak Court, Riverside Estate",
    "strands": ["race", "religion_or_belief"],
    "reporter_name": "Jo Bloggs",
    "reporter_email": "jo@example.com",
    "reporter_phone": "0161 496 0000",
}
FIRST_RESPONSE = {
    "contact_made": "true",
    "contact_method": "home_visit",
    "contact_date": YESTERDAY,
    "interview_offered": "true",
    "interview_place": "The community centre",
    "reporting_advice": ["police", "true_vision"],
    "response_notes": "Visited at home; agreed weekly calls and a CCTV survey.",
}


@pytest.fixture(scope="module")
def seeded_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated database with the diagram deployed and the demo users, built once and copied."""
    path = tmp_path_factory.mktemp("pages") / "seeded.db"
    database = Database(f"sqlite:///{path}")
    database.upgrade()
    with database.session() as session:
        processes.deploy(session, DIAGRAM.read_bytes(), deployed_by="tests", filename=DIAGRAM.name)
        people.seed_demo_users(session)
        session.commit()
    database.dispose()
    return path


@pytest.fixture
def web_app(seeded_db: Path, tmp_path: Path) -> Iterator[Flask]:
    shutil.copy(seeded_db, tmp_path / "t.db")
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": f"sqlite:///{tmp_path}/t.db",
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


def text(page: Any) -> str:
    """A page's (or a piece of HTML's) text without tags, spaces collapsed, as a person reads it."""
    markup = page if isinstance(page, str) else page.text
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", markup)).split())


def field_error(response: Any, field_id: str) -> str:
    match = re.search(rf'id="{field_id}-error"[^>]*>(.*?)</p>', response.text, re.S)
    assert match, f"no error shown for {field_id}"
    return " ".join(re.sub(r"<[^>]+>", "", html.unescape(match.group(1))).split())


def report(web: FlaskClient, **changes: Any) -> str:
    """Send a report through the public page; returns the reference it shows."""
    response = web.post("/report", data={**GOOD_REPORT, **changes}, follow_redirects=True)
    assert response.status_code == 200, response.text
    match = re.search(r'id="case-reference"[^>]*>(HC-\d{4}-\d{6})<', response.text)
    assert match, response.text
    return match.group(1)


def sign_in(web: FlaskClient, username: str) -> None:
    response = web.post("/login", data={"username": username, "password": "demo"})
    assert response.status_code == 302, response.text


def task_id(web: FlaskClient, reference: str, title: str) -> str:
    page = web.get(f"/?q={reference}").text
    match = re.search(rf'href="/tasks/([0-9a-f-]+)">{re.escape(title)}<', page)
    assert match, page
    return match.group(1)


def case_version(web: FlaskClient, tid: str) -> str:
    match = re.search(r'name="case_version" value="(\d+)"', web.get(f"/tasks/{tid}").text)
    assert match
    return match.group(1)


def claimed_first_response(web: FlaskClient) -> tuple[str, str]:
    reference = report(web)
    sign_in(web, "officer")
    tid = task_id(web, reference, "Make the first response")
    assert web.post(f"/tasks/{tid}/claim").status_code == 303
    return reference, tid


# Reporting


def test_report_form_offers_strands_and_anonymity(web: FlaskClient) -> None:
    response = web.get("/report")
    assert response.status_code == 200
    assert "Report a hate incident" in text(response) and "You can stay anonymous" in text(response)
    web.post("/report/start")  # then one question per page
    response = web.get("/report/targeted")
    page = text(response)
    for label in ("Race", "Religion or belief", "Disability", "Alternative sub-culture"):
        assert label in page
    assert '<h1 class="label-heading">Why do you think it was motivated by hate?' in response.text
    when = web.get("/report/when").text
    assert 'id="occurred_date" name="occurred_day"' in when and 'type="date"' not in when


def test_good_report_redirects_to_its_reference_and_next_steps(web: FlaskClient) -> None:
    response = web.post("/report", data=GOOD_REPORT)
    assert response.status_code == 303 and response.headers["Location"] == "/report/received"
    page = web.get("/report/received")
    reference = re.search(r'id="case-reference"[^>]*>([^<]+)<', page.text).group(1)  # type: ignore[union-attr]
    assert re.fullmatch(r"HC-\d{4}-\d{6}", reference)
    words = text(page)
    assert "within 24 hours" in words
    assert "999" in words and "101" in words and "0800 555 111" in words and "True Vision" in words


def test_received_page_without_a_report_goes_to_the_form(web: FlaskClient) -> None:
    response = web.get("/report/received")
    assert response.status_code == 302 and response.headers["Location"] == "/report"


def test_anonymous_report_is_accepted(web: FlaskClient) -> None:
    reference = report(
        web, reporter_name="", reporter_email="", reporter_phone="", occurred_date="", occurred_time=""
    )
    sign_in(web, "officer")
    case = text(web.get(f"/cases/{reference}"))
    assert "Reporter Not given" in case and "When it happened Not given" in case


def test_bad_report_is_422_with_messages_and_every_value_kept(web: FlaskClient) -> None:
    bad = {
        **GOOD_REPORT,
        "description": "Too short",
        "location": "",
        "reporter_email": "not-an-email",
        "reporter_phone": "call me",
        "occurred_date": (date.today() + timedelta(days=3)).isoformat(),
    }
    response = web.post("/report", data=bad)
    assert response.status_code == 422
    assert 'class="error-summary"' in response.text and 'href="#description"' in response.text
    assert "at least 10 characters" in field_error(response, "description")
    assert "where it happened" in field_error(response, "location")
    assert "email address" in field_error(response, "reporter_email")
    assert "phone number" in field_error(response, "reporter_phone")
    assert "in the past" in field_error(response, "occurred_date")
    assert 'aria-invalid="true"' in response.text
    assert ">Too short</textarea>" in response.text
    for kept in ("not-an-email", "call me", "Jo Bloggs", "18:30"):
        assert f'value="{kept}"' in response.text
    future = date.fromisoformat(bad["occurred_date"])
    assert f'name="occurred_year" value="{future.year}"' in response.text
    assert re.search(r'value="race"\s+checked', response.text)
    assert re.search(r'value="religion_or_belief"\s+checked', response.text)
    assert not re.search(r'value="disability"\s+checked', response.text)
    assert web.get("/report/received").status_code == 302  # nothing was reported


def test_report_needs_a_strand_and_a_date_with_the_time(web: FlaskClient) -> None:
    data = {**GOOD_REPORT, "strands": [], "occurred_date": "", "occurred_time": "09:15"}
    response = web.post("/report", data=data)
    assert response.status_code == 422
    assert "Choose at least one reason" in field_error(response, "strands")
    assert "date as well as the time" in field_error(response, "occurred_date")
    assert 'href="#strands"' in response.text and 'id="strands"' in response.text


def test_report_that_cannot_be_saved_keeps_what_was_typed(
    web: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_: Any, **__: Any) -> None:
        raise processes.EngineFailure("The process could not continue.")

    monkeypatch.setattr(public.reports, "submit", broken)
    response = web.post("/report", data=GOOD_REPORT)
    assert response.status_code == 500
    assert "We could not save your report just now" in text(response)
    assert f">{GOOD_REPORT['description']}</textarea>" in response.text


def test_report_rejects_a_made_up_strand(web: FlaskClient) -> None:
    response = web.post("/report", data={**GOOD_REPORT, "strands": ["football"]})
    assert response.status_code == 422
    assert field_error(response, "strands")


# Signing in and the inbox


def test_pages_for_staff_need_signing_in(web: FlaskClient) -> None:
    for path in ("/", "/tasks/abc", "/cases/HC-2026-000001"):
        response = web.get(path)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login?next=")
    login = web.get("/login?next=/?scope=mine", follow_redirects=True)
    assert 'action="/login?next=/?scope%3Dmine"' in login.text
    response = web.post(
        "/login?next=/?scope=mine", data={"username": "officer", "password": "demo"}, follow_redirects=True
    )
    assert response.request.path == "/" and response.request.args["scope"] == "mine"


def test_signing_out(web: FlaskClient) -> None:
    sign_in(web, "officer")
    assert "Sign out" in web.get("/").text
    response = web.post("/logout", follow_redirects=True)
    assert "You have signed out." in text(response)
    assert web.get("/").status_code == 302


def test_wrong_password_shows_an_alert(web: FlaskClient) -> None:
    response = web.post("/login", data={"username": "officer", "password": "nope"})
    assert response.status_code == 401
    assert 'role="alert"' in response.text and "username or password is not right" in response.text
    assert 'value="officer"' in response.text


def test_inbox_lists_the_new_task_for_the_officer_but_not_the_manager(web: FlaskClient) -> None:
    reference = report(web)
    sign_in(web, "officer")
    inbox = web.get("/")
    assert inbox.status_code == 200
    row = re.search(rf'<tr[^>]*data-case="{reference}".*?</tr>', inbox.text, re.S)
    assert row, inbox.text
    row_text = " ".join(re.sub(r"<[^>]+>", " ", row.group(0)).split())
    assert "Make the first response" in row_text and "Community safety team" in row_text
    assert "Unassigned" in row_text and "Claim" in row_text
    assert "Signed in as Olivia Officer" in text(inbox)

    web.post("/logout")
    sign_in(web, "manager")
    inbox = web.get("/")
    assert reference not in inbox.text
    assert "There are no open tasks for Human resources (employee route), Managers" in text(inbox)


def test_inbox_scopes_search_and_sort(web: FlaskClient) -> None:
    first = report(web)
    second = report(web, location="Elm Street")
    sign_in(web, "officer")
    assert "No tasks are assigned to you" in text(web.get("/?scope=mine"))
    tid = task_id(web, first, "Make the first response")
    web.post(f"/tasks/{tid}/claim")

    mine = web.get("/?scope=mine").text
    assert first in mine and second not in mine
    unassigned = web.get("/?scope=unassigned").text
    assert second in unassigned and first not in unassigned
    found = web.get("/?q=elm+street").text
    assert second in found and first not in found
    newest_first = web.get("/?sort=-created").text
    assert newest_first.index(second) < newest_first.index(first)
    assert 'aria-sort="descending"' in newest_first
    nothing = text(web.get("/?q=HC-1999"))
    assert "No open tasks match “HC-1999”" in nothing and "Clear the search" in nothing


def test_inbox_ignores_odd_query_values(web: FlaskClient) -> None:
    reference = report(web)
    sign_in(web, "officer")
    response = web.get("/?scope=everyone&sort=evil&page=abc")
    assert response.status_code == 200 and reference in response.text
    assert 'aria-sort="ascending"' in response.text  # fell back to soonest due first


def test_inbox_pages_25_tasks_at_a_time(web: FlaskClient) -> None:
    references = [report(web) for _ in range(26)]
    sign_in(web, "officer")
    first = web.get("/")
    assert "26 open tasks" in text(first) and "page 1 of 2" in text(first)
    assert first.text.count('class="task-row') == 25
    assert 'aria-label="Pages of tasks"' in first.text
    second = web.get("/?page=2")
    assert second.text.count('class="task-row') == 1 and references[-1] in second.text
    assert "There is nothing on this page" in text(web.get("/?page=9"))


def test_inbox_flags_overdue_tasks_in_words(web: FlaskClient, monkeypatch: pytest.MonkeyPatch) -> None:
    report(web)
    sign_in(web, "officer")
    web.application.config["IDLE_MINUTES"] = 3 * 24 * 60  # two days on, still signed in
    later = processes.clock.now() + timedelta(days=2)
    monkeypatch.setattr(processes.clock, "now", lambda: later)
    inbox = web.get("/")
    assert "task-row--overdue" in inbox.text and ">Overdue<" in inbox.text


def test_claim_and_give_back_from_the_inbox(web: FlaskClient) -> None:
    reference = report(web)
    sign_in(web, "officer")
    tid = task_id(web, reference, "Make the first response")

    response = web.post(f"/tasks/{tid}/claim", data={"next": "/?scope=mine"}, follow_redirects=True)
    assert response.request.path == "/" and response.request.args["scope"] == "mine"
    assert "You have taken the task “Make the first response”" in text(response)
    assert "Give back" in response.text and reference in response.text

    response = web.post(f"/tasks/{tid}/release", follow_redirects=True)
    assert "You gave back the task" in text(response)
    assert reference in web.get("/?scope=unassigned").text


def test_claiming_a_task_someone_holds_says_who(web: FlaskClient) -> None:
    reference = report(web)
    sign_in(web, "supervisor")
    tid = task_id(web, reference, "Make the first response")
    web.post(f"/tasks/{tid}/claim")
    web.post("/logout")
    sign_in(web, "officer")
    response = web.post(f"/tasks/{tid}/claim", follow_redirects=True)
    assert "held by Sam Supervisor" in text(response)
    assert "flash--error" in response.text


def test_claim_goes_back_only_to_paths_on_this_site(web: FlaskClient) -> None:
    reference = report(web)
    sign_in(web, "officer")
    tid = task_id(web, reference, "Make the first response")
    response = web.post(f"/tasks/{tid}/claim", data={"next": "https://evil.example/"})
    assert response.status_code == 303 and response.headers["Location"] == "/"
    for outside in ("//evil.example/x", "/\\evil.example", "https:/evil.example"):
        response = web.post(f"/tasks/{tid}/release", data={"next": outside})
        assert response.headers["Location"] == "/", outside


# Working a task


def test_task_form_is_built_from_the_bpmn(web: FlaskClient) -> None:
    reference = report(web)
    sign_in(web, "officer")
    tid = task_id(web, reference, "Make the first response")
    response = web.get(f"/tasks/{tid}")
    assert response.status_code == 200
    page = response.text
    assert "Contact the reporter within 24 hours" in page  # the task's documentation
    legend = r'<legend class="legend">How did you make, or try to make, contact\? <span class="required">'
    assert re.search(legend, page)
    assert 'type="radio" id="contact_method" name="contact_method" value="phone"' in page
    assert 'type="checkbox" id="reporting_advice" name="reporting_advice" value="police"' in page
    assert 'type="checkbox" id="contact_made" name="contact_made" value="true"' in page
    assert 'type="date" id="contact_date" name="contact_date"' in page
    assert '<textarea class="textarea" id="response_notes" name="response_notes"' in page
    assert 'id="response_notes-hint">Between 10 and 5000 characters.' in page
    assert 'aria-describedby="response_notes-hint"' in page
    assert 'id="interview_place-hint">Up to 200 characters.' in page
    assert 'name="case_version"' in page
    assert "Claim this task" in page
    summary = text(response)
    assert reference in summary and "Oak Court, Riverside Estate" in summary
    assert "Race, Religion or belief" in summary and "Jo Bloggs" in summary


def test_bad_answers_are_422_with_messages_values_kept_and_the_case_unchanged(web: FlaskClient) -> None:
    reference, tid = claimed_first_response(web)
    answers = {**FIRST_RESPONSE, "response_notes": "", "contact_date": "yesterday"}
    response = web.post(f"/tasks/{tid}", data={**answers, "case_version": case_version(web, tid)})
    assert response.status_code == 422
    assert "This field is required." in field_error(response, "response_notes")
    assert "real date" in field_error(response, "contact_date")
    assert "What was said and agreed: This field is required." in text(response)
    assert 'href="#response_notes"' in response.text
    assert re.search(r'value="home_visit"\s+checked', response.text)
    assert re.search(r'value="true_vision"\s+checked', response.text)
    assert re.search(r'id="contact_made" name="contact_made" value="true"\s+checked', response.text)
    assert 'value="yesterday"' in response.text and 'value="The community centre"' in response.text

    case = text(web.get(f"/cases/{reference}"))
    assert "completed: Make the first response" not in case
    assert "No task has been completed yet." in case
    assert "Report to the police" not in case


def test_good_answers_lead_to_the_case_page_showing_the_next_task(web: FlaskClient) -> None:
    reference, tid = claimed_first_response(web)
    response = web.post(f"/tasks/{tid}", data={**FIRST_RESPONSE, "case_version": case_version(web, tid)})
    assert response.status_code == 303 and response.headers["Location"] == f"/cases/{reference}"
    case = web.get(f"/cases/{reference}")
    words = text(case)
    assert "Task completed: Make the first response." in words
    open_tasks = re.search(r'id="open-tasks".*?</section>', case.text, re.S).group(0)  # type: ignore[union-attr]
    assert re.search(r'href="/tasks/[0-9a-f-]+">Report to the police</a>', open_tasks)
    assert "completed by Olivia Officer" in words
    assert "Home visit" in words and "Report to the police, True Vision (online)" in words


def test_unticked_boxes_count_as_no(web: FlaskClient) -> None:
    reference, tid = claimed_first_response(web)
    answers = {k: v for k, v in FIRST_RESPONSE.items() if k not in ("contact_made", "interview_offered")}
    response = web.post(f"/tasks/{tid}", data=answers)
    assert response.status_code == 303
    assert "Did you speak to the reporter? No" in text(web.get(f"/cases/{reference}"))


def test_a_failing_step_shows_why_and_keeps_the_answers(
    web: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    reference, tid = claimed_first_response(web)

    def broken(*_: Any, **__: Any) -> None:
        raise processes.EngineFailure("The process could not continue: a handler failed.")

    monkeypatch.setattr(inbox.tasks, "complete", broken)
    response = web.post(f"/tasks/{tid}", data=FIRST_RESPONSE)
    assert response.status_code == 500
    assert "a handler failed. Nothing was saved" in text(response)
    assert 'value="The community centre"' in response.text
    monkeypatch.undo()
    assert "No task has been completed yet." in text(web.get(f"/cases/{reference}"))


def test_completing_a_completed_task_is_409_with_a_clear_message(web: FlaskClient) -> None:
    reference, tid = claimed_first_response(web)
    assert web.post(f"/tasks/{tid}", data=FIRST_RESPONSE).status_code == 303
    response = web.post(f"/tasks/{tid}", data=FIRST_RESPONSE)
    assert response.status_code == 409
    words = text(response)
    assert "This task is no longer open (it was completed)." in words
    assert "Your answers were not saved." in words
    assert 'href="/"' in response.text and f'href="/cases/{reference}"' in response.text
    assert "there is nothing more to do on it" in text(web.get(f"/tasks/{tid}"))


def test_answers_for_a_case_that_changed_meanwhile_are_409(web: FlaskClient) -> None:
    _, tid = claimed_first_response(web)
    stale = int(case_version(web, tid)) - 1
    response = web.post(f"/tasks/{tid}", data={**FIRST_RESPONSE, "case_version": stale})
    assert response.status_code == 409
    assert "The case changed since you opened this task" in text(response)


def test_a_conditional_answer_is_required_only_when_it_applies(web: FlaskClient) -> None:
    reference, tid = claimed_first_response(web)
    web.post(f"/tasks/{tid}", data=FIRST_RESPONSE)
    police = task_id(web, reference, "Report to the police")
    response = web.post(f"/tasks/{police}", data={"police_decision": "reported"})
    assert response.status_code == 422
    assert "required for the answers given" in field_error(response, "police_reference")
    assert "not_reported_reason" not in re.findall(r'id="([a-z_]+)-error"', response.text)
    done = web.post(
        f"/tasks/{police}",
        data={"police_decision": "not_reported", "not_reported_reason": "The victim asked us not to"},
    )
    assert done.status_code == 303


def test_next_form_has_number_and_multi_choice_fields(web: FlaskClient) -> None:
    reference, tid = claimed_first_response(web)
    web.post(f"/tasks/{tid}", data=FIRST_RESPONSE)
    police = task_id(web, reference, "Report to the police")
    web.post(f"/tasks/{police}", data={"police_decision": "not_reported", "not_reported_reason": "Declined"})
    risk = task_id(web, reference, "Assess risk and vulnerability")
    page = web.get(f"/tasks/{risk}").text
    assert 'type="number" id="incidents_last_year"' in page and 'min="0"' in page and 'max="1000"' in page
    assert "A whole number from 0 to 1000." in page
    response = web.post(
        f"/tasks/{risk}",
        data={"repeat_victimisation": "once", "incidents_last_year": "lots", "vulnerabilities": ["isolated"]},
    )
    assert response.status_code == 422
    assert "whole number" in field_error(response, "incidents_last_year")
    assert re.search(r'value="isolated"\s+checked', response.text) and 'value="lots"' in response.text


def test_someone_outside_the_team_can_read_but_not_work_a_task(web: FlaskClient) -> None:
    reference = report(web)
    sign_in(web, "officer")
    tid = task_id(web, reference, "Make the first response")
    web.post("/logout")
    sign_in(web, "manager")
    page = web.get(f"/tasks/{tid}")
    assert page.status_code == 200 and "You are not in that team" in text(page)
    assert 'id="task-form"' not in page.text
    response = web.post(f"/tasks/{tid}", data=FIRST_RESPONSE)
    assert response.status_code == 403 and "not in that group" in text(response)


def test_unknown_task_and_case_are_404(web: FlaskClient) -> None:
    sign_in(web, "officer")
    for response in (
        web.get("/tasks/no-such-task"),
        web.post("/tasks/no-such-task", data={}),
        web.post("/tasks/no-such-task/claim"),
        web.get("/cases/HC-1999-000001"),
    ):
        assert response.status_code == 404
        assert "Page not found" in response.text


# The case page


def test_case_page_shows_the_report_tasks_and_whole_timeline_in_order(web: FlaskClient) -> None:
    reference, tid = claimed_first_response(web)
    web.post(f"/tasks/{tid}", data=FIRST_RESPONSE)
    response = web.get(f"/cases/{reference.lower()}")
    assert response.status_code == 200
    words = text(response)
    assert "Status Open" in words and "Stage Report to the police" in words
    assert "Oak Court, Riverside Estate" in words and "Race, Religion or belief" in words
    assert "jo@example.com" in words and "0161 496 0000" in words
    timeline = text(response.text.split('id="timeline"')[1])
    events = [
        "Jo Bloggs Report received via website or social media",
        "System New task: Make the first response",
        "Olivia Officer Olivia Officer took the task: Make the first response",
        "Olivia Officer Olivia Officer completed: Make the first response",
        "System New task: Report to the police",
    ]
    positions = [timeline.index(event) for event in events]
    assert positions == sorted(positions)


@pytest.mark.parametrize("target", ["//evil.example/x", "/\\evil.example", "https://evil.example/", "/ok\\x"])
def test_sign_in_never_redirects_off_site(app, target):
    app.config["WTF_CSRF_ENABLED"] = False
    response = app.test_client().post(
        f"/login?next={target}", data={"username": "officer", "password": "demo"}
    )
    assert response.status_code == 302 and response.headers["Location"] == "/"
