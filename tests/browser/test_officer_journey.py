"""An officer's first task, end to end in a real browser: a member of the public reports an
incident, the officer finds it in the inbox, claims it, makes a mistake on the form, corrects
it, and sees the next task on the case page."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser import report_pages

pytestmark = pytest.mark.browser


def report_incident(page: Page) -> str:
    yesterday = date.today() - timedelta(days=1)
    when = (str(yesterday.day), str(yesterday.month), str(yesterday.year))
    report_pages.answer(page, report_pages.Answers(date=when, time="18:30"))
    reference, _code = report_pages.send(page)
    expect(page.get_by_text("within 24 hours")).to_be_visible()
    return reference


def sign_in(page: Page, username: str) -> None:
    page.get_by_role("link", name="Sign in").click()
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("demo")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Inbox")).to_be_visible()


def test_officer_claims_and_completes_the_first_response(browser_page: Page, artifacts: Path) -> None:
    page = browser_page
    reference = report_incident(page)
    sign_in(page, "officer")

    row = page.locator("tbody tr", has=page.get_by_role("link", name=reference, exact=True))
    expect(row).to_contain_text("Make the first response")
    expect(row).to_contain_text("Unassigned")
    row.get_by_role("button", name="Claim").click()
    expect(page.get_by_role("status")).to_contain_text("You have taken the task")
    expect(row).to_contain_text("You")

    row.get_by_role("link", name="Make the first response").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Make the first response")
    expect(page.get_by_role("complementary")).to_contain_text("12 Oak Court, Riverside Estate")
    today = date.today().isoformat()
    page.get_by_label("Did you speak to the reporter?").check()
    page.get_by_label("Phone", exact=True).check()
    page.get_by_label("Date of contact").fill(today)
    page.get_by_label("Report to the police").check()
    page.get_by_role("button", name="Complete the task").click()

    notes = page.get_by_label("What was said and agreed")
    expect(page.locator(".error-summary")).to_be_focused()
    expect(page.locator(".error-summary")).to_contain_text(
        "What was said and agreed: This field is required."
    )
    expect(page.locator("#response_notes-error")).to_contain_text("This field is required.")
    expect(notes).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Did you speak to the reporter?")).to_be_checked()
    expect(page.get_by_label("Phone", exact=True)).to_be_checked()
    expect(page.get_by_label("Date of contact")).to_have_value(today)
    expect(page.get_by_label("Report to the police")).to_be_checked()
    page.screenshot(path=str(artifacts / "officer-journey-form-error.png"), full_page=True)

    notes.fill("Spoke to the reporter by phone; home visit booked for Thursday.")
    page.get_by_role("button", name="Complete the task").click()

    expect(page).to_have_url(re.compile(rf"/cases/{reference}$"))
    expect(page.get_by_role("status")).to_contain_text("Task completed")
    next_task = page.locator("#open-tasks").get_by_role("link", name="Report to the police")
    expect(next_task).to_be_visible()
    expect(page.locator("#timeline")).to_contain_text("Olivia Officer completed: Make the first response")
    page.screenshot(path=str(artifacts / "officer-journey-case.png"), full_page=True)

    page.set_viewport_size({"width": 375, "height": 800})
    page.get_by_role("button", name="Menu").click()  # on a phone the header's menu is collapsed
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Inbox").click()
    expect(page.locator("tbody tr", has_text=reference)).to_contain_text("Report to the police")
    page.screenshot(path=str(artifacts / "officer-journey-inbox-phone.png"), full_page=True)
