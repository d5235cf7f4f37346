"""The action plan through the case page (forms without JavaScript), the inbox and the JSON API:
adding an action, bad input refused with its field named and what was typed kept, overdue when
the clock passes the due day, done and cancelled, on the timeline and in the audit log."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from db.models import AuditEvent, CaseAction, TimelineEvent
from processes.clock import frozen_at
from tests.conftest import T0
from tests.consent_cases import report_case, user
from tests.webapp.test_api import token
from tests.webapp.test_supervision_pages import section, sign_in, text

NOW = T0 + timedelta(hours=1)  # Monday 2 March 2026, 10:00 UK time
TOMORROW = "2026-03-03"


@pytest.fixture
def web(app: Flask) -> FlaskClient:
    app.config["WTF_CSRF_ENABLED"] = False
    return app.test_client()


@pytest.fixture
def case(app: Flask) -> str:
    return report_case(app.extensions["database"])


def _id_of(app: Flask, username: str) -> int:
    with app.extensions["database"].session() as session:
        return user(session, username).id


def _actions(app: Flask) -> list[CaseAction]:
    with app.extensions["database"].session() as session:
        return list(session.scalars(select(CaseAction)))


def _add(web: FlaskClient, case: str, **form: str) -> tuple[int, str]:
    answer = web.post(f"/cases/{case}/actions", data=form)
    return answer.status_code, answer.get_data(as_text=True)


def test_an_action_shows_on_the_case_and_in_its_owners_inbox_and_goes_overdue(app, web, case):
    sign_in(web, "officer")
    officer = _id_of(app, "officer")
    with frozen_at(NOW):
        status, _ = _add(
            web,
            case,
            **{
                "action-description": "Fit a door camera at 4 Birch Close",
                "action-owner_id": str(officer),
                "action-due_on": TOMORROW,
                "action-agreed_with_victim": "true",
            },
        )
        assert status == 303
        page = web.get(f"/cases/{case}").get_data(as_text=True)
        part = text(section(page, "actions"))
        assert "Fit a door camera at 4 Birch Close" in part and "Agreed with the victim" in part
        assert "for Olivia Officer; due 3 March 2026" in part and "Overdue" not in part
        timeline = text(section(page, "timeline"))
        assert (
            "Action for Olivia Officer, due 3 March 2026 (agreed with the victim): Fit a door camera"
            in timeline
        )
        inbox = text(section(web.get("/").get_data(as_text=True), "my-actions"))
        assert "Fit a door camera at 4 Birch Close" in inbox and "Overdue" not in inbox
        assert "Due within a day" not in inbox  # due at the end of tomorrow: 38 hours away
    # Still due on the day itself, late in the evening; overdue from midnight.
    with frozen_at(T0 + timedelta(days=1, hours=14)):
        sign_in(web, "officer")  # the page session of the day before has expired
        assert "Overdue" not in text(section(web.get("/").get_data(as_text=True), "my-actions"))
    with frozen_at(T0 + timedelta(days=1, hours=15)):  # 00:00 on 4 March
        sign_in(web, "officer")
        inbox = text(section(web.get("/").get_data(as_text=True), "my-actions"))
        assert "Fit a door camera at 4 Birch Close Overdue" in inbox
        assert "Overdue" in text(section(web.get(f"/cases/{case}").get_data(as_text=True), "actions"))
    with app.extensions["database"].session() as session:
        edits = session.scalars(select(AuditEvent).where(AuditEvent.action == "edit")).all()
        assert any(e.subject == case for e in edits)


def test_bad_action_input_is_refused_next_to_each_field_and_what_was_typed_is_kept(app, web, case):
    sign_in(web, "officer")
    with frozen_at(NOW):
        status, page = _add(
            web,
            case,
            **{"action-description": "  ", "action-owner_id": "", "action-due_on": "2026-03-01"},
        )
        assert status == 422
        part = section(page, "actions")
        assert "There is a problem" in part
        assert "Describe the action: what is to be done." in text(part)
        assert "Choose who will do the action." in text(part)
        assert "The due day is in the past" in text(part)
        assert 'href="#action-due_on"' in part and 'id="action-form-details" open' in part

        status, page = _add(
            web,
            case,
            **{
                "action-description": "Kept description",
                "action-owner_id": str(_id_of(app, "owner")),  # a process owner cannot work on cases
                "action-due_on": "31/02/2026",
            },
        )
        assert status == 422
        part = section(page, "actions")
        assert "Kept description</textarea>" in part and 'value="31/02/2026"' in part
        assert "Choose someone who may work on this case." in text(part)
        assert "Enter the due day as a real date" in text(part)
        status, page = _add(
            web,
            case,
            **{
                "action-description": "x" * 2001,
                "action-owner_id": str(_id_of(app, "officer")),
                "action-due_on": "2099-01-01",
            },
        )
        assert status == 422
        assert "Keep the description to 2,000 characters" in text(section(page, "actions"))
        assert "more than five years away" in text(section(page, "actions"))
    assert _actions(app) == []


def test_done_and_cancelled_actions_close_once_and_show_on_the_timeline(app, web, case):
    sign_in(web, "officer")
    officer = str(_id_of(app, "officer"))
    with frozen_at(NOW):
        for words in ("Visit the victim", "Call the police contact"):
            _add(
                web,
                case,
                **{"action-description": words, "action-owner_id": officer, "action-due_on": TOMORROW},
            )
        first, second = sorted(_actions(app), key=lambda a: a.id)
        assert web.post(f"/cases/{case}/actions/{first.id}", data={"status": "done"}).status_code == 303
        assert web.post(f"/cases/{case}/actions/{second.id}", data={"status": "cancelled"}).status_code == 303
        again = web.post(
            f"/cases/{case}/actions/{first.id}", data={"status": "cancelled"}, follow_redirects=True
        )
        assert "This action is already done; it cannot change again." in text(again.get_data(as_text=True))
        assert web.post(f"/cases/{case}/actions/999999", data={"status": "done"}).status_code == 404
        assert web.post(f"/cases/{case}/actions/abc", data={"status": "done"}).status_code == 404
        page = web.get(f"/cases/{case}").get_data(as_text=True)
    assert {a.status for a in _actions(app)} == {"done", "cancelled"}
    timeline = text(section(page, "timeline"))
    assert "Action done (it was for Olivia Officer): Visit the victim" in timeline
    assert "Action cancelled (it was for Olivia Officer): Call the police contact" in timeline
    assert "my-actions" not in web.get("/").get_data(as_text=True)  # nothing open is left
    with app.extensions["database"].session() as session:
        kinds = session.scalars(select(TimelineEvent.kind).where(TimelineEvent.kind.like("action%"))).all()
    assert sorted(kinds) == ["action_added", "action_added", "action_closed", "action_closed"]


def test_the_api_adds_lists_and_closes_actions_and_refuses_bad_input(app, client, case):
    headers = token(client, "officer")
    officer = _id_of(app, "officer")
    url = f"/api/cases/{case}/actions"
    with frozen_at(NOW):
        bad = client.post(url, json={"description": "", "owner_id": "x", "due_on": "soon"}, headers=headers)
        assert bad.status_code == 422, bad.json
        assert set(bad.json["errors"]) == {"description", "owner_id", "due_on"}
        past = client.post(
            url, json={"description": "Visit", "owner_id": officer, "due_on": "2026-03-01"}, headers=headers
        )
        assert past.status_code == 422 and "in the past" in past.json["errors"]["due_on"]
        nobody = client.post(
            url, json={"description": "Visit", "owner_id": 2**31 - 1, "due_on": TOMORROW}, headers=headers
        )
        assert nobody.status_code == 422 and "owner_id" in nobody.json["errors"]
        unknown = client.post(
            "/api/cases/HC-0000-99999/actions",
            json={"description": "Visit", "owner_id": officer, "due_on": TOMORROW},
            headers=headers,
        )
        assert unknown.status_code == 404
        made = client.post(
            url,
            json={
                "description": "Visit",
                "owner_id": officer,
                "due_on": TOMORROW,
                "agreed_with_victim": True,
            },
            headers=headers,
        )
        assert made.status_code == 201, made.json
        body = made.json
        assert body["owner_name"] == "Olivia Officer" and body["due_on"] == TOMORROW
        assert body["status"] == "open" and body["agreed_with_victim"] is True and body["overdue"] is False
        listed = client.get(url, headers=headers).json
        assert [a["description"] for a in listed] == ["Visit"]
        wrong = client.patch(f"{url}/{body['id']}", json={"status": "open"}, headers=headers)
        assert wrong.status_code == 422
        intake = client.patch(f"{url}/{body['id']}", json={"status": "done"}, headers=token(client, "intake"))
        assert intake.status_code == 403
    with frozen_at(NOW + timedelta(days=2)):
        assert client.get(url, headers=headers).json[0]["overdue"] is True
        done = client.patch(f"{url}/{body['id']}", json={"status": "done"}, headers=headers)
        assert done.status_code == 200 and done.json["status"] == "done" and done.json["overdue"] is False
        again = client.patch(f"{url}/{body['id']}", json={"status": "cancelled"}, headers=headers)
        assert again.status_code == 422 and "already done" in again.json["message"]
        assert client.patch(f"{url}/424242", json={"status": "done"}, headers=headers).status_code == 404


def test_an_overdue_action_is_on_the_supervisors_stuck_work_list(app, web, client, case):
    sign_in(web, "officer")
    with frozen_at(NOW):
        _add(
            web,
            case,
            **{
                "action-description": "Chase the police for the CCTV",
                "action-owner_id": str(_id_of(app, "officer")),
                "action-due_on": TOMORROW,
            },
        )
    headers = token(client, "supervisor")
    url = "/api/stuck?kind=overdue_actions"
    with frozen_at(NOW):
        first = client.get(url, headers=headers)
        assert first.json["counts"]["overdue_actions"] == 0, first.json
    with frozen_at(NOW + timedelta(days=2)):
        listed = client.get(url, headers=headers).json
        [item] = listed["items"]
        assert item["case_reference"] == case and item["officer"] == "officer"
        assert item["reason"] == "Action: Chase the police for the CCTV: past its due day"
        assert client.get(url + "&officer=supervisor", headers=headers).json["items"] == []
        assert client.get(url + "&team=community-safety", headers=headers).json["items"] == []
        sign_in(web, "supervisor")
        page = web.get("/dashboards/stuck?kind=overdue_actions").get_data(as_text=True)
        assert "Actions past their day" in page and "1 action," in text(page)


def test_the_owner_is_told_of_an_action_someone_else_gave_them(app, client, case):
    headers = token(client, "officer")
    supervisor = _id_of(app, "supervisor")
    with frozen_at(NOW):
        made = client.post(
            f"/api/cases/{case}/actions",
            json={"description": "Review the risk", "owner_id": supervisor, "due_on": TOMORROW},
            headers=headers,
        )
        assert made.status_code == 201
        notices = client.get("/api/notifications", headers=token(client, "supervisor")).json["items"]
        mine = client.get("/api/notifications", headers=headers).json["items"]
    assert [n["message"] for n in notices] == [f"{case}: An action for you, due 3 March 2026"]
    assert not any("action for you" in n["message"] for n in mine)
