"""Issue 19, "Accessibility, tested": axe-core (from npm, webapp/static/vendor/axe.min.js, copied
there by scripts/build-assets.sh) run in headless Chromium on every public page in every language
and on the officer's inbox, a task page and a case page, at desktop and phone widths: no
violation of WCAG 2.2 AA (every question page of the report, with and without its errors, Check
your answers, and the pages after). And the whole public form completed by keyboard alone, one
question per page, in English and in Urdu (right to left), with the error summary announced,
focused and linked to its fields, and a Change link followed back to Check your answers."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_officer_journey import report_incident, sign_in

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parents[2] / "webapp" / "static" / "vendor" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
PHONE = {"width": 375, "height": 800}
DESKTOP = {"width": 1280, "height": 900}
RUN = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: "tag", values: tags}});
  return result.violations.map(v => `${v.id} (${v.help}): ` +
    v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(", "));
}"""


def violations(page: Page) -> list[str]:
    """axe-core's WCAG 2.2 AA violations on the page as it is now (one line each)."""
    assert AXE.exists(), "run `make assets`: it copies axe-core to webapp/static/vendor/"
    page.wait_for_load_state("load")  # a click's navigation may still be loading the next page
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text())  # evaluate is not subject to the page's Content Security Policy
    found: list[str] = page.evaluate(RUN, TAGS)
    return found


def check_at_both_widths(page: Page, where: str) -> None:
    for size in (DESKTOP, PHONE):
        page.set_viewport_size(size)
        assert violations(page) == [], f"{where} at {size['width']}px"
    page.set_viewport_size(DESKTOP)


def submit(page: Page, selector: str) -> None:
    """Click a button that sends a form and wait until the page it leads to has loaded."""
    with page.expect_navigation():
        page.locator(selector).click()


def go_on(page: Page) -> None:
    submit(page, "#continue")


def check_with_errors(page: Page, where: str) -> None:
    go_on(page)  # as answered: the page comes back with its error summary
    expect(page.locator(".error-summary")).to_be_visible()
    check_at_both_widths(page, f"{where} with errors")


@pytest.mark.parametrize("language", ["en", "ur", "pl"])
def test_every_public_page_has_no_wcag_22_aa_violation(browser_page: Page, language: str) -> None:
    page = browser_page
    for path in ("/report", "/report/easy-read", "/track"):
        page.goto(f"{path}?lang={language}")
        check_at_both_widths(page, f"{path} in {language}")
    # Every question page of the report, as asked and with its errors, then Check your answers.
    page.goto("/report")
    submit(page, "#start-report")
    check_at_both_widths(page, f"is anyone in danger, in {language}")
    check_with_errors(page, f"is anyone in danger, in {language}")
    page.locator("#in_danger").check()
    go_on(page)
    expect(page.locator(".danger-now h1")).to_be_visible()
    check_at_both_widths(page, f"call 999 now, in {language}")
    page.goto("/report/check")
    expect(page.locator(".error-summary")).to_be_visible()
    check_at_both_widths(page, f"check your answers with answers missing, in {language}")
    page.goto("/report/what-happened")
    check_at_both_widths(page, f"what happened, in {language}")
    check_with_errors(page, f"what happened, in {language}")
    page.locator("#description").fill("Someone wrote hateful words on my door again last night.")
    go_on(page)
    check_at_both_widths(page, f"when, in {language}")
    for box, value in (
        ("#occurred_date", "31"),
        ("#occurred_date-month", "2"),
        ("#occurred_date-year", "2026"),
    ):
        page.locator(box).fill(value)
    check_with_errors(page, f"when, in {language}")
    page.locator("#occurred_date").fill("27")
    go_on(page)
    check_at_both_widths(page, f"where, in {language}")
    check_with_errors(page, f"where, in {language}")
    page.locator("#location").fill("12 Oak Court, Riverside Estate")
    go_on(page)
    check_at_both_widths(page, f"what kind, in {language}")
    page.locator("#incident_types").check()
    go_on(page)
    check_at_both_widths(page, f"why hate, in {language}")
    check_with_errors(page, f"why hate, in {language}")
    page.locator("#strands").check()
    go_on(page)
    check_at_both_widths(page, f"who are you, in {language}")
    page.locator("#reporter_is").check()
    go_on(page)
    check_at_both_widths(page, f"contacting you safely, in {language}")
    page.locator("#safe_to_contact").check()
    check_with_errors(page, f"contacting you safely, in {language}")
    page.locator("#contact_methods-email").check()
    go_on(page)
    check_at_both_widths(page, f"your contact details, in {language}")
    check_with_errors(page, f"your contact details, in {language}")
    page.locator("#reporter_name").fill("Amira Khan")
    page.locator("#reporter_email").fill("amira@example.com")
    go_on(page)
    check_at_both_widths(page, f"communication needs, in {language}")
    go_on(page)
    check_at_both_widths(page, f"equality monitoring, in {language}")
    go_on(page)
    check_at_both_widths(page, f"photos and documents, in {language}")
    page.locator("#files").set_input_files(
        [{"name": "note.txt", "mimeType": "text/plain", "buffer": b"not a photo"}]
    )
    submit(page, "#upload-files")
    expect(page.locator(".error-summary")).to_be_visible()
    check_at_both_widths(page, f"photos and documents with a file refused, in {language}")
    go_on(page)
    expect(page.locator("#check-answers")).to_be_visible()
    check_at_both_widths(page, f"check your answers, in {language}")
    submit(page, "#send-report")
    expect(page.locator("#tracking-code")).to_be_visible()
    check_at_both_widths(page, f"the received page in {language}")
    reference = page.locator("#case-reference").inner_text().strip()
    code = page.locator("#tracking-code").inner_text().strip()
    page.goto("/track")
    page.locator("#reference").fill(reference)
    page.locator("#code").fill("AAAA-BBBB-CCCC")
    submit(page, "#track-form button[type=submit]")
    expect(page.locator(".error-summary")).to_be_visible()
    check_at_both_widths(page, f"the tracking sign-in with an error in {language}")
    page.locator("#code").fill(code)
    submit(page, "#track-form button[type=submit]")
    expect(page.locator("#case-status")).to_be_visible()
    check_at_both_widths(page, f"the reporter's case page in {language}")


def test_the_officers_inbox_task_and_case_pages_have_no_violation(browser_page: Page) -> None:
    page = browser_page
    reference = report_incident(page)
    sign_in(page, "officer")
    check_at_both_widths(page, "the inbox")
    row = page.locator("tbody tr", has=page.get_by_role("link", name=reference, exact=True))
    row.get_by_role("button", name="Claim").click()
    row.get_by_role("link", name="Make the first response").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Make the first response")
    check_at_both_widths(page, "a task page")
    page.goto(f"/cases/{reference}")
    check_at_both_widths(page, "a case page")
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, "supervisor")
    page.goto(f"/cases/{reference}")
    toggles = page.locator("#supervision summary")
    expect(toggles.first).to_be_visible()
    check_at_both_widths(page, "a case page with the supervision toggles")
    for i in range(toggles.count()):
        toggles.nth(i).click()  # open: what is inside is checked too
    check_at_both_widths(page, "a case page with the supervision forms open")


def tab_to(page: Page, selector: str, limit: int = 80) -> None:
    """Press Tab (only) until the element ``selector`` has the focus."""
    for _ in range(limit):
        if page.evaluate("(s) => document.activeElement && document.activeElement.matches(s)", selector):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {selector}")


def keyboard_continue(page: Page, then: str) -> None:
    """Tab to Continue and press Enter; wait for the page ``then`` (a path)."""
    tab_to(page, "#continue")
    enter(page, then)


def enter(page: Page, then: str) -> None:
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"{re.escape(then)}(\?|$)"))


@pytest.mark.parametrize(
    ("language", "sent", "problem"),
    [
        ("en", "Report received", "There is a problem"),
        ("ur", "رپورٹ مل گئی", "ایک مسئلہ ہے"),
    ],
)
def test_the_whole_form_by_keyboard_alone(browser_page: Page, language: str, sent: str, problem: str) -> None:
    page = browser_page
    page.goto(f"/report?lang={language}")
    expect(page.locator("html")).to_have_attribute("dir", "rtl" if language == "ur" else "ltr")
    tab_to(page, "#start-report")
    enter(page, "/report/danger")
    # Sent with nothing chosen: the summary is announced (role=alert), takes the focus, and its
    # link takes the keyboard to the answer.
    tab_to(page, "#continue")
    page.keyboard.press("Enter")
    summary = page.locator(".error-summary")
    expect(summary).to_have_attribute("role", "alert")
    expect(summary).to_contain_text(problem)
    expect(summary).to_be_focused()
    links = summary.locator("a")
    for i in range(links.count()):
        target = links.nth(i).get_attribute("href") or ""
        assert page.locator(target).count() == 1, target  # every message points at a field
    page.keyboard.press("Tab")
    expect(links.first).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#in_danger")).to_be_focused()
    page.keyboard.press("ArrowDown")  # from Yes to No
    expect(page.locator("#in_danger-no")).to_be_checked()
    keyboard_continue(page, "/report/what-happened")
    tab_to(page, "#description")
    page.keyboard.type("Two men shouted abuse at me and my son outside our flat.")
    keyboard_continue(page, "/report/when")
    tab_to(page, "#occurred_date")
    for part in ("27", "3", "2026"):
        page.keyboard.type(part)
        page.keyboard.press("Tab")
    expect(page.locator("#occurred_time")).to_be_focused()
    page.keyboard.type("18:30")
    enter(page, "/report/where")
    tab_to(page, "#location")
    page.keyboard.type("Flat 4, Oak Court, Riverside Estate")
    enter(page, "/report/kind")
    tab_to(page, "#incident_types-verbal_abuse")
    page.keyboard.press("Space")
    keyboard_continue(page, "/report/targeted")
    tab_to(page, "#strands")
    page.keyboard.press("Space")
    tab_to(page, "#strands-religion_or_belief")
    page.keyboard.press("Space")
    keyboard_continue(page, "/report/who")
    tab_to(page, "#reporter_is")
    page.keyboard.press("Space")
    keyboard_continue(page, "/report/contact")
    tab_to(page, "#safe_to_contact")
    page.keyboard.press("Space")
    tab_to(page, "#contact_methods-email")
    page.keyboard.press("Space")
    keyboard_continue(page, "/report/details")
    tab_to(page, "#reporter_name")
    page.keyboard.type("Amira Khan")
    page.keyboard.press("Tab")
    page.keyboard.type("amira@example.com")
    enter(page, "/report/needs")
    keyboard_continue(page, "/report/about-you")
    keyboard_continue(page, "/report/files")
    keyboard_continue(page, "/report/check")
    expect(page.locator("#check-answers")).to_contain_text("Flat 4, Oak Court, Riverside Estate")
    # A Change link by keyboard: to the page, and back to Check your answers.
    tab_to(page, '#answer-location a[href="/report/where?change=1"]')
    enter(page, "/report/where")
    tab_to(page, "#location")
    page.keyboard.press("End")
    page.keyboard.type(", LS9 8AB")
    enter(page, "/report/check")
    expect(page.locator("#answer-location")).to_contain_text("Flat 4, Oak Court, Riverside Estate, LS9 8AB")
    tab_to(page, "#send-report")
    enter(page, "/report/received")
    expect(page.get_by_role("heading", level=1)).to_have_text(sent)
    expect(page.locator("#case-reference")).to_have_text(re.compile(r"HC-\d{4}-\d{6}"))


CLIPPED = """() => {
  const hidden = (el) => el.closest('.visually-hidden, .trap, [aria-hidden="true"]');
  const clipped = [];
  for (const el of document.querySelectorAll("body *")) {
    if (hidden(el) || !el.offsetParent) continue;
    const style = getComputedStyle(el);
    const clips = /hidden|clip/.test(style.overflowX + style.overflowY);
    if (clips && (el.scrollHeight > el.clientHeight + 1 || el.scrollWidth > el.clientWidth + 1)) {
      clipped.push(el.tagName + "#" + el.id + "." + el.className);
    }
  }
  return {clipped, wide: document.documentElement.scrollWidth - window.innerWidth};
}"""


@pytest.mark.parametrize("language", ["en", "ur", "pl"])
def test_text_enlarged_to_200_percent_loses_nothing(browser_page: Page, language: str) -> None:
    page = browser_page
    for path in ("/report", "/report/easy-read", "/track"):
        page.goto(f"{path}?lang={language}")
        height = page.evaluate("document.documentElement.scrollHeight")
        page.evaluate("document.documentElement.style.fontSize = '200%'")  # as the browser's text size
        found = page.evaluate(CLIPPED)
        assert found == {"clipped": [], "wide": 0}, (path, language)
        assert page.evaluate("document.documentElement.scrollHeight") > height * 1.5  # the text did grow
