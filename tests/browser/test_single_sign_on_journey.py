"""An officer signs in through the landlord's OpenID Connect provider (a real one: oidc-provider
run with Node on loopback) in Chromium, is created with the team the group map gives, sees the
team's task in the inbox, and signs out: the app's session ends and so does the provider's."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from werkzeug.serving import make_server

from tests.browser.conftest import live_database
from tests.browser.test_officer_journey import report_incident
from tests.oidc_provider import OFFICER, Provider, free_port
from webapp import create_app, storage

pytestmark = pytest.mark.browser


@pytest.fixture
def live_server(tmp_path: Path, live_template: Path) -> Iterator[str]:
    """The app with single sign-on set up, and the provider that knows its addresses."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    provider = Provider([f"{base}/sso/callback"], [f"{base}/login"]).start()
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": live_database(live_template, tmp_path),
            "SECRET_KEY": "browser-test-secret",
            "TIMERS": "off",
            **provider.settings(),
        }
    )
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield base
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        storage.database(app).dispose()
        provider.stop()


def test_an_officer_signs_in_through_the_provider_sees_the_teams_task_and_signs_out(
    browser_page: Page, artifacts: Path
) -> None:
    page = browser_page
    reference = report_incident(page)

    page.get_by_role("link", name="Sign in").click()
    page.get_by_role("link", name="Sign in with Landlord Account").click()
    expect(page.get_by_role("heading", name="Test identity provider")).to_be_visible()
    page.get_by_label("Email address").fill(OFFICER["email"])
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", name="Inbox")).to_be_visible()
    expect(page.get_by_role("banner")).to_contain_text("Priya Patel")
    row = page.locator("tbody tr", has=page.get_by_role("link", name=reference, exact=True))
    expect(row).to_contain_text("Make the first response")
    page.screenshot(path=str(artifacts / "sso-inbox.png"), full_page=True)

    page.get_by_role("button", name="Sign out").click()
    page.get_by_role("button", name="Yes, sign me out").click()  # the provider's own page
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("You have signed out")
    page.goto("/")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    # The provider's session ended too: the button asks who you are again.
    page.get_by_role("link", name="Sign in with Landlord Account").click()
    expect(page.get_by_label("Email address")).to_be_visible()
