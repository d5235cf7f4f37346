"""Diagram code is bounded as a whole (about 256 MB and 2 s of CPU), whatever it does: each attack
below fails its step cleanly with a message naming the element, the case stays as before the step
(a background step is kept as a failed step), and the process stays usable. The heavy code sits
after a user task and takes its size from the case data, so deploy checks and a trial start with
empty data pass it: the point is the run-time bound."""

from __future__ import annotations

import json
import threading
import urllib.request
from datetime import timedelta

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

import processes
from casework import process_models, tasks
from casework import timers as due_timers
from db.models import Case, Task, User
from processes import sandbox
from tests.conftest import T0

HEAVY = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="heavy_defs" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="heavy" name="Heavy" isExecutable="true">
    <bpmn:startEvent id="begin" />
    <bpmn:userTask id="wait_here" name="Wait here" camunda:candidateGroups="community-safety" />
    <bpmn:boundaryEvent id="too_late" name="Too late" attachedToRef="wait_here">
      <bpmn:timerEventDefinition><bpmn:timeDuration>PT1H</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:boundaryEvent>
    <bpmn:scriptTask id="heavy_now" name="Heavy now" scriptFormat="python">
      <bpmn:script>{script}</bpmn:script></bpmn:scriptTask>
    <bpmn:scriptTask id="heavy_later" name="Heavy later" scriptFormat="python">
      <bpmn:script>{script}</bpmn:script></bpmn:scriptTask>
    <bpmn:userTask id="after" name="After" camunda:candidateGroups="community-safety" />
    <bpmn:endEvent id="finish" />
    <bpmn:sequenceFlow id="f1" sourceRef="begin" targetRef="wait_here" />
    <bpmn:sequenceFlow id="f2" sourceRef="wait_here" targetRef="heavy_now" />
    <bpmn:sequenceFlow id="f3" sourceRef="heavy_now" targetRef="after" />
    <bpmn:sequenceFlow id="f4" sourceRef="too_late" targetRef="heavy_later" />
    <bpmn:sequenceFlow id="f5" sourceRef="heavy_later" targetRef="after" />
    <bpmn:sequenceFlow id="f6" sourceRef="after" targetRef="finish" />
  </bpmn:process>
</bpmn:definitions>
"""
# Each attack with the size that makes it heavy; with n = 3 each is harmless.
ATTACKS = {
    "ljust": ("out = 'x'.ljust(n)", 10**9),
    "rjust": ("out = 'x'.rjust(n)", 10**9),
    "center": ("out = 'x'.center(n)", 10**9),
    "zfill": ("out = '1'.zfill(n)", 10**9),
    "int_times_int": ("a = 10 ** 20000\nfor i in range(n):\n    b = a * a\na = b = 0", 150_000),
    "concatenation": ("s = ''\nfor i in range(n):\n    s = s + 'x' * 1000", 1_000_000),
    "sorting": ("for i in range(n):\n    out = len(sorted(range(1000000)))", 1_000),
    "nested_lists": ("rows = [[0] * 1000000 for i in range(n)]\nout = len(rows)", 1_000),
}


def diagram(script: str) -> bytes:
    escaped = script.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return HEAVY.format(script=escaped).encode()


def _owner(session):
    return session.scalars(select(User).where(User.username == "owner")).one()


def _started(database, script: str, n: int) -> int:
    with database.session() as session:
        process_models.deploy(session, diagram(script), user=_owner(session))
        return process_models.start_case(session, "heavy", {"n": n}, user=_owner(session), now=T0).case_id


def _open_tasks(database, case_id: int) -> list[str]:
    with database.session() as session:
        query = select(Task.element_id).where(Task.case_id == case_id, Task.status == "open")
        return sorted(session.scalars(query))


def _complete_wait(database, case_id: int) -> None:
    with database.session() as session:
        task_id = session.scalars(
            select(Task.id).where(
                Task.case_id == case_id, Task.element_id == "wait_here", Task.status == "open"
            )
        ).one()
        try:
            officer = session.scalars(select(User).where(User.username == "officer")).one()
            tasks.complete(session, task_id, {}, user=officer, now=T0)
            session.commit()
        except processes.EngineFailure:
            session.rollback()
            raise


@pytest.mark.parametrize("attack", ATTACKS)
def test_heavy_code_in_a_request_fails_its_step_and_the_process_stays_usable(database, attack):
    script, heavy = ATTACKS[attack]
    assert sandbox.problems(script, "exec") == []  # the deploy check cannot see the size
    case_id = _started(database, script, heavy)
    with pytest.raises(processes.EngineFailure, match="Heavy now") as failure:
        _complete_wait(database, case_id)
    assert "memory" in str(failure.value) or "computer time" in str(failure.value)
    assert _open_tasks(database, case_id) == ["wait_here"]  # as before the step
    harmless = _started(database, script, 3)
    _complete_wait(database, harmless)
    assert _open_tasks(database, harmless) == ["after"]


@pytest.mark.parametrize("attack", ["ljust", "sorting"])
def test_heavy_code_in_a_timer_step_is_kept_as_a_failed_step(database, attack):
    script, heavy = ATTACKS[attack]
    case_id = _started(database, script, heavy)
    result = due_timers.sweep(database.sessions, T0 + timedelta(hours=2))
    assert result.failures == 1 and result.fired == 0
    with database.session() as session:
        case = session.get(Case, case_id)
        assert case.step_failed_at is not None and "Heavy later" in case.step_failure
    assert _open_tasks(database, case_id) == ["wait_here"]
    harmless = _started(database, script, 3)
    assert due_timers.sweep(database.sessions, T0 + timedelta(hours=3)).fired == 1
    assert _open_tasks(database, harmless) == ["after"]


@pytest.mark.parametrize(
    "source",
    [
        "'x'.ljust(10**9)",
        "'x'.rjust(2000000)",
        "'x'.center(10**7)",
        "'1'.zfill(10**8)",
        "[0] * 10**7",
        "10**10**6",
    ],
)
def test_what_can_be_seen_to_be_too_large_is_refused_at_deploy(source):
    assert sandbox.problems(source, "eval")


def test_normal_arithmetic_is_not_refused_at_deploy():
    for source in ["2**64", "60 * 60 * 24", "[0] * 10", "'x'.ljust(20)", "n * 1000000000"]:
        assert sandbox.problems(source, "eval") == [], source


def test_the_server_answers_while_a_request_runs_heavy_code(app, database):
    script, heavy = ATTACKS["sorting"]
    case_id = _started(database, script, heavy)
    with database.session() as session:
        task_id = session.scalars(select(Task.id).where(Task.case_id == case_id, Task.status == "open")).one()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    try:
        token = _post(base + "/api/token", {"username": "officer", "password": "demo"})[1]["token"]
        done = threading.Event()
        answers: list[int] = []

        def bad_request() -> None:
            answers.append(_post(f"{base}/api/tasks/{task_id}/complete", {}, token)[0])
            done.set()

        threading.Thread(target=bad_request, daemon=True).start()
        for _ in range(6000):  # bounded: until the heavy step has reached the evaluator
            if _busy(database, case_id) or done.wait(0.01):
                break
        for _ in range(5):
            with urllib.request.urlopen(base + "/healthz", timeout=30) as response:
                assert response.status == 200
        assert not done.is_set(), answers  # the heavy request was still in flight while /healthz answered
        assert done.wait(60) and answers[0] >= 400
    finally:
        server.shutdown()
        server.server_close()
    assert _open_tasks(database, case_id) == ["wait_here"]


def _busy(database, case_id: int) -> bool:
    """Whether the heavy step has started (the evaluator pool has a child busy on it)."""
    from processes import bounded

    return bounded.busy() > 0


def _post(url: str, body: dict, token: str | None = None) -> tuple[int, dict]:
    headers = {"Content-Type": "application/json", **({"Authorization": f"Bearer {token}"} if token else {})}
    request = urllib.request.Request(url, data=json.dumps(body).encode(), headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as err:
        return err.code, {}
