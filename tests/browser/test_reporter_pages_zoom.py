"""Text that enlarges to 200 % without loss on the reporter's own pages (issue 19 point 5), in
Chromium and in each language: the tracking page once signed in (status, timeline, diary and the
other forms) and the closure survey, at the browser's text size doubled and at 640 CSS pixels
wide (a 1280-pixel window zoomed to 200 %): no horizontal scroll and no clipped text."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from db import Database
from tests.browser.test_accessibility import CLIPPED
from tests.browser.test_reporter_journey import report_with_the_keyboard
from tests.browser.test_survey_journey import close_and_find_the_link

pytestmark = pytest.mark.browser


def _loses_nothing(page: Page, where: str) -> None:
    page.set_viewport_size({"width": 640, "height": 900})
    assert page.evaluate(CLIPPED) == {"clipped": [], "wide": 0}, (where, "640 px")
    page.set_viewport_size({"width": 1280, "height": 900})
    height = page.evaluate("document.documentElement.scrollHeight")
    page.evaluate("document.documentElement.style.fontSize = '200%'")  # as the browser's text size
    assert page.evaluate(CLIPPED) == {"clipped": [], "wide": 0}, (where, "200 %")
    assert page.evaluate("document.documentElement.scrollHeight") > height * 1.5  # the text did grow


@pytest.mark.parametrize("language", ["en", "ur", "pl"])
def test_the_tracking_page_and_the_survey_enlarge_without_loss(
    browser_page: Page, tmp_path: Path, language: str
) -> None:
    page = browser_page
    reference, code = report_with_the_keyboard(page)
    page.goto("/track")
    page.get_by_label("Case reference").fill(reference)
    page.get_by_label("Tracking code").fill(code)
    page.get_by_role("button", name="Check my report").click()
    expect(page.locator("#case-status")).to_be_visible()
    page.goto(f"/track/case?lang={language}")
    expect(page.locator("html")).to_have_attribute("lang", "en-GB" if language == "en" else language)
    _loses_nothing(page, "/track/case")
    database = Database(f"sqlite:///{tmp_path}/t.db")
    try:
        link = close_and_find_the_link(database, reference)
    finally:
        database.dispose()
    page.goto(f"{link}?lang={language}")
    expect(page.locator("#survey-form")).to_be_visible()
    _loses_nothing(page, "/survey")
