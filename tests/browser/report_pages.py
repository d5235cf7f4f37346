"""The public report's question pages, answered in Chromium (shared by the browser tests): one
question per page, each with Continue, then Check your answers and Send the report."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from playwright.sync_api import Page, expect


@dataclass
class Answers:
    description: str = "A neighbour shouted racist abuse at my children and threw eggs at our windows."
    date: tuple[str, str, str] | None = ("27", "3", "2026")
    time: str = ""
    location: str = "12 Oak Court, Riverside Estate"
    kinds: list[str] = field(default_factory=list)
    strands: list[str] = field(default_factory=lambda: ["Race"])
    who: str | None = None  # a label of "Who are you?"
    name: str = ""
    email: str = ""
    phone: str = ""
    safe: bool | None = None
    methods: list[str] = field(default_factory=list)


def go_on(page: Page) -> None:
    page.get_by_role("button", name="Continue", exact=True).click()


def start(page: Page, path: str = "/report") -> None:
    page.goto(path)
    page.get_by_role("button", name="Start now").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Is anyone in danger now?")


def answer(page: Page, given: Answers) -> None:
    """Start a report and answer every page; ends on Check your answers."""
    start(page)
    page.get_by_label("No", exact=True).check()
    go_on(page)
    page.get_by_label("What happened?").fill(given.description)
    go_on(page)
    if given.date:
        for label, value in zip(("Day", "Month", "Year"), given.date, strict=True):
            page.get_by_label(label, exact=True).fill(value)
    page.get_by_label("Time (optional)").fill(given.time)
    go_on(page)
    page.get_by_label("Where did it happen?").fill(given.location)
    go_on(page)
    for kind in given.kinds:
        page.get_by_label(kind, exact=True).check()
    go_on(page)
    for strand in given.strands:
        page.get_by_label(strand, exact=True).check()
    go_on(page)
    if given.who:
        page.get_by_label(given.who).check()
    go_on(page)
    if given.who != "I want to stay anonymous":
        if given.safe is not None:
            page.get_by_label(
                "Yes, it is safe to contact me" if given.safe else "No, it is not safe to contact me"
            ).check()
        for method in given.methods:
            page.get_by_label(method, exact=True).check()
        go_on(page)
        page.get_by_label("Your name").fill(given.name)
        page.get_by_label("Email address").fill(given.email)
        page.get_by_label("Phone number").fill(given.phone)
        go_on(page)
    go_on(page)  # communication needs
    if given.who == "It happened to me":
        go_on(page)  # equality monitoring
    go_on(page)  # photos and documents
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your answers before sending your report")


def send(page: Page) -> tuple[str, str | None]:
    """Send from Check your answers: the reference and the tracking code (if shown)."""
    page.get_by_role("button", name="Send the report").click()
    expect(page.get_by_role("heading", name="Report received")).to_be_visible()
    reference = page.locator("#case-reference").inner_text().strip()
    assert re.fullmatch(r"HC-\d{4}-\d{6}", reference)
    codes = page.locator("#tracking-code")
    return reference, codes.inner_text().strip() if codes.count() else None
