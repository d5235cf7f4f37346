"""In-app notifications: escalations reach the supervisors' list; each reader marks their own."""

from __future__ import annotations

from datetime import timedelta

import processes
from casework import timers as due_timers
from tests.conftest import T0
from tests.webapp.test_api import report, token


def escalate(client, app) -> str:
    with processes.clock.frozen_at(T0):
        reference = report(client)
    due_timers.sweep(app.extensions["database"].sessions, T0 + timedelta(hours=25))
    return reference


def test_an_escalation_notifies_the_supervisors_and_they_mark_it_read(client, app):
    reference = escalate(client, app)
    supervisor = token(client, "supervisor")
    listing = client.get("/api/notifications", headers=supervisor).json
    # The supervisor is also in community-safety, so sees the 2-hour reminder too.
    assert listing["unread"] == 2 and listing["total"] == 2
    [note] = [n for n in listing["items"] if "not made within 24 hours" in n["message"]]
    assert note["case_reference"] == reference and not note["read"]
    officer_items = client.get("/api/notifications", headers=token(client)).json["items"]
    assert all("not made within 24 hours" not in n["message"] for n in officer_items)

    marked = client.post(f"/api/notifications/{note['id']}/read", headers=supervisor)
    assert marked.status_code == 200 and marked.json == {"marked": 1}
    assert client.get("/api/notifications?unread=true", headers=supervisor).json["total"] == 1
    assert client.post("/api/notifications/999999/read", headers=supervisor).status_code == 404


def test_group_notifications_are_read_per_person(client, app):
    escalate(client, app)
    officer = token(client)
    before = client.get("/api/notifications", headers=officer).json["unread"]
    assert before == 1  # the 2-hour reminder went to the community-safety group (task unclaimed)
    assert client.post("/api/notifications/read-all", headers=officer).json == {"marked": 1}
    supervisor = token(client, "supervisor")  # also in community-safety: still unread for them
    assert client.get("/api/notifications", headers=supervisor).json["unread"] == 2


def test_the_notifications_page_lists_and_marks_read(app):
    app.config["WTF_CSRF_ENABLED"] = False
    client = app.test_client()
    reference = escalate(client, app)
    client.post("/login", data={"username": "supervisor", "password": "demo"})
    page = client.get("/notifications")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert reference in html and "Mark all as read" in html
    done = client.post("/notifications/read-all", follow_redirects=True).get_data(as_text=True)
    assert "2 notifications marked as read." in done
    assert "Nothing unread" in client.get("/notifications?show=unread").get_data(as_text=True)
