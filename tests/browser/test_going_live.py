"""Going live in Chromium (issue 16, done means): a fresh production-mode instance, the first
administrator made by `flask users create-admin`, signs in, adds a team and an officer; the
officer signs in with a password and sees their team's task; the admin deactivates them and
their session stops working on the next request."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from werkzeug.serving import make_server

from tests.browser.conftest import DIAGRAM
from webapp import create_app, storage

ADMIN_PASSWORD = "lantern over the harbour"
OFFICER_PASSWORD = "biscuits in a blue tin"


@pytest.fixture
def production_server(tmp_path: Path) -> Iterator[str]:
    app = create_app(
        {
            "TESTING": True,
            "HATECASES_ENV": "production",
            "SECRET_KEY": "a-production-secret-of-more-than-32-characters",
            "DATABASE_URL": f"sqlite:///{tmp_path}/live.db",
            "TIMERS": "off",
            "BPMN_DIR": str(DIAGRAM.parent),
        }
    )
    runner = app.test_cli_runner()
    init = runner.invoke(args=["init"])
    assert init.exit_code == 0 and "demo users" not in init.output, init.output
    made = runner.invoke(
        args=[
            "users",
            "create-admin",
            "--username",
            "rita",
            "--name",
            "Rita Root",
            "--email",
            "rita@landlord.example",
        ],
        input=f"{ADMIN_PASSWORD}\n{ADMIN_PASSWORD}\n",
    )
    assert made.exit_code == 0 and "Administrator rita created." in made.output, made.output
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
def browser(chromium: Browser, production_server: str) -> Iterator[tuple[Page, Page]]:
    contexts = []
    for _ in range(2):  # the admin and the officer, each with their own cookies
        context = chromium.new_context(
            base_url=production_server, locale="en-GB", timezone_id="Europe/London"
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
    try:
        yield contexts[0].new_page(), contexts[1].new_page()
    finally:
        for context in contexts:
            context.close()


def sign_in(page: Page, username: str, password: str) -> None:
    page.goto("/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".site-nav__user")).to_contain_text("Signed in as")


def test_the_first_admin_sets_up_a_team_and_an_officer_who_is_then_deactivated(browser):
    admin, officer = browser
    sign_in(admin, "rita", ADMIN_PASSWORD)

    admin.get_by_role("link", name="Teams").click()
    admin.get_by_label("Team name").fill("East housing")
    admin.get_by_label("Identifier").fill("east-housing")
    admin.get_by_role("button", name="Add the team").click()
    expect(admin.locator("main")).to_contain_text("Added “East housing”.")

    admin.get_by_role("link", name="People").click()
    admin.get_by_role("link", name="Add a person").click()
    admin.get_by_label("Username").fill("nadia")
    admin.get_by_label("Full name").fill("Nadia Newcomer")
    admin.get_by_label("Email address").fill("nadia@landlord.example")
    admin.get_by_label("Role").select_option(label="Officer")
    admin.get_by_label("Community safety team").check()
    admin.get_by_label("East housing").check()
    admin.get_by_label("First password").fill("password")  # too weak: refused, the rest kept
    admin.get_by_role("button", name="Add the person").click()
    expect(admin.locator(".error-summary")).to_contain_text("at least 12 characters")
    expect(admin.get_by_label("Full name")).to_have_value("Nadia Newcomer")
    admin.get_by_label("First password").fill(OFFICER_PASSWORD)
    admin.get_by_role("button", name="Add the person").click()
    expect(admin.locator("main")).to_contain_text("Added Nadia Newcomer.")

    # A public report: its first task is offered to community safety.
    reference = officer.request.post(
        "/api/reports", data={"description": "Shouted abuse", "location": "1 Elm Road", "strands": ["race"]}
    ).json()["reference"]
    sign_in(officer, "nadia", OFFICER_PASSWORD)
    expect(officer.locator("main")).to_contain_text(reference)

    admin.get_by_role("button", name="Deactivate Nadia Newcomer").click()
    expect(admin.locator("main")).to_contain_text("Nadia Newcomer is deactivated")
    officer.reload()
    expect(officer.get_by_role("heading", name="Sign in")).to_be_visible()
