"""A process owner deploys a label change after a confirmation that shows the old and the new
value, new cases start on the new version, a rollback sends them back to the previous one, and the
compare page lists the change with no false "moved". The canvas works from the keyboard and the
properties panel's buttons say what they open."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_modeller import modeler_has, open_group, report, set_deadline, sign_in
from webapp import create_app

pytestmark = pytest.mark.browser

NEW_NAME = "Make first contact"


def process_version(database: Path, reference: str) -> int:
    with sqlite3.connect(database) as connection:
        (version,) = connection.execute(
            "SELECT v.version FROM cases c JOIN process_versions v ON v.id = c.process_version_id "
            "WHERE c.reference = ?",
            (reference,),
        ).fetchone()
    return int(version)


def open_modeller(page: Page) -> None:
    page.goto("/modeller/hate_incident")
    expect(page.locator("#modeller[data-ready=true]")).to_be_attached()


def select_first_response(page: Page) -> None:
    page.locator('#canvas g.djs-element[data-element-id="first_response"]').click(position={"x": 8, "y": 8})
    expect(page.locator("#properties .bio-properties-panel-header-label")).to_have_text(
        "Make the first response"
    )


def test_deploy_after_confirming_the_changes_then_roll_back(browser_page: Page, tmp_path: Path) -> None:
    page = browser_page
    database = tmp_path / "t.db"
    sign_in(page, "owner")
    open_modeller(page)
    # A typo in a timer: Validate names the timer and what is wrong with it.
    set_deadline(page, "PT3X")
    page.get_by_role("button", name="Validate").click()
    problem = page.locator('#problems li[data-element-id="response_deadline"]')
    expect(problem).to_contain_text("'PT3X'")
    problem.get_by_role("button", name="Show on the diagram").click()
    open_group(page, "Timer")
    page.locator("#bio-properties-panel-timerEventDefinitionValue").fill("PT24H")
    modeler_has(
        page,
        "return r.get('response_deadline').businessObject.eventDefinitions[0].timeDuration.body === 'PT24H';",
    )
    page.evaluate("() => window.hatecasesModeler.get('canvas').zoom('fit-viewport')")
    select_first_response(page)
    expect(page.get_by_role("button", name="Toggle section")).to_have_count(0)
    expect(page.get_by_role("button", name="Show or hide General")).to_be_visible()
    open_group(page, "General")
    page.locator("#bio-properties-panel-name").fill(NEW_NAME)
    modeler_has(page, f"return r.get('first_response').businessObject.name === {NEW_NAME!r};")

    # The confirmation: focus inside, the change with its old and new value; Escape cancels.
    page.get_by_role("button", name="Deploy as a new version").click()
    dialog = page.get_by_role("dialog", name="Deploy version 2?")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("What changes against version 1")
    expect(dialog.locator('li[data-element-id="first_response"]')).to_contain_text(
        f"Label: “Make the first response” → “{NEW_NAME}”"
    )
    expect(dialog).not_to_contain_text("moved")
    assert page.evaluate("() => !!document.activeElement.closest('dialog')")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(page.locator("#modeller-status")).to_have_text("Not deployed.")

    page.get_by_role("button", name="Deploy as a new version").click()
    dialog.get_by_role("button", name="Deploy version 2").click()
    expect(page.locator("#modeller-status")).to_contain_text("Deployed as version 2 of Hate incident case")
    expect(page.locator("#editing-version")).to_have_text("2")
    on_two = report(page)
    assert process_version(database, on_two) == 2

    # Restarting the app (`make run` runs `flask init`) leaves version 2 the one new cases start on.
    restarted = create_app(
        {"TESTING": True, "DATABASE_URL": f"sqlite:///{database}", "SECRET_KEY": "x", "TIMERS": "off"}
    )
    result = restarted.test_cli_runner().invoke(args=["init"])
    restarted.extensions["database"].dispose()
    assert result.exit_code == 0 and "hate_incident v2 unchanged" in result.output, result.output
    assert process_version(database, report(page)) == 2

    # Deploying the same again: nothing changed, no dialog.
    page.get_by_role("button", name="Deploy as a new version").click()
    expect(page.locator("#modeller-status")).to_contain_text("Nothing changed: this is the same as version 2")
    expect(page.get_by_role("dialog")).to_have_count(0)

    # The compare page: the label change, nothing moved.
    page.goto("/modeller/hate_incident/compare")
    expect(page.locator("#compare[data-ready=true]")).to_be_attached()
    expect(page.locator('#changes li[data-element-id="first_response"]')).to_contain_text(
        f"Label: “Make the first response” → “{NEW_NAME}”"
    )
    expect(page.locator("#layout-changes")).to_have_count(0)
    expect(page.locator(".change--moved")).to_have_count(0)
    expect(
        page.locator('#compare-new g.djs-element.diff-changed[data-element-id="first_response"]')
    ).to_be_attached()

    # Roll back: confirm, then new cases start on version 1 again; the older case stays on 2.
    page.goto("/modeller/")
    page.get_by_role("button", name="Roll back to version 1").click()
    page.get_by_role("button", name="Yes, roll back to version 1").click()
    expect(page.get_by_role("status").first).to_contain_text("new cases start on version 1 again")
    expect(page.locator('tr[data-version="2"]')).to_contain_text("Rolled back by owner")
    expect(page.locator('tr[data-version="1"]')).to_contain_text("Current: new cases start on it")
    assert process_version(database, report(page)) == 1
    assert process_version(database, on_two) == 2


def test_the_canvas_selects_and_moves_an_element_with_the_keyboard(browser_page: Page) -> None:
    page = browser_page
    sign_in(page, "owner")
    open_modeller(page)
    where = page.locator("#panel-where")
    expect(where).to_have_text(
        "The properties panel is beside the diagram, on the right.", use_inner_text=True
    )
    x_of = "() => window.hatecasesModeler.get('elementRegistry').get('first_response').x"
    before = page.evaluate(x_of)

    page.locator("#canvas svg").first.focus()
    page.keyboard.press("Control+f")
    page.keyboard.type("Make the first response")
    page.keyboard.press("Enter")
    page.wait_for_function(
        "() => window.hatecasesModeler.get('selection').get().map(e => e.id).join() === 'first_response'"
    )
    expect(page.locator("#selection-status")).to_contain_text("first_response")
    page.keyboard.press("Shift+ArrowRight")
    page.wait_for_function(f"() => ({x_of})() === {before} + 10")
    page.keyboard.press("Escape")
    page.locator("#canvas svg").first.focus()
    # ] and [ step to the next and the previous element, so each can be reached without a name.
    selected = "() => window.hatecasesModeler.get('selection').get().map(e => e.id).join()"
    page.keyboard.press("]")
    page.wait_for_function(f"() => ({selected})() !== ''")
    first = page.evaluate(selected)
    expect(page.locator("#selection-status")).to_contain_text(first)
    page.keyboard.press("]")
    page.wait_for_function(f"() => !['', {first!r}].includes(({selected})())")
    page.keyboard.press("[")
    page.wait_for_function(f"() => ({selected})() === {first!r}")

    # On a narrow screen the panel is below the diagram, and the page says so.
    page.set_viewport_size({"width": 700, "height": 900})
    expect(where).to_have_text("The properties panel is below the diagram.", use_inner_text=True)
    canvas = page.locator("#canvas").bounding_box()
    panel = page.locator("#properties").bounding_box()
    assert canvas and panel and panel["y"] >= canvas["y"] + canvas["height"] - 1


def test_warnings_are_listed_apart_from_problems_and_list_buttons_are_named(browser_page: Page) -> None:
    page = browser_page
    sign_in(page, "owner")
    # A diagram saved by another tool: its plain and manual tasks pass through, with warnings.
    xml = (
        Path(__file__).parents[1] / "diagrams_other_tools" / "camunda_modeler_plain_and_manual.bpmn"
    ).read_bytes()
    issued = page.request.post("/api/token", data={"username": "owner", "password": "demo"})
    owner = {"Authorization": f"Bearer {issued.json()['token']}", "Content-Type": "application/xml"}
    uploaded = page.request.post("/api/process-models", data=xml, headers=owner)
    assert uploaded.status == 201, uploaded.text()
    assert uploaded.json()["warnings"]
    page.goto("/modeller/plain_and_manual")
    expect(page.locator("#modeller[data-ready=true]")).to_be_attached()
    page.get_by_role("button", name="Validate").click()
    expect(page.locator('#warnings li[data-element-id="Activity_plain"]')).to_contain_text(
        "passes straight through"
    )
    expect(page.locator('#warnings li[data-element-id="Activity_manual"]')).to_be_attached()
    expect(page.locator("#warnings-summary")).to_contain_text("warning")
    expect(page.locator("#problems li")).to_have_count(0)

    open_modeller(page)
    select_first_response(page)
    open_group(page, "Form fields")
    expect(page.get_by_role("button", name="Show or hide Form fields")).to_have_attribute(
        "aria-expanded", "true"
    )
    expect(page.get_by_role("button", name="Add to Form fields")).to_be_visible()
    expect(page.get_by_role("button", name="Show or hide contact_date")).to_be_visible()
    # Delete buttons show on hover or focus; they are named all the same.
    expect(page.get_by_role("button", name="Delete contact_date", include_hidden=True)).to_be_attached()
    page.locator("#properties .bio-properties-panel-collapsible-entry-header").get_by_text(
        "contact_method", exact=True
    ).click()
    expect(page.get_by_role("button", name="Add to Constraints").first).to_be_visible()
    for vague in ("Toggle section", "Toggle list item", "Delete item", "Create new list item"):
        expect(page.get_by_role("button", name=vague, exact=True, include_hidden=True)).to_have_count(0)
