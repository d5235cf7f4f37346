"""Schemathesis against the app's own OpenAPI document, in-process through the WSGI app.

Every operation of GET /api/openapi.json gets generated requests, valid ones and invalid
ones (negative mode), with a bearer token of the role that may use it, first with generated
path parameters (mostly unknown ids: the 404 path) and then with the ids of a case and a task
seeded before (the real path). Each response must not be a server error, must have a status
code and content type the document lists for that operation, and a body that matches the
schema the document gives for that status.

Bounded so it runs in a minute or two on two cores: a few examples per operation, no
shrinking, ``derandomize=True`` so every run (and CI) sends the same requests.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import schemathesis
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
EXAMPLES = 25
REPORT = {
    "description": "Abuse shouted at my door",
    "location": "1 Elm Road",
    "strands": ["race", "age"],
    "occurred_at": "2026-03-01T21:30:00+00:00",
    "reporter_email": "me@example.org",
}
# Operations only a process owner (or an administrator) may use; the rest run as a supervisor,
# who may work tasks, open every case, supervise, see stuck work and the indicators.
OWNER_PATHS = ("/api/process-models",)


def _token(client: FlaskClient, username: str) -> dict[str, str]:
    response = client.post("/api/token", json={"username": username, "password": "demo"})
    assert response.status_code == 200, response.json
    return {"Authorization": f"Bearer {response.json['token']}"}


def _seed(client: FlaskClient, supervisor: dict[str, str]) -> dict[str, str]:
    """Two reported cases with open tasks, so the fuzzer reaches real cases and tasks."""
    references = []
    for _ in range(2):
        response = client.post("/api/reports", json=REPORT)
        assert response.status_code == 201, response.json
        references.append(response.json["reference"])
    tasks = client.get("/api/tasks", headers=supervisor).json["items"]
    task = next(t for t in tasks if t["case_reference"] == references[0])
    notes = client.get("/api/notifications", headers=supervisor).json
    known = {
        "reference": references[0],
        "task_id": task["id"],
        "username": "officer",
        "key": "hate_incident",
        "version": "1",
    }
    if notes.get("items"):
        known["notification_id"] = str(notes["items"][0]["id"])
    return known


def _fuzz(
    operation: Any, mode: GenerationMode, headers: dict[str, str], path: dict[str, Any], seen: Counter[str]
) -> None:
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode, path_parameters=path or None, headers=headers))
    def run(case: Any) -> None:
        response = case.call_and_validate(checks=CHECKS)
        seen[f"{operation.method.upper()} {operation.path} {response.status_code}"] += 1

    run()


def _strict_schema(app: Flask, client: FlaskClient) -> Any:
    """The app's document without its catch-all ``default`` error response, so that a status
    code the operation does not list is a failure: the document must say what really comes back
    (401 without a token, 404 for an unknown id, 400 for a body that is not JSON, ...)."""
    document = client.get("/api/openapi.json").json
    for operations in document["paths"].values():
        for operation in operations.values():
            if isinstance(operation, dict) and "responses" in operation:
                operation["responses"].pop("default", None)
    schema = schemathesis.openapi.from_dict(document)
    schema.app = app
    return schema


def _failures(app: Flask, client: FlaskClient) -> list[str]:
    supervisor = _token(client, "supervisor")
    owner = _token(client, "owner")
    known = _seed(client, supervisor)
    schema = _strict_schema(app, client)
    failures: list[str] = []
    seen: Counter[str] = Counter()
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 25, "the document lost operations"
    for operation in operations:
        headers = owner if operation.path.startswith(OWNER_PATHS) else supervisor
        if operation.path.startswith(("/api/token/revoke", "/api/tokens")):
            # These revoke tokens, the fuzzer's own among them: each gets a token of its own,
            # and a revoked one is a documented 401 from then on.
            headers = _token(client, "supervisor")
        names = [p.name for p in operation.path_parameters]
        real = {name: known[name] for name in names if name in known}
        variants: list[dict[str, Any]] = [{}] + ([real] if real else [])
        for path in variants:
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                try:
                    _fuzz(operation, mode, headers, path, seen)
                except Unsatisfiable:  # negative mode: nothing in the request can be made invalid
                    assert mode is GenerationMode.NEGATIVE, operation.path
                except BaseExceptionGroup as group:  # schemathesis' FailureGroup: collect them all
                    where = f"{operation.method.upper()} {operation.path} {mode.value} {path}"
                    failures.append(f"{where}:\n{group}")
    print("\n".join(f"{n:4} {k}" for k, n in sorted(seen.items())))
    return failures


def test_the_api_answers_generated_requests_as_its_document_says(app: Flask, client: FlaskClient) -> None:
    failures = _failures(app, client)
    assert not failures, "\n\n".join(failures)


def test_an_id_too_large_for_the_database_is_not_found(client: FlaskClient) -> None:
    """What the fuzzer found first: a huge integer id reached the database driver (a 500)."""
    supervisor = _token(client, "supervisor")
    huge = 2**31  # one past what an INTEGER column holds in PostgreSQL
    assert client.post(f"/api/notifications/{huge}/read", headers=supervisor).status_code == 404
    owner = _token(client, "owner")
    assert (
        client.get(f"/api/process-models/hate_incident/versions/{huge}/xml", headers=owner).status_code == 404
    )
    assert client.get("/api/process-models/hate_incident/versions/1/xml", headers=owner).status_code == 200
    doc = client.get("/api/openapi.json").json
    (parameter,) = doc["paths"]["/api/notifications/{notification_id}/read"]["parameters"]
    assert parameter["schema"]["maximum"] == 2**31 - 1
