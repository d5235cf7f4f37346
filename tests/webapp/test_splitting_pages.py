"""Splitting off a matched incident through HTTP: the case page lists the incidents with a form to
split one off, and the API does the same (``POST /api/cases/{ref}/incidents/{id}/split``); bad
input (an unknown incident, the only incident, a closed case, no reason, no permission) gets a
clear answer and changes nothing. The reporter's code, given with the first case's reference,
opens the new case on the tracking page."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from db.models import AuditEvent, Case, CaseLink
from tests.webapp.test_api import token
from tests.webapp.test_matching_api import REPORT
from tests.webapp.test_reporters import REPORT as PUBLIC
from tests.webapp.test_supervision_pages import sign_in, text

REASON = "Not the same matter: a parking dispute with a neighbour"


@pytest.fixture
def web(app: Flask) -> FlaskClient:
    app.config["WTF_CSRF_ENABLED"] = False
    return app.test_client()


def _report(web: FlaskClient, **changes: Any) -> str:
    answer = web.post("/api/reports", json={**REPORT, **changes})
    assert answer.status_code == 201, answer.json
    return str(answer.json["reference"])


def _matched(web: FlaskClient) -> tuple[str, int]:
    first = _report(web)
    assert _report(web, description="Someone keyed my car", location="Car park") == first
    listed = web.get(f"/api/cases/{first}/incidents", headers=token(web)).json
    assert [i["id"] for i in listed][:1] == [0] and len(listed) == 2
    return first, int(listed[1]["id"])


def _count(app: Flask, query: Any) -> int:
    with app.extensions["database"].session() as session:
        return int(session.scalar(query) or 0)


def test_the_api_splits_an_incident_off_into_a_linked_case(app: Flask, web: FlaskClient) -> None:
    first, incident = _matched(web)
    headers = token(web)
    answer = web.post(
        f"/api/cases/{first}/incidents/{incident}/split", json={"reason": REASON}, headers=headers
    )
    assert answer.status_code == 201, answer.json
    new = answer.json["reference"]
    assert new != first and answer.json["status"] == "open" and answer.json["split_from"] == first
    links = web.get(f"/api/cases/{first}/links", headers=headers).json
    assert [(link["reference"], link["how"]) for link in links] == [(new, "Split off")]
    listed = web.get(f"/api/cases/{first}/incidents", headers=headers).json
    assert listed[1]["split_to"] == new
    assert _count(app, select(func.count(Case.id))) == 2
    # Again: it was split off already.
    again = web.post(
        f"/api/cases/{first}/incidents/{incident}/split", json={"reason": REASON}, headers=headers
    )
    assert again.status_code == 409 and "already" in again.json["message"]


def test_bad_splits_through_the_api_get_a_clear_answer_and_change_nothing(
    app: Flask, web: FlaskClient
) -> None:
    first, incident = _matched(web)
    headers = token(web)
    url = f"/api/cases/{first}/incidents"
    unknown = web.post(f"{url}/{incident + 50}/split", json={"reason": REASON}, headers=headers)
    assert unknown.status_code == 404 and "no incident" in unknown.json["message"]
    opening = web.post(f"{url}/0/split", json={"reason": REASON}, headers=headers)
    assert opening.status_code == 409 and "cannot be split off" in opening.json["message"]
    short = web.post(f"{url}/{incident}/split", json={"reason": "no"}, headers=headers)
    assert short.status_code == 422 and "reason" in short.json["errors"]
    missing = web.post(f"{url}/{incident}/split", json={}, headers=headers)
    assert missing.status_code == 422
    refused = web.post(f"{url}/{incident}/split", json={"reason": REASON}, headers=token(web, "intake"))
    assert refused.status_code == 403
    assert _count(app, select(func.count(Case.id))) == 1
    assert _count(app, select(func.count(CaseLink.id))) == 0
    assert _count(app, select(func.count(AuditEvent.id)).where(AuditEvent.action == "incident-split")) == 0


def test_a_case_with_one_incident_and_a_closed_case_refuse(app: Flask, web: FlaskClient) -> None:
    alone = _report(web, parties=[], location="Head office")
    headers = token(web)
    only = web.post(f"/api/cases/{alone}/incidents/0/split", json={"reason": REASON}, headers=headers)
    assert only.status_code == 409 and "only an incident added" in only.json["message"].lower()
    first, incident = _matched(web)
    with app.extensions["database"].session() as session:
        case = session.scalars(select(Case).where(Case.reference == first)).one()
        case.status = "closed"
        session.commit()
    closed = web.post(
        f"/api/cases/{first}/incidents/{incident}/split", json={"reason": REASON}, headers=headers
    )
    assert closed.status_code == 409 and "not open" in closed.json["message"]


def test_the_officer_splits_it_off_from_the_case_page(app: Flask, web: FlaskClient) -> None:
    first, incident = _matched(web)
    sign_in(web, "officer")
    page = web.get(f"/cases/{first}").text
    assert 'id="incidents"' in page and f'id="split-{incident}-form"' in page
    # No reason: the page comes back with the message linked to its field, and nothing changes.
    bad = web.post(f"/cases/{first}/incidents/{incident}/split", data={f"split-{incident}-reason": ""})
    assert bad.status_code == 422
    assert f'href="#split-{incident}-reason"' in bad.text
    assert f'aria-describedby="split-{incident}-reason-error' in bad.text
    assert _count(app, select(func.count(Case.id))) == 1
    done = web.post(f"/cases/{first}/incidents/{incident}/split", data={f"split-{incident}-reason": REASON})
    assert done.status_code == 303
    page = text(web.get(f"/cases/{first}").text)
    found = re.search(r"Split off into case (HC-\d{4}-\d{6})", page)
    assert found and found.group(1) != first
    assert "Someone keyed my car" in text(web.get(f"/cases/{found.group(1)}").text)


def test_the_reporters_code_follows_the_split_incident(app: Flask, web: FlaskClient) -> None:
    """A staff report opens the case; the victim's public report is matched to it and its code
    becomes the case's. Split off, the code and the reference they were given open the new case."""
    first = _report(web, parties=[{"role": "victim", "name": "Jo Bloggs", "email": "jo@example.com"}])
    data = {k: v for k, v in PUBLIC.items() if v is not None}
    assert web.post("/report", data=data).status_code == 303
    received = web.get("/report/received").text
    code = re.search(r'id="tracking-code"[^>]*>([^<]+)<', received)
    assert code and first in received
    listed = web.get(f"/api/cases/{first}/incidents", headers=token(web)).json
    answer = web.post(
        f"/api/cases/{first}/incidents/{listed[1]['id']}/split", json={"reason": REASON}, headers=token(web)
    )
    assert answer.status_code == 201
    new = answer.json["reference"]
    web.get("/logout")
    opened = web.post("/track", data={"reference": first, "code": code.group(1).strip()})
    assert opened.status_code in (302, 303)
    status = web.get(opened.headers["Location"]).text
    assert f"Your report {new}" in text(status) and "Your report is now a case of its own." in status
