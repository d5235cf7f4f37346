"""Issue 14's safeguards through the real app and its JSON API: a lower risk level waits for a
supervisor, whoever proposed enforcement may not approve it (403 with words), and the perceived
motivation changes only with a reason, keeping the original on the record and the timeline."""

from __future__ import annotations

from typing import Any

from casework.people import hash_password
from db.models import Group, User
from tests.bpmn.walk import CONTACT, FIRST_RESPONSE, HIGH_RISK, REPORTED
from tests.webapp.test_api import token
from tests.webapp.test_lifecycle_api import REPORT, Officer, start

PROPOSAL = {
    "enforcement_ground": "criminal_behaviour",
    "perpetrator_vulnerability": "none_known",
    "proposed_action": "injunction",
    "evidence_consent": "hearsay",
    "proportionality": "Repeated assaults; other measures failed",
}


def task_id(officer: Officer, name: str) -> str:
    [task] = [t for t in officer.case()["open_tasks"] if t["name"] == name]
    return str(task["id"])


def add_supervisor(app: Any) -> None:
    with app.extensions["database"].session() as session:
        user = User(
            username="supervisor2",
            display_name="Sol Supervisor",
            password_hash=hash_password("demo"),
            role="supervisor",
        )
        user.groups = [g for g in session.query(Group).all() if g.name in ("supervisors", "community-safety")]
        session.add(user)
        session.commit()


def test_a_lower_level_waits_for_a_supervisor_and_the_computed_level_stands(client):
    officer = start(client)
    officer.do("first_response", FIRST_RESPONSE)
    officer.do("police_referral", REPORTED)
    officer.do(
        "risk_assessment", {**HIGH_RISK, "override_level": "low", "override_reason": "Perpetrator moved"}
    )
    case = officer.case()
    assert case["risk_level"] == "high"
    assert [t["name"] for t in case["open_tasks"]] == ["risk_lowering_approval"]
    refused = client.post(
        f"/api/tasks/{task_id(officer, 'risk_lowering_approval')}/complete",
        headers=officer.headers["officer"],
        json={"risk_lowering_decision": "approved", "risk_lowering_reason": "Looks fine to me"},
    )
    assert refused.status_code == 403
    officer.do(
        "risk_lowering_approval",
        {"risk_lowering_decision": "approved", "risk_lowering_reason": "Confirmed with the police"},
        who="supervisor",
    )
    assert officer.case()["risk_level"] == "low"


def test_the_proposer_of_enforcement_is_refused_its_approval_with_words(app, client):
    add_supervisor(app)
    officer = start(client)
    officer.do("first_response", FIRST_RESPONSE)
    officer.do("police_referral", REPORTED)
    officer.do("risk_assessment", HIGH_RISK)
    officer.do("support", {})
    officer.do("keep_in_contact", {**CONTACT, "next_step": "enforcement"})
    officer.do("enforcement_proposal", PROPOSAL, who="supervisor")
    approval = {"approval": "approved", "approval_reason": "Reasonable and proportionate"}
    own = task_id(officer, "enforcement_approval")
    for path, body in ((f"/api/tasks/{own}/claim", None), (f"/api/tasks/{own}/complete", approval)):
        response = client.post(path, headers=officer.headers["supervisor"], json=body)
        assert response.status_code == 403, response.json
        assert "someone else must do" in response.json["message"]
    app.config["WTF_CSRF_ENABLED"] = False
    web = app.test_client()
    web.post("/login", data={"username": "supervisor", "password": "demo"})
    for path in (f"/tasks/{own}/claim", f"/tasks/{own}"):
        page = web.post(path, data=approval)
        assert page.status_code == 403 and "someone else must do" in page.get_data(as_text=True)
    other = token(client, "supervisor2", "demo")
    response = client.post(f"/api/tasks/{own}/complete", headers=other, json=approval)
    assert response.status_code == 200, response.json
    assert "enforcement_action" in [t["name"] for t in officer.case()["open_tasks"]]


def test_replacing_a_strand_needs_a_reason_keeps_the_original_and_is_on_the_timeline(client):
    officer = start(client)
    headers = officer.headers["officer"]
    swap = {"strands": ["religion_or_belief"]}
    refused = client.patch(f"/api/cases/{officer.reference}", headers=headers, json=swap)
    assert refused.status_code == 422 and "needs a reason" in refused.json["errors"]["strands"]
    assert officer.case()["strands"] == ["race"]
    reason = "The victim says the abuse was about their faith, not their race"
    changed = client.patch(
        f"/api/cases/{officer.reference}", headers=headers, json={**swap, "reason": reason}
    )
    assert changed.status_code == 200, changed.json
    assert (changed.json["strands"], changed.json["reported_strands"]) == (["religion_or_belief"], ["race"])
    summaries = [e["summary"] for e in changed.json["timeline"]]
    assert any(
        s.startswith("Changed the perceived motivation from race to religion_or_belief") and reason in s
        for s in summaries
    )


def test_the_employee_routes_edges_through_the_api(client):
    """Issue 14, point 12: a tenant harmed by a colleague gets the hate route and an HR referral;
    a colleague abused by a contractor goes to the line manager (HR's team sees it)."""
    tenant = {
        **REPORT,
        "parties": [victim("tenant"), {"role": "alleged_perpetrator", "relation": "colleague"}],
    }
    officer = start(client, tenant)
    case = officer.case()
    assert case["route"] == "hate"
    assert sorted(t["name"] for t in case["open_tasks"]) == ["first_response", "hr_referral"]
    [hr_task] = [t for t in case["open_tasks"] if t["name"] == "hr_referral"]
    assert hr_task["candidate_groups"] == ["hr"]
    refused = client.post(
        f"/api/tasks/{hr_task['id']}/complete", headers=officer.headers["officer"], json={"hr_reference": "x"}
    )
    assert refused.status_code == 403
    manager = token(client, "manager")
    bad = client.post(f"/api/tasks/{hr_task['id']}/complete", headers=manager, json={"hr_reference": "HR-1"})
    assert bad.status_code == 422 and set(bad.json["errors"]) == {"colleague_manager", "hr_referral_notes"}
    done = client.post(
        f"/api/tasks/{hr_task['id']}/complete",
        headers=manager,
        json={
            "hr_reference": "HR-1",
            "colleague_manager": "Pat Head",
            "hr_referral_notes": "Passed to HR today",
        },
    )
    assert done.status_code == 200, done.json
    officer.do("first_response", FIRST_RESPONSE)
    assert [t["name"] for t in officer.case()["open_tasks"]] == ["police_referral"]

    staff = {  # another victim at another place: not matched to the open case above (issue 19.4)
        **REPORT,
        "location": "Head office, 2 Mill Lane",
        "parties": [
            {"role": "victim", "name": "Pat Reed", "relation": "colleague"},
            {"role": "alleged_perpetrator", "relation": "contractor"},
        ],
    }
    reference = start(client, staff).reference
    case = client.get(f"/api/cases/{reference}", headers=manager).json
    assert case["route"] == "employee"
    assert [t["name"] for t in case["open_tasks"]] == ["line_manager_referral"]


def victim(relation: str) -> dict[str, str]:
    return {"role": "victim", "name": "Sam Jones", "relation": relation}


def test_case_review_recommendations_become_tasks_of_their_owners_through_the_api(client):
    """Issue 14, point 13c: POST /api/cases/{ref}/case-review-actions; bad fields are named."""
    officer = start(client)
    path = f"/api/cases/{officer.reference}/case-review-actions"
    headers = officer.headers["officer"]
    bad = client.post(
        path, headers=headers, json={"recommendation": "CCTV", "owner": "nobody", "due_on": "2020-01-01"}
    )
    assert bad.status_code == 422 and set(bad.json["errors"]) == {"recommendation", "owner", "due_on"}
    missing = client.post(path, headers=headers, json={"owner": "managers"})
    assert missing.status_code == 422 and set(missing.json["errors"]) == {"recommendation", "due_on"}

    done = client.post(
        path,
        headers=headers,
        json={
            "recommendation": "Review the perpetrator's tenancy",
            "owner": "managers",
            "due_on": "2099-03-31",
        },
    )
    assert done.status_code == 201, done.json
    [task] = [t for t in officer.case()["open_tasks"] if t["name"] == "case_review_action"]
    assert task["candidate_groups"] == ["managers"] and task["due"].startswith("2099-03-31T")
    assert (
        "ASB Case Review recommendation for managers, due 31 March 2099: Review the perpetrator's tenancy"
        in [e["summary"] for e in officer.case()["timeline"]]
    )
    refused = client.post(
        f"/api/tasks/{task['id']}/complete",
        headers=headers,
        json={"action_done_on": "2099-03-01", "action_notes": "Tenancy reviewed with legal"},
    )
    assert refused.status_code == 403  # the managers' action, not the officer's
    completed = client.post(
        f"/api/tasks/{task['id']}/complete",
        headers=token(client, "manager"),
        json={"action_done_on": "2099-03-01", "action_notes": "Tenancy reviewed with legal"},
    )
    assert completed.status_code == 200, completed.json
