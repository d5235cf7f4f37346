"""A restricted case stays closed to everyone not named on it wherever its data can leave: subject
access (page, export, API), reassigning its tasks (one, or an officer's all), the heatmap, the audit
log view and notifications (issue 12, points 1, 4 and 10)."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from casework import case_access
from db.models import Case, Notification, OutboxMessage, User
from tests.conftest import T0
from tests.consent_cases import party, report_case
from tests.webapp.test_api import token
from tests.webapp.test_case_access_pages import restrict
from tests.webapp.test_supervision_pages import claimed_task, olu, sign_in, text, web

__all__ = ["olu", "web"]


def test_the_note_counts_restricted_cases_in_plain_words():
    assert case_access.restricted_note(0) is None
    assert case_access.restricted_note(1) == "1 case is restricted: ask a person named on it."
    assert case_access.restricted_note(3) == "3 cases are restricted: ask a person named on each."


def test_subject_access_finds_and_exports_nothing_from_a_restricted_case(app: Flask, web: FlaskClient):
    open_case = report_case(app.extensions["database"])
    closed = report_case(app.extensions["database"])
    restrict(web, closed, ["officer"])  # by the supervisor: the manager is not named

    sign_in(web, "manager")
    page = web.get("/subject-access", query_string={"name": "am"}).get_data(as_text=True)
    assert closed not in page and open_case in page
    assert "1 case is restricted: ask a person named on it." in text(page)
    keys = re.findall(r'name="who" value="([a-z]+:[0-9]+)"', page)

    headers = token(web, "manager")
    found = web.get("/api/subject-access", query_string={"name": "am"}, headers=headers)
    assert {m["case_reference"] for m in found.json} == {open_case}
    assert (
        found.headers["X-Restricted-Cases"] == "1" and "ask a person named on it" in found.headers["Warning"]
    )

    # Keys for the restricted case's people (known from elsewhere) export nothing from it.
    closed_keys = [f"party:{party(app.extensions['database'], closed, 'victim')}"]
    exported = web.post("/api/subject-access/export", json={"who": keys + closed_keys}, headers=headers).json
    assert [c["reference"] for c in exported["cases"]] == [open_case]
    assert exported["restricted_cases"] == 1 and exported["restricted"].startswith("1 case is restricted")
    assert closed not in str(exported)
    html = web.post("/subject-access/export", data={"who": closed_keys, "format": "html"}).get_data(
        as_text=True
    )
    assert closed not in html and "1 case is restricted: ask a person named on it." in text(html)


def test_a_supervisor_not_named_cannot_reassign_the_case_s_task_by_any_route(
    app: Flask, web: FlaskClient, olu
):
    decoy = report_case(app.extensions["database"])
    closed = report_case(app.extensions["database"])
    task_id = claimed_task(web, closed, "officer")
    restrict(web, closed, ["officer", "olu"])  # named by the supervisor; the manager is not

    sign_in(web, "manager")
    # The page route named a case the manager opens, with the restricted case's task.
    page = web.post(f"/cases/{decoy}/tasks/{task_id}/reassign", data={"to": "olu"})
    assert page.status_code == 403 and "restricted" in page.get_data(as_text=True)
    api = web.post(
        f"/api/tasks/{task_id}/reassign", json={"to": "olu", "case_version": 0}, headers=token(web, "manager")
    )
    assert api.status_code == 403

    bulk = web.post("/api/officers/officer/reassign", json={"to": "olu"}, headers=token(web, "manager")).json
    assert bulk["reassigned"] == [] if isinstance(bulk["reassigned"], list) else bulk
    (skipped,) = bulk["skipped"]
    assert skipped["task_id"] == task_id and closed not in str(skipped)
    assert "restricted and you are not named on it" in skipped["reason"]
    done = web.post("/supervision/reassign", data={"from": "officer", "to": "olu"}, follow_redirects=True)
    assert "A task on a restricted case" in text(done.get_data(as_text=True)) and closed not in done.get_data(
        as_text=True
    )
    holder = web.get(f"/api/tasks/{task_id}", headers=token(web, "officer")).json["assignee"]
    assert holder == "officer"


def test_heatmap_audit_log_and_notifications_never_show_a_case_closed_to_the_viewer(
    app: Flask, web: FlaskClient, olu
):
    closed = report_case(app.extensions["database"])
    web.get(f"/api/cases/{closed}", headers=token(web, "supervisor"))  # an audited view
    with app.extensions["database"].session() as session:  # a notice to the team, as a step sends
        case = session.scalars(select(Case).where(Case.reference == closed)).one()
        session.add(
            Notification(
                case_id=case.id,
                group_name="community-safety",
                message=f"{closed} needs a visit",
                created_at=T0,
            )
        )
        session.commit()
    olu_before = web.get("/api/notifications", headers=token(web, "olu")).json
    restrict(web, closed, ["officer"])

    sign_in(web, "manager")
    heat = web.get("/dashboards/heatmap.json").json
    assert closed not in str(heat)
    assert (
        sum(e["count"] for e in heat["elements"]) >= 1 and sum(e["not_listed"] for e in heat["elements"]) >= 1
    )
    audit_page = re.search(r"<table.*</table>", web.get("/audit").get_data(as_text=True), re.S).group(0)
    assert closed not in audit_page and "a restricted case" in audit_page

    olu_after = web.get("/api/notifications", headers=token(web, "olu")).json
    assert closed not in str(olu_after) and olu_after["unread"] == olu_before["unread"] - 1
    sign_in(web, "olu")
    assert closed not in web.get("/notifications").get_data(as_text=True)
    assert closed in str(olu_before)  # the group notice about the case, before it was restricted


def test_a_group_notice_about_a_restricted_case_reaches_only_its_named_people(app: Flask, web: FlaskClient):
    closed = report_case(app.extensions["database"])
    restrict(web, closed, ["officer"], who="manager")  # the manager and the officer; not the supervisor
    escalated = web.post(
        f"/api/cases/{closed}/escalate", json={"reason": "Threats repeated"}, headers=token(web, "manager")
    )
    assert escalated.status_code == 201, escalated.json
    supervisor = web.get("/api/notifications", headers=token(web, "supervisor")).json
    assert closed not in str(supervisor)
    with app.extensions["database"].session() as session:
        emails = session.scalars(select(OutboxMessage).where(OutboxMessage.case_id.is_not(None))).all()
        supervisor_email = session.scalars(select(User.email).where(User.username == "supervisor")).one()
        assert supervisor_email not in {e.recipient for e in emails if closed in e.subject}
