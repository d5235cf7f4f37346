"""Supervisors' actions through the web: the forms on the case page and the page that moves all of
an officer's tasks (signed in through the login form), and the JSON API (bearer tokens), with
every refusal: roles, bad input, unknown tasks and cases, and tasks no longer open."""

from __future__ import annotations

import html
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from casework import people
from db.models import Case, Group, User
from tests.webapp.test_api import FIRST_RESPONSE, first_task, report, token


@pytest.fixture
def web(app: Flask) -> FlaskClient:
    app.config["WTF_CSRF_ENABLED"] = False
    return app.test_client()


@pytest.fixture
def olu(app: Flask) -> None:
    """A second community-safety officer (username ``olu``) to give tasks to."""
    with app.extensions["database"].session() as session:
        group = session.scalars(select(Group).where(Group.name == "community-safety")).one()
        session.add(
            User(
                username="olu",
                display_name="Olu Officer",
                role="officer",
                email="olu@example.org",
                password_hash=people.hash_password("demo"),
                groups=[group],
            )
        )
        session.commit()


def sign_in(web: FlaskClient, username: str) -> None:
    assert web.post("/login", data={"username": username, "password": "demo"}).status_code == 302


def text(markup: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", markup)).split())


def section(page: str, section_id: str) -> str:
    match = re.search(rf'<section[^>]*id="{section_id}".*?</section>', page, re.S)
    return match.group(0) if match else ""


def claimed_task(web: FlaskClient, reference: str, username: str = "officer") -> str:
    headers = token(web, username)
    task_id = first_task(web, headers, reference)["id"]
    assert web.post(f"/api/tasks/{task_id}/claim", headers=headers).status_code == 200
    return task_id


def holder(web: FlaskClient, reference: str) -> str | None:
    return web.get(f"/api/cases/{reference}", headers=token(web)).json["open_tasks"][0]["assignee"]


def timeline(web: FlaskClient, reference: str) -> list[dict]:
    return web.get(f"/api/cases/{reference}", headers=token(web)).json["timeline"]


# The forms on the case page


def test_supervisors_see_the_forms_officers_do_not(web, olu):
    reference = report(web)
    claimed_task(web, reference)
    sign_in(web, "officer")
    page = web.get(f"/cases/{reference}").text
    assert 'id="supervision"' not in page and "/escalate" not in page and 'id="reviews"' not in page

    sign_in(web, "supervisor")
    page = section(web.get(f"/cases/{reference}").text, "supervision")
    options = re.findall(r'<option value="([^"]+)"', page)
    assert options == ["olu", "supervisor"]  # the task's group, without its holder (nor the manager)
    assert "Held by Olivia Officer" in text(page)
    assert 'name="case_version" value="' in page
    assert f'action="/cases/{reference}/escalate"' in page and f'action="/cases/{reference}/reviews"' in page
    assert "No quality review yet." in web.get(f"/cases/{reference}").text


def test_the_forms_carry_the_csrf_token_and_are_refused_without_it(app):
    app.config["WTF_CSRF_ENABLED"] = True
    web = app.test_client()
    reference = report(web)
    login = web.get("/login").text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', login).group(1)
    web.post("/login", data={"username": "supervisor", "password": "demo", "csrf_token": csrf})
    page = section(web.get(f"/cases/{reference}").text, "supervision")
    assert page.count('name="csrf_token"') == 3  # reassign, escalate, review
    refused = web.post(f"/cases/{reference}/escalate", data={"reason": "Needs a senior decision"})
    assert refused.status_code == 400 and "The form had expired" in refused.text
    token_value = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    sent = web.post(
        f"/cases/{reference}/escalate", data={"reason": "Needs a senior decision", "csrf_token": token_value}
    )
    assert sent.status_code == 303


def test_reassigning_from_the_case_page(web, olu):
    reference = report(web)
    task_id = claimed_task(web, reference)
    sign_in(web, "supervisor")
    version = web.get(f"/api/cases/{reference}", headers=token(web)).json["version"]
    response = web.post(
        f"/cases/{reference}/tasks/{task_id}/reassign",
        data={"to": "olu", "case_version": version},
        follow_redirects=True,
    )
    assert response.status_code == 200
    assert "The task “Make the first response” is now with Olu Officer." in text(response.text)
    assert holder(web, reference) == "olu"
    event = timeline(web, reference)[-1]
    assert event["kind"] == "task_reassigned" and event["actor"] == "Sam Supervisor"
    assert "from Olivia Officer to Olu Officer" in event["summary"]


def test_a_reassignment_to_someone_outside_the_task_s_groups_shows_the_page_again(web, olu):
    reference = report(web)
    task_id = claimed_task(web, reference)
    sign_in(web, "manager")
    response = web.post(f"/cases/{reference}/tasks/{task_id}/reassign", data={"to": "manager"})
    assert response.status_code == 422
    field = f"reassign-to-{task_id}"
    error = re.search(rf'id="{field}-error"[^>]*>(.*?)</p>', response.text, re.S).group(1)
    assert "Maya Manager is not in the team this task is offered to (Community safety team)." in text(error)
    assert '<details id="reassign" open>' in response.text
    assert f'href="#{field}"' in response.text  # the error summary links to the field
    assert holder(web, reference) == "officer"


def test_reassigning_a_task_completed_meanwhile_says_so(web, olu):
    reference = report(web)
    task_id = claimed_task(web, reference)
    done = web.post(f"/api/tasks/{task_id}/complete", json=FIRST_RESPONSE, headers=token(web))
    assert done.status_code == 200
    sign_in(web, "supervisor")
    response = web.post(f"/cases/{reference}/tasks/{task_id}/reassign", data={"to": "olu"})
    assert response.status_code == 303
    page = web.get(response.headers["Location"]).text
    assert "This task is no longer open (it was completed); it cannot be reassigned." in text(page)


def test_a_stale_page_is_a_conflict(web, olu):
    reference = report(web)
    task_id = claimed_task(web, reference)
    sign_in(web, "supervisor")
    response = web.post(
        f"/cases/{reference}/tasks/{task_id}/reassign",
        data={"to": "olu", "case_version": "0"},
        follow_redirects=True,
    )
    assert "The case changed since you opened it; reload it and try again." in text(response.text)
    assert holder(web, reference) == "officer"


def test_escalating_from_the_case_page(web):
    reference = report(web)
    sign_in(web, "supervisor")
    short = web.post(f"/cases/{reference}/escalate", data={"reason": " abc "})
    assert short.status_code == 422
    assert '<details id="escalate" open>' in short.text and "> abc </textarea>" in short.text
    assert "Give the reason for escalating in 5 to 1000 characters." in text(short.text)
    assert web.post(f"/cases/{reference}/escalate", data={}).status_code == 422

    reason = "The victim was attacked again last night."
    response = web.post(f"/cases/{reference}/escalate", data={"reason": reason}, follow_redirects=True)
    assert "The case is escalated: the supervisors have been notified." in text(response.text)
    assert reason in text(section(response.text, "timeline"))
    assert reference in web.get("/notifications").text


def test_reviewing_from_the_case_page(web):
    reference = report(web)
    sign_in(web, "supervisor")
    for data, field in [
        ({"comments": "Good work"}, "score"),
        ({"score": "0", "comments": "Good work"}, "score"),
        ({"score": "6", "comments": "Good work"}, "score"),
        ({"score": "five", "comments": "Good work"}, "score"),
        ({"score": "4", "comments": "  "}, "comments"),
    ]:
        response = web.post(f"/cases/{reference}/reviews", data=data)
        assert response.status_code == 422, data
        assert f'id="{field}-error"' in response.text
        assert '<details id="review-form-details" open>' in response.text
    kept = web.post(f"/cases/{reference}/reviews", data={"score": "2", "comments": ""})
    assert 'value="2" checked' in kept.text

    web.post(f"/cases/{reference}/reviews", data={"score": "2", "comments": "Slow first contact."})
    sign_in(web, "manager")
    page = web.post(
        f"/cases/{reference}/reviews",
        data={"score": "4", "comments": "Recovered well."},
        follow_redirects=True,
    ).text
    assert "Your quality review is recorded." in text(page)
    reviews = text(section(page, "reviews"))
    assert reviews.index("4 out of 5 by Maya Manager") < reviews.index("2 out of 5 by Sam Supervisor")
    assert "Quality review by Maya Manager: 4 out of 5. Recovered well." in text(section(page, "timeline"))
    sign_in(web, "officer")  # officers read the reviews, without the forms
    page = web.get(f"/cases/{reference}").text
    assert "Slow first contact." in section(page, "reviews") and 'id="supervision"' not in page


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("/cases/{ref}/tasks/{task}/reassign", {"to": "supervisor"}),
        ("/cases/{ref}/escalate", {"reason": "Please look at this"}),
        ("/cases/{ref}/reviews", {"score": "3", "comments": "Fine"}),
        ("/supervision/reassign", {"from": "officer", "to": "supervisor"}),
    ],
)
def test_officers_are_refused_and_anonymous_users_sent_to_sign_in(web, path, data):
    reference = report(web)
    task_id = claimed_task(web, reference)
    url = path.format(ref=reference, task=task_id)
    assert web.post(url, data=data).status_code == 302  # not signed in
    assert "/login" in web.post(url, data=data).headers["Location"]
    sign_in(web, "officer")
    assert web.post(url, data=data).status_code == 403
    sign_in(web, "owner")
    assert web.post(url, data=data).status_code == 403
    assert holder(web, reference) == "officer"
    assert all(
        e["kind"] not in ("task_reassigned", "escalated", "quality_review") for e in timeline(web, reference)
    )


def test_unknown_cases_and_tasks_are_404_on_the_pages(web, olu):
    sign_in(web, "supervisor")
    assert web.post("/cases/HC-NOPE/escalate", data={"reason": "Please look at this"}).status_code == 404
    assert web.post("/cases/HC-NOPE/reviews", data={"score": "3", "comments": "Fine"}).status_code == 404
    assert web.post("/cases/HC-NOPE/tasks/nope/reassign", data={"to": "olu"}).status_code == 404


# Reassigning all of an officer's tasks


def test_the_stuck_work_page_links_to_reassigning_all_of_an_officer_s_tasks(web, olu):
    sign_in(web, "supervisor")
    stuck = web.get("/dashboards/stuck?officer=officer").text
    assert 'href="/supervision/reassign?from=officer"' in stuck
    reference = report(web)
    claimed_task(web, reference)
    page = web.get("/supervision/reassign?from=officer").text
    assert '<option value="officer" selected>Olivia Officer (1 open task)</option>' in page
    assert '<option value="olu">Olu Officer</option>' in page


def test_reassigning_all_of_an_officer_s_tasks_from_the_page(web, olu):
    references = [report(web), report(web)]
    for reference in references:
        claimed_task(web, reference)
    sign_in(web, "supervisor")
    response = web.post("/supervision/reassign", data={"from": "officer", "to": "olu"}, follow_redirects=True)
    assert "Reassigned 2 of 2 open tasks from Olivia Officer to Olu Officer." in text(response.text)
    assert [holder(web, r) for r in references] == ["olu", "olu"]
    assert "Nobody holds" not in response.text  # olu holds them now
    for reference in references:
        assert timeline(web, reference)[-1]["kind"] == "task_reassigned"


def test_reassigning_all_to_someone_who_may_not_take_them_names_the_tasks(web, olu):
    reference = report(web)
    claimed_task(web, reference)
    sign_in(web, "supervisor")
    response = web.post(
        "/supervision/reassign", data={"from": "officer", "to": "manager"}, follow_redirects=True
    )
    page = text(response.text)
    assert "Reassigned 0 of 1 open task from Olivia Officer to Maya Manager." in page
    assert f"on case {reference} stayed where it was: Maya Manager is not in the team" in page
    assert holder(web, reference) == "officer"


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"from": "", "to": "olu"}, "from", "Choose an officer."),
        ({"from": "officer", "to": ""}, "to", "Choose an officer."),
        ({"from": "officer", "to": "officer"}, "to", "Choose someone other than the officer"),
        ({"from": "officer", "to": "ghost"}, "to", "There is no active user called 'ghost'."),
    ],
)
def test_the_reassign_all_form_shows_its_errors(web, olu, data, field, message):
    claimed_task(web, report(web))
    sign_in(web, "supervisor")
    response = web.post("/supervision/reassign", data=data)
    assert response.status_code == 422
    error = re.search(rf'id="{field}-officer-error"[^>]*>(.*?)</p>', response.text, re.S)
    assert error and message in text(error.group(1))


def test_officers_may_not_open_the_reassign_all_page(web):
    sign_in(web, "officer")
    assert web.get("/supervision/reassign").status_code == 403


# The JSON API


def test_api_reassigns_a_task(web, olu):
    reference = report(web)
    task_id = claimed_task(web, reference)
    supervisor = token(web, "supervisor")
    response = web.post(f"/api/tasks/{task_id}/reassign", json={"to": "olu"}, headers=supervisor)
    assert response.status_code == 200, response.json
    assert response.json["assignee"] == "olu" and response.json["id"] == task_id
    assert timeline(web, reference)[-1]["kind"] == "task_reassigned"
    assert first_task(web, token(web, "olu"), reference)["assignee"] == "olu"


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({}, {"to": "Missing data for required field."}),
        ({"to": ""}, {"to": "Length must be between 1 and 80."}),
        ({"to": 7}, {"to": "Not a valid string."}),
        ({"to": "ghost"}, {"to": "There is no active user called 'ghost'."}),
        (
            {"to": "manager"},
            {"to": "Maya Manager is not in the team this task is offered to (Community safety team)."},
        ),
        ({"to": "officer"}, {"to": "Olivia Officer already holds this task."}),
        ({"to": "olu", "case_version": "x"}, {"case_version": "Not a valid integer."}),
    ],
)
def test_api_reassign_refuses_bad_input_with_field_errors(web, olu, body, errors):
    reference = report(web)
    task_id = claimed_task(web, reference)
    response = web.post(f"/api/tasks/{task_id}/reassign", json=body, headers=token(web, "supervisor"))
    assert response.status_code == 422
    assert response.json["errors"] == errors
    assert holder(web, reference) == "officer"


def test_api_reassign_404_409_and_roles(web, olu):
    reference = report(web)
    task_id = claimed_task(web, reference)
    supervisor = token(web, "supervisor")
    assert web.post("/api/tasks/nope/reassign", json={"to": "olu"}, headers=supervisor).status_code == 404
    assert web.post(f"/api/tasks/{task_id}/reassign", json={"to": "olu"}).status_code == 401
    for role in ("officer", "owner"):
        refused = web.post(f"/api/tasks/{task_id}/reassign", json={}, headers=token(web, role))
        assert refused.status_code == 403  # before the body is even looked at
        assert refused.json["message"] == "Only supervisors, managers and administrators may do this."
    stale = web.post(
        f"/api/tasks/{task_id}/reassign", json={"to": "olu", "case_version": 0}, headers=supervisor
    )
    assert stale.status_code == 409
    web.post(f"/api/tasks/{task_id}/complete", json=FIRST_RESPONSE, headers=token(web))
    closed = web.post(f"/api/tasks/{task_id}/reassign", json={"to": "olu"}, headers=supervisor)
    assert closed.status_code == 409
    assert (
        closed.json["message"] == "This task is no longer open (it was completed); it cannot be reassigned."
    )


def test_api_bad_bodies_are_never_a_500(web, olu):
    reference = report(web)
    task_id = claimed_task(web, reference)
    supervisor = {**token(web, "supervisor"), "Content-Type": "application/json"}
    for path in (
        f"/api/tasks/{task_id}/reassign",
        "/api/officers/officer/reassign",
        f"/api/cases/{reference}/escalate",
        f"/api/cases/{reference}/reviews",
    ):
        assert web.post(path, data="{not json", headers=supervisor).status_code == 400, path
        assert web.post(path, data="[1, 2]", headers=supervisor).status_code == 422, path


def test_api_reassigns_all_of_an_officer_s_tasks(web, olu):
    references = [report(web), report(web)]
    for reference in references:
        claimed_task(web, reference)
    response = web.post("/api/officers/officer/reassign", json={"to": "olu"}, headers=token(web, "manager"))
    assert response.status_code == 200, response.json
    body = response.json
    assert (body["from"], body["to"], body["count"], body["skipped"]) == ("officer", "olu", 2, [])
    assert {t["case_reference"] for t in body["reassigned"]} == set(references)
    assert all(t["assignee"] == "olu" for t in body["reassigned"])

    again = web.post("/api/officers/olu/reassign", json={"to": "manager"}, headers=token(web, "admin"))
    assert again.status_code == 200 and again.json["count"] == 0
    assert {s["case_reference"] for s in again.json["skipped"]} == set(references)
    assert "is not in the team" in again.json["skipped"][0]["reason"]


def test_api_reassign_all_refusals(web, olu):
    supervisor = token(web, "supervisor")
    unknown = web.post("/api/officers/ghost/reassign", json={"to": "olu"}, headers=supervisor)
    assert unknown.status_code == 404 and "ghost" in unknown.json["message"]
    bad = web.post("/api/officers/officer/reassign", json={"to": "ghost"}, headers=supervisor)
    assert bad.status_code == 422 and bad.json["errors"] == {"to": "There is no active user called 'ghost'."}
    same = web.post("/api/officers/officer/reassign", json={"to": "officer"}, headers=supervisor)
    assert same.status_code == 422 and list(same.json["errors"]) == ["to"]
    missing = web.post("/api/officers/officer/reassign", json={}, headers=supervisor)
    assert missing.status_code == 422 and list(missing.json["errors"]) == ["to"]
    assert (
        web.post("/api/officers/officer/reassign", json={"to": "olu"}, headers=token(web)).status_code == 403
    )
    assert web.post("/api/officers/officer/reassign", json={"to": "olu"}).status_code == 401


def test_api_escalates_a_case(web):
    reference = report(web)
    reason = "Repeat victim, third incident this month."
    response = web.post(
        f"/api/cases/{reference}/escalate", json={"reason": reason}, headers=token(web, "admin")
    )
    assert response.status_code == 201, response.json
    assert (response.json["case_reference"], response.json["reason"], response.json["group"]) == (
        reference,
        reason,
        "supervisors",
    )
    escalated = [e for e in timeline(web, reference) if e["kind"] == "escalated"]
    assert len(escalated) == 1 and escalated[0]["actor"] == "Ada Admin" and reason in escalated[0]["summary"]
    notes = web.get("/api/notifications", headers=token(web, "supervisor")).json["items"]
    assert any(n["case_reference"] == reference and "escalated by Ada Admin" in n["message"] for n in notes)


@pytest.mark.parametrize(
    "body", [{}, {"reason": ""}, {"reason": "abcd"}, {"reason": "x" * 1001}, {"reason": "    x"}]
)
def test_api_escalate_refuses_a_bad_reason(web, body):
    reference = report(web)
    response = web.post(f"/api/cases/{reference}/escalate", json=body, headers=token(web, "supervisor"))
    assert response.status_code == 422 and list(response.json["errors"]) == ["reason"]


def test_api_escalate_404_409_and_roles(web, app):
    reference = report(web)
    supervisor = token(web, "supervisor")
    body = {"reason": "Please look at this"}
    assert web.post("/api/cases/HC-NOPE/escalate", json=body, headers=supervisor).status_code == 404
    assert web.post(f"/api/cases/{reference}/escalate", json=body, headers=token(web)).status_code == 403
    assert web.post(f"/api/cases/{reference}/escalate", json=body).status_code == 401
    with app.extensions["database"].session() as session:
        session.scalars(select(Case).where(Case.reference == reference)).one().status = "closed"
        session.commit()
    closed = web.post(f"/api/cases/{reference}/escalate", json=body, headers=supervisor)
    assert closed.status_code == 409 and "closed" in closed.json["message"]


def test_api_records_and_lists_reviews(web):
    reference = report(web)
    first = web.post(
        f"/api/cases/{reference}/reviews",
        json={"score": 1, "comments": "No contact."},
        headers=token(web, "supervisor"),
    )
    assert first.status_code == 201, first.json
    assert {
        k: first.json[k] for k in ("case_reference", "score", "comments", "reviewer", "reviewer_name")
    } == {
        "case_reference": reference,
        "score": 1,
        "comments": "No contact.",
        "reviewer": "supervisor",
        "reviewer_name": "Sam Supervisor",
    }
    second = web.post(
        f"/api/cases/{reference}/reviews",
        json={"score": 5, "comments": "Resolved."},
        headers=token(web, "manager"),
    )
    listed = web.get(f"/api/cases/{reference}/reviews", headers=token(web))  # officers may read them
    assert listed.status_code == 200
    assert [r["id"] for r in listed.json] == [second.json["id"], first.json["id"]]
    assert web.get("/api/cases/HC-NOPE/reviews", headers=token(web)).status_code == 404
    assert web.get(f"/api/cases/{reference}/reviews").status_code == 401
    assert any(e["kind"] == "quality_review" for e in timeline(web, reference))


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"score": 0, "comments": "Fine"}, ["score"]),
        ({"score": 6, "comments": "Fine"}, ["score"]),
        ({"score": "3", "comments": "Fine"}, ["score"]),
        ({"score": 2.5, "comments": "Fine"}, ["score"]),
        ({"score": True, "comments": "Fine"}, ["score"]),
        ({"comments": "Fine"}, ["score"]),
        ({"score": 3}, ["comments"]),
        ({"score": 3, "comments": ""}, ["comments"]),
        ({"score": 3, "comments": "   "}, ["comments"]),
        ({"score": 3, "comments": None}, ["comments"]),
        ({}, ["comments", "score"]),
    ],
)
def test_api_review_refuses_bad_input(web, body, fields):
    reference = report(web)
    response = web.post(f"/api/cases/{reference}/reviews", json=body, headers=token(web, "supervisor"))
    assert response.status_code == 422
    assert sorted(response.json["errors"]) == fields
    assert web.get(f"/api/cases/{reference}/reviews", headers=token(web)).json == []


def test_api_review_404_and_roles(web):
    reference = report(web)
    body = {"score": 3, "comments": "Fine"}
    assert (
        web.post("/api/cases/HC-NOPE/reviews", json=body, headers=token(web, "supervisor")).status_code == 404
    )
    for role in ("officer", "owner"):
        assert (
            web.post(f"/api/cases/{reference}/reviews", json={}, headers=token(web, role)).status_code == 403
        )
    assert web.post(f"/api/cases/{reference}/reviews", json=body).status_code == 401


def test_the_openapi_document_lists_the_supervisors_calls(web):
    paths = web.get("/api/openapi.json").json["paths"]
    for path in (
        "/api/tasks/{task_id}/reassign",
        "/api/officers/{username}/reassign",
        "/api/cases/{reference}/escalate",
        "/api/cases/{reference}/reviews",
    ):
        assert path in paths, path
    review = paths["/api/cases/{reference}/reviews"]["post"]
    assert review["security"] == [{"bearer": []}] and "requestBody" in review
