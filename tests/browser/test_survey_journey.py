"""The closure survey in Chromium: a victim who reported through the form and said email is safe
is asked when the case closes; the private link opens the survey, a missing answer is named and
linked, the answers are kept, and the used link then works no more; on a phone-sized screen."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from casework import steps, surveys
from db import Database, timeline
from db.models import Case, ClosureSurvey, OutboxMessage
from tests.browser.test_reporter_journey import report_with_the_keyboard

pytestmark = pytest.mark.browser


def close_and_find_the_link(database: Database, reference: str) -> str:
    with database.session() as session:
        case = session.scalars(select(Case).where(Case.reference == reference)).one()
        with steps.case_step(session, now=datetime.now(UTC), by="Olivia Officer", case=case) as step:
            case.status, case.closed_at = "closed", step.now
            step.record(timeline.CaseClosed())
        mail = session.scalars(select(OutboxMessage).where(OutboxMessage.kind == surveys.KIND)).one()
    found = re.search(r"/survey/[A-Za-z0-9_-]+", mail.body)
    assert found, mail.body
    return found.group(0)


def test_the_victim_answers_the_survey_from_the_link(browser_page: Page, tmp_path: Path) -> None:
    page = browser_page
    reference, _ = report_with_the_keyboard(page)
    database = Database(f"sqlite:///{tmp_path}/t.db")
    try:
        link = close_and_find_the_link(database, reference)
        page.set_viewport_size({"width": 390, "height": 844})  # most will open it on a phone
        page.goto(link)
        expect(page.get_by_role("heading", name="Tell us how we did")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        outcome = page.get_by_role("group", name=surveys.OUTCOME_QUESTION)
        outcome.get_by_label("Fairly satisfied").check()
        page.get_by_role("button", name="Send my answers").click()
        summary = page.locator(".error-summary")
        expect(summary).to_be_focused()
        expect(summary).to_contain_text(
            "Choose how satisfied you are with our approach to anti-social behaviour."
        )
        expect(outcome.get_by_label("Fairly satisfied")).to_be_checked()  # kept
        summary.get_by_role("link").click()
        expect(page.locator("#tp12")).to_be_focused()
        page.keyboard.press("Space")  # the first answer, chosen by keyboard
        page.get_by_role("button", name="Send my answers").click()
        expect(page.get_by_role("heading", name="Thank you for your answers")).to_be_visible()
        with database.session() as session:
            survey = session.scalars(select(ClosureSurvey)).one()
            assert (survey.outcome, survey.tp12) == ("fairly_satisfied", "very_satisfied")
        page.goto(link)
        expect(page.get_by_role("heading", name="Survey link not working")).to_be_visible()
        expect(page.locator("main")).not_to_contain_text(reference)
    finally:
        database.dispose()
