"""Each stage of the policy's lifecycle driven through the JSON API, as an officer and a
supervisor would, checking the case data, the tasks and the timeline."""

from __future__ import annotations

from typing import Any

from tests.bpmn.walk import CONTACT, FIRST_RESPONSE, HIGH_RISK, REPORTED
from tests.webapp.test_api import token

REPORT = {
    "description": "Racist graffiti on the door and threats shouted",
    "location": "4 Oak Court",
    "strands": ["race"],
    "channel": "phone",
    "incident_types": ["graffiti", "threat_of_attack"],
    "locality": "Riverside",
    "parties": [
        {
            "role": "victim",
            "name": "Sam Jones",
            "relation": "tenant",
            "tenure": "general_needs",
            "address": "4 Oak Court",
        },
        {"role": "alleged_perpetrator", "name": "Unknown neighbour", "relation": "non_tenant"},
        {"role": "witness", "name": "Ali Khan", "relation": "leaseholder", "tenure": "leaseholder"},
    ],
}


class Officer:
    def __init__(self, client: Any, reference: str) -> None:
        self.client, self.reference = client, reference
        self.headers = {who: token(client, who) for who in ("officer", "supervisor")}

    def case(self) -> dict[str, Any]:
        return self.client.get(f"/api/cases/{self.reference}", headers=self.headers["officer"]).json

    def do(self, name: str, answers: dict[str, Any], who: str = "officer") -> Any:
        [task] = [t for t in self.case()["open_tasks"] if t["name"] == name]
        response = self.client.post(
            f"/api/tasks/{task['id']}/complete", headers=self.headers[who], json=answers
        )
        assert response.status_code == 200, response.json
        return response.json


def start(client: Any, body: dict[str, Any] = REPORT) -> Officer:
    response = client.post("/api/reports", json=body)
    assert response.status_code == 201, response.json
    return Officer(client, response.json["reference"])


def test_intake_records_channel_types_locality_and_parties(client):
    case = start(client).case()
    assert (case["channel"], case["locality"], case["route"]) == ("phone", "Riverside", "hate")
    assert case["incident_types"] == ["graffiti", "threat_of_attack"] and case["hate_perceived"] is True
    assert [(p["role"], p["relation"]) for p in case["parties"]] == [
        ("victim", "tenant"),
        ("alleged_perpetrator", "non_tenant"),
        ("witness", "leaseholder"),
    ]


def test_bad_intake_values_are_named(client):
    bad = {
        **REPORT,
        "channel": "pigeon",
        "incident_types": ["rudeness"],
        "parties": [{"role": "bystander", "relation": "cousin"}],
    }
    response = client.post("/api/reports", json=bad)
    assert response.status_code == 422
    assert set(response.json["errors"]) == {"channel", "incident_types", "parties"}


def test_the_employee_route_through_the_api(client):
    body = {
        **REPORT,
        "parties": [
            {"role": "alleged_perpetrator", "relation": "colleague"},
            {"role": "reporter", "relation": "contractor"},
        ],
    }
    officer = start(client, body)
    # A case about a colleague is HR's: closed to the community-safety officer, open to HR.
    refused = client.get(f"/api/cases/{officer.reference}", headers=officer.headers["officer"])
    assert refused.status_code == 403 and "another team" in refused.json["message"]
    case = client.get(f"/api/cases/{officer.reference}", headers=token(client, "manager")).json
    assert case["route"] == "employee" and [t["name"] for t in case["open_tasks"]] == ["employee_referral"]
    assert case["open_tasks"][0]["candidate_groups"] == ["hr"]


def test_from_first_response_to_closure_with_enforcement(client):
    officer = start(client)
    officer.do("first_response", FIRST_RESPONSE)
    officer.do("police_referral", REPORTED)
    officer.do("risk_assessment", HIGH_RISK)
    officer.do(
        "support", {"support_measures": ["cctv"], "support_agencies": ["advocacy"], "support_consent": True}
    )
    case = officer.case()
    assert case["risk_level"] == "high"
    assert [(r["agency"], r["made"]) for r in case["referrals"]] == [
        ("police", True),
        ("support: advocacy", True),
    ]
    officer.do("keep_in_contact", {**CONTACT, "next_step": "enforcement"})
    officer.do(
        "enforcement_proposal",
        {
            "enforcement_ground": "victim_needs_protection",
            "perpetrator_vulnerability": "none_known",
            "proposed_action": "injunction",
            "evidence_consent": "consent_given",
            "proportionality": "Threats continue despite warnings",
        },
    )
    step = officer.do(
        "enforcement_approval", {"approval": "approved", "approval_reason": "Proportionate"}, who="supervisor"
    )
    assert [t["name"] for t in step["next_tasks"]] == ["enforcement_action"]
    officer.do("enforcement_action", {"witness_support_offered": True, "enforcement_outcome": "granted"})
    officer.do("keep_in_contact", {**CONTACT, "next_step": "close"})
    step = officer.do(
        "close_case",
        {
            "outcome": "resolved",
            "outcome_reason": "Injunction granted; no incidents since",
            "legal_actions": ["injunction"],
            "victim_satisfaction": "fairly_satisfied",
        },
    )
    # A high-risk case closes when a supervisor signs it off.
    assert step["case_status"] == "open" and [t["name"] for t in step["next_tasks"]] == ["closure_signoff"]
    step = officer.do(
        "closure_signoff",
        {"closure_signoff_decision": "signed_off", "closure_signoff_reason": "No incidents for three months"},
        who="supervisor",
    )
    assert step["case_status"] == "closed" and step["next_tasks"] == []
    case = officer.case()
    assert [d["title"] for d in case["documents"]] == ["Your case has been closed"]
    summaries = [e["summary"] for e in case["timeline"]]
    for expected in (
        "Reported to the police (reference GMP-123)",
        "Sam Supervisor completed: Approve enforcement: reasonable and proportionate?",
        "Letter generated: Your case has been closed",
        "Case closed",
    ):
        assert expected in summaries


def test_another_incident_a_case_review_and_a_complaint_go_into_the_open_case(client):
    officer = start(client)
    headers = officer.headers["officer"]
    for path, name in (
        ("incidents", "reassess_risk"),
        ("case-review-requests", "case_review_request"),
        ("complaints", "complaint_acknowledge"),
    ):
        extra = {"complainant": "victim", "about": ["delay"]} if path == "complaints" else {}
        response = client.post(
            f"/api/cases/{officer.reference}/{path}",
            headers=headers,
            json={"details": "Eggs thrown at the window again", **extra},
        )
        assert response.status_code == 201, response.json
        assert name in [t["name"] for t in response.json["next_tasks"]]
    assert (
        client.post(f"/api/cases/{officer.reference}/incidents", headers=headers, json={}).status_code == 422
    )
    assert (
        client.post(
            "/api/cases/HC-1999-000001/incidents", headers=headers, json={"details": "Something happened"}
        ).status_code
        == 404
    )


def test_no_api_call_can_downgrade_the_perceived_motivation(client):
    officer = start(client)
    headers = officer.headers["officer"]
    response = client.patch(f"/api/cases/{officer.reference}", headers=headers, json={"strands": []})
    assert response.status_code == 422 and "cannot be removed" in response.json["errors"]["strands"]
    assert officer.case()["strands"] == ["race"]
    unexplained = client.patch(
        f"/api/cases/{officer.reference}", headers=headers, json={"strands": ["race", "religion_or_belief"]}
    )
    assert unexplained.status_code == 422 and "needs a reason" in unexplained.json["errors"]["strands"]
    added = client.patch(
        f"/api/cases/{officer.reference}",
        headers=headers,
        json={
            "strands": ["race", "religion_or_belief"],
            "locality": "Northside",
            "reason": "The victim told us the abuse was also about their faith",
        },
    )
    assert added.status_code == 200
    assert (added.json["strands"], added.json["locality"]) == (["race", "religion_or_belief"], "Northside")
    assert added.json["reported_strands"] == ["race"]


def test_the_case_page_shows_risk_parties_referrals_and_letters(app, client):
    officer = start(client)
    officer.do("first_response", FIRST_RESPONSE)
    officer.do("police_referral", REPORTED)
    officer.do("risk_assessment", HIGH_RISK)
    app.config["WTF_CSRF_ENABLED"] = False
    web = app.test_client()
    web.post("/login", data={"username": "officer", "password": "demo"})
    page = web.get(f"/cases/{officer.reference}").get_data(as_text=True)
    for expected in (
        "High",
        "Phone (office hours)",
        "Offensive graffiti or fly posting",
        "Sam Jones",
        "Alleged perpetrator",
        "General needs",
        "referred (reference GMP-123)",
    ):
        assert expected in page, expected


def test_a_complaint_says_who_made_it_and_about_what_and_stage_2_is_someone_else(client):
    officer = start(client)
    headers = officer.headers["officer"]
    path = f"/api/cases/{officer.reference}/complaints"
    missing = client.post(path, headers=headers, json={"details": "Nobody rang me back"})
    assert missing.status_code == 422 and {"complainant", "about"} <= set(missing.json["errors"])
    wrong = client.post(
        path, headers=headers, json={"details": "Nobody rang me back", "complainant": "mayor", "about": ["x"]}
    )
    assert wrong.status_code == 422
    made = client.post(
        path,
        headers=headers,
        json={
            "details": "Nobody rang me back",
            "complainant": "representative",
            "complainant_name": "Cllr Jo Bloggs",
            "about": ["delay", "conduct"],
        },
    )
    assert made.status_code == 201, made.json
    summaries = [e["summary"] for e in officer.case()["timeline"]]
    assert (
        "Complaint about the handling of the case from someone on the victim's behalf (family, advocate, "
        "councillor), Cllr Jo Bloggs about delay, or not being kept informed; how a member of staff "
        "behaved: Nobody rang me back"
    ) in summaries
    officer.do("complaint_acknowledge", {"acknowledged_on": "2026-03-03"}, who="supervisor")
    officer.do(
        "complaint_stage1",
        {
            "stage1_response": "We are sorry for the delay",
            "complaint_upheld": "upheld",
            "escalated_to_stage2": True,
        },
        who="supervisor",
    )
    stage2 = next(t for t in officer.case()["open_tasks"] if t["name"] == "complaint_stage2")
    supervisor = officer.headers["supervisor"]
    refused = client.post(
        f"/api/tasks/{stage2['id']}/complete",
        headers=supervisor,
        json={"stage2_response": "Agreed with stage 1"},
    )
    assert refused.status_code == 403 and "someone else must" in refused.json["message"]
