"""Staff intake in a real browser, at desktop and phone sizes: an administrator adds a locality,
an intake colleague records a phone report with channel, incident type, locality and two people
(the second row added with the page's own button), is told what is missing, and then opens the
case they recorded."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

SIZES = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 375, "height": 800}}


def sign_in(page: Page, username: str, name: str) -> None:
    page.goto("/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("demo")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text(f"Signed in as {name}")).to_be_attached()


def sign_out(page: Page) -> None:
    if (page.viewport_size or {"width": 1280})["width"] < 768:  # on a phone the menu is collapsed
        page.get_by_role("button", name="Menu").click()  # waits for app.js to have added it
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("link", name="Sign in", include_hidden=True)).to_be_attached()


def add_locality(page: Page) -> None:
    page.goto("/admin/localities")
    expect(page.get_by_role("heading", name="Localities", level=1)).to_be_visible()
    form = page.locator("form", has=page.get_by_role("button", name="Add the locality"))
    form.get_by_label("Name").fill("Riverside Estate")
    form.get_by_label("Kind").select_option(label="Estate")
    form.get_by_label("Postcodes").fill("LS9 8, LS9 9")
    form.get_by_role("button", name="Add the locality").click()
    expect(page.get_by_role("status")).to_contain_text("Added “Riverside Estate”")
    expect(page.get_by_role("cell", name="LS9 8, LS9 9")).to_be_visible()


@pytest.mark.parametrize("size", list(SIZES))
def test_intake_records_a_phone_report_and_opens_the_case(
    browser_page: Page, artifacts: Path, size: str
) -> None:
    page = browser_page
    page.set_viewport_size(SIZES[size])
    sign_in(page, "admin", "Ada Admin")
    add_locality(page)
    sign_out(page)

    sign_in(page, "intake", "Ian Intake")
    if size == "desktop":
        page.get_by_role("link", name="Record a report").click()
    else:
        page.goto("/intake")
    expect(page.get_by_role("heading", name="Record a report")).to_be_visible()
    page.get_by_label("Their name").fill("Joseph Bell")
    page.get_by_label("Phone number").first.fill("0113 496 0000")
    page.get_by_label("What happened?").fill("Mr Bell phoned: a neighbour shouted racist abuse at him.")
    page.get_by_label("Date", exact=True).fill(f"{date.today() - timedelta(days=1):%d/%m/%Y}")
    page.get_by_label("Time (optional)").fill("19:15")
    page.get_by_label("Where did it happen?").fill("14 Oak Court, Leeds LS9 8AB")
    page.get_by_label("Locality").select_option(label="Riverside Estate")
    page.get_by_label("Verbal abuse").check()
    page.get_by_label("Race", exact=True).check()
    page.locator("#parties-0-role").select_option(label="Victim")
    page.locator("#parties-0-name").fill("Joseph Bell")
    page.locator("#parties-0-relation").select_option(label="Tenant")
    page.get_by_role("button", name="Add another person").click()
    page.locator("#parties-1-role").select_option(label="Alleged perpetrator")
    page.locator("#parties-1-name").fill("Kevin Stone")

    # The channel was forgotten: the summary says so, its link goes to the field, nothing is lost.
    page.get_by_role("button", name="Record the report", exact=True).click()
    summary = page.locator(".error-summary")
    expect(summary).to_contain_text("Choose how the report reached us.")
    summary.get_by_role("link", name="Choose how the report reached us.").click()
    expect(page.locator("#channel")).to_be_focused()
    expect(page.locator("#parties-1-name")).to_have_value("Kevin Stone")
    expect(page.get_by_label("Locality")).to_have_value(re.compile(r"^\d+$"))
    page.locator("#channel").select_option(label="Phone (office hours)")
    page.screenshot(path=str(artifacts / f"staff-intake-{size}.png"), full_page=True)
    page.get_by_role("button", name="Record the report", exact=True).click()

    expect(page.get_by_role("status")).to_contain_text("Report recorded as case HC-")
    reference = re.search(r"HC-\d{4}-\d{6}", page.get_by_role("status").inner_text())
    assert reference is not None
    assert page.url.endswith(f"/cases/{reference.group(0)}")
    main = page.locator("main")
    expect(main).to_contain_text("Recorded by")
    expect(main).to_contain_text("Ian Intake, for Joseph Bell")
    expect(main).to_contain_text("Phone (office hours)")
    expect(main).to_contain_text("Riverside Estate")
    expect(main).to_contain_text("Verbal abuse")
    expect(main).to_contain_text("Kevin Stone")
    # Opening it again later (not only straight after keying it) works for the intake colleague.
    page.goto(f"/cases/{reference.group(0)}")
    expect(page.get_by_role("heading", level=1)).to_contain_text(reference.group(0))
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= SIZES[size]["width"], f"the case page scrolls sideways at {size} size ({width}px)"
