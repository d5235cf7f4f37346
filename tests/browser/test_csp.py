"""The Content Security Policy in a real browser: every main page, the bpmn-js modeller (edit,
validate, the properties panel, compare) and the heatmap still work under it, and Chromium
reports no Content Security Policy violation and no script error on any of them."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import ConsoleMessage, Error, Page, expect

pytestmark = pytest.mark.browser
REPORT = {
    "description": "Racist graffiti was sprayed on our front door overnight.",
    "location": "3 Birch Walk, Riverside Estate",
    "strands": ["race"],
}


class Problems:
    """Everything the browser complained about: console errors and uncaught script errors."""

    def __init__(self, page: Page) -> None:
        self.messages: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", self._page_error)

    def _console(self, message: ConsoleMessage) -> None:
        # A refused sign-in (401) and a diagram with problems (422) are meant; Chromium reports
        # each answer that is not 2xx as "Failed to load resource".
        if message.text.startswith("Failed to load resource"):
            return
        if message.type == "error" or "Content Security Policy" in message.text:
            self.messages.append(f"console {message.type}: {message.text}")

    def _page_error(self, error: Error) -> None:
        self.messages.append(f"page error: {error}")

    def csp(self) -> list[str]:
        return [m for m in self.messages if "Content Security Policy" in m]


def sign_in(page: Page, username: str) -> None:
    page.goto("/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("demo")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()


def test_the_main_pages_the_modeller_and_the_heatmap_work_under_the_policy(
    browser_page: Page, artifacts: Path
) -> None:
    page = browser_page
    problems = Problems(page)
    answer = page.goto("/report")
    assert answer is not None and "script-src 'self'" in answer.headers["content-security-policy"]
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    reference = page.request.post("/api/reports", data=REPORT).json()["reference"]

    # The officer: inbox, a task, the case, the API tokens page (its confirm is in app.js).
    page.goto("/login")
    page.get_by_label("Username").fill("officer")
    page.get_by_label("Password").fill("wrong")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("[data-focus-on-load]")).to_be_focused()  # app.js ran under the policy
    sign_in(page, "officer")
    expect(page.get_by_role("heading", name="Inbox")).to_be_visible()
    page.get_by_role("link", name="Make the first response").first.click()
    expect(page.locator("#task-form, .claim-form").first).to_be_visible()
    page.goto(f"/cases/{reference}")
    expect(page.get_by_role("heading", level=1)).to_contain_text(reference)
    token = page.request.post("/api/token", data={"username": "officer", "password": "demo"})
    assert token.status == 200
    page.goto("/account/tokens")
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.get_by_role("button", name="Revoke").first.click()
    expect(page.get_by_text("In use")).to_be_visible()  # dismissed: nothing revoked
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Revoke").first.click()
    expect(page.locator(".flash")).to_contain_text("is revoked")
    sign_out(page)

    # The manager: the dashboards and the heatmap drawn by bpmn-js.
    sign_in(page, "manager")
    for path in ("/dashboards/stuck", "/dashboards/indicators", "/dashboards/annual"):
        page.goto(path)
        expect(page.get_by_role("heading", level=1)).to_be_visible()
    page.goto("/dashboards/heatmap")
    expect(page.locator("#heatmap[data-ready=true]")).to_be_attached()
    expect(page.locator('#heatmap-canvas g.djs-element[data-element-id="first_response"]')).to_be_attached()
    badge = page.locator('button.heat-badge[data-element-id="first_response"]')
    expect(badge).to_have_text("1")
    badge.click()
    expect(page.locator("#heatmap-cases tbody tr")).to_have_count(1)
    page.screenshot(path=str(artifacts / "csp-heatmap.png"), full_page=True)
    sign_out(page)

    # The process owner: the modeller with its properties panel, validation and compare.
    sign_in(page, "owner")
    page.goto("/modeller/hate_incident")
    expect(page.locator("#modeller[data-ready=true]")).to_be_attached()
    expect(page.locator(".bjs-powered-by")).to_be_visible()
    page.locator('#canvas g.djs-element[data-element-id="first_response"]').click(position={"x": 8, "y": 8})
    expect(page.locator("#properties .bio-properties-panel-header-label")).to_have_text(
        "Make the first response"
    )
    header = page.locator("#properties .bio-properties-panel-group-header", has_text="User assignment")
    header.click()
    page.locator("#bio-properties-panel-candidateGroups").fill("night-watch")
    page.get_by_role("button", name="Validate").click()
    expect(page.locator('#problems li[data-element-id="first_response"]')).to_contain_text("night-watch")
    expect(page.locator('g.djs-element.has-problem[data-element-id="first_response"]')).to_be_attached()
    page.screenshot(path=str(artifacts / "csp-modeller.png"), full_page=True)
    page.goto("/modeller/hate_incident/compare?old=1&new=1")
    expect(page.locator("#compare[data-ready=true]")).to_be_attached()
    page.goto("/modeller/hate_incident/migrate")
    expect(page.get_by_role("heading", level=1)).to_be_visible()

    assert problems.csp() == []
    assert problems.messages == []


def test_an_inline_script_is_refused(browser_page: Page) -> None:
    """The check above can fail: a script put into the page is blocked and reported."""
    page = browser_page
    problems = Problems(page)
    page.goto("/login")
    page.evaluate(
        """() => { const s = document.createElement('script'); s.textContent = 'window.injected = 1';
                   document.body.appendChild(s); }"""
    )
    page.wait_for_timeout(200)
    assert page.evaluate("() => window.injected") is None
    assert problems.csp(), problems.messages
