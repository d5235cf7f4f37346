"""The modeller's Deploy button refuses a diagram whose trial case fails, and marks the step on
the diagram (a script that sets a number too large to save with the case)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_modeller import sign_in
from tests.trial_diagrams import too_large

pytestmark = pytest.mark.browser


def with_shapes(xml: bytes) -> str:
    """The diagram with a drawing of its steps, which the modeller needs to show it."""
    shapes = "".join(
        f'<bpmndi:BPMNShape id="{name}_di" bpmnElement="{name}">'
        f'<dc:Bounds x="{100 + 150 * i}" y="100" width="100" height="80" /></bpmndi:BPMNShape>'
        for i, name in enumerate(("begin", "work_out", "look", "done"))
    )
    drawing = (
        '<bpmndi:BPMNDiagram id="drawing" xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" '
        'xmlns:dc="http://www.omg.org/spec/DD/20100524/DC">'
        f'<bpmndi:BPMNPlane id="plane" bpmnElement="hate_incident">{shapes}</bpmndi:BPMNPlane>'
        "</bpmndi:BPMNDiagram>"
    )
    return xml.decode().replace("</bpmn:definitions>", drawing + "</bpmn:definitions>")


def test_deploy_marks_the_step_a_trial_case_fails_at(browser_page: Page) -> None:
    page = browser_page
    sign_in(page, "owner")
    page.goto("/modeller/hate_incident")
    expect(page.locator("#modeller[data-ready=true]")).to_be_attached()
    page.evaluate("xml => window.hatecasesModeler.importXML(xml)", with_shapes(too_large("hate_incident")))
    expect(page.locator('#canvas g.djs-element[data-element-id="work_out"]')).to_be_attached()
    page.get_by_role("button", name="Deploy as a new version").click()
    page.get_by_role("dialog").get_by_role("button", name="Deploy version 2").click()
    problem = page.locator('#problems li[data-element-id="work_out"]')
    expect(problem).to_contain_text("The step 'Work it out' (work_out) set a value too large")
    expect(page.locator('g.djs-element.has-problem[data-element-id="work_out"]')).to_be_attached()
    page.goto("/modeller/")
    expect(page.locator('[data-process="hate_incident"] tr[data-version="2"]')).to_have_count(0)
