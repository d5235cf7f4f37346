"""Consent, disclosure and subject access in a real browser on a phone-sized screen, with CSRF on:
an officer records a consent and withdraws it after the confirmation (the task appears), records a
disclosure (a missing reason is refused next to the field, nothing typed is lost); a manager finds
the victim and downloads the readable export."""

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


@pytest.fixture
def database(live_server: str, tmp_path: Path) -> Iterator[Database]:
    database = Database(f"sqlite:///{tmp_path}/t.db")
    yield database
    database.dispose()


def test_consent_withdrawal_disclosure_and_subject_access(
    browser_page: Page, database: Database, artifacts: Path
) -> None:
    page = browser_page
    page.set_viewport_size({"width": 390, "height": 844})
    reference = report_case(database, at=datetime.now(UTC) - timedelta(hours=1))
    sign_in(page, "officer")
    page.goto(f"/cases/{reference}")
    section = page.locator("#consent")
    expect(section).to_contain_text("No consent recorded yet")

    section.get_by_text("Record a consent").click()
    page.get_by_label("Whose consent").select_option(label="Victim: Amira Khan")
    page.locator("#consent-form").get_by_label("Sharing with the police").check()
    page.get_by_label("Yes, consent given").check()
    page.get_by_role("button", name="Record the consent").click()
    expect(page.locator(".flash")).to_contain_text("The consent is recorded.")
    expect(page.locator("#consent-list")).to_contain_text("Victim: Amira Khan: sharing with the police")

    page.locator("#consent-list summary").first.click()
    page.get_by_role("button", name="Yes, withdraw the consent").click()
    expect(page.locator(".flash")).to_contain_text(
        "A task to stop sharing and tell the agencies is in the inbox"
    )
    expect(page.locator("#open-tasks")).to_contain_text(
        "Consent withdrawn: stop sharing and tell the agencies"
    )

    page.locator("#consent").get_by_text("Record a disclosure").click()
    form = page.locator("#disclosure-form")
    form.get_by_label("Recipient organisation").fill("West Yorkshire Police")
    form.get_by_label("Sharing with the police").check()
    form.get_by_label("What was shared").fill("The victim's statement")
    form.get_by_label("Prevention or detection of crime").check()
    page.get_by_role("button", name="Record the disclosure").click()
    expect(page.locator("#disclosure-reason-error")).to_contain_text("Without consent, give the reason")
    expect(page.locator("#disclosure-recipient")).to_have_value("West Yorkshire Police")
    page.screenshot(path=str(artifacts / "consent-disclosure-error-phone.png"), full_page=True)
    page.locator("#disclosure-reason").fill("Investigating a racially aggravated offence")
    page.get_by_role("button", name="Record the disclosure").click()
    expect(page.locator("#disclosure-list")).to_contain_text("To West Yorkshire Police")
    page.screenshot(path=str(artifacts / "consent-section-phone.png"), full_page=True)

    page.context.clear_cookies()
    sign_in(page, "manager")
    page.goto("/subject-access")
    page.get_by_label("Email address").fill("amira@example.org")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("#matches")).to_contain_text(f"victim on case {reference}")
    page.locator("#matches input[type=checkbox]").first.check()
    with page.expect_download() as download:
        page.get_by_role("button", name="Download the readable page (HTML)").click()
    saved = artifacts / download.value.suggested_filename
    download.value.save_as(str(saved))
    body = saved.read_text()
    assert f"Case {reference}" in body and "[witness]" in body and "Brian" not in body
    page.screenshot(path=str(artifacts / "subject-access-phone.png"), full_page=True)
