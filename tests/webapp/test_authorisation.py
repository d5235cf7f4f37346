"""The authorisation matrix: every route of the app's URL map, for every role and anonymous.

The routes come from ``app.url_map``, not from a list kept here, so a route added without a rule
in ``webapp.access.RULES`` fails ``test_every_route_has_a_rule`` and is refused to everyone. For
each role the expected answer comes from the permission matrix (``casework.permissions``, the
documented policy) and, for routes that name a case, from whether that role may open the case
(a community-safety case, unrestricted, with a task offered to community safety).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask

from casework.permissions import PUBLIC, Permission, Role, allows
from webapp.access import RULES

REPORT = {"description": "Shouted abuse", "location": "1 Elm Road", "strands": ["race"]}
# Who may open the sample case: the community-safety officer (their team's case), supervisors,
# managers and admins (any unrestricted case). Not intake, not the process owner.
OPENS_THE_CASE = {Role.OFFICER, Role.SUPERVISOR, Role.MANAGER, Role.ADMIN}
USERNAMES = {
    Role.INTAKE: "intake",
    Role.OFFICER: "officer",
    Role.SUPERVISOR: "supervisor",
    Role.MANAGER: "manager",
    Role.PROCESS_OWNER: "owner",
    Role.ADMIN: "admin",
}


@pytest.fixture
def matrix_app(db_url: str) -> Iterator[Flask]:
    from webapp import create_app

    app = create_app(
        {"TESTING": True, "DATABASE_URL": db_url, "SECRET_KEY": "test-secret", "WTF_CSRF_ENABLED": False}
    )
    yield app
    app.extensions["database"].dispose()


def routes(app: Flask) -> list[tuple[str, str, str]]:
    return sorted(
        (rule.endpoint, method, rule.rule)
        for rule in app.url_map.iter_rules()
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"})
    )


def sample_case(app: Flask) -> dict[str, str]:
    client = app.test_client()
    reference = client.post("/api/reports", json=REPORT).json["reference"]
    token = client.post("/api/token", json={"username": "officer", "password": "demo"}).json["token"]
    case = client.get(f"/api/cases/{reference}", headers={"Authorization": f"Bearer {token}"}).json
    return {
        "reference": reference,
        "task_id": case["open_tasks"][0]["id"],
        "key": "hate_incident",
        "version": "1",
        "notification_id": "1",
        "name": "strands",
        "username": "officer",
        "filename": "app.css",
        "consent_id": "1",
        "token_id": "1",
        "locality_id": "1",
        "team_id": "1",
        "token": "not-a-token",
        "what": "diary",
        "action_id": "1",
        "letter_id": "1",
        "evidence_id": "1",
        "file_id": "1",
        "slug": "what-happened",
        "incident_id": "1",
    }


def url_for_rule(rule: str, values: dict[str, str]) -> str:
    path = rule
    for name, value in values.items():
        for converter in ("", "int:", "path:"):
            path = path.replace(f"<{converter}{name}>", value)
    assert "<" not in path, f"no sample value for {rule}"
    return path


# Claiming and completing also need the task to be offered to one's groups (community safety).
TAKES_THE_TASK = {"inbox.claim", "inbox.complete", "tasks.claim", "tasks.complete"}
IN_COMMUNITY_SAFETY = {Role.OFFICER, Role.SUPERVISOR}
# Starting a case of a process also needs the diagram to name one of one's groups as starters;
# the sample process (the report-driven one) names none, so only those who model processes may.
NEEDS_A_STARTER_GROUP = {"process_models_api.start_case"}
# Public by rule, but they serve a sign-in between the password and the two-factor code: without
# one they send the browser back to the sign-in page.
NEEDS_A_PENDING_SIGN_IN = {"two_factor.code", "two_factor.setup"}


def expected_allowed(endpoint: str, role: str) -> bool:
    rule = RULES[endpoint]
    if endpoint in TAKES_THE_TASK and role not in IN_COMMUNITY_SAFETY:
        return False
    if endpoint in NEEDS_A_STARTER_GROUP and not allows(role, Permission.MODEL_PROCESSES):
        return False
    if endpoint in NEEDS_A_PENDING_SIGN_IN and role == PUBLIC:
        return False
    if rule.permission is None:
        return True
    if not allows(role, rule.permission):
        return False
    return rule.case_arg is None or role in OPENS_THE_CASE


def ask(app: Flask, role: str, method: str, path: str) -> Any:
    client = app.test_client()
    headers = {}
    if role != PUBLIC:
        if path.startswith("/api/"):
            body = {"username": USERNAMES[Role(role)], "password": "demo"}
            headers["Authorization"] = "Bearer " + client.post("/api/token", json=body).json["token"]
        else:
            client.post("/login", data={"username": USERNAMES[Role(role)], "password": "demo"})
    kwargs: dict[str, Any] = {"headers": headers}
    if method in ("POST", "PATCH", "PUT"):
        kwargs["json"] = {}
    return getattr(client, method.lower())(path, **kwargs)


def refused(role: str, path: str, response: Any) -> bool:
    if response.status_code == 403:
        return True
    if role == PUBLIC:
        if path.startswith("/api/"):
            return response.status_code == 401
        return response.status_code == 302 and "/login" in response.headers["Location"]
    return False


def test_every_route_has_a_rule(matrix_app):
    missing = sorted({endpoint for endpoint, _, _ in routes(matrix_app)} - RULES.keys())
    assert missing == [], f"routes without an access rule in webapp.access.RULES: {missing}"
    stale = sorted(RULES.keys() - {endpoint for endpoint, _, _ in routes(matrix_app)})
    assert stale == [], f"rules for routes that no longer exist: {stale}"


@pytest.mark.parametrize("role", [PUBLIC, *Role])
def test_each_route_allows_or_refuses_as_the_matrix_says(matrix_app, role):
    values = sample_case(matrix_app)
    wrong = []
    checked = allowed = 0
    # Signing out last, so that it does not sign this role out of the other routes.
    for endpoint, method, rule in sorted(routes(matrix_app), key=lambda r: r[0] == "auth.logout"):
        path = url_for_rule(rule, values)
        response = ask(matrix_app, role, method, path)
        expected = expected_allowed(endpoint, role)
        checked += 1
        allowed += expected
        if refused(role, path, response) == expected or response.status_code >= 500:
            wrong.append(
                f"{method} {path}: {response.status_code}, expected {'allow' if expected else 'deny'}"
            )
        response.close()
    print(f"\n{role}: {checked} route-methods checked, {allowed} allowed, {checked - allowed} refused")
    assert wrong == [], "\n".join(wrong)


def test_the_matrix_keeps_personal_data_from_roles_that_do_not_need_it():
    # Process owners edit diagrams, not cases; intake staff report, they do not browse cases.
    assert not allows(Role.PROCESS_OWNER, Permission.OPEN_CASES)
    assert not allows(Role.INTAKE, Permission.OPEN_ALL_CASES)
    assert not allows(Role.OFFICER, Permission.OPEN_ALL_CASES)
    assert not allows(PUBLIC, Permission.OPEN_CASES)
    # Only administrators skip a failed step; nobody but managers and admins reads every log entry.
    assert [r for r in Role if allows(r, Permission.SKIP_STEPS)] == [Role.ADMIN]
    assert {r for r in Role if allows(r, Permission.READ_ALL_AUDIT)} == {Role.MANAGER, Role.ADMIN}


def test_a_route_without_a_rule_is_refused_to_everyone(matrix_app):
    @matrix_app.route("/new-page-without-a-rule")
    def new_page() -> str:
        return "secret"

    response = ask(matrix_app, Role.ADMIN, "GET", "/new-page-without-a-rule")
    assert response.status_code == 403 and b"secret" not in response.data
