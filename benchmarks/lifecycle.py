"""How much persistence costs: the main path of the hate-incident diagram, case after case.

Baseline: the same diagram run by the engine alone, in memory, in this process: the workflow is
built from the parsed specs, service tasks answer at once, and nothing is saved. Then the same
path through ``processes/`` as the app runs it, each step in its own transaction with the
workflow saved and reloaded, its task, timer and timeline rows written: on SQLite, then on
PostgreSQL. The main path is report, first response, police referral, risk assessment, support,
one contact (then close) and closure: 6 user-task steps.

Prints cases/s, ms per user-task step and the ratio to the in-memory run (targets: 0.25 on SQLite,
0.15 on PostgreSQL), and what the bound on diagram code costs (the SQLite run again with diagram
code in this process, unbounded). Run from the repo root: ``python -m benchmarks.lifecycle [--cases N]``.
"""

from __future__ import annotations

import argparse
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, select, text

import processes
from casework import reports, tasks
from db import Database
from db.models import Task, User
from processes import bounded, engine, scoring, specs
from processes.clock import frozen_at
from processes.forms import validate
from tests.bpmn.walk import CONTACT, FIRST_RESPONSE, LOW_RISK, REPORTED
from tests.databases import POSTGRES_ADMIN_URL, seed

BPMN = Path(__file__).resolve().parent.parent / "bpmn" / "hate_incident.bpmn"
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
CLOSE = {
    "outcome": "resolved",
    "outcome_reason": "Worked through with the victim and the neighbours",
    "legal_actions": [],
    "non_legal_actions": ["warning"],
    "victim_satisfaction": "fairly_satisfied",
}
PATH: list[tuple[str, dict[str, Any]]] = [
    ("first_response", FIRST_RESPONSE),
    ("police_referral", REPORTED),
    ("risk_assessment", LOW_RISK),
    ("support", {}),
    ("keep_in_contact", {**CONTACT, "next_step": "close"}),
    ("close_case", CLOSE),
]
START = {
    "channel": "website",
    "route": "hate",
    "perpetrator_relations": [],
    "prior_complaints_6m": 0,
    "strands": ["race"],
    "acknowledge_by_email": False,
}
TARGETS = {"SQLite": 0.25, "PostgreSQL": 0.15}


def in_memory(cases: int, version: Any) -> float:
    """Seconds to run ``cases`` cases along the path with the engine alone."""
    script_engine = engine.ScriptEngine(lambda operation, params, data: {"done": operation})
    start = time.perf_counter()
    for i in range(cases):
        at = T0 + timedelta(minutes=i)
        with frozen_at(at):
            workflow = engine.new_workflow(specs.fresh_specs(version), script_engine)
            engine.set_start_data(workflow, {**START, "reported_at": at.isoformat()})
            workflow.do_engine_steps()
            for element, answers in PATH:
                # The engine's own work for a step, as processes.complete does it: check the answers
                # against the form, score them, complete the task. Nothing is saved.
                task = next(t for t in engine.ready_user_tasks(workflow) if t.task_spec.bpmn_id == element)
                fields = specs.form_for(version, element)
                clean, errors = validate(fields, answers)
                assert not errors, errors
                extensions = task.task_spec.extensions.get("camundaProperties", {})
                engine.complete(task, {**clean, **scoring.results(fields, extensions, clean)})
        assert workflow.completed, f"case {i} did not finish"
    return time.perf_counter() - start


def persisted(cases: int, database: Database) -> float:
    """Seconds to run ``cases`` cases along the path through ``processes/``, saving every step."""
    with database.session() as session:
        officer = session.scalars(select(User).where(User.username == "officer")).one()
    start = time.perf_counter()
    for i in range(cases):
        at = T0 + timedelta(minutes=i)
        with database.session() as session:
            reference = reports.submit(
                session,
                reports.Report(
                    description=f"Abuse at the door, night {i}", location=f"{i} Ash Road", strands=["race"]
                ),
                now=at,
            ).case_reference
        for element, answers in PATH:
            with database.session() as session:
                task_id = session.scalars(
                    select(Task.id).where(
                        Task.element_id == element, Task.status == "open", Task.case.has(reference=reference)
                    )
                ).one()
                tasks.complete(session, task_id, answers, user=officer, now=at)
    return time.perf_counter() - start


def _postgres() -> tuple[str, Callable[[], None]]:
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"hc_bench_life_{uuid.uuid4().hex[:8]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}", drop


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=200)
    args = parser.parse_args()
    steps = len(PATH)
    folder = Path(tempfile.mkdtemp())
    rows: list[tuple[str, float]] = []
    sqlite_url = f"sqlite:///{folder / 'life.db'}"
    seed(sqlite_url, BPMN)
    sqlite = Database(sqlite_url)
    with sqlite.session() as session:
        version = processes.latest_version(session, "hate_incident")
        specs.specs_for(version)  # parse once, as a running app has
    in_memory(20, version)  # warm up
    rows.append(("in memory (baseline)", in_memory(args.cases, version)))
    # The evaluator process starts once per process (about a second): start it before timing, as a
    # running server has, so that the runs compare steps, not that start.
    bounded.run("started = 1", "exec", {})
    persisted(5, sqlite)  # warm up the database and the caches for both runs below
    rows.append(("SQLite", persisted(args.cases, sqlite)))
    # What the bound on diagram code costs: the same run with the code in this process, unbounded.
    engine.RestrictedEnvironment.bounded = False
    unbounded = persisted(args.cases, sqlite)
    engine.RestrictedEnvironment.bounded = True
    sqlite.dispose()
    pg_url, drop = _postgres()
    try:
        seed(pg_url, BPMN)
        postgres = Database(pg_url)
        rows.append(("PostgreSQL", persisted(args.cases, postgres)))
        postgres.dispose()
    finally:
        drop()
    report(rows, args.cases, steps)
    bound_ms = (rows[1][1] - unbounded) * 1000 / (args.cases * steps)
    print(
        f"BOUND: diagram code in the evaluator process {rows[1][1]:.2f} s, in-process unbounded "
        f"{unbounded:.2f} s (SQLite): {bound_ms:+.2f} ms a user-task step"
    )


def report(rows: list[tuple[str, float]], cases: int, steps: int) -> None:
    base = cases / rows[0][1]
    print(f"\nMain path of the hate-incident diagram, {cases} cases x {steps} user-task steps\n")
    print(f"{'run':<22}{'seconds':>9}{'cases/s':>10}{'ms/step':>10}{'ratio':>8}{'target':>8}")
    for label, seconds in rows:
        rate = cases / seconds
        target = f"{TARGETS[label]:.2f}" if label in TARGETS else "-"
        per_step = seconds * 1000 / (cases * steps)
        print(f"{label:<22}{seconds:>9.2f}{rate:>10.1f}{per_step:>10.2f}{rate / base:>8.2f}{target:>8}")
    verdicts = []
    for label, seconds in rows[1:]:
        ratio = cases / seconds / base
        verdict = "met" if ratio >= TARGETS[label] else "MISSED"
        verdicts.append(f"{label} {ratio:.2f} of in-memory (target {TARGETS[label]}: {verdict})")
    print("\nSUMMARY: " + "; ".join(verdicts))


if __name__ == "__main__":
    main()
