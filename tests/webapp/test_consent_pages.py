"""Consent and disclosures through the case page (signed in, forms without JavaScript) and the JSON
API: recording, refusing bad input with field errors, withdrawing with a task reaching the case,
the audit entries, and the roles refused."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from db.models import AuditEvent, Consent, Disclosure, Task
from tests.consent_cases import party, report_case
from tests.webapp.test_api import token
from tests.webapp.test_supervision_pages import section, sign_in, text


@pytest.fixture
def web(app: Flask) -> FlaskClient:
    app.config["WTF_CSRF_ENABLED"] = False
    return app.test_client()


@pytest.fixture
def case(app: Flask) -> str:
    return report_case(app.extensions["database"])


def _audit(app: Flask, action: str) -> list[AuditEvent]:
    with app.extensions["database"].session() as session:
        return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def test_the_case_page_lists_consents_and_disclosures_with_their_forms(app, web, case):
    sign_in(web, "officer")
    page = web.get(f"/cases/{case}").get_data(as_text=True)
    part = text(section(page, "consent"))
    assert "No consent recorded yet" in part and "Nothing has been disclosed outside the landlord yet" in part
    assert 'id="consent-form"' in page and 'id="disclosure-form"' in page
    assert 'name="consent-purpose"' in page and 'name="disclosure-lawful_basis"' in page
    victim = party(app.extensions["database"], case, "victim")
    answer = web.post(
        f"/cases/{case}/consents",
        data={
            "consent-party_id": victim,
            "consent-purpose": "police",
            "consent-given": "yes",
            "consent-note": "By phone",
        },
    )
    assert answer.status_code == 303 and answer.headers["Location"].endswith(f"/cases/{case}#consent")
    page = web.get(f"/cases/{case}").get_data(as_text=True)
    part = text(section(page, "consent"))
    assert "Victim: Amira Khan: sharing with the police Given" in part
    assert "Yes, withdraw the consent" in part
    assert "The victim gave consent to share with the police" in text(section(page, "timeline"))


def test_a_consent_form_with_errors_comes_back_with_messages_and_what_was_typed(app, web, case):
    sign_in(web, "officer")
    answer = web.post(
        f"/cases/{case}/consents",
        data={"consent-party_id": "", "consent-purpose": "police", "consent-note": "Kept note"},
    )
    assert answer.status_code == 422
    page = answer.get_data(as_text=True)
    part = section(page, "consent")
    assert "There is a problem" in page
    assert "Choose the person." in text(part) and "Say whether the person gave consent" in text(part)
    assert 'id="consent-form-details" open' in part
    assert "Kept note</textarea>" in part
    assert 'value="police" checked' in part
    with app.extensions["database"].session() as session:
        assert session.scalars(select(Consent)).all() == []


def test_withdrawing_on_the_page_starts_the_task_on_the_case(app, web, case):
    sign_in(web, "officer")
    victim = party(app.extensions["database"], case, "victim")
    web.post(
        f"/cases/{case}/consents",
        data={"consent-party_id": victim, "consent-purpose": "agency_referral", "consent-given": "yes"},
    )
    with app.extensions["database"].session() as session:
        consent_id = session.scalars(select(Consent.id)).one()
    answer = web.post(f"/cases/{case}/consents/{consent_id}/withdraw", follow_redirects=True)
    page = answer.get_data(as_text=True)
    assert "A task to stop sharing and tell the agencies is in the inbox" in text(page)
    assert "Consent withdrawn: stop sharing and tell the agencies" in text(section(page, "open-tasks"))
    assert "Withdrawn" in text(section(page, "consent"))
    # Again: a clear error, nothing changes.
    page = web.post(f"/cases/{case}/consents/{consent_id}/withdraw", follow_redirects=True).get_data(
        as_text=True
    )
    assert "already withdrew consent to be referred to an agency" in text(page)
    with app.extensions["database"].session() as session:
        assert (
            len(
                session.scalars(select(Task).where(Task.element_id == "consent_withdrawn_stop_sharing")).all()
            )
            == 1
        )


def test_a_disclosure_without_consent_needs_a_reason_and_is_audited_once(app, web, case):
    sign_in(web, "officer")
    form = {
        "disclosure-party_id": "",
        "disclosure-recipient": "Leeds Children's Services",
        "disclosure-purpose": "other",
        "disclosure-information": "Names of the children at the address",
        "disclosure-lawful_basis": "safeguarding",
        "disclosure-reason": "",
    }
    answer = web.post(f"/cases/{case}/disclosures", data=form)
    assert answer.status_code == 422
    part = section(answer.get_data(as_text=True), "consent")
    assert "Without consent, give the reason for disclosing" in text(part)
    assert 'id="disclosure-form-details" open' in part and "Leeds Children&#39;s Services" in part
    assert _audit(app, "disclose") == []
    form["disclosure-reason"] = "Two children live with the alleged perpetrator"
    assert web.post(f"/cases/{case}/disclosures", data=form).status_code == 303
    page = web.get(f"/cases/{case}").get_data(as_text=True)
    part = text(section(page, "consent"))
    assert "To Leeds Children's Services" in part and "safeguarding a child or vulnerable adult" in part
    (entry,) = _audit(app, "disclose")
    assert (entry.username, entry.subject) == ("officer", case)


def test_intake_staff_cannot_disclose(app, web, case):
    sign_in(web, "intake")
    answer = web.post(
        f"/cases/{case}/disclosures",
        data={
            "recipient": "Police",
            "purpose": "police",
            "information": "x",
            "lawful_basis": "crime",
            "reason": "Because of a crime",
        },
    )
    assert answer.status_code == 403
    with app.extensions["database"].session() as session:
        assert session.scalars(select(Disclosure)).all() == []


def test_the_api_records_withdraws_and_discloses_and_the_case_lists_them(app, client, case):
    headers = token(client, "officer")
    body = client.get(f"/api/cases/{case}", headers=headers).get_json()
    assert body["consents"] == [] and body["disclosures"] == []
    victim = next(p["id"] for p in body["parties"] if p["role"] == "victim")
    answer = client.post(
        f"/api/cases/{case}/consents",
        headers=headers,
        json={"party_id": victim, "purpose": "court", "given": True},
    )
    assert answer.status_code == 422 and set(answer.get_json()["errors"]) == {"purpose"}
    answer = client.post(
        f"/api/cases/{case}/consents",
        headers=headers,
        json={"party_id": victim, "purpose": "police", "given": True},
    )
    assert answer.status_code == 201 and answer.get_json()["state"] == "given"
    consent_id = answer.get_json()["id"]
    answer = client.post(
        f"/api/cases/{case}/disclosures",
        headers=headers,
        json={
            "party_id": victim,
            "recipient": "Police",
            "purpose": "police",
            "information": "Statement",
            "lawful_basis": "consent",
        },
    )
    assert answer.status_code == 201 and answer.get_json()["consent_id"] == consent_id
    answer = client.post(f"/api/cases/{case}/consents/{consent_id}/withdraw", headers=headers)
    assert answer.status_code == 200 and answer.get_json()["state"] == "withdrawn"
    answer = client.post(f"/api/cases/{case}/consents/{consent_id}/withdraw", headers=headers)
    assert answer.status_code == 422
    body = client.get(f"/api/cases/{case}", headers=headers).get_json()
    assert [c["state"] for c in body["consents"]] == ["withdrawn"]
    assert [d["lawful_basis"] for d in body["disclosures"]] == ["consent"]
    assert any(t["title"].startswith("Consent withdrawn") for t in body["open_tasks"])
    spec = client.get("/api/openapi.json").get_json()
    assert "/api/cases/{reference}/disclosures" in spec["paths"]
    assert "DisclosureIn" in spec["components"]["schemas"]
    assert len(_audit(app, "disclose")) == 1
    intake = token(client, "intake")
    answer = client.post(
        f"/api/cases/{case}/disclosures",
        headers=intake,
        json={
            "recipient": "Police",
            "purpose": "police",
            "information": "x",
            "lawful_basis": "crime",
            "reason": "A crime was done",
        },
    )
    assert answer.status_code == 403
