"""Officers completing tasks over the JSON API at once, against gunicorn on PostgreSQL.

``--cases`` cases are reported into a fresh PostgreSQL database; gunicorn serves the app with
``--workers`` workers (embedded timers off: nothing else runs). ``--officers`` client threads,
each on its own keep-alive connection, first call ``GET /healthz`` for ``--seconds`` seconds (the
baseline: the cheapest request the app answers, on the same server and clients), then each
completes its share of the cases' first-response tasks (``POST /api/tasks/{id}/complete``).
Prints requests/s and p50/p95/p99 latency of both, errors (409 conflicts counted apart; by
design none are expected here, every task goes to one client) and the ratio of completions/s to
the baseline's requests/s. Targets: >= 300 completions/s, p95 <= 50 ms.

Run from the repo root: ``python -m benchmarks.http_load [--cases 2000] [--officers 20]``.
"""

from __future__ import annotations

import argparse
import http.client
import json
import statistics
import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select

from benchmarks.lifecycle import BPMN, _postgres
from casework import reports
from db import Database
from db.models import Task
from tests.bpmn.walk import FIRST_RESPONSE
from tests.databases import seed
from tests.jobs.services import BIN, Processes, free_port, wait_for

T0 = datetime.now(UTC) - timedelta(hours=1)


class Client:
    """One officer: a keep-alive connection, the bearer token, the latencies it saw."""

    def __init__(self, port: int, token: str) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        self.latencies: list[float] = []
        self.statuses: Counter[int] = Counter()

    def call(self, method: str, path: str, body: Any = None) -> int:
        data = json.dumps(body).encode() if body is not None else None
        start = time.perf_counter()
        try:
            self.connection.request(method, path, body=data, headers=self.headers)
            response = self.connection.getresponse()
            response.read()
            status = response.status
        except (OSError, http.client.HTTPException):
            self.connection.close()
            status = 0
        self.latencies.append((time.perf_counter() - start) * 1000)
        self.statuses[status] += 1
        return status


def run_clients(clients: list[Client], work: Any) -> float:
    threads = [threading.Thread(target=work, args=(i, c)) for i, c in enumerate(clients)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - start


def figures(clients: list[Client], seconds: float) -> dict[str, float]:
    latencies = sorted(ms for c in clients for ms in c.latencies)
    statuses = sum((c.statuses for c in clients), Counter())

    def at(q: float) -> float:
        return latencies[min(len(latencies) - 1, round(q * len(latencies)))]

    ok = statuses[200]
    return {
        "requests": len(latencies),
        "ok": ok,
        "conflicts": statuses[409],
        "errors": len(latencies) - ok - statuses[409],
        "per_s": ok / seconds,
        "p50": statistics.median(latencies),
        "p95": at(0.95),
        "p99": at(0.99),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=2000)
    parser.add_argument("--officers", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=5.0)
    args = parser.parse_args()
    url, drop = _postgres()
    folder = Path(f"/tmp/hc-http-load-{int(time.time())}")
    folder.mkdir()
    procs = Processes({"DATABASE_URL": url, "TIMERS": "off", "HATECASES_ENV": "demo"}, folder)
    try:
        seed(url, BPMN)
        database = Database(url)
        with database.session() as session:
            for i in range(args.cases):
                incident = reports.Report(
                    description=f"Abuse, night {i}", location=f"{i} Ash Road", strands=["race"]
                )
                reports.submit(session, incident, now=T0 + timedelta(seconds=i))
            task_ids = list(session.scalars(select(Task.id).where(Task.element_id == "first_response")))
        database.dispose()
        port = free_port()
        procs.start(
            "web",
            str(BIN / "gunicorn"),
            *("--workers", str(args.workers), "--bind", f"127.0.0.1:{port}", "webapp:create_app()"),
        )
        wait_for(lambda: _status(port, "/healthz") == 200, 30, "gunicorn to answer")
        token = _token(port)

        baseline = [Client(port, token) for _ in range(args.officers)]
        deadline = time.perf_counter() + args.seconds

        def ping(_: int, client: Client) -> None:
            while time.perf_counter() < deadline:
                client.call("GET", "/healthz")

        base = figures(baseline, run_clients(baseline, ping))

        officers = [Client(port, token) for _ in range(args.officers)]

        def work(index: int, client: Client) -> None:
            for task_id in task_ids[index :: len(officers)]:
                client.call("POST", f"/api/tasks/{task_id}/complete", FIRST_RESPONSE)

        done = figures(officers, run_clients(officers, work))
        report(args, base, done)
    finally:
        procs.stop_all()
        drop()


def _status(port: int, path: str) -> int:
    try:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        connection.request("GET", path)
        return connection.getresponse().status
    except OSError:
        return 0


def _token(port: int) -> str:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    body = json.dumps({"username": "officer", "password": "demo"})
    connection.request("POST", "/api/token", body=body, headers={"Content-Type": "application/json"})
    return str(json.loads(connection.getresponse().read())["token"])


def report(args: argparse.Namespace, base: dict[str, float], done: dict[str, float]) -> None:
    print(
        f"\n{args.officers} officers on keep-alive connections, gunicorn --workers {args.workers}, "
        f"PostgreSQL, {args.cases} cases\n"
    )
    print(f"{'run':<34}{'ok':>7}{'409':>6}{'errors':>8}{'per s':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}")
    for label, row in (("GET /healthz (baseline)", base), ("POST /api/tasks/{id}/complete", done)):
        print(
            f"{label:<34}{row['ok']:>7.0f}{row['conflicts']:>6.0f}{row['errors']:>8.0f}{row['per_s']:>9.1f}"
            f"{row['p50']:>9.1f}{row['p95']:>9.1f}{row['p99']:>9.1f}"
        )
    ratio = done["per_s"] / base["per_s"]
    verdict = "met" if done["per_s"] >= 300 and done["p95"] <= 50 else "MISSED"
    print(
        f"\nSUMMARY: {done['per_s']:.0f} completions/s ({ratio:.2f} of the baseline's requests/s), "
        f"p95 {done['p95']:.0f} ms, {done['errors']:.0f} errors; target >= 300/s and p95 <= 50 ms: {verdict}"
    )


if __name__ == "__main__":
    main()
