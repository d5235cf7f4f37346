"""Uploaded BPMN is code: payloads that would escape are refused at deploy, and refused again by
the engine at run time (with RestrictedPython's guards holding even without the deploy check)."""

from __future__ import annotations

from pathlib import Path

import pytest
from RestrictedPython import compile_restricted_exec
from sqlalchemy import select

import processes
from casework import steps, tasks
from db.models import Case, Task, User
from processes import sandbox
from processes.engine import RestrictedEnvironment
from tests.conftest import T0

PAYLOADS = [
    "import os\nos.system('touch {f}')",
    "from os import system\nsystem('touch {f}')",
    "__import__('os').system('touch {f}')",
    "open('{f}', 'w').write('x')",
    "exec(\"open('{f}', 'w')\")",
    "eval(\"open('{f}', 'w')\")",
    "compile(\"open('{f}', 'w')\", 'x', 'exec')",
    "getattr(getattr, '__self__').open('{f}', 'w')",
    "[c for c in ().__class__.__base__.__subclasses__() if c.__name__ == 'Popen'][0](['touch', '{f}'])",
    "(lambda: 0).__globals__['__builtins__']['open']('{f}', 'w')",
    "g = (g.gi_frame.f_back.f_globals for x in [1])\nfor scope in g:\n    scope['open']('{f}', 'w')",
    "'{{0.__class__.__init__.__globals__}}'.format(1)",
    "globals()['__builtins__']['open']('{f}', 'w')",
    "vars()['open']('{f}', 'w')",
    "type(1).mro()[-1]",
    "import socket\nsocket.create_connection(('127.0.0.1', 9))",
    "from urllib.request import urlopen\nurlopen('http://127.0.0.1:9/')",
    "while True:\n    pass",
    "with open('{f}', 'w') as out:\n    out.write('x')",
    "def f():\n    return f()\nf()",
]

SCRIPTED = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="scripted" name="Scripted" isExecutable="true">
    <bpmn:startEvent id="s" />
    <bpmn:scriptTask id="tally" name="Tally"><bpmn:script>{script}</bpmn:script></bpmn:scriptTask>
    <bpmn:userTask id="look" name="Look" camunda:candidateGroups="community-safety" />
    <bpmn:endEvent id="e" />
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="tally" />
    <bpmn:sequenceFlow id="f2" sourceRef="tally" targetRef="look" />
    <bpmn:sequenceFlow id="f3" sourceRef="look" targetRef="e" />
  </bpmn:process>
</bpmn:definitions>
"""


def scripted(script: str) -> bytes:
    escaped = script.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return SCRIPTED.format(script=escaped).encode()


@pytest.fixture
def marker(tmp_path: Path) -> Path:
    return tmp_path / "pwned"


@pytest.mark.parametrize("payload", PAYLOADS)
def test_deploy_refuses_the_payload_in_a_script_task(session, payload, marker):
    with pytest.raises(processes.InvalidDiagram) as err:
        processes.deploy(session, scripted(payload.format(f=marker)))
    [problem] = err.value.problems[:1]
    assert problem.element_id == "tally"
    assert problem.message.startswith('Script task "Tally" (tally): the script cannot run: ')
    assert not marker.exists()


@pytest.mark.parametrize("payload", [p for p in PAYLOADS if "\n" not in p])
def test_deploy_refuses_the_payload_as_a_condition(session, payload, marker):
    source = payload.format(f=marker)
    assert sandbox.problems(source, "eval")
    assert not marker.exists()


@pytest.mark.parametrize("payload", PAYLOADS)
def test_the_engine_refuses_the_payload_at_run_time(payload, marker):
    data = {"level": 1}
    with pytest.raises(sandbox.SandboxViolation):
        RestrictedEnvironment().execute(payload.format(f=marker), data)
    assert not marker.exists()
    assert data == {"level": 1}


@pytest.mark.parametrize("payload", PAYLOADS)
def test_the_guards_hold_even_without_the_deploy_check(payload, marker):
    """Defence in depth: code RestrictedPython compiles still finds no way out when it runs."""
    result = compile_restricted_exec(payload.format(f=marker), sandbox.FILENAME, policy=sandbox.Policy)
    if result.code is not None:
        refused = (NameError, ImportError, AttributeError, NotImplementedError, RecursionError)
        with pytest.raises((*refused, sandbox.SandboxViolation)):
            sandbox.run(result.code, sandbox.restricted_globals())
    assert not marker.exists()


@pytest.mark.parametrize(
    "source",
    [
        "x = 0\nfor i in range(1000):\n    for j in range(1000):\n        x += 1",
        "big = 'x' * 10**9",
        "big = [0] * (10**8)",
        "big = 2 ** 10**8",
        "big = 1 << 10**8",
        "numbers = list(range(10**9))",
    ],
)
def test_runaway_code_is_stopped(source):
    with pytest.raises(sandbox.SandboxViolation):
        RestrictedEnvironment().execute(source, {})


def test_ordinary_diagram_code_still_runs():
    env = RestrictedEnvironment()
    data = {"risk_level": "high", "vulnerabilities": ["isolated"], "hours": 24, "date": "2026-03-02"}
    assert env.evaluate("risk_level == 'high' and 'isolated' in vulnerabilities", data) is True
    assert env.evaluate("f'PT{hours}H'", data) == "PT24H"
    assert env.evaluate('{"high": "P3D"}.get(risk_level, "P7D")', data) == "P3D"
    env.execute(
        "score = sum(len(v) for v in vulnerabilities)\n"
        "for v in vulnerabilities:\n    score += 1\n"
        "due = (datetime.fromisoformat(date) + timedelta(days=3)).date().isoformat()",
        data,
    )
    assert data["score"] == 9 and data["due"] == "2026-03-05" and data["date"] == "2026-03-02"


def test_a_script_task_runs_in_a_case(session):
    processes.deploy(session, scripted("total = 0\nfor n in [3, 4]:\n    total += n * 3"))
    case = Case(reported_at=T0, description="d", location="l", strands=[])
    result = processes.start(
        steps.uncommitted(session, now=T0), case, "scripted", {}, now=T0, reference=lambda i: f"S-{i}"
    )
    session.commit()
    [task] = result.open_tasks
    officer = session.scalars(select(User).where(User.username == "officer")).one()
    tasks.complete(session, task.id, {}, user=officer, now=T0)
    assert session.get(Task, task.id).status == "completed"
    assert '"total":21' in case.workflow_state


def test_a_runaway_script_fails_the_step_and_leaves_no_case(session):
    processes.deploy(session, scripted("text = 'x' * size"))
    case = Case(reported_at=T0, description="d", location="l", strands=[])
    with pytest.raises(processes.EngineFailure, match="characters or items"):
        processes.start(
            steps.uncommitted(session, now=T0),
            case,
            "scripted",
            {"size": 10**9},
            now=T0,
            reference=lambda i: f"S-{i}",
        )
    session.rollback()
    assert session.scalars(select(Case).where(Case.reference.like("S-%"))).all() == []


def test_the_file_payload_does_run_under_the_plain_engine(marker):
    """The marker checks above can fail: SpiffWorkflow's own environment runs the payload."""
    from SpiffWorkflow.bpmn.script_engine import TaskDataEnvironment

    TaskDataEnvironment().execute(f"import os\nos.system('touch {marker}')", {})
    assert marker.exists()


def test_case_data_cannot_replace_the_guards_or_the_builtins():
    env = RestrictedEnvironment()
    data = {"names": ["a", "b"], "date": "2026-03-02", "_getattr_": "boom", "__builtins__": {"open": open}}
    assert env.evaluate("len(names)", data) == 2
    assert env.evaluate("date", data) == "2026-03-02"  # data may shadow a helper
    with pytest.raises(sandbox.SandboxViolation):
        env.evaluate("open('/etc/passwd')", data)
