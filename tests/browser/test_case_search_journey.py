"""Finding a closed case in a real browser, at desktop and phone sizes: by its postcode (typed
without the space) and by part of a name typed without its accent."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

import processes
from casework import reports, steps
from casework.reports import PartyDetails
from db import Database
from db.models import Case, Task

pytestmark = pytest.mark.browser
SIZES = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


def closed_case(url: str, name: str, address: str) -> str:
    """A case reported yesterday and closed since (the list reads only where the case stands)."""
    database = Database(url)
    now = processes.clock.now()
    with database.session() as session:
        incident = reports.Report(
            description="Abuse shouted at the door",
            location=address,
            strands=["race"],
            parties=[PartyDetails(role="victim", name=name, address=address)],
        )
        reference = reports.submit(session, incident, now=now - timedelta(days=1)).case_reference
        case = session.scalars(select(Case).where(Case.reference == reference)).one()
        with steps.case_step(session, now=now, case=case) as step:
            step.case.status, step.case.closed_at = "closed", now
            for task in session.scalars(select(Task).where(Task.case_id == case.id)):
                task.status, task.completed_at = "completed", now
    database.dispose()
    return reference


@pytest.mark.parametrize("size", SIZES)
def test_a_closed_case_is_found_by_postcode_and_part_of_a_name(
    browser_page: Page, tmp_path: Path, artifacts: Path, size: str
) -> None:
    page = browser_page
    page.set_viewport_size(SIZES[size])
    url = f"sqlite:///{tmp_path}/t.db"
    bell = closed_case(url, "Joseph Béll", "4 Ash Road, Leeds LS6 2AB")
    other = closed_case(url, "Anne Smith", "9 Elm Street, York YO1 7HH")

    page.goto("/login")
    page.get_by_label("Username").fill("supervisor")
    page.get_by_label("Password").fill("demo")
    page.get_by_role("button", name="Sign in").click()
    if (page.viewport_size or {"width": 1280})["width"] < 768:  # on a phone the menu is collapsed
        page.get_by_role("button", name="Menu").click()  # waits for app.js to have added it
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Cases", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Cases")

    page.get_by_label("Search by reference, name, address, postcode or police reference").fill("ls62ab")
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page.locator("#result-count")).to_contain_text("Showing 1\u20131 of 1 case matching “ls62ab”")
    row = page.locator("tr.case-row", has=page.get_by_role("link", name=bell, exact=True))
    expect(row).to_be_visible()
    expect(row).to_contain_text("Closed")
    expect(row).to_contain_text("Joseph Béll")
    expect(page.get_by_role("link", name=other, exact=True)).to_have_count(0)

    search = page.get_by_label("Search by reference, name, address, postcode or police reference")
    search.fill("bel")
    search.press("Enter")
    expect(page.locator("#result-count")).to_contain_text("of 1 case matching “bel”")
    if size == "phone":  # each case is a card, its cells labelled, and nothing scrolls sideways
        assert page.evaluate("document.documentElement.scrollWidth") <= SIZES[size]["width"]
        expect(row.locator('td[data-label="Status and stage"]')).to_be_visible()
    page.screenshot(path=str(artifacts / f"case-search-{size}.png"), full_page=True)
    row.get_by_role("link", name=bell, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(bell)

    page.goto("/cases?scope=recent")
    expect(page.get_by_role("link", name=bell, exact=True)).to_be_visible()
    search = page.get_by_label("Search by reference, name, address, postcode or police reference")
    search.fill("xyz")
    search.press("Enter")
    expect(page.get_by_role("heading", name="No cases match “xyz”")).to_be_visible()
    expect(page.get_by_text("Try part of a name or a postcode")).to_be_visible()
