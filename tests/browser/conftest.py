"""The real app on a free port (werkzeug, in a thread, CSRF on) and headless Debian Chromium."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from werkzeug.serving import make_server

import processes
from casework import people, seeding
from db import Database
from webapp import create_app, storage

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page, Playwright

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
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


@pytest.fixture(scope="session")
def live_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A live server's database as `flask init` leaves it (migrated, the diagram seeded, the demo
    users), made once per run: each live server starts on a copy of its own."""
    path = tmp_path_factory.mktemp("live-template") / "t.db"
    database = Database(f"sqlite:///{path}")
    database.upgrade()
    with database.session() as session:
        seeding.seed(session, DIAGRAM, now=processes.clock.now())  # as `flask init` does
        people.seed_demo_users(session)
        session.commit()
    database.dispose()
    return path


def live_database(template: Path, folder: Path) -> str:
    """A copy of the live servers' template database in ``folder``; returns its URL."""
    shutil.copy(template, folder / "t.db")
    return f"sqlite:///{folder}/t.db"


@pytest.fixture
def live_server(tmp_path: Path, live_template: Path) -> Iterator[str]:
    """The whole app, as `flask serve` runs it but without the timer thread; yields its base URL."""
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": live_database(live_template, tmp_path),
            "SECRET_KEY": "browser-test-secret",
            "TIMERS": "off",
        }
    )
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


class Chromium:
    """Debian's Chromium, started by the first browser test and closed when the run moves on to
    tests outside this folder: while Playwright's sync API is open it keeps an asyncio loop
    running in this thread, which would trip any later test that runs one of its own."""

    def __init__(self) -> None:
        self._playwright: Playwright | None = None
        self._browser: Browser | None = None

    def browser(self) -> Browser:
        if self._browser is None:
            from playwright.sync_api import sync_playwright

            self._playwright = sync_playwright().start()
            self._browser = self._playwright.chromium.launch(
                executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
            )
        return self._browser

    def close(self) -> None:
        if self._browser is not None:
            self._browser.close()
            self._browser = None
        if self._playwright is not None:
            self._playwright.stop()
            self._playwright = None


_chromium = Chromium()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    try:
        return (yield)
    finally:
        if nextitem is None or HERE not in nextitem.path.parents:
            _chromium.close()


@pytest.fixture
def chromium() -> Browser:
    """The run's Chromium; a test makes its own contexts (cookies, storage, cache) in it, so no
    test sees another's state."""
    if not CHROMIUM.exists():
        pytest.skip("Debian's Chromium is not installed at /usr/bin/chromium")
    return _chromium.browser()


@pytest.fixture
def browser_page(chromium: Browser, live_server: str) -> Iterator[Page]:
    context = chromium.new_context(
        base_url=live_server,
        locale="en-GB",
        timezone_id="Europe/London",
        viewport={"width": 1280, "height": 900},
    )
    context.set_default_timeout(15_000)
    try:
        yield context.new_page()
    finally:
        context.close()
