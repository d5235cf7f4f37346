"""Two-factor sign-in in Chromium: an officer sets it up from their account (scanning is
replaced by typing the key shown into pyotp, as a phone app would), keeps the recovery codes,
signs out, signs in with a code, and then with a recovery code."""

from __future__ import annotations

import time
from pathlib import Path

import pyotp
import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser


def password_step(page: Page) -> None:
    page.get_by_role("link", name="Sign in").click()
    page.get_by_label("Username").fill("officer")
    page.get_by_label("Password").fill("demo")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Enter your sign-in code")).to_be_visible()


def test_officer_sets_up_two_factor_and_signs_in_with_a_code_and_a_recovery_code(
    browser_page: Page, artifacts: Path
) -> None:
    page = browser_page
    page.goto("/login")
    page.get_by_label("Username").fill("officer")
    page.get_by_label("Password").fill("demo")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Inbox")).to_be_visible()

    page.get_by_role("link", name="Two-factor sign-in").click()
    expect(page.locator("#two-factor-status")).to_contain_text("off")
    page.get_by_role("link", name="Set up two-factor sign-in").click()
    expect(page.get_by_role("img", name="QR code to scan with your authenticator app")).to_be_visible()
    secret = page.locator("#two-factor-secret").inner_text().replace(" ", "")
    totp = pyotp.TOTP(secret)
    page.get_by_label("Code from the app").fill("123456" if totp.now() != "123456" else "654321")
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    expect(page.locator(".error-summary")).to_contain_text("The code is not right")
    page.get_by_label("Code from the app").fill(totp.now())
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    expect(page.get_by_role("heading", name="Two-factor sign-in is on")).to_be_visible()
    codes = [c.strip() for c in page.locator("#recovery-codes code").all_inner_texts()]
    assert len(codes) == 10 and len(set(codes)) == 10
    page.screenshot(path=str(artifacts / "two-factor-recovery-codes.png"), full_page=True)
    page.get_by_role("link", name="I have kept my recovery codes: continue").click()
    expect(page.get_by_role("heading", name="Inbox")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()

    # The code just used to turn it on cannot be used again: the app's next one (its clock may be
    # up to a step ahead of the server's, which is allowed) signs in.
    password_step(page)
    expect(page.get_by_role("link", name="Inbox")).to_have_count(0)  # not signed in yet
    page.get_by_label("Code").fill(totp.at(time.time() + 30))
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Inbox")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()

    password_step(page)
    page.get_by_label("Code").fill(codes[0])
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Inbox")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("You have 9 left")
    page.get_by_role("button", name="Sign out").click()

    # The same recovery code again is refused, with the reason next to the field.
    password_step(page)
    page.get_by_label("Code").fill(codes[0])
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".error-summary")).to_contain_text("The code is not right")
    page.get_by_role("link", name="The code is not right").click()
    expect(page.get_by_label("Code")).to_be_focused()
