"""Smoke test of the scaled mode as deployed: gunicorn, a Celery worker and beat as real
processes on PostgreSQL and Redis, one case driven over HTTP to an escalation."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import BPMN
from tests.jobs.services import BIN, Processes, free_port, wait_for

pytestmark = pytest.mark.scaled


def call(base: str, method: str, path: str, body: Any = None, token: str | None = None) -> tuple[int, Any]:
    request = urllib.request.Request(
        base + path, method=method, data=json.dumps(body).encode() if body is not None else None
    )
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read() or b"null")
    except OSError:
        return 0, None


def test_gunicorn_worker_and_beat_escalate_a_late_first_response(procs: Processes, mailbox, tmp_path: Path):
    procs.flask("init")
    quick = tmp_path / "hate_incident_quick.bpmn"  # the same process with a 4-second deadline
    quick.write_bytes(BPMN.read_bytes().replace(b">PT24H<", b">PT4S<").replace(b">PT22H<", b">PT2S<"))
    assert b"hate_incident v2 deployed" in procs.flask("deploy", str(quick)).stdout
    port = free_port()
    procs.start(
        "web", str(BIN / "gunicorn"), "--workers", "2", "--bind", f"127.0.0.1:{port}", "webapp:create_app()"
    )
    procs.worker("worker")
    procs.beat()
    base = f"http://127.0.0.1:{port}"
    wait_for(lambda: call(base, "GET", "/healthz")[0] == 200, 30, "gunicorn to answer")

    status, created = call(
        base,
        "POST",
        "/api/reports",
        {
            "description": "Stones thrown at the window again",
            "location": "Birch House",
            "strands": ["religion_or_belief"],
        },
    )
    assert status == 201
    reference = created["reference"]
    _, login = call(base, "POST", "/api/token", {"username": "supervisor", "password": "demo"})

    def escalated() -> bool:
        _, inbox = call(base, "GET", "/api/tasks", token=login["token"])
        return any(
            t["case_reference"] == reference and t["name"] == "overdue_response"
            for t in (inbox or {}).get("items", [])
        )

    wait_for(escalated, 30, "the escalation task in the supervisors' inbox")
    _, case = call(base, "GET", f"/api/cases/{reference}", token=login["token"])
    summaries = [e["summary"] for e in case["timeline"]]
    assert any(s.startswith("Deadline passed: 24 hours since the report") for s in summaries)
    wait_for(
        lambda: any(
            reference in m["Subject"] and m["To"] == "supervisor@example.org" for m in mailbox.messages
        ),
        30,
        "the escalation email",
    )
    check = procs.flask("worker-check")
    assert b"database: ok" in check.stdout and b"worker@" in check.stdout
