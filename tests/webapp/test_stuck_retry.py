"""Failed steps on the stuck-work page and over the API: listed with the error in plain words,
retried by supervisors, skipped only by administrators."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from casework import process_models
from casework import timers as due_timers
from db import Database
from db.models import Case, Task, User
from tests.conftest import T0
from tests.processes.test_step_failures import FRAGILE
from webapp import create_app


@pytest.fixture
def failed(db_url):
    """A case whose deadline step failed (the script divides by zero); returns its reference."""
    database = Database(db_url)
    with database.session() as session:
        owner = session.scalars(select(User).where(User.username == "owner")).one()
        process_models.deploy(session, FRAGILE, user=owner)
        result = process_models.start_case(session, "fragile", {"divisor": 0}, user=owner, now=T0)
    assert due_timers.sweep(database.sessions, T0 + timedelta(hours=2)).failures == 1
    database.dispose()
    return result.case_reference


@pytest.fixture
def web(db_url):
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": db_url,
            "SECRET_KEY": "t",
            "WTF_CSRF_ENABLED": False,
            "TIMERS": "off",
        }
    )
    yield app.test_client()
    app.extensions["database"].dispose()


def sign_in(web, username):
    assert web.post("/login", data={"username": username, "password": "demo"}).status_code == 302


def open_tasks(db_url, reference):
    database = Database(db_url)
    with database.session() as session:
        found = sorted(
            session.scalars(
                select(Task.element_id).join(Case).where(Case.reference == reference, Task.status == "open")
            )
        )
    database.dispose()
    return found


def test_the_failed_case_is_listed_with_its_error_and_a_retry_button(web, failed):
    sign_in(web, "supervisor")
    page = web.get("/dashboards/stuck?kind=failed")
    assert page.status_code == 200
    row = re.search(rf'<tr class="stuck-row" data-case="{failed}">(.*?)</tr>', page.text, re.S)
    assert row, page.text
    assert "Share out the points" in row.group(1) and "division by zero" in row.group(1)
    assert "Retry" in row.group(1) and "Skip the failed step" not in row.group(1)  # admins only
    assert re.search(r'data-kind="failed">1<', page.text)


def test_a_retry_that_fails_again_says_so_and_the_case_stays_listed(web, failed):
    sign_in(web, "supervisor")
    page = web.post(f"/dashboards/stuck/cases/{failed}/retry", follow_redirects=True)
    assert "failed again" in page.text and "division by zero" in page.text
    assert f'data-case="{failed}"' in page.text
    assert open_tasks(web.application.config["DATABASE_URL"], failed) == ["wait_here"]


def test_only_an_admin_may_skip_and_then_the_case_runs_on(web, failed):
    sign_in(web, "supervisor")
    assert web.post(f"/dashboards/stuck/cases/{failed}/retry", data={"skip": "1"}).status_code == 403
    web.post("/logout")
    sign_in(web, "admin")
    assert "Skip the failed step" in web.get("/dashboards/stuck?kind=failed").text
    page = web.post(f"/dashboards/stuck/cases/{failed}/retry", data={"skip": "1"}, follow_redirects=True)
    assert "skipped the failed step" in page.text and "Nothing is stuck here" in page.text
    assert open_tasks(web.application.config["DATABASE_URL"], failed) == ["after_the_deadline"]
    case_page = web.get(f"/cases/{failed}").text
    assert "skipped the failed step" in case_page


def token(web, username):
    response = web.post("/api/token", json={"username": username, "password": "demo"})
    return {"Authorization": f"Bearer {response.json['token']}"}


def test_the_api_lists_retries_and_refuses_what_it_should(web, failed):
    manager = token(web, "manager")
    listed = web.get("/api/stuck?kind=failed", headers=manager).json
    assert listed["counts"]["failed"] == 1 and "division by zero" in listed["items"][0]["reason"]
    again = web.post(f"/api/stuck/cases/{failed}/retry", json={}, headers=manager)
    assert again.status_code == 409 and "failed again" in again.json["message"]
    assert (
        web.post(f"/api/stuck/cases/{failed}/retry", json={"skip": True}, headers=manager).status_code == 403
    )
    officer = token(web, "officer")
    assert web.post(f"/api/stuck/cases/{failed}/retry", json={}, headers=officer).status_code == 403
    assert web.post("/api/stuck/cases/HC-2000-000000/retry", json={}, headers=manager).status_code == 404
    bad = web.post(f"/api/stuck/cases/{failed}/retry", json={"skip": "perhaps"}, headers=manager)
    assert bad.status_code == 422
    done = web.post(f"/api/stuck/cases/{failed}/retry", json={"skip": True}, headers=token(web, "admin"))
    assert done.status_code == 200 and done.json == {"reference": failed, "fired": 1}
    nothing = web.post(f"/api/stuck/cases/{failed}/retry", json={}, headers=manager)
    assert nothing.status_code == 409 and "no failed step" in nothing.json["message"]
