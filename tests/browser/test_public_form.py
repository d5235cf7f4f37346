"""The public form's spam trap in a real browser: a person never sees it, a screen reader never
reaches it, and the keyboard goes from the last Change link of Check your answers to the button."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser import report_pages

pytestmark = pytest.mark.browser


def test_the_spam_trap_is_out_of_sight_and_out_of_reach(browser_page: Page) -> None:
    page = browser_page
    report_pages.answer(page, report_pages.Answers())
    trap = page.locator("#website")
    expect(trap).to_have_count(1)
    expect(trap).not_to_be_in_viewport()
    # Hidden from the accessibility tree: no textbox of that name for a screen reader.
    expect(page.get_by_role("textbox", name="Leave this empty")).to_have_count(0)
    page.get_by_role("link", name="Change").last.focus()
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Send the report")).to_be_focused()
    # And on a question page: from the files to the buttons, never the trap.
    page.get_by_role("link", name="Change").last.click()
    page.get_by_label("Photos or documents (optional)").focus()
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Add these files")).to_be_focused()
