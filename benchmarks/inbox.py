"""How the officers' inbox answers as open tasks pile up: 10,000, 100,000 (and 1,000,000).

Cases are reported through the real process into a fresh PostgreSQL database (each with its open
first-response task for the community-safety team), then copied in SQL through the same tables
the engine writes (cases, tasks, their candidate groups) to each size. At each size the officer's
inbox is asked for ``--repeats`` times, in this process through the Flask app (no network):
``GET /api/tasks`` and the inbox page ``/``, first page, sorted by due date. Prints p50 and p95
and, as the ratio, p95 at each size over p95 at 10,000 (the baseline, same run). Targets: p95 <=
20 ms at 1,000,000 and growth 10k -> 1M <= 1.5x.

Run from the repo root: ``python -m benchmarks.inbox [--full]`` (``--full`` adds 1,000,000).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from sqlalchemy import text

from benchmarks.dashboards import copy_cases
from benchmarks.lifecycle import BPMN, T0, _postgres
from casework import reports
from db import Database
from tests.databases import seed
from webapp import create_app

SEED = 100
TABLES = ("cases", "tasks", "task_candidate_groups")


def say(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def timed(call: Callable[[], Any], repeats: int) -> tuple[float, float]:
    call()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return statistics.median(times), times[max(0, round(0.95 * len(times)) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true")
    parser.add_argument("--repeats", type=int, default=40)
    args = parser.parse_args()
    sizes = [10_000, 100_000] + ([1_000_000] if args.full else [])
    url, drop = _postgres()
    try:
        seed(url, BPMN)
        database = Database(url)
        with database.session() as session:
            for i in range(SEED):
                incident = reports.Report(
                    description=f"Abuse, night {i}", location=f"{i} Ash Road", strands=["race"]
                )
                reports.submit(session, incident, now=T0 + timedelta(minutes=i))
        app = create_app({"TESTING": True, "DATABASE_URL": url, "SECRET_KEY": "bench", "TIMERS": "off"})
        client = app.test_client()
        token = client.post("/api/token", json={"username": "officer", "password": "demo"}).json["token"]
        headers = {"Authorization": f"Bearer {token}"}
        web = app.test_client()
        app.config["WTF_CSRF_ENABLED"] = False
        assert web.post("/login", data={"username": "officer", "password": "demo"}).status_code == 302

        def api() -> None:
            response = client.get("/api/tasks?sort=due", headers=headers)
            assert response.status_code == 200 and response.json["items"], response.json

        def page() -> None:
            assert web.get("/").status_code == 200

        results: dict[int, dict[str, tuple[float, float]]] = {}
        copied = 0
        for size in sizes:
            copies = size // SEED - 1 - copied
            say(f"copying to {size:,} open tasks")
            copy_cases(database, copies, SEED, copied + 1, TABLES)
            copied += copies
            with database.engine.connect() as connection:
                total = connection.execute(
                    text("SELECT count(*) FROM tasks WHERE status = 'open'")
                ).scalar_one()
            say(f"{total:,} open tasks; timing")
            results[total] = {
                "GET /api/tasks": timed(api, args.repeats),
                "inbox page /": timed(page, args.repeats),
            }
        app.extensions["database"].dispose()
        database.dispose()
        report(results)
    finally:
        drop()


def report(results: dict[int, dict[str, tuple[float, float]]]) -> None:
    sizes = sorted(results)
    base, top = sizes[0], sizes[-1]
    print("\nThe officer's inbox on PostgreSQL, first page by due date: p50 / p95 in ms\n")
    header = f"{'request':<18}" + "".join(f"{f'{n:,} open tasks':>24}" for n in sizes) + f"{'p95 growth':>12}"
    print(header)
    print("-" * len(header))
    for label in results[base]:
        cells = "".join(f"{results[n][label][0]:>13.1f} / {results[n][label][1]:>8.1f}" for n in sizes)
        print(f"{label:<18}{cells}{results[top][label][1] / results[base][label][1]:>11.1f}x")
    worst = max(results[top][label][1] for label in results[top])
    growth = max(results[top][label][1] / results[base][label][1] for label in results[top])
    print(
        f"\nSUMMARY: p95 at {top:,} open tasks up to {worst:.1f} ms (target 20 ms), growth {growth:.1f}x "
        f"over {base:,} (target 1.5x at 1,000,000)"
    )


if __name__ == "__main__":
    main()
