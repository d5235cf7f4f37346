"""Case access through the pages and the API: teams, restricted cases, the inbox, the audit log."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import delete, select, update
from sqlalchemy import text as sql
from sqlalchemy.exc import DBAPIError

from casework import audit
from db.models import AuditEvent
from processes import clock
from tests.webapp.test_api import report, token
from tests.webapp.test_supervision_pages import olu, sign_in, text, web
from webapp import access

__all__ = ["olu", "web"]


def entries(app: Flask, **where: str) -> list[AuditEvent]:
    with app.extensions["database"].session() as session:
        query = select(AuditEvent).order_by(AuditEvent.id)
        for name, value in where.items():
            query = query.where(getattr(AuditEvent, name) == value)
        return list(session.scalars(query))


def restrict(web: FlaskClient, reference: str, people: list[str], who: str = "supervisor") -> dict:
    response = web.put(
        f"/api/cases/{reference}/restriction", json={"people": people}, headers=token(web, who)
    )
    assert response.status_code == 200, response.json
    return response.json


def test_a_restricted_case_opens_only_for_the_people_named(web, olu):
    reference = report(web)
    assert web.get(f"/api/cases/{reference}", headers=token(web, "olu")).status_code == 200
    assert restrict(web, reference, ["officer"]) == {"restricted": True, "people": ["officer", "supervisor"]}

    for who, allowed in (("officer", True), ("supervisor", True), ("olu", False), ("manager", False)):
        response = web.get(f"/api/cases/{reference}", headers=token(web, who))
        assert response.status_code == (200 if allowed else 403), who
    refused = web.get(f"/api/cases/{reference}", headers=token(web, "manager")).json
    assert "restricted" in refused["message"]
    # Its task leaves the inbox of everyone not named, though it is offered to their group.
    olu_inbox = web.get("/api/tasks", headers=token(web, "olu")).json["items"]
    officer_inbox = web.get("/api/tasks", headers=token(web, "officer")).json["items"]
    assert reference not in {t["case_reference"] for t in olu_inbox}
    assert reference in {t["case_reference"] for t in officer_inbox}
    task_id = next(t["id"] for t in officer_inbox if t["case_reference"] == reference)
    assert web.get(f"/api/tasks/{task_id}", headers=token(web, "olu")).status_code == 403
    assert web.post(f"/api/tasks/{task_id}/claim", headers=token(web, "olu")).status_code == 403

    lifted = web.delete(f"/api/cases/{reference}/restriction", headers=token(web, "manager"))
    assert lifted.status_code == 403  # the manager is not named: they cannot even lift it
    lifted = web.delete(f"/api/cases/{reference}/restriction", headers=token(web, "supervisor"))
    assert lifted.json == {"restricted": False, "people": []}
    assert web.get(f"/api/cases/{reference}", headers=token(web, "olu")).status_code == 200


def test_restricting_refuses_officers_unknown_people_and_process_owners(web):
    reference = report(web)
    headers = token(web, "officer")
    refused = web.put(f"/api/cases/{reference}/restriction", json={"people": []}, headers=headers)
    assert refused.status_code == 403
    bad = web.put(
        f"/api/cases/{reference}/restriction",
        json={"people": ["ghost", "owner"]},
        headers=token(web, "supervisor"),
    )
    assert bad.status_code == 422 and "ghost, owner" in bad.json["errors"]["people"]
    assert web.get(f"/api/cases/{reference}", headers=headers).json["restricted"] is False
    not_restricted = web.delete(f"/api/cases/{reference}/restriction", headers=token(web, "supervisor"))
    assert not_restricted.status_code == 422 and "not restricted" in not_restricted.json["message"]
    assert (
        web.delete("/api/cases/HC-1999-000000/restriction", headers=token(web, "supervisor")).status_code
        == 404
    )


def test_restricting_from_the_case_page(web, olu):
    reference = report(web)
    sign_in(web, "supervisor")
    page = web.get(f"/cases/{reference}").text
    assert 'id="restrict-form"' in page and "Restrict the case" in page
    done = web.post(f"/cases/{reference}/restriction", data={"people": ["olu"]}, follow_redirects=True)
    assert "only Olu Officer, Sam Supervisor can open it" in done.text
    assert 'id="restricted-notice"' in done.text and "Case restricted" in done.text  # and on the timeline
    web.post("/logout")
    sign_in(web, "officer")
    refused = web.get(f"/cases/{reference}")
    assert refused.status_code == 403 and "restricted" in refused.text
    web.post("/logout")
    sign_in(web, "olu")
    page = web.get(f"/cases/{reference}").text
    assert 'id="restricted-notice"' in page and 'id="restrict-form"' not in page  # officers cannot change it


def test_officers_open_their_team_s_cases_not_another_team_s(web):
    reference = report(web)
    sign_in(web, "officer")
    assert web.get(f"/cases/{reference}").status_code == 200
    web.post("/logout")
    sign_in(web, "intake")  # intake staff report; they are not in the community-safety team
    assert web.get(f"/cases/{reference}").status_code == 403
    web.post("/logout")
    sign_in(web, "owner")
    assert web.get(f"/cases/{reference}").status_code == 403


def test_views_searches_exports_and_refusals_are_in_the_audit_log(app, web):
    reference = report(web)
    sign_in(web, "supervisor")
    web.get(f"/cases/{reference}")
    web.get("/?q=Elm")
    web.get("/dashboards/stuck?format=csv")
    web.post("/logout")
    sign_in(web, "owner")
    web.get(f"/cases/{reference}")

    viewed = entries(app, action="view", subject=reference)
    assert [(e.username, e.role, e.subject_type) for e in viewed] == [("supervisor", "supervisor", "case")]
    assert viewed[0].ip == "127.0.0.1" and viewed[0].at is not None
    [search] = entries(app, action="search")
    assert (search.username, search.detail) == ("supervisor", "q=Elm")
    [export] = entries(app, action="export")
    assert export.username == "supervisor" and "/dashboards/stuck" in export.detail
    [denied] = entries(app, action="denied")
    assert (denied.username, denied.subject, denied.outcome) == ("owner", reference, "denied")
    assert [e.username for e in entries(app, action="sign-in")] == ["supervisor", "owner"]
    web.post("/login", data={"username": "officer", "password": "wrong"})
    [failed] = entries(app, action="sign-in-failed")
    assert (failed.username, failed.outcome) == ("officer", "failed")


def test_supervisors_read_their_team_s_log_managers_all_officers_none(app, web):
    reference = report(web)
    for who in ("officer", "manager"):
        web.get(f"/api/cases/{reference}", headers=token(web, who))
    sign_in(web, "supervisor")
    page = text(web.get("/audit?action=view").text)
    # The officer shares the community-safety group with the supervisor; the manager does not.
    assert "officer (officer)" in page and "manager (manager)" not in page
    web.post("/logout")
    sign_in(web, "manager")
    page = text(web.get("/audit?action=view").text)
    assert "manager (manager)" in page and "officer (officer)" in page
    assert web.get(f"/audit?subject={reference}").status_code == 200
    web.post("/logout")
    sign_in(web, "officer")
    assert web.get("/audit").status_code == 403


def test_the_audit_log_cannot_be_changed_or_deleted_even_by_sql(app, web):
    sign_in(web, "supervisor")  # one entry to try it on
    database = app.extensions["database"]
    attempts = [
        update(AuditEvent).values(username="someone-else"),
        delete(AuditEvent),
        sql("UPDATE audit_events SET detail = 'rewritten'"),
    ]
    if database.engine.dialect.name == "postgresql":
        attempts.append(sql("TRUNCATE audit_events"))
    for statement in attempts:
        with database.session() as session, pytest.raises(DBAPIError, match="append-only"):
            session.execute(statement)
            session.commit()
    [entry] = entries(app, action="sign-in")
    assert entry.username == "supervisor" and entry.detail is None
    # And the app offers no way to do it: the log's one address answers GET only.
    assert web.post("/audit").status_code == 405
    assert web.delete("/audit").status_code == 405


def test_record_refuses_unknown_actions(session):
    with pytest.raises(ValueError):
        audit.record(session, audit.Actor(None, None, None), "tamper", now=audit_now())


def audit_now():
    from tests.conftest import T0

    return T0


def test_stuck_work_lists_leave_out_restricted_cases_of_others(web):
    reference = report(web)
    restrict(web, reference, [], who="supervisor")

    def listed(who: str) -> set[str]:
        body = web.get("/api/stuck?kind=unclaimed&unclaimed_hours=1", headers=token(web, who)).json
        return {item["case_reference"] for item in body["items"]}

    with clock.frozen_at(clock.now() + timedelta(days=3)):
        assert reference in listed("supervisor")
        assert reference not in listed("manager")


def test_an_edit_s_entry_is_saved_with_the_edit_and_not_without_it(app, web, monkeypatch):
    separate: list[str] = []  # entries written in a transaction of their own
    real_write = access._write_audit
    monkeypatch.setattr(
        access,
        "_write_audit",
        lambda user, action, **kw: (separate.append(action), real_write(user, action, **kw)),
    )
    reference = report(web)
    headers = token(web, "officer")
    task_id = web.get(f"/api/cases/{reference}", headers=headers).json["open_tasks"][0]["id"]
    invalid = web.post(f"/api/tasks/{task_id}/complete", headers=headers, json={"contact_method": "pigeon"})
    assert invalid.status_code == 422
    assert entries(app, action="edit", subject=task_id) == []  # nothing changed, nothing recorded
    done = web.post(
        f"/api/tasks/{task_id}/complete",
        headers=headers,
        json={
            "contact_method": "phone",
            "contact_date": "2026-03-02",
            "response_notes": "Spoke to them.",
            "reporting_advice": ["police"],
        },
    )
    assert done.status_code == 200
    [edit] = entries(app, action="edit", subject=task_id)
    assert (edit.username, edit.subject_type, edit.detail) == (
        "officer",
        "task",
        f"POST /api/tasks/{task_id}/complete",
    )
    again = web.post(f"/api/tasks/{task_id}/complete", headers=headers, json={})
    assert again.status_code == 409 and len(entries(app, action="edit", subject=task_id)) == 1
    assert "edit" not in separate  # the completion's entry was committed in the step's transaction
