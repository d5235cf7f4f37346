"""Supervisors in a real browser, on a phone-sized screen: give a case's task to another officer,
escalate the case with a reason (a missing reason is refused next to the field, nothing lost),
and record a quality review; each shows on the case page and its timeline."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from db import Database
from db.models import Notification
from tests.bpmn.walk import Walk
from tests.browser.test_dashboards import sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def database(live_server: str, tmp_path: Path) -> Iterator[Database]:
    database = Database(f"sqlite:///{tmp_path}/t.db")
    yield database
    database.dispose()


def test_a_supervisor_reassigns_escalates_and_reviews_a_case(
    browser_page: Page, database: Database, artifacts: Path
) -> None:
    page = browser_page
    page.set_viewport_size({"width": 390, "height": 844})
    walk = Walk.report(database, at=datetime.now(UTC) - timedelta(hours=3), locality="Riverside")
    sign_in(page, "supervisor")
    page.goto(f"/cases/{walk.reference}")

    page.get_by_text("Reassign a task").click()
    page.get_by_label("Give “Make the first response” to").select_option(label="Olivia Officer")
    page.get_by_role("button", name="Reassign “Make the first response”").click()
    moved = "The task “Make the first response” is now with Olivia Officer."
    expect(page.locator("main")).to_contain_text(moved)
    expect(page.locator("main")).to_contain_text("taken by Olivia Officer")

    page.get_by_text("Escalate now").click()
    page.get_by_role("button", name="Escalate to the supervisors").click()  # no reason given
    reason = page.get_by_label("Why escalate the case")
    expect(page.locator(".error-summary, [role=alert]").first).to_be_visible()
    expect(reason).to_have_attribute("aria-invalid", "true")
    reason.fill("The victim says the abuse is getting worse every night")
    page.get_by_role("button", name="Escalate to the supervisors").click()
    timeline = page.locator("main")
    expect(timeline).to_contain_text("The victim says the abuse is getting worse every night")

    page.get_by_text("Record a quality review").click()
    page.get_by_label("4", exact=True).check()
    page.get_by_label("Comments").fill("Prompt contact, but the police referral is not recorded yet")
    page.get_by_role("button", name="Record the review").click()
    reviews = page.locator("section", has=page.get_by_role("heading", name="Quality reviews"))
    expect(reviews).to_contain_text("Prompt contact, but the police referral is not recorded yet")
    expect(reviews).to_contain_text("4")
    page.screenshot(path=str(artifacts / "supervision-case-phone.png"), full_page=True)

    assert "first_response" in walk.open_elements()
    with database.session() as session:
        escalations = session.scalars(
            select(Notification.message).where(Notification.group_name == "supervisors")
        ).all()
    assert any(walk.reference in message for message in escalations)
