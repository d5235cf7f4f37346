"""A reporter's way back, in Chromium: the report with the memorable date typed by keyboard, the
tracking page with a wrong and then the right code, a diary entry that the officer then reads on
the case's timeline, and the quick exit (Shift three times) to a neutral site."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, Route, expect

from tests.browser import report_pages

pytestmark = pytest.mark.browser


def report_with_the_keyboard(page: Page) -> tuple[str, str]:
    report_pages.answer(
        page,
        report_pages.Answers(
            description="A neighbour shouted racist abuse at me on the stairs.",
            date=None,
            who="It happened to me",
            name="Amira Khan",
            email="amira@example.com",
            safe=True,
            methods=["Email"],
        ),
    )
    # The date's boxes by keyboard: Tab goes to the month box, then the year box, then on.
    page.locator("#answer-when").get_by_role("link", name="Change").click()
    page.get_by_label("Day", exact=True).focus()
    page.keyboard.type("27")
    page.keyboard.press("Tab")
    page.keyboard.type("3")
    page.keyboard.press("Tab")
    page.keyboard.type("2026")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Time (optional)")).to_be_focused()
    page.keyboard.type("18:30")
    page.keyboard.press("Enter")  # the form's Continue: back to Check your answers
    expect(page.locator("#answer-when")).to_contain_text("27 March 2026, 18:30")
    reference, code = report_pages.send(page)
    assert code is not None and re.fullmatch(r"[A-Z2-9-]{14}", code)
    return reference, code


def test_report_track_and_keep_a_diary_the_officer_reads(browser_page: Page) -> None:
    page = browser_page
    reference, code = report_with_the_keyboard(page)

    page.get_by_role("link", name="check your report").click()
    page.get_by_label("Case reference").fill(reference)
    page.get_by_label("Tracking code").fill("AAAA-BBBB-CCCC")
    page.get_by_role("button", name="Check my report").click()
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("could not find a report with that reference and tracking code")
    expect(page.get_by_label("Case reference")).to_have_value(reference)

    page.get_by_label("Tracking code").fill(code)
    page.get_by_role("button", name="Check my report").click()
    expect(page.get_by_role("heading", name=f"Your report {reference}")).to_be_visible()
    expect(page.locator("#dealt-with-by")).to_have_text("the community safety team")
    expect(page.locator("#reporter-timeline")).to_contain_text("We received your report.")

    diary = page.locator("#diary")
    diary.get_by_label("Day", exact=True).fill("1")
    diary.get_by_label("Month", exact=True).fill("12")
    diary.get_by_label("Year", exact=True).fill("2026")
    diary.get_by_label("Time (optional)").fill("14:05")
    diary.get_by_label("What happened?").fill("He banged on my door at night again.")
    diary.get_by_role("button", name="Save the diary entry").click()
    expect(page.get_by_role("status")).to_contain_text("Your diary entry is saved")
    expect(page.locator("#reporter-timeline")).to_contain_text(
        "Your diary entry (1 December 2026, 14:05): He banged on my door at night again."
    )

    page.get_by_role("button", name="Sign out of your report").click()
    page.get_by_role("link", name="Sign in").click()
    page.get_by_label("Username").fill("officer")
    page.get_by_label("Password").fill("demo")
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"/cases/{reference}")
    expect(page.locator("#timeline")).to_contain_text(
        "Diary entry from the reporter (1 December 2026, 14:05): He banged on my door at night again."
    )
    expect(page.locator("#reporter")).to_contain_text("Yes, by: Email")
    page.goto("/notifications")
    expect(page.locator("main")).to_contain_text(f"{reference}: the reporter added a diary entry")


def test_shift_three_times_leaves_for_a_neutral_site(browser_page: Page) -> None:
    page = browser_page

    def neutral(route: Route) -> None:
        route.fulfill(status=200, content_type="text/html", body="<title>Weather</title><h1>Weather</h1>")

    page.route("https://www.bbc.co.uk/**", neutral)
    report_pages.start(page)
    page.goto("/report/what-happened")
    page.get_by_label("What happened?").fill("Something I do not want seen")
    exit_link = page.get_by_role("link", name="Leave this page quickly")
    expect(exit_link).to_have_attribute("href", re.compile(r"^https://www\.bbc\.co\.uk/"))
    for _ in range(3):
        page.keyboard.press("Shift")
    expect(page).to_have_url(re.compile(r"^https://www\.bbc\.co\.uk/"))
    expect(page.get_by_role("heading", name="Weather")).to_be_visible()
