"""The case file in a real browser (Chromium, CSRF on), at desktop and phone sizes: its sections
and contents list; an incident logged from the page reaching the timeline; a duplicate cancelled
from the page on a phone, its incident moved to the case it duplicates and its tasks ended."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from db import Database
from tests.browser.test_dashboards import sign_in
from tests.consent_cases import report_case

pytestmark = pytest.mark.browser
SECTIONS = (
    "Where the case stands",
    "The report",
    "Risk",
    "People involved",
    "Consent and disclosures",
    "Referrals and enforcement",
    "Linked cases, hold and duplicates",
    "Record on this case",
    "Timeline",
)


@pytest.fixture
def database(live_server: str, tmp_path: Path) -> Iterator[Database]:
    database = Database(f"sqlite:///{tmp_path}/t.db")
    yield database
    database.dispose()


def test_the_case_file_at_desktop_and_phone_sizes(
    browser_page: Page, database: Database, artifacts: Path
) -> None:
    page = browser_page
    an_hour_ago = datetime.now(UTC) - timedelta(hours=1)
    original = report_case(database, at=an_hour_ago)
    duplicate = report_case(
        database, at=an_hour_ago, description="Racist shouting at 4 Birch Close, from next door"
    )
    sign_in(page, "officer")

    # Desktop: every section has its heading and a link in the contents list.
    page.goto(f"/cases/{original}")
    contents = page.get_by_role("navigation", name="On this page")
    for heading in SECTIONS:
        expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
        expect(contents.get_by_role("link", name=heading, exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Menu")).to_be_hidden()
    expect(page.locator("#open-tasks")).to_contain_text("Deadlines running")

    # An incident logged from the page: an empty one is refused next to the field first.
    page.get_by_text("Log another incident").click()
    page.get_by_role("button", name="Log the incident").click()
    expect(page.locator("#incident-details-error")).to_contain_text("Enter what happened.")
    expect(page.get_by_label("What happened")).to_have_attribute("aria-invalid", "true")
    page.get_by_label("What happened").fill("Eggs thrown at the kitchen window at 10 pm")
    page.get_by_role("button", name="Log the incident").click()
    expect(page.locator(".flash")).to_contain_text("The incident is logged")
    expect(page.locator("#timeline")).to_contain_text(
        "Another incident reported: Eggs thrown at the kitchen window"
    )
    expect(page.locator("#open-tasks")).to_contain_text("Log the new incident and reassess the risk")
    page.screenshot(path=str(artifacts / "case-file-desktop.png"), full_page=True)

    # Phone: the header's menu is collapsed behind a button; the duplicate is cancelled.
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(f"/cases/{duplicate}")
    menu = page.get_by_role("button", name="Menu")
    expect(menu).to_be_visible()
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Inbox")).to_be_hidden()
    menu.click()
    expect(menu).to_have_attribute("aria-expanded", "true")
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Inbox")).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the page scrolls sideways on a phone ({width}px)"

    page.get_by_text("Cancel as a duplicate").click()
    page.get_by_label("Reference of the case it duplicates").fill(original)
    page.get_by_label("Why is it a duplicate?").fill("The same incident, reported by a neighbour")
    page.get_by_role("button", name="Cancel this case as a duplicate").click()
    expect(page.locator(".flash")).to_contain_text("closed as a duplicate")
    expect(page.locator("dl.facts")).to_contain_text(f"Closed as a duplicate of {original}")
    expect(page.locator("#open-tasks")).to_contain_text("The case is closed")
    expect(page.locator("#timeline")).to_contain_text("Task withdrawn: Make the first response")
    page.screenshot(path=str(artifacts / "case-file-duplicate-phone.png"), full_page=True)

    page.locator("#link-list").get_by_role("link", name=original).click()
    expect(page.locator("#timeline")).to_contain_text("Racist shouting at 4 Birch Close, from next door")
    expect(page.locator("#links")).to_contain_text("a duplicate of this case")
