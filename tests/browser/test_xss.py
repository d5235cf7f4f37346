"""Script in anything a person types is shown as text, never run: checked in Chromium.

Each free-text field gets a different payload that would set ``window.__xss`` if the page ran
it: the public report form (typed in the browser, including a re-rendered form with errors),
the parties' names and addresses, a task's free-text answers, another incident, a complaint,
an escalation reason, a supervisor's review and the inbox search. Then every page that shows
them is opened in Chromium: the page must not have run anything (``window.__xss`` undefined,
no dialog) and its visible text must contain the payload literally, so it was escaped, not
stripped. This proves escaping on its own, with or without a Content Security Policy.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from xml.sax.saxutils import quoteattr

import pytest
from playwright.sync_api import APIRequestContext, Page, expect

from tests.browser import report_pages

pytestmark = pytest.mark.browser

SCRIPT = "<script>window.__xss=1</script>"
IMG = '"><img src=x onerror="window.__xss=1">'
JS_URL = "javascript:window.__xss=1"
SVG = "<svg onload=window.__xss=1>"
QUOTE = "'><iframe src=javascript:window.__xss=1>"
NEW_CASE = {"description": "A new case on the new version", "location": "3 Elm Road", "strands": ["age"]}
DIAGRAM = Path(__file__).resolve().parents[2] / "bpmn" / "hate_incident.bpmn"


def _is_clean(page: Page) -> None:
    """Nothing ran, and the page has finished loading its scripts (so any handler had its chance)."""
    page.wait_for_load_state("load")
    page.wait_for_timeout(150)  # onerror of a broken <img> fires after load on a slow machine
    assert page.evaluate("typeof window.__xss") == "undefined", page.url


def _shows(page: Page, *texts: str) -> None:
    page.eval_on_selector_all("details", "all => all.forEach(d => { d.open = true; })")  # answers, letters
    body = page.inner_text("body")
    for text in texts:
        assert text in body, f"{text!r} is not shown as text on {page.url}"


def _token(request: APIRequestContext, username: str) -> dict[str, str]:
    response = request.post("/api/token", data={"username": username, "password": "demo"})
    assert response.status == 200, response.text()
    return {"Authorization": f"Bearer {response.json()['token']}"}


def _api(request: APIRequestContext, method: str, url: str, headers: dict[str, str], **body: Any) -> Any:
    response = request.fetch(url, method=method, headers=headers, data=body or None)
    assert response.status in (200, 201), f"{method} {url}: {response.status} {response.text()}"
    return response.json()


def _report_in_the_browser(page: Page) -> str:
    report_pages.answer(
        page,
        report_pages.Answers(
            description=f"Shouted at: {SCRIPT} and more",
            location=IMG,
            name=SVG,
        ),
    )
    _is_clean(page)
    page.locator("#answer-email").get_by_role("link", name="Change").click()
    page.get_by_label("Email address").fill(JS_URL)  # not an address: the page comes back
    page.get_by_label("Phone number").fill(QUOTE)  # not a number either
    report_pages.go_on(page)
    expect(page.locator(".error-summary")).to_be_visible()
    _is_clean(page)
    # What was typed is kept, literally, in the fields it was typed into.
    expect(page.get_by_label("Your name")).to_have_value(SVG)
    expect(page.get_by_label("Email address")).to_have_value(JS_URL)
    expect(page.get_by_label("Phone number")).to_have_value(QUOTE)
    page.get_by_label("Email address").fill("victim@example.org")
    page.get_by_label("Phone number").fill("0161 496 0000")
    report_pages.go_on(page)
    expect(page.locator("#answer-description")).to_contain_text(f"Shouted at: {SCRIPT} and more")
    expect(page.locator("#answer-location")).to_contain_text(IMG)
    _is_clean(page)
    reference, _code = report_pages.send(page)
    _is_clean(page)
    return reference


def _sign_in(page: Page, username: str) -> None:
    page.goto("/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("demo")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def _work_the_case(request: APIRequestContext, reference: str) -> None:
    """Task answers, another incident and a complaint, each with a payload."""
    officer = _token(request, "officer")
    tasks = _api(request, "GET", "/api/tasks", officer)["items"]
    task = next(t for t in tasks if t["case_reference"] == reference)
    _api(request, "POST", f"/api/tasks/{task['id']}/claim", officer)
    _api(
        request,
        "POST",
        f"/api/tasks/{task['id']}/complete",
        officer,
        contact_method="phone",
        contact_date="2026-03-02",
        response_notes=f"Notes {SVG} end",
        reporting_advice=["police"],
    )
    _api(request, "POST", f"/api/cases/{reference}/incidents", officer, details=f"Again: {SCRIPT}")
    _api(
        request,
        "POST",
        f"/api/cases/{reference}/complaints",
        officer,
        details=f"Complaint {IMG}",
        complainant="victim",
        complainant_name=f"Name {IMG}",
        about=["delay"],
    )


def _task_form_keeps_typed_text(page: Page, request: APIRequestContext, reference: str) -> None:
    """The next task's free-text answers, sent with a required answer missing: the form comes
    back with every answer as typed, shown as a value, not run."""
    supervisor = _token(request, "supervisor")
    tasks = _api(request, "GET", "/api/tasks", supervisor)["items"]
    task = next(t for t in tasks if t["case_reference"] == reference)
    page.goto(f"/tasks/{task['id']}")
    page.get_by_role("button", name="Claim this task").click()
    _is_clean(page)
    _shows(page, IMG)  # the report's location, beside the form
    boxes = page.locator("#task-form textarea, #task-form input[type=text]")
    assert boxes.count() >= 1, "the task has no free-text answer to try"
    for index in range(boxes.count()):
        boxes.nth(index).fill(f"{index} {SCRIPT}")
    page.get_by_role("button", name="Complete the task").click()
    expect(page.locator(".error-summary")).to_be_visible()
    _is_clean(page)
    for index in range(boxes.count()):
        expect(boxes.nth(index)).to_have_value(f"{index} {SCRIPT}")


def _modeller_uploads(page: Page) -> None:
    """A process owner's upload: a broken file with a payload for a name and in its content, then
    a diagram whose process name is a payload, shown in the catalogue and on the heatmap."""
    page.get_by_role("button", name="Sign out").click()
    _sign_in(page, "owner")
    page.goto("/modeller/")
    page.locator("#file").set_input_files(
        {"name": f"{IMG}.bpmn", "mimeType": "application/xml", "buffer": f"<definitions>{SCRIPT}".encode()}
    )
    page.get_by_role("button", name="Check and deploy").click()
    expect(page.locator("#upload-problems")).to_be_visible()
    _is_clean(page)
    renamed = (
        DIAGRAM.read_text()
        .replace('name="Hate incident case"', f"name={quoteattr(f'Case {SVG}')}")
        .replace('name="Make the first response"', f"name={quoteattr(f'First {IMG}')}")
    )
    page.locator("#file").set_input_files(
        {"name": "renamed.bpmn", "mimeType": "application/xml", "buffer": renamed.encode()}
    )
    page.get_by_role("button", name="Check and deploy").click()
    _is_clean(page)
    _shows(page, f"Case {SVG}")
    page.goto("/modeller/hate_incident")  # bpmn-js draws the names into the diagram
    expect(page.locator(".djs-element").first).to_be_attached()
    _is_clean(page)

    # A case on the new version waits at the renamed task: the heatmap names it, in its table and
    # on the diagram that bpmn-js draws.
    _api(page.context.request, "POST", "/api/reports", {}, **NEW_CASE)
    page.get_by_role("button", name="Sign out").click()
    _sign_in(page, "supervisor")
    page.goto("/dashboards/heatmap")
    expect(page.locator(".djs-element").first).to_be_attached()
    _is_clean(page)
    _shows(page, f"First {IMG}")
    page.get_by_role("link", name=f"First {IMG}").click()
    _is_clean(page)
    _shows(page, f"First {IMG}")


def test_every_free_text_field_is_shown_escaped(browser_page: Page) -> None:
    page = browser_page
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    reference = _report_in_the_browser(page)
    request = page.context.request
    party_report = _api(
        request,
        "POST",
        "/api/reports",
        {},
        description=f"A report with parties {SCRIPT}",
        location="2 Elm Road",
        strands=["religion_or_belief"],
        parties=[
            {"role": "victim", "name": f"Victim {SVG}", "address": f"Flat {IMG}"},
            {"role": "alleged_perpetrator", "name": f"Perp {QUOTE}", "address": JS_URL},
        ],
    )
    _work_the_case(request, reference)

    _sign_in(page, "supervisor")
    page.goto(f"/cases/{reference}")
    page.locator("#escalate summary").click()
    page.get_by_label("Why escalate the case").fill(f"Escalated {QUOTE}")
    page.get_by_role("button", name="Escalate to the supervisors").click()
    _is_clean(page)
    page.locator("#review-form-details summary").click()
    page.get_by_label("3 \N{EN DASH} adequate").check()
    page.get_by_label("Comments").fill(f"Review {JS_URL}")
    page.get_by_role("button", name="Record the review").click()
    _is_clean(page)
    _shows(
        page,
        f"Shouted at: {SCRIPT} and more",
        IMG,
        SVG,
        f"Notes {SVG} end",
        f"Again: {SCRIPT}",
        f"Complaint {IMG}",
        f"Escalated {QUOTE}",
        f"Review {JS_URL}",
    )
    page.goto(f"/cases/{party_report['reference']}")
    _is_clean(page)
    _shows(page, f"Victim {SVG}", f"Flat {IMG}", f"Perp {QUOTE}", JS_URL)

    page.goto("/")
    page.get_by_role("searchbox").fill(SCRIPT)
    page.get_by_role("searchbox").press("Enter")
    _is_clean(page)
    expect(page.get_by_role("searchbox")).to_have_value(SCRIPT)
    _shows(page, SCRIPT)

    _task_form_keeps_typed_text(page, request, reference)

    for url in (
        "/notifications",
        "/dashboards/stuck",
        "/dashboards/indicators",
        "/dashboards/annual",
        "/dashboards/heatmap",
        f"/cases/{reference}",
    ):
        page.goto(url)
        _is_clean(page)
    page.goto("/notifications")
    _shows(page, reference)

    _modeller_uploads(page)
    assert dialogs == []

    # The JSON API gives them back as plain data, exactly as typed.
    supervisor = _token(request, "supervisor")
    case = _api(request, "GET", f"/api/cases/{reference}", supervisor)
    assert case["description"] == f"Shouted at: {SCRIPT} and more"
    assert case["location"] == IMG
    assert any(f"Escalated {QUOTE}" in event["summary"] for event in case["timeline"]), case["timeline"]
    reviews = _api(request, "GET", f"/api/cases/{reference}/reviews", supervisor)
    assert [r["comments"] for r in reviews] == [f"Review {JS_URL}"]
