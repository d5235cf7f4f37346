"""Where a task completion's time goes: SQL statements counted, and a pyinstrument profile.

``--cases`` cases are reported into a fresh database (SQLite, or PostgreSQL with ``--postgres``),
then each case's first-response task is completed through the JSON API in this process (Flask's
test client, one officer's bearer token), as a web worker would answer it. Prints the statements
of one completion (a ``before_cursor_execute`` listener), the mean over all of them, ms per
completion and, with ``--profile``, pyinstrument's call tree (``pip install -e .[dev]``).

Run from the repo root: ``python -m benchmarks.step_profile [--cases 150] [--postgres] [--profile]``.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from sqlalchemy import event, select

from benchmarks.lifecycle import BPMN, T0, _postgres
from casework import reports
from db.models import Task
from tests.bpmn.walk import FIRST_RESPONSE
from tests.databases import seed


def _database(postgres: bool) -> tuple[str, Callable[[], None]]:
    if postgres:
        return _postgres()
    return f"sqlite:///{tempfile.mkdtemp()}/profile.db", lambda: None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=150)
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    url, drop = _database(args.postgres)
    try:
        seed(url, BPMN)
        run(url, args.cases, "PostgreSQL" if args.postgres else "SQLite", args.profile)
    finally:
        drop()


def run(url: str, cases: int, label: str, profile: bool) -> None:
    from webapp import create_app

    app = create_app({"TESTING": True, "DATABASE_URL": url, "SECRET_KEY": "benchmark", "TIMERS": "off"})
    database = app.extensions["database"]
    with database.session() as session:
        for i in range(cases + 5):
            incident = reports.Report(
                description=f"Abuse, night {i}", location=f"{i} Ash Road", strands=["race"]
            )
            reports.submit(session, incident, now=T0 + timedelta(minutes=i))
        task_ids = list(session.scalars(select(Task.id).where(Task.element_id == "first_response")))
    client = app.test_client()
    answer = client.post("/api/token", json={"username": "officer", "password": "demo"})
    headers = {"Authorization": f"Bearer {answer.get_json()['token']}"}

    def complete(task_id: str) -> None:
        response = client.post(f"/api/tasks/{task_id}/complete", json=FIRST_RESPONSE, headers=headers)
        assert response.status_code == 200, response.get_json()

    for task_id in task_ids[:4]:  # warm up: specs parsed, the evaluator started, the token checked
        complete(task_id)
    statements: list[str] = []

    def note(*call: Any) -> None:
        statements.append(call[2])

    event.listen(database.engine, "before_cursor_execute", note)
    complete(task_ids[4])
    one = list(statements)
    profiler = _profiler() if profile else None
    start = time.perf_counter()
    for task_id in task_ids[5:]:
        complete(task_id)
    seconds = time.perf_counter() - start
    if profiler is not None:
        profiler.stop()
    event.remove(database.engine, "before_cursor_execute", note)
    database.dispose()
    print(f"\nOne completion through the API on {label}: {len(one)} statements")
    for statement in one:
        print("  " + " ".join(statement.split())[:120])
    per = (len(statements) - len(one)) / cases
    print(
        f"\nSUMMARY: {label}, {cases} completions in process: "
        f"{seconds * 1000 / cases:.2f} ms each, {per:.1f} statements each"
    )
    if profiler is not None:
        print(profiler.output_text(unicode=False, color=False))


def _profiler() -> Any:
    from pyinstrument import Profiler

    profiler = Profiler(interval=0.0005)
    profiler.start()
    return profiler


if __name__ == "__main__":
    main()
