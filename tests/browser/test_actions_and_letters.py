"""The action plan and letters in a real browser: an action due tomorrow, added on a phone-sized
screen, shows in the owner's inbox and goes overdue when the server's clock moves past its day;
a letter is previewed, edited, saved and downloaded as a PDF whose text holds the victim's name."""

from __future__ import annotations

import io
import threading
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect
from pypdf import PdfReader
from werkzeug.serving import make_server

import processes
from db import Database
from tests.browser.conftest import live_database
from tests.browser.test_dashboards import sign_in
from tests.consent_cases import report_case
from webapp import create_app, storage

pytestmark = pytest.mark.browser
LONDON = ZoneInfo("Europe/London")


class ServerClock:
    """The live server's clock: None is the real time; a test moves it forward."""

    at: datetime | None = None


@pytest.fixture
def clock() -> ServerClock:
    return ServerClock()


@pytest.fixture
def live_server(tmp_path: Path, live_template: Path, clock: ServerClock) -> Iterator[str]:
    """As tests/browser/conftest.py's, with every request run at ``clock`` (processes.clock)."""
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": live_database(live_template, tmp_path),
            "SECRET_KEY": "browser-test-secret",
            "TIMERS": "off",
        }
    )
    inner = app.wsgi_app

    def at_the_clock(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        with processes.clock.frozen_at(clock.at):
            return inner(environ, start_response)

    app.wsgi_app = at_the_clock  # type: ignore[method-assign]
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        storage.database(app).dispose()


@pytest.fixture
def case(live_server: str, tmp_path: Path) -> Iterator[str]:
    database = Database(f"sqlite:///{tmp_path}/t.db")
    yield report_case(database, at=datetime.now(UTC) - timedelta(hours=1))
    database.dispose()


def test_an_action_due_tomorrow_goes_overdue_when_the_clock_moves(
    browser_page: Page, case: str, clock: ServerClock, artifacts: Path
) -> None:
    page = browser_page
    page.set_viewport_size({"width": 390, "height": 844})
    now = datetime.now(UTC)
    clock.at = now
    tomorrow = (now.astimezone(LONDON) + timedelta(days=1)).date()
    sign_in(page, "officer")
    page.goto(f"/cases/{case}")
    actions = page.locator("#actions")
    page.get_by_text("Add an action").click()
    page.get_by_role("button", name="Add the action").click()  # nothing filled in
    expect(actions.locator(".error-summary")).to_contain_text("Describe the action: what is to be done.")
    page.get_by_label("What is to be done").fill("Fit a door camera at 4 Birch Close")
    page.get_by_label("Who will do it").select_option(label="Olivia Officer")
    page.get_by_label("Due by").fill(tomorrow.isoformat())
    page.get_by_label("Agreed with the victim").check()
    page.get_by_role("button", name="Add the action").click()
    expect(page.locator(".flashes")).to_contain_text("The action is on the action plan.")
    item = page.locator("#action-list li").first
    expect(item).to_contain_text("Fit a door camera at 4 Birch Close")
    expect(item).to_contain_text("Agreed with the victim")
    expect(item).to_contain_text(f"due {tomorrow.day} {tomorrow:%B %Y}")
    expect(item).not_to_contain_text("Overdue")
    actions.screenshot(path=str(artifacts / "action-plan-phone.png"))
    page.goto("/")
    mine = page.locator("#my-actions")
    expect(mine).to_contain_text("Fit a door camera at 4 Birch Close")
    expect(mine).not_to_contain_text("Overdue")

    clock.at = now + timedelta(days=2)  # past the due day
    sign_in(page, "officer")  # yesterday's page session has expired
    expect(mine).to_contain_text("Overdue")
    page.screenshot(path=str(artifacts / "action-overdue-phone.png"), full_page=True)
    mine.get_by_role("link", name="Fit a door camera at 4 Birch Close").click()
    expect(page.locator("#action-list li").first).to_contain_text("Overdue")
    page.get_by_role("button", name="Mark done").click()
    expect(page.locator("#action-list li").first).to_contain_text("Done")
    expect(page.locator("#timeline")).to_contain_text("Action done (it was for Olivia Officer)")


def test_a_letter_is_previewed_edited_and_downloaded_as_a_pdf(
    browser_page: Page, case: str, artifacts: Path
) -> None:
    page = browser_page
    sign_in(page, "officer")
    page.goto(f"/cases/{case}")
    page.get_by_role("link", name="Write a letter").click()
    page.get_by_role("link", name="We have received your report").click()
    letter = page.get_by_label("The letter")
    expect(letter).to_contain_text("Dear Amira Khan,")
    edited = letter.input_value().replace("Thank you for telling us", "Thank you, Ms Khan, for telling us")
    letter.fill(edited)
    page.get_by_role("button", name="Preview the changes").click()
    expect(page.locator("#letter-preview")).to_contain_text("Thank you, Ms Khan, for telling us")
    page.screenshot(path=str(artifacts / "letter-preview.png"), full_page=True)
    page.get_by_role("button", name="Save the letter as a PDF").click()
    expect(page.locator(".flashes")).to_contain_text("is saved on the case")
    expect(page.locator("#timeline")).to_contain_text("Letter written: We have received your report")
    with page.expect_download() as download_info:
        page.locator("#letters").get_by_role("link", name="Download the PDF").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".pdf")
    reader = PdfReader(io.BytesIO(Path(download.path()).read_bytes()))
    words = " ".join(" ".join(p.extract_text() for p in reader.pages).split())
    assert "Dear Amira Khan" in words and "Thank you, Ms Khan, for telling us" in words and case in words
