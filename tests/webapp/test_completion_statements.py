"""Issue 17, part 2: a task completion in as few SQL statements as its data needs, counted on the
real database (SQLite, or PostgreSQL with ``--postgres``). The bounds are what the step achieves;
a change that adds a statement to every completion fails here and must say why.

And the API's token cache (``casework.token_cache``) never outlives what ends access: a revoked
token, a signed-out or deactivated person is refused on the very next request."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from sqlalchemy import event, select

from casework import tasks
from db.models import Task, TimelineEvent, User
from tests.bpmn.walk import FIRST_RESPONSE
from tests.conftest import T0
from tests.webapp.test_api import token
from tests.webapp.test_lifecycle_api import start

# A completion through the API: the task with its case (the access check's read, which the step
# reuses), on PostgreSQL the case's row lock, the timeline rows (one batched statement on
# PostgreSQL; SQLite inserts one row a statement), the task row, the next task and its group,
# the timers, the case row and the request's audit entry. No token lookup, no reload.
API_BOUND = 9
# The same step called in-process, without the request's audit entry.
DIRECT_BOUND = 8


@contextmanager
def counted(engine) -> Iterator[list[str]]:
    statements: list[str] = []

    def note(_conn, _cursor, statement, _params, _context, _many) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", note)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", note)


def first_response(client, reference: str, headers: dict[str, str]) -> str:
    case = client.get(f"/api/cases/{reference}", headers=headers).json
    [task] = [t for t in case["open_tasks"] if t["name"] == "first_response"]
    return str(task["id"])


def test_a_completion_through_the_api_takes_at_most_the_bound(app, client):
    officer = start(client)
    headers = officer.headers["officer"]
    task_id = first_response(client, officer.reference, headers)  # the token is checked once here
    with counted(app.extensions["database"].engine) as statements:
        response = client.post(f"/api/tasks/{task_id}/complete", headers=headers, json=FIRST_RESPONSE)
    assert response.status_code == 200, response.json
    assert [t["name"] for t in response.json["next_tasks"]] == ["police_referral"]
    assert not [s for s in statements if "api_tokens" in s]  # the token was not looked up again
    assert len(statements) <= API_BOUND, "\n".join(statements)
    # The step did all it did before: the task, its timeline line, the next task, the audit entry.
    case = officer.case()
    assert [t["name"] for t in case["open_tasks"]] == ["police_referral"]
    assert "Olivia Officer completed: " in str(case["timeline"])


def test_a_completion_in_process_takes_at_most_the_bound(database):
    from casework import reports

    with database.session() as session:
        reference = reports.submit(
            session,
            reports.Report(description="Abuse at the door", location="1 Ash Road", strands=["race"]),
            now=T0,
        ).case_reference
        officer = session.scalars(select(User).where(User.username == "officer")).one()
        task_id = session.scalars(
            select(Task.id).where(Task.element_id == "first_response", Task.case.has(reference=reference))
        ).one()
    with database.session() as session:
        officer = session.get(User, officer.id)
        with counted(database.engine) as statements:
            result = tasks.complete(session, task_id, FIRST_RESPONSE, officer, now=T0 + timedelta(hours=1))
    assert [t.element_id for t in result.open_tasks] == ["police_referral"]
    assert len(statements) <= DIRECT_BOUND, "\n".join(statements)
    with database.session() as session:
        assert session.get(Task, task_id).status == "completed"
        kinds = session.scalars(select(TimelineEvent.kind).where(TimelineEvent.case_id == result.case_id))
        assert {"task_completed", "task_created"} <= set(kinds)


def test_a_revoked_token_is_refused_at_once(client):
    headers = token(client)
    assert client.get("/api/tasks", headers=headers).status_code == 200  # now remembered
    assert client.post("/api/token/revoke", headers=headers).status_code in (200, 204)
    refused = client.get("/api/tasks", headers=headers)
    assert refused.status_code == 401
    assert "revoked" in refused.json["message"]


def test_a_token_revoked_by_an_administrator_is_refused_at_once(client):
    headers = token(client)
    assert client.get("/api/tasks", headers=headers).status_code == 200
    [mine] = client.get("/api/tokens", headers=headers).json["items"]
    admin = token(client, "admin")
    assert client.delete(f"/api/tokens/{mine['id']}", headers=admin).status_code in (200, 204)
    assert client.get("/api/tasks", headers=headers).status_code == 401


def test_a_deactivated_person_is_refused_at_once(client):
    headers = token(client)
    assert client.get("/api/tasks", headers=headers).status_code == 200
    admin = token(client, "admin")
    response = client.post("/api/people/officer/deactivate", headers=admin)
    assert response.status_code in (200, 204), response.json
    assert client.get("/api/tasks", headers=headers).status_code == 401


def test_any_committed_change_to_the_person_applies_at_once(client, database):
    headers = token(client)
    assert client.get("/api/tasks", headers=headers).status_code == 200
    with database.session() as session:
        officer = session.scalars(select(User).where(User.username == "officer")).one()
        officer.active = False  # any change to the person, committed in this process
        session.commit()
    assert client.get("/api/tasks", headers=headers).status_code == 401
