"""Issue 19's browser test: a diary entry with a photo, sent from the tracking page in Chromium,
appears on the officer's case timeline and evidence, the photo as a thumbnail, and a file that is
not a photo is named on the reporter's page with why."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_reporter_journey import report_with_the_keyboard
from tests.evidence_files import photo, program

pytestmark = pytest.mark.browser


@pytest.fixture
def evidence_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Where the live server keeps evidence (read from the environment when the app is made)."""
    folder = tmp_path / "evidence"
    monkeypatch.setenv("EVIDENCE_STORE_URL", folder.as_uri())
    return folder


@pytest.mark.usefixtures("evidence_folder")
def test_a_diary_entry_with_a_photo_appears_on_the_officers_case(browser_page: Page) -> None:
    page = browser_page
    reference, code = report_with_the_keyboard(page)
    page.get_by_role("link", name="check your report").click()
    page.get_by_label("Case reference").fill(reference)
    page.get_by_label("Tracking code").fill(code)
    page.get_by_role("button", name="Check my report").click()

    diary = page.locator("#diary")
    diary.get_by_label("Day", exact=True).fill("1")
    diary.get_by_label("Month", exact=True).fill("12")
    diary.get_by_label("Year", exact=True).fill("2026")
    diary.get_by_label("Time (optional)").fill("14:05")
    diary.get_by_label("What happened?").fill("They wrote on my door again.")
    diary.get_by_label("Photos or documents (optional)").set_input_files(
        [
            {"name": "door.jpg", "mimeType": "image/jpeg", "buffer": photo()},
            {"name": "holiday.jpg", "mimeType": "image/jpeg", "buffer": program()},
        ]
    )
    diary.get_by_role("button", name="Save the diary entry").click()
    expect(page.get_by_role("status")).to_contain_text("Your diary entry is saved")
    refused = page.locator("#files-not-accepted")
    expect(refused).to_contain_text("holiday.jpg: It is not a photo, a PDF or a Word document.")
    expect(refused).not_to_contain_text("door.jpg")

    page.get_by_role("button", name="Sign out of your report").click()
    page.get_by_role("link", name="Sign in").click()
    page.get_by_label("Username").fill("officer")
    page.get_by_label("Password").fill("demo")
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"/cases/{reference}")
    timeline = page.locator("#timeline")
    expect(timeline).to_contain_text("They wrote on my door again.")
    expect(timeline).to_contain_text(
        "Evidence added: Photo: Sent by the reporter with their diary entry of 1 December 2026, 14:05"
    )
    thumbnail = page.get_by_role(
        "img", name="Photo: Sent by the reporter with their diary entry of 1 December 2026, 14:05"
    )
    thumbnail.scroll_into_view_if_needed()  # loaded lazily
    expect(thumbnail).to_be_visible()
    page.wait_for_function("(img) => img.complete", arg=thumbnail.element_handle())
    assert thumbnail.evaluate("img => img.naturalWidth") == 320
