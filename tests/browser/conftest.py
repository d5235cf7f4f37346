"""The real app on a free port (werkzeug, in a thread, CSRF on) and headless Debian Chromium."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from werkzeug.serving import make_server

import processes
from casework import people, seeding
from webapp import create_app, storage

if TYPE_CHECKING:
    from playwright.sync_api import Page

ROOT = Path(__file__).resolve().parents[2]
DIAGRAM = ROOT / "bpmn" / "hate_incident.bpmn"
CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
]


@pytest.fixture
def live_server(tmp_path: Path) -> Iterator[str]:
    """The whole app, as `flask serve` runs it but without the timer thread; yields its base URL."""
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": f"sqlite:///{tmp_path}/t.db",
            "SECRET_KEY": "browser-test-secret",
            "TIMERS": "off",
        }
    )
    with app.app_context():
        storage.database().upgrade()
        with storage.database().session() as session:
            seeding.seed(session, DIAGRAM, now=processes.clock.now())  # as `flask init` does
            people.seed_demo_users(session)
            session.commit()
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
def artifacts() -> Path:
    """Where screenshots go (kept out of git by .gitignore)."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def browser_page(live_server: str) -> Iterator[Page]:
    if not CHROMIUM.exists():
        pytest.skip("Debian's Chromium is not installed at /usr/bin/chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        context = browser.new_context(
            base_url=live_server,
            locale="en-GB",
            timezone_id="Europe/London",
            viewport={"width": 1280, "height": 900},
        )
        context.set_default_timeout(15_000)
        page = context.new_page()
        try:
            yield page
        finally:
            context.close()
            browser.close()
