"""Issue 19, "Accessibility, tested": axe-core (from npm, webapp/static/vendor/axe.min.js, copied
there by scripts/build-assets.sh) run in headless Chromium on every public page in every language
and on the officer's inbox, a task page and a case page, at desktop and phone widths: no
violation of WCAG 2.2 AA. And the whole public form completed by keyboard alone, in English and
in Urdu (right to left), with the error summary announced, focused and linked to its fields."""

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
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text())  # evaluate is not subject to the page's Content Security Policy
    found: list[str] = page.evaluate(RUN, TAGS)
    return found


def check_at_both_widths(page: Page, where: str) -> None:
    for size in (DESKTOP, PHONE):
        page.set_viewport_size(size)
        assert violations(page) == [], f"{where} at {size['width']}px"
    page.set_viewport_size(DESKTOP)


@pytest.mark.parametrize("language", ["en", "ur", "pl"])
def test_every_public_page_has_no_wcag_22_aa_violation(browser_page: Page, language: str) -> None:
    page = browser_page
    for path in ("/report", "/report/easy-read", "/track"):
        page.goto(f"{path}?lang={language}")
        check_at_both_widths(page, f"{path} in {language}")
    page.goto("/report")
    page.locator("button[type=submit].button").click()  # nothing typed: the error summary
    expect(page.locator(".error-summary")).to_be_visible()
    check_at_both_widths(page, f"the form with errors in {language}")
    page.locator("#description").fill("Someone wrote hateful words on my door again last night.")
    page.locator("#location").fill("12 Oak Court, Riverside Estate")
    page.locator("#strands").check()
    page.locator("#reporter_name").fill("Amira Khan")
    page.locator("#reporter_email").fill("amira@example.com")
    page.locator("#safe_to_contact").check()
    page.locator("#contact_methods-email").check()
    page.locator("button[type=submit].button").click()
    expect(page.locator("#tracking-code")).to_be_visible()
    check_at_both_widths(page, f"the received page in {language}")
    reference = page.locator("#case-reference").inner_text().strip()
    code = page.locator("#tracking-code").inner_text().strip()
    page.goto("/track")
    page.locator("#reference").fill(reference)
    page.locator("#code").fill("AAAA-BBBB-CCCC")
    page.locator("#track-form button[type=submit]").click()
    expect(page.locator(".error-summary")).to_be_visible()
    check_at_both_widths(page, f"the tracking sign-in with an error in {language}")
    page.locator("#code").fill(code)
    page.locator("#track-form button[type=submit]").click()
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
    # Sent with nothing typed: the summary is announced (role=alert), takes the focus, and its
    # first link takes the keyboard to the field.
    tab_to(page, "form button[type=submit]")
    page.keyboard.press("Enter")
    summary = page.locator(".error-summary")
    expect(summary).to_have_attribute("role", "alert")
    expect(summary).to_contain_text(problem)
    expect(summary).to_be_focused()
    links = summary.locator("a")
    assert links.count() >= 3
    for i in range(links.count()):
        target = links.nth(i).get_attribute("href") or ""
        assert page.locator(target).count() == 1, target  # every message points at a field
    page.keyboard.press("Tab")
    expect(links.first).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#description")).to_be_focused()
    page.keyboard.type("Two men shouted abuse at me and my son outside our flat.")
    page.keyboard.press("Tab")
    expect(page.locator("#occurred_date")).to_be_focused()
    for part in ("27", "3", "2026"):
        page.keyboard.type(part)
        page.keyboard.press("Tab")
    expect(page.locator("#occurred_time")).to_be_focused()
    page.keyboard.type("18:30")
    page.keyboard.press("Tab")
    page.keyboard.type("Flat 4, Oak Court, Riverside Estate")
    tab_to(page, "#strands")
    page.keyboard.press("Space")
    tab_to(page, "#strands-religion_or_belief")
    page.keyboard.press("Space")
    tab_to(page, "#reporter_is")
    page.keyboard.press("Space")
    tab_to(page, "#reporter_name")
    page.keyboard.type("Amira Khan")
    page.keyboard.press("Tab")
    page.keyboard.type("amira@example.com")
    tab_to(page, "#safe_to_contact")
    page.keyboard.press("Space")
    tab_to(page, "#contact_methods-email")
    page.keyboard.press("Space")
    tab_to(page, "form button[type=submit]")
    page.keyboard.press("Enter")
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
