"""Managers and supervisors in a real browser: the stuck-work list and its filters, the heatmap of
where open cases wait on the diagram, and the indicators with a filter. The cases are made through
the real process, straight into the live server's database, with report times in the past; each
expected figure is worked out here from the times and localities the test chose."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from casework import heatmap
from db import Database
from tests.bpmn.walk import FIRST_RESPONSE, Walk

pytestmark = pytest.mark.browser
HOUR = timedelta(hours=1)


@pytest.fixture
def database(live_server: str, tmp_path: Path) -> Iterator[Database]:
    """The live server's database (the same file as ``live_server`` made)."""
    database = Database(f"sqlite:///{tmp_path}/t.db")
    yield database
    database.dispose()


def sign_in(page: Page, username: str) -> None:
    page.goto("/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("demo")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Inbox")).to_be_visible()


def nav(page: Page, name: str) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("link", name=name).click()


def test_a_supervisor_sees_overdue_work_and_narrows_it_by_locality(
    browser_page: Page, database: Database, artifacts: Path
) -> None:
    page = browser_page
    now = datetime.now(UTC)
    hillside = Walk.report(database, at=now - 40 * HOUR, locality="Hillside")
    riverside = Walk.report(database, at=now - 30 * HOUR, locality="Riverside")
    recent = Walk.report(database, at=now - 2 * HOUR, locality="Riverside")
    # The first response is due 24 hours after the report: the first two are past it and have
    # been offered to the team for more than 24 hours; the recent one is neither.
    sign_in(page, "supervisor")
    nav(page, "Stuck work")
    expect(page.get_by_role("heading", name="Stuck work", level=1)).to_be_visible()
    expect(page.locator('.tab-count[data-kind="overdue"]')).to_have_text("2")
    expect(page.locator('.tab-count[data-kind="unclaimed"]')).to_have_text("2")
    expect(page.locator('.tab-count[data-kind="dead_end"]')).to_have_text("0")
    rows = page.locator("tr.stuck-row")
    expect(rows).to_have_count(2)
    assert rows.evaluate_all("rows => rows.map(r => r.dataset.case)") == [
        hillside.reference,  # oldest first: its deadline passed 16 hours ago, the other's 6
        riverside.reference,
    ]
    expect(rows.first).to_contain_text("Make the first response: past its due time")
    expect(page.locator("#result-count")).to_contain_text("2 tasks")
    assert recent.reference not in page.locator("main").inner_text()

    page.get_by_label("Locality").select_option("Riverside")
    page.get_by_role("button", name="Apply filters").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_have_attribute("data-case", riverside.reference)
    expect(page.locator("#result-count")).to_contain_text("1 task")
    expect(page.locator('.tab-count[data-kind="overdue"]')).to_have_text("1")

    page.get_by_role("link", name="Not taken by anyone").click()
    page.get_by_label("Not taken for (hours)").fill("1")
    page.get_by_role("button", name="Apply filters").click()
    expect(rows).to_have_count(2)  # Riverside only: the recent case too, after an hour
    assert rows.evaluate_all("rows => rows.map(r => r.dataset.case)") == [
        riverside.reference,
        recent.reference,
    ]
    page.screenshot(path=str(artifacts / "dashboards-stuck-work.png"), full_page=True)


def test_the_heatmap_counts_the_cases_waiting_at_each_step_and_lists_them(
    browser_page: Page, database: Database, artifacts: Path
) -> None:
    page = browser_page
    now = datetime.now(UTC)
    oldest = Walk.report(database, at=now - 5 * HOUR)
    moved = Walk.report(database, at=now - 3 * HOUR)
    newest = Walk.report(database, at=now - HOUR)
    moved.do("first_response", FIRST_RESPONSE, after=HOUR)  # police referral open for 2 hours
    waits = [5 * 3600, 1 * 3600]  # at the first response
    median, longest = heatmap.describe(sum(waits) / 2), heatmap.describe(max(waits))
    assert (median, longest) == ("3 hours", "5 hours")

    sign_in(page, "manager")
    nav(page, "Stuck work")
    page.get_by_role("link", name="See where cases wait on the process diagram").click()
    expect(page.locator("#heatmap[data-ready=true]")).to_be_attached()
    expect(page.locator("#heatmap-canvas svg g.djs-element").first).to_be_attached()
    expect(page.locator('#heatmap-canvas g.djs-element[data-element-id="first_response"]')).to_be_attached()
    expect(page.locator(".bjs-powered-by")).to_be_visible()  # the bpmn.io watermark stays
    expect(page.locator("#heatmap-status")).to_have_text("Showing 3 waiting cases at 2 steps.")

    badge = page.locator('button.heat-badge[data-element-id="first_response"]')
    expect(badge).to_have_text("2")
    expect(badge).to_have_attribute(
        "aria-label",
        f"Make the first response: 2 open cases waiting; median wait {median}, longest {longest}. "
        "Show the cases.",
    )
    expect(page.locator('button.heat-badge[data-element-id="police_referral"]')).to_have_text("1")
    expect(page.locator("button.heat-badge")).to_have_count(2)
    expect(page.locator('g.djs-element.heat-4[data-element-id="first_response"]')).to_be_attached()

    badge.click()
    cases = page.locator("#heatmap-cases tbody tr")
    expect(page.locator("#heatmap-cases-heading")).to_have_text("Make the first response: 2 cases waiting")
    expect(page.locator("#heatmap-cases-heading")).to_be_focused()
    expect(cases).to_have_count(2)
    assert cases.evaluate_all("rows => rows.map(r => r.dataset.case)") == [oldest.reference, newest.reference]
    expect(cases.first.get_by_role("link", name=oldest.reference)).to_have_attribute(
        "href", f"/cases/{oldest.reference}"
    )
    expect(cases.first).to_contain_text("5 hours")
    page.screenshot(path=str(artifacts / "dashboards-heatmap.png"), full_page=True)

    # The keyboard reaches the other badge; the element itself can be clicked too.
    page.locator('button.heat-badge[data-element-id="police_referral"]').focus()
    page.keyboard.press("Enter")
    expect(page.locator("#heatmap-cases-heading")).to_have_text("Report to the police: 1 case waiting")
    expect(cases).to_have_count(1)
    expect(cases.first).to_have_attribute("data-case", moved.reference)
    page.locator('#heatmap-canvas g.djs-element[data-element-id="first_response"]').click(
        position={"x": 5, "y": 5}
    )
    expect(cases).to_have_count(2)

    cases.first.get_by_role("link", name=oldest.reference).click()
    expect(page).to_have_url(re.compile(rf"/cases/{oldest.reference}$"))


def test_the_indicators_show_figures_that_a_filter_changes(
    browser_page: Page, database: Database, artifacts: Path
) -> None:
    page = browser_page
    now = datetime.now(UTC)
    localities = ["Riverside", "Riverside", "Hillside"]
    for minutes, locality in enumerate(localities, start=1):
        Walk.report(database, at=now - timedelta(minutes=minutes), locality=locality)

    sign_in(page, "manager")
    nav(page, "Indicators")
    expect(page.get_by_role("heading", name="Indicators", level=1)).to_be_visible()
    expect(page.locator('[data-figure="new_cases"]')).to_have_text(str(len(localities)))
    by_locality = page.locator("#new_by_locality")
    expect(by_locality.locator("svg.chart")).to_be_visible()
    expect(by_locality.locator("table tbody tr")).to_have_count(2)
    for name in ("Riverside", "Hillside"):
        row = by_locality.locator("tbody tr", has=page.get_by_role("rowheader", name=name, exact=True))
        expect(row.locator("td").first).to_have_text(str(localities.count(name)))
    expect(page.locator("#first_response tbody tr", has_text="Not yet due").locator("td").first).to_have_text(
        "3"
    )
    page.screenshot(path=str(artifacts / "dashboards-indicators.png"), full_page=True)

    page.get_by_label("Locality", exact=True).select_option("Hillside")
    page.get_by_role("button", name="Show the figures").click()
    expect(page.locator("#period-summary")).to_contain_text("locality is")
    expect(page.locator('[data-figure="new_cases"]')).to_have_text("1")
    expect(by_locality.locator("table tbody tr")).to_have_count(1)
    expect(by_locality.locator("svg.chart")).to_be_visible()
