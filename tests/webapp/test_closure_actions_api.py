"""Issue 14, point 10a, through the real app: the closure task (GET /api/tasks/{id} and the task
page) starts with the actions the case used, worked out by the process; the officer sends a
corrected list and that is what is recorded."""

from __future__ import annotations

import re

from tests.bpmn.walk import CONTACT, FIRST_RESPONSE, LOW_RISK, REPORTED
from tests.webapp.test_lifecycle_api import start


def test_the_closure_task_starts_with_the_actions_used_and_takes_the_officers_list(app, client):
    officer = start(client)
    officer.do("first_response", FIRST_RESPONSE)
    officer.do("police_referral", REPORTED)
    officer.do("risk_assessment", LOW_RISK)
    officer.do("support", {"support_agencies": ["advocacy"], "support_consent": True})
    officer.do("keep_in_contact", {**CONTACT, "next_step": "prevention"})
    officer.do(
        "prevention",
        {
            "prevention_action": "restorative_solution",
            "prevention_outcome": "completed",
            "perpetrator_vulnerability": "none_known",
        },
    )
    officer.do("keep_in_contact", {**CONTACT, "next_step": "close"})
    [task] = [t for t in officer.case()["open_tasks"] if t["name"] == "close_case"]

    shown = client.get(f"/api/tasks/{task['id']}", headers=officer.headers["officer"]).json
    defaults = {f["id"]: f["default"] for f in shown["fields"]}
    assert defaults["non_legal_actions"] == "restorative_solution,support_referral"
    assert defaults["legal_actions"] == ""

    app.config["WTF_CSRF_ENABLED"] = False
    web = app.test_client()
    assert web.post("/login", data={"username": "officer", "password": "demo"}).status_code == 302
    page = web.get(f"/tasks/{task['id']}").get_data(as_text=True)
    ticked = re.findall(r'name="non_legal_actions" value="(\w+)" checked', page)
    assert ticked == ["restorative_solution", "support_referral"]

    step = officer.do(
        "close_case",
        {
            "outcome": "resolved",
            "outcome_reason": "Restorative meeting held; no incidents since",
            "non_legal_actions": ["restorative_solution"],
            "victim_satisfaction": "very_satisfied",
        },
    )
    assert step["case_status"] == "closed"
    completed = client.get(f"/api/tasks/{task['id']}", headers=officer.headers["officer"]).json
    assert completed["status"] == "completed"
