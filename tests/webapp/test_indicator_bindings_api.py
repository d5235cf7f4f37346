"""Issue 14, point 15, through the real app: a process owner deploys a version whose first
response, closure and outcome field are renamed (POST /api/process-models); a case walked on it
over the API still counts in GET /api/indicators (24 hours, outcomes, TP12). A version that binds
no indicator is deployed with warnings that say what would count nothing."""

from __future__ import annotations

from tests.bpmn.test_safeguards_indicators import CLOSURE, renamed, without_bindings
from tests.bpmn.walk import CONTACT, FIRST_RESPONSE, LOW_RISK, REPORTED
from tests.webapp.test_api import token
from tests.webapp.test_lifecycle_api import start

XML = {"Content-Type": "application/xml"}


def test_a_renamed_diagram_deployed_over_the_api_keeps_the_indicators(client):
    owner = token(client, "owner")
    deployed = client.post("/api/process-models", headers={**owner, **XML}, data=renamed())
    assert deployed.status_code == 201, deployed.json
    assert deployed.json["version"] == 2 and deployed.json["warnings"] == []

    officer = start(client)
    officer.do("first_contact", FIRST_RESPONSE)
    officer.do("police_referral", REPORTED)
    officer.do("risk_assessment", LOW_RISK)
    officer.do("support", {})
    officer.do("keep_in_contact", {**CONTACT, "next_step": "close"})
    step = officer.do("closing", CLOSURE)
    assert step["case_status"] == "closed"

    figures = client.get("/api/indicators", headers=token(client, "manager")).json
    assert {k: figures["first_response"][k] for k in ("met", "missed", "pending")} == {
        "met": 1,
        "missed": 0,
        "pending": 0,
    }
    assert [(c["key"], c["count"]) for c in figures["outcomes"]] == [("resolved", 1), ("not_resolved", 0)]
    assert figures["regulator"]["tp12"] == {"numerator": 1, "denominator": 1, "percent": 100.0}


def test_a_diagram_binding_no_indicator_is_deployed_with_warnings_saying_so(client):
    owner = token(client, "owner")
    checked = client.post("/api/process-models/validate", headers={**owner, **XML}, data=without_bindings())
    assert checked.status_code == 200, checked.json
    messages = [w["message"] for w in checked.json["warnings"]]
    assert (
        "No user task declares the property indicator=first_response, so the first response within "
        "24 hours would count nothing. Add it to the task's extension properties."
    ) in messages
    assert any(m.startswith("No user task declares the property indicator=closure") for m in messages)
