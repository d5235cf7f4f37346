"""People's accounts kept by administrators (/admin/people): add, change, deactivate (sessions
and tokens end at once, open tasks listed to move) and reactivate; every refused change names
the field, keeps what was typed and changes nothing; every change is audited with before and
after. Also: an administrator sees and revokes anyone's API token; a person sees their sign-ins."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from db.models import ApiToken, AuditEvent, User, UserProfile
from tests.webapp.test_authorisation import REPORT
from tests.webapp.test_intake_pages import error_links
from tests.webapp.test_supervision_pages import sign_in, text, web

__all__ = ["web"]

NEW = {
    "username": "nadia",
    "display_name": "Nadia Newcomer",
    "email": "nadia@landlord.example",
    "phone": "0113 496 0000",
    "job_title": "Tenancy officer",
    "role": "officer",
    "teams": ["community-safety"],
    "password": "kettle on the windowsill",
}


def snapshot(app: Flask) -> list[tuple]:
    with app.extensions["database"].session() as session:
        users = [
            (u.username, u.display_name, u.email, u.role, u.active, tuple(u.group_names), u.session_version)
            for u in session.scalars(select(User).order_by(User.id))
        ]
        profiles = [(p.user_id, p.phone, p.job_title) for p in session.scalars(select(UserProfile))]
        audited = session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.action.like("person-%")))
        return [*users, *profiles, audited]


def audit_details(app: Flask, action: str) -> list[str]:
    with app.extensions["database"].session() as session:
        return [
            e.detail or "" for e in session.scalars(select(AuditEvent).where(AuditEvent.action == action))
        ]


def test_an_admin_adds_an_officer_who_signs_in_and_is_offered_the_teams_tasks(app, web: FlaskClient):
    sign_in(web, "admin")
    assert 'href="/admin/people"' in web.get("/").text
    added = web.post("/admin/people", data=NEW)
    assert added.status_code == 303 and added.headers["Location"].endswith("/admin/people/nadia")
    page = text(web.get("/admin/people/nadia").text)
    assert "Nadia Newcomer" in page and "0113 496 0000" in web.get("/admin/people/nadia").text
    (detail,) = audit_details(app, "person-added")
    assert (
        "Nadia Newcomer" in detail and "Community safety team" not in detail and "community-safety" in detail
    )
    reference = app.test_client().post("/api/reports", json=REPORT).json["reference"]
    officer = app.test_client()
    assert officer.post("/login", data={"username": "nadia", "password": NEW["password"]}).status_code == 302
    assert reference in officer.get("/").text  # the team's task is offered to her


def test_search_and_paging_find_one_person_among_many(app, web: FlaskClient):
    with app.extensions["database"].session() as session:
        session.add_all(
            User(
                username=f"p{n:04d}",
                display_name=f"Person {n:04d}",
                email=f"p{n}@x.example",
                password_hash="!",
                role="officer",
            )
            for n in range(120)
        )
        session.commit()
    sign_in(web, "admin")
    first = web.get("/admin/people")
    assert "126 people" in text(first.text) and 'aria-label="Pages of people"' in first.text
    third = text(web.get("/admin/people?page=3").text)
    assert "Person 0099" in third or "Person 0100" in third
    found = text(web.get("/admin/people?q=person 0042").text)
    assert "1 person found" in found and "Person 0042" in found and "Person 0043" not in found


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"username": "officer"}, "username", "already someone with the username “officer”"),
        ({"username": "Two Words"}, "username", "letters, digits"),
        ({"email": "Officer@Example.org"}, "email", "Olivia Officer already has the email address"),
        ({"email": "nope"}, "email", "in the right form"),
        ({"display_name": " "}, "display_name", "Enter the person's name."),
        ({"role": "emperor"}, "role", "Choose one of the roles listed."),
        ({"teams": ["community-safety", "night-watch"]}, "teams", "no team called “night-watch”"),
        ({"phone": "call me"}, "phone", "Enter a phone number"),
        ({"password": "qwerty123456"}, "password", "most common"),
        ({"password": "short"}, "password", "at least 12 characters"),
    ],
)
def test_adding_refuses_bad_input_keeps_it_and_changes_nothing(app, web, change, field, message):
    sign_in(web, "admin")
    before = snapshot(app)
    response = web.post("/admin/people", data={**NEW, **change})
    assert response.status_code == 422
    links = error_links(response.text)
    assert list(links) == [field] and message in links[field]
    assert f'value="{NEW["job_title"]}"' in response.text  # what was typed is kept
    assert snapshot(app) == before


def test_changing_details_is_audited_before_and_after(app, web):
    sign_in(web, "admin")
    form = {k: v for k, v in NEW.items() if k not in ("username", "password")}
    saved = web.post(
        "/admin/people/officer", data={**form, "display_name": "Olivia Okafor", "role": "supervisor"}
    )
    assert saved.status_code == 303
    with app.extensions["database"].session() as session:
        olivia = session.scalars(select(User).where(User.username == "officer")).one()
        assert (olivia.display_name, olivia.role, olivia.email) == (
            "Olivia Okafor",
            "supervisor",
            NEW["email"],
        )
    (detail,) = audit_details(app, "person-changed")
    assert detail.startswith("Before: name “Olivia Officer”") and "After: name “Olivia Okafor”" in detail


@pytest.mark.parametrize(
    ("url", "form", "message"),
    [
        ("/admin/people/admin", {"active": "false"}, "You cannot deactivate yourself"),
        (
            "/admin/people/admin",
            {
                **{k: v for k, v in NEW.items() if k not in ("username", "password")},
                "email": "ada@example.org",
                "role": "manager",
            },
            "only active administrator",
        ),
        ("/admin/people/officer", {"active": "true"}, "already active"),
    ],
)
def test_refusals_on_a_person_change_nothing(app, web, url, form, message):
    sign_in(web, "admin")
    before = snapshot(app)
    target = url + ("/active" if "active" in form and len(form) == 1 else "")
    response = web.post(target, data=form)
    assert response.status_code == 422 and message in text(response.text)
    assert snapshot(app) == before


def test_the_last_admin_cannot_be_deactivated_by_another_admin_once_alone(app, web):
    sign_in(web, "admin")
    assert web.post("/admin/people", data={**NEW, "role": "admin", "teams": ["admins"]}).status_code == 303
    helper = app.test_client()
    helper.post("/login", data={"username": "nadia", "password": NEW["password"]})
    assert helper.post("/admin/people/admin/active", data={"active": "false"}).status_code == 303
    before = snapshot(app)
    # Ada is gone; Nadia is now the only admin: she may neither deactivate herself nor stop being one.
    refused = helper.post("/admin/people/nadia/active", data={"active": "false"})
    assert refused.status_code == 422 and "cannot deactivate yourself" in text(refused.text)
    form = {k: v for k, v in NEW.items() if k not in ("username", "password")}
    demoted = helper.post("/admin/people/nadia", data={**form, "role": "officer", "teams": ["admins"]})
    assert demoted.status_code == 422 and "only active administrator" in text(demoted.text)
    assert snapshot(app) == before


def test_deactivating_ends_sessions_and_tokens_at_once_and_lists_their_tasks(app, web):
    reference = app.test_client().post("/api/reports", json=REPORT).json["reference"]
    officer = app.test_client()
    officer.post("/login", data={"username": "officer", "password": "demo"})
    token = officer.post("/api/token", json={"username": "officer", "password": "demo"}).json["token"]
    bearer = {"Authorization": f"Bearer {token}"}
    task_id = officer.get(f"/api/cases/{reference}", headers=bearer).json["open_tasks"][0]["id"]
    assert officer.post(f"/api/tasks/{task_id}/claim", headers=bearer).status_code == 200
    sign_in(web, "admin")
    page = web.get("/admin/people/officer").text
    held = page[page.index("Open tasks they hold") : page.index("<h2>API tokens")]
    assert reference in held and "Move them all to" in held and 'value="supervisor"' in held
    done = web.post("/admin/people/officer/active", data={"active": "false"})
    assert done.status_code == 303
    assert officer.get("/").status_code == 302  # the next request is refused
    assert officer.get("/api/tasks", headers=bearer).status_code == 401
    assert "Olivia Officer" in audit_details(app, "deactivated")[0]
    again = app.test_client()
    assert again.post("/login", data={"username": "officer", "password": "demo"}).status_code != 302
    moved = web.post("/supervision/reassign", data={"from": "officer", "to": "supervisor"})
    assert moved.status_code == 303
    assert (
        reference
        not in web.get("/admin/people/officer")
        .text.split("Open tasks they hold")[1]
        .split("<h2>API tokens")[0]
    )
    assert web.post("/admin/people/officer/active", data={"active": "true"}).status_code == 303
    assert again.post("/login", data={"username": "officer", "password": "demo"}).status_code == 302


def test_an_admin_sees_and_revokes_anyones_token(app, web):
    client = app.test_client()
    client.post("/api/token", json={"username": "officer", "password": "demo"})
    sign_in(web, "admin")
    page = web.get("/account/tokens")
    assert "Everyone's tokens in use" in page.text and "Olivia Officer" in page.text
    with app.extensions["database"].session() as session:
        token_id = session.scalars(select(ApiToken.id)).one()
    assert web.post(f"/account/tokens/{token_id}/revoke").status_code == 302
    with app.extensions["database"].session() as session:
        assert session.get(ApiToken, token_id).revoked_at is not None
    # An officer may not revoke another's token.
    client.post("/api/token", json={"username": "admin", "password": "demo"})
    sign_in(officer := app.test_client(), "officer")
    with app.extensions["database"].session() as session:
        admins = session.scalars(select(ApiToken.id).where(ApiToken.revoked_at.is_(None))).one()
    assert officer.post(f"/account/tokens/{admins}/revoke").status_code == 404


def test_a_person_sees_their_sign_ins_and_failed_attempts(app, web):
    web.post("/login", data={"username": "officer", "password": "wrong"})
    sign_in(web, "officer")
    page = text(web.get("/account/sign-ins").text)
    assert "Signed in" in page and "Failed: wrong password" in page
    assert page.index("Signed in") < page.index("Failed: wrong password")  # newest first
