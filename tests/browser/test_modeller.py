"""A process owner changes the process in the browser modeller and deploys it; officers see the
change on new cases only, until the owner moves the old case (which keeps its deadline).
Validation problems are listed and the element is marked on the diagram; the compare view marks
what changed. A diagram the project has never seen is uploaded and worked through the inbox."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.diagrams import noise

pytestmark = pytest.mark.browser

REPORT = {
    "description": "Racist graffiti was sprayed on our front door overnight.",
    "location": "3 Birch Walk, Riverside Estate",
    "strands": ["race"],
}
NEW_LABEL = "When did you first speak to them?"


def report(page: Page) -> str:
    response = page.request.post("/api/reports", data=REPORT)
    assert response.status == 201, response.text()
    return response.json()["reference"]


def sign_in(page: Page, username: str) -> None:
    page.goto("/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("demo")
    page.get_by_role("button", name="Sign in").click()
    # Each role lands on its first page: officers on the inbox, process owners on the processes.
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()


def open_group(page: Page, title: str) -> None:
    header = page.locator("#properties .bio-properties-panel-group-header", has_text=title)
    if "open" not in (header.get_attribute("class") or ""):
        header.click()


def modeler_has(page: Page, script: str) -> None:
    """Wait until the modeller's model (not just the input) holds the edit."""
    page.wait_for_function(f"() => {{ const r = window.hatecasesModeler.get('elementRegistry'); {script} }}")


def set_candidate_groups(page: Page, groups: str) -> None:
    expect(page.locator("#properties .bio-properties-panel-header-label")).to_have_text(
        "Make the first response"
    )
    open_group(page, "User assignment")
    page.locator("#bio-properties-panel-candidateGroups").fill(groups)
    modeler_has(page, f"return r.get('first_response').businessObject.candidateGroups === '{groups}';")


def relabel_contact_date(page: Page) -> None:
    open_group(page, "Form fields")
    index = page.evaluate(
        """() => window.hatecasesModeler.get('elementRegistry').get('first_response').businessObject
            .extensionElements.values.find(v => v.$type === 'camunda:FormData')
            .fields.findIndex(f => f.id === 'contact_date')"""
    )
    page.locator("#properties .bio-properties-panel-collapsible-entry-header").get_by_text(
        "contact_date", exact=True
    ).click()
    page.locator(f"#bio-properties-panel-first_response-formField-{index}-formFieldLabel").fill(NEW_LABEL)
    modeler_has(
        page,
        "return r.get('first_response').businessObject.extensionElements.values"
        ".find(v => v.$type === 'camunda:FormData')"
        f".fields.some(f => f.label === {NEW_LABEL!r});",
    )


def set_deadline(page: Page, duration: str) -> None:
    page.locator('#canvas g.djs-element[data-element-id="response_deadline"]').click(force=True)
    open_group(page, "Timer")
    page.locator("#bio-properties-panel-timerEventDefinitionValue").fill(duration)
    modeler_has(
        page,
        "return r.get('response_deadline').businessObject.eventDefinitions[0].timeDuration.body"
        f" === '{duration}';",
    )


def first_response_row(page: Page, reference: str) -> tuple[datetime, datetime, str]:
    """The inbox row's due and created instants, and the task's link."""
    row = page.locator("tbody tr", has=page.get_by_role("link", name=reference, exact=True))
    expect(row).to_contain_text("Make the first response")
    due = datetime.fromisoformat(row.locator('td[data-label="Due"] time').get_attribute("datetime") or "")
    created = datetime.fromisoformat(
        row.locator('td[data-label="Created"] time').get_attribute("datetime") or ""
    )
    return due, created, row.get_by_role("link", name="Make the first response").get_attribute("href") or ""


def test_an_owner_changes_a_label_and_the_deadline_and_only_new_cases_get_them(
    browser_page: Page, artifacts: Path
) -> None:
    page = browser_page
    old_case = report(page)
    sign_in(page, "owner")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Processes").click()
    expect(page.locator('[data-process="hate_incident"] tr[data-version="1"]')).to_contain_text("1")
    page.get_by_role("link", name="Open version 1 in the modeller").click()
    expect(page.locator("#modeller[data-ready=true]")).to_be_attached()
    expect(page.locator(".bjs-powered-by")).to_be_visible()  # the bpmn.io watermark stays

    page.locator('#canvas g.djs-element[data-element-id="first_response"]').click(position={"x": 8, "y": 8})
    set_candidate_groups(page, "night-watch")
    page.get_by_role("button", name="Validate").click()
    problem = page.locator('#problems li[data-element-id="first_response"]')
    expect(problem).to_contain_text(
        "User task \"Make the first response\" (first_response): no group is called 'night-watch'"
    )
    expect(page.locator('g.djs-element.has-problem[data-element-id="first_response"]')).to_be_attached()
    expect(page.locator(".problem-badge")).to_have_count(1)
    page.screenshot(path=str(artifacts / "modeller-validation-error.png"), full_page=True)

    problem.get_by_role("button", name="Show on the diagram").click()
    set_candidate_groups(page, "community-safety")
    relabel_contact_date(page)
    set_deadline(page, "PT36H")
    page.get_by_role("button", name="Deploy as a new version").click()
    confirm = page.get_by_role("dialog", name="Deploy version 2?")
    expect(confirm).to_contain_text("Timer duration: “PT24H” → “PT36H”")
    expect(confirm).to_contain_text(
        f"Form field contact_date: label: “Date of contact, or of the attempt” → “{NEW_LABEL}”"
    )
    confirm.get_by_role("button", name="Deploy version 2").click()
    expect(page.locator("#modeller-status")).to_contain_text("Deployed as version 2 of Hate incident case")
    expect(page.locator("#editing-version")).to_have_text("2")
    expect(page.locator(".has-problem")).to_have_count(0)
    page.screenshot(path=str(artifacts / "modeller-deployed.png"), full_page=True)

    page.goto("/modeller/hate_incident/compare")
    expect(page.locator("#compare[data-ready=true]")).to_be_attached()
    expect(page.locator("#changes")).to_contain_text("response_deadline")
    expect(
        page.locator('#compare-new g.djs-element.diff-changed[data-element-id="first_response"]')
    ).to_be_attached()

    new_case = report(page)
    sign_out(page)
    sign_in(page, "officer")
    old_due, old_created, old_task = first_response_row(page, old_case)
    new_due, new_created, new_task = first_response_row(page, new_case)
    assert old_due - old_created == timedelta(hours=24)
    assert new_due - new_created == timedelta(hours=36)

    page.goto(new_task)
    expect(page.get_by_label(NEW_LABEL)).to_be_visible()
    page.goto(old_task)
    expect(page.get_by_label("Date of contact")).to_be_visible()
    expect(page.get_by_text(NEW_LABEL)).to_have_count(0)

    # The owner moves the old case to version 2: it keeps its 24-hour deadline, takes the new form.
    sign_out(page)
    sign_in(page, "owner")
    page.goto("/modeller/hate_incident/migrate")
    expect(page.locator(f'tr[data-case="{old_case}"]')).to_contain_text("Yes")
    page.get_by_role("button", name="Move the chosen cases").click()
    expect(page.locator("#migrate-status")).to_contain_text("Moved 1 of 1 cases.")
    expect(page.locator("#migrate-progress")).to_have_js_property("value", 1)
    page.get_by_role("link", name="See the cases now").click()
    expect(page.locator(f'tr[data-moved="{old_case}"]')).to_contain_text("Move back")
    sign_out(page)
    sign_in(page, "officer")
    moved_due, moved_created, moved_task = first_response_row(page, old_case)
    assert (moved_due, moved_created, moved_task) == (old_due, old_created, old_task)
    page.goto(old_task)
    expect(page.get_by_label(NEW_LABEL)).to_be_visible()


def test_a_never_seen_diagram_is_uploaded_and_worked_through_the_inbox(
    browser_page: Page, tmp_path: Path
) -> None:
    page = browser_page
    diagram = tmp_path / "noise.bpmn"
    diagram.write_bytes(noise())
    sign_in(page, "admin")
    page.goto("/modeller/")
    page.get_by_label("BPMN file", exact=True).set_input_files(str(diagram))
    page.get_by_role("button", name="Check and deploy").click()
    expect(page.get_by_role("status")).to_contain_text("Deployed Noise complaint version 1.")
    token = page.request.post("/api/token", data={"username": "admin", "password": "demo"}).json()["token"]
    started = page.request.post(
        "/api/process-models/noise_complaint/cases",
        data={"description": "Drilling every night", "location": "9 Ash Row"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert started.status == 201, started.text()
    reference = started.json()["reference"]
    sign_out(page)

    sign_in(page, "officer")
    row = page.locator("tbody tr", has=page.get_by_role("link", name=reference, exact=True))
    row.get_by_role("link", name="Log the noise complaint").click()
    page.get_by_label("Loudness (dB)").fill("92")
    page.get_by_label("What the neighbours said").fill("Drilling after midnight")
    page.get_by_role("button", name="Complete the task").click()
    expect(page).to_have_url(re.compile(rf"/cases/{reference}$"))
    expect(page.locator("#open-tasks")).to_contain_text("Visit the address")
