"""Notes and evidence in a real browser, on a desktop and a phone-sized screen, with CSRF on: an
empty note is refused next to the field; a note and an evidence photo are added and appear on the
timeline, the photo as a thumbnail; the photo downloads back byte for byte."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from db import Database
from tests.browser.test_dashboards import sign_in
from tests.consent_cases import report_case
from tests.evidence_files import photo

pytestmark = pytest.mark.browser
SIZES = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.fixture
def evidence_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Where the live server keeps evidence (read from the environment when the app is made)."""
    folder = tmp_path / "evidence"
    monkeypatch.setenv("EVIDENCE_STORE_URL", folder.as_uri())
    return folder


@pytest.fixture
def database(live_server: str, tmp_path: Path) -> Iterator[Database]:
    database = Database(f"sqlite:///{tmp_path}/t.db")
    yield database
    database.dispose()


@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.usefixtures("evidence_folder")
def test_a_note_and_an_evidence_photo_reach_the_timeline_and_download_intact(
    browser_page: Page, database: Database, evidence_folder: Path, artifacts: Path, size: str
) -> None:
    page = browser_page
    page.set_viewport_size(SIZES[size])
    reference = report_case(database, at=datetime.now(UTC) - timedelta(hours=1))
    sign_in(page, "officer")
    page.goto(f"/cases/{reference}")

    notes = page.locator("#notes")
    notes.get_by_role("button", name="Save the note").click()
    expect(page.locator("#notes .error-summary")).to_contain_text("Write the note before saving it.")
    page.locator("#notes .error-summary a").click()
    expect(page.get_by_label("Add a note")).to_be_focused()
    page.get_by_label("Add a note").fill("Spoke to the caretaker about the stairwell camera")
    page.locator("#notes").get_by_role("button", name="Save the note").click()
    expect(page.locator(".flash")).to_contain_text("The note is saved.")
    expect(page.locator("#note-list")).to_contain_text("Spoke to the caretaker about the stairwell camera")

    picture = photo(1024, 768, (30, 120, 200))
    page.locator("#evidence").get_by_text("Add evidence").click()
    page.get_by_label("File").set_input_files(
        files=[{"name": "stairwell.jpg", "mimeType": "image/jpeg", "buffer": picture}]
    )
    page.get_by_label("What it shows or records").fill("Graffiti in the stairwell")
    page.get_by_label("Date taken").fill("2026-03-01")
    page.locator("#evidence-form").get_by_role("button", name="Add the evidence").click()
    expect(page.locator(".flash")).to_contain_text("The evidence is saved.")
    thumbnail = page.get_by_role("img", name="Photo: Graffiti in the stairwell")
    expect(thumbnail).to_be_visible()
    assert thumbnail.evaluate("img => img.complete && img.naturalWidth") == 320

    timeline = page.locator("#timeline")
    expect(timeline).to_contain_text("Note: Spoke to the caretaker about the stairwell camera")
    expect(timeline).to_contain_text("Evidence added: Photo: Graffiti in the stairwell")
    page.screenshot(path=str(artifacts / f"notes-evidence-{size}.png"), full_page=True)

    with page.expect_download() as info:
        page.get_by_role("link", name="Download stairwell.jpg").click()
    download = info.value
    assert download.suggested_filename == "stairwell.jpg"
    assert Path(download.path()).read_bytes() == picture
    assert [
        p.read_bytes()
        for p in evidence_folder.rglob("*")
        if not p.name.endswith(".thumb.jpg") and p.is_file()
    ] == [picture]
