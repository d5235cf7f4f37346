"""What a case costs to keep: bytes stored per open and per closed case, and the web process's memory.

Storage. A fresh PostgreSQL database gets ``--cases`` cases in each of three groups, driven
through ``processes/`` as the app runs them (every step in its own transaction, as in
``benchmarks.lifecycle``), from the same kind of report (a victim and an alleged perpetrator,
the reporter's contact details, two incident types):

- open, just reported: the report in, the first-response task waiting;
- open, after N contacts: first response, police referral, risk assessment, support, then
  N = ``--contacts`` contacts with the victim ("keep in contact"), the next contact waiting:
  where an open case spends most of its life;
- closed: the same, then a last contact and the closure, so ``Case.status`` is closed.

Baseline (same run, same database): the report alone, the same reports written as bare
``cases`` and ``parties`` rows, with no workflow state, tasks, timers or timeline. For each group
two figures per case, split per table: the bytes of its rows (``sum(pg_column_size(t.*))`` over
the rows of that group's cases, values as stored, so compressed where PostgreSQL compressed
them, with no page or index overhead) and on disk (the growth of ``pg_total_relation_size``,
table, TOAST and indexes, each measured after ``VACUUM (FULL, ANALYZE)``). Target: <= 15 KB per
open case (1 KB = 1,024 bytes), judged on disk for the larger of the two open groups.

Memory. gunicorn (2 sync workers, timers off) serves the app on that database; ``--requests``
requests from 4 signed-in clients go round the inbox page, case pages, task pages,
``GET /api/tasks`` and ``GET /api/cases/{reference}``. Prints each worker's and the master's
peak RSS (``VmHWM`` in ``/proc/<pid>/status``). Baseline: each worker right after boot, app
loaded, before any request (read by a ``post_worker_init`` hook), and the ratio is a worker's
peak over its RSS then; for scale, a bare
``python -c "import flask"``. Target: a web worker's peak RSS <= 150 MB (1 MB = 2^20 bytes).

Run from the repo root: ``python -m benchmarks.storage [--cases N] [--contacts N] [--requests N]``.
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import json
import re
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, select, text

import processes
from benchmarks.inbox import say
from benchmarks.lifecycle import BPMN, CLOSE, PATH, T0, _postgres
from casework import reports, steps, tasks
from db import Database
from db.models import Case, Party, Task, User
from tests.databases import seed
from tests.jobs.services import BIN, Processes, free_port, wait_for

KB = 1024  # as pg_size_pretty and /proc count
MB = 1 << 20
TARGET_OPEN_KB = 15
TARGET_RSS_MB = 150
ANSWERS = dict(PATH)
CONTACT = {**ANSWERS["keep_in_contact"], "next_step": "continue"}
LAST_CONTACT = ANSWERS["keep_in_contact"]  # next step: close
TO_SUPPORT = ["first_response", "police_referral", "risk_assessment", "support"]
# Every table a case's rows live in, and how its rows are found from the case ids (:ids).
TABLES = {
    "cases": "id = ANY(:ids)",
    "parties": "case_id = ANY(:ids)",
    "tasks": "case_id = ANY(:ids)",
    "task_candidate_groups": "task_id IN (SELECT id FROM tasks WHERE case_id = ANY(:ids))",
    "timers": "case_id = ANY(:ids)",
    "timeline_events": "case_id = ANY(:ids)",
    "referrals": "case_id = ANY(:ids)",
    "case_documents": "case_id = ANY(:ids)",
    "case_reviews": "case_id = ANY(:ids)",
    "outbox": "case_id = ANY(:ids)",
    "notifications": "case_id = ANY(:ids)",
    "notification_reads": "notification_id IN (SELECT id FROM notifications WHERE case_id = ANY(:ids))",
}
STATE = "  of which workflow_state"
# Columns shown as a part of their table's bytes (values as stored), with how they are found.
PARTS = {
    STATE: "SELECT coalesce(sum(pg_column_size(workflow_state)), 0) FROM cases WHERE id = ANY(:ids)",
    "  of which answers": (
        "SELECT coalesce(sum(pg_column_size(submitted)), 0) FROM tasks WHERE case_id = ANY(:ids)"
    ),
    "  of which details": (
        "SELECT coalesce(sum(pg_column_size(details)), 0) FROM timeline_events WHERE case_id = ANY(:ids)"
    ),
    "    of task_completed": (
        "SELECT coalesce(sum(pg_column_size(details)), 0) FROM timeline_events "
        "WHERE case_id = ANY(:ids) AND kind = 'task_completed'"
    ),
}
# Where each part sits in the printed table: after its table's row.
PART_OF = {
    STATE: "cases",
    "  of which answers": "tasks",
    "  of which details": "timeline_events",
    "    of task_completed": "timeline_events",
}
GUNICORN_HOOK = """
import os

def post_worker_init(worker):
    with open("/proc/self/status") as status:
        text = status.read()
    with open(os.path.join({folder!r}, f"boot-{{os.getpid()}}.status"), "w") as out:
        out.write(text)
"""


def report_for(i: int) -> reports.Report:
    """A typical report: the victim reports, names the neighbour, gives contact details."""
    return reports.Report(
        description=(
            f"My neighbour shouted racist abuse at me and my children at the front door on night {i}, "
            "and someone has written graffiti on our fence. It has happened before and we are scared."
        ),
        location=f"{i} Ash Road, Riverside",
        strands=["race"],
        occurred_at=T0 - timedelta(days=1),
        reporter_name=f"Amina Resident {i}",
        reporter_email=f"resident{i}@example.org",
        reporter_phone="07700 900123",
        incident_types=["verbal_abuse", "graffiti"],
        locality="Riverside",
        parties=[
            reports.PartyDetails(
                role="victim",
                name=f"Amina Resident {i}",
                relation="tenant",
                tenure="general_needs",
                address=f"{i} Ash Road, Riverside",
                phone="07700 900123",
                email=f"resident{i}@example.org",
            ),
            reports.PartyDetails(
                role="alleged_perpetrator",
                name=f"Neighbour {i}",
                relation="tenant",
                address=f"{i + 1} Ash Road, Riverside",
            ),
        ],
    )


def bare_reports(database: Database, first: int, count: int) -> list[int]:
    """The baseline: ``count`` reports stored as their cases and parties rows, and nothing else."""
    ids = []
    with database.session() as session, steps.unit_of_work(session, now=T0):
        version = processes.latest_version(session, "hate_incident")
        assert version is not None
        for i in range(first, first + count):
            report, at = report_for(i), T0 + timedelta(minutes=i)
            case = Case(
                process_version=version,
                reported_at=at,
                updated_at=at,
                occurred_at=report.occurred_at,
                description=report.description,
                location=report.location,
                strands=list(report.strands),
                channel=report.channel,
                incident_types=list(report.incident_types),
                locality=report.locality,
                route=reports.route_for(report.parties),
                reporter_name=report.reporter_name,
                reporter_email=report.reporter_email,
                reporter_phone=report.reporter_phone,
                status="open",
                parties=[Party(**vars(p)) for p in report.parties],
            )
            session.add(case)
            session.flush()
            case.reference = reports.reference_for(case.id, at)
            ids.append(case.id)
    return ids


def drive(database: Database, first: int, count: int, steps: list[tuple[str, dict[str, Any]]]) -> list[int]:
    """Report ``count`` cases and take each through ``steps``, a transaction a step; their ids."""
    with database.session() as session:
        officer = session.scalars(select(User).where(User.username == "officer")).one()
    ids = []
    for i in range(first, first + count):
        at = T0 + timedelta(minutes=i)
        with database.session() as session:
            result = reports.submit(session, report_for(i), now=at)
            reference = result.case_reference
            ids.append(session.scalars(select(Case.id).where(Case.reference == reference)).one())
        for hour, (element, answers) in enumerate(steps, start=1):
            with database.session() as session:
                task_id = session.scalars(
                    select(Task.id).where(
                        Task.element_id == element, Task.status == "open", Task.case.has(reference=reference)
                    )
                ).one()
                tasks.complete(session, task_id, answers, user=officer, now=at + timedelta(hours=hour))
    return ids


def row_bytes(connection: Connection, ids: list[int]) -> dict[str, int]:
    """Bytes of the rows of the cases ``ids`` per table, values as stored (compressed or not)."""
    found = {
        table: int(
            connection.execute(
                text(f"SELECT coalesce(sum(pg_column_size(t.*)), 0) FROM {table} t WHERE {where}"),
                {"ids": ids},
            ).scalar_one()
        )
        for table, where in TABLES.items()
    }
    for part, query in PARTS.items():
        found[part] = int(connection.execute(text(query), {"ids": ids}).scalar_one())
    return found


def state_text(connection: Connection, ids: list[int]) -> int:
    """Bytes of workflow state JSON text (before PostgreSQL compresses it) of the cases ``ids``."""
    return int(
        connection.execute(
            text("SELECT coalesce(sum(octet_length(workflow_state)), 0) FROM cases WHERE id = ANY(:ids)"),
            {"ids": ids},
        ).scalar_one()
    )


def disk_bytes(database: Database) -> dict[str, int]:
    """Each table's size on disk with its TOAST and indexes, after rewriting it compactly."""
    with database.engine.connect() as connection:
        connection = connection.execution_options(isolation_level="AUTOCOMMIT")
        connection.execute(text("VACUUM (FULL, ANALYZE)"))
        return {
            table: int(connection.execute(text(f"SELECT pg_total_relation_size('{table}')")).scalar_one())
            for table in TABLES
        }


class Group:
    """One group of cases: per-case row bytes and on-disk growth per table."""

    def __init__(
        self, label: str, ids: list[int], rows: dict[str, int], disk: dict[str, int], raw: int
    ) -> None:
        count = len(ids)
        self.label, self.ids = label, ids
        self.rows = {table: size / count for table, size in rows.items()}
        self.disk = {table: size / count for table, size in disk.items()}
        self.state_text = raw / count

    @property
    def total_rows(self) -> float:
        return sum(size for table, size in self.rows.items() if table not in PARTS)

    @property
    def total_disk(self) -> float:
        return sum(self.disk.values())


def measure_storage(database: Database, cases: int, contacts: int) -> list[Group]:
    in_contact = [(element, ANSWERS[element]) for element in TO_SUPPORT] + [
        ("keep_in_contact", CONTACT)
    ] * contacts
    closed = [*in_contact, ("keep_in_contact", LAST_CONTACT), ("close_case", CLOSE)]
    plans: list[tuple[str, Callable[[int], list[int]]]] = [
        ("report alone (baseline)", lambda first: bare_reports(database, first, cases)),
        ("open, just reported", lambda first: drive(database, first, cases, [])),
        (f"open, after {contacts} contacts", lambda first: drive(database, first, cases, in_contact)),
        ("closed", lambda first: drive(database, first, cases, closed)),
    ]
    groups = []
    before = disk_bytes(database)
    for number, (label, make) in enumerate(plans):
        say(f"{label}: {cases} cases")
        ids = make(number * cases)
        after = disk_bytes(database)
        with database.engine.connect() as connection:
            rows = row_bytes(connection, ids)
            raw = state_text(connection, ids)
        growth = {table: after[table] - before[table] for table in TABLES}
        groups.append(Group(label, ids, rows, growth, raw))
        before = after
    with database.engine.begin() as connection:  # the bare reports have no process: the app never sees such
        connection.execute(text("DELETE FROM cases WHERE id = ANY(:ids)"), {"ids": groups[0].ids})
        statuses = connection.execute(
            text("SELECT status, count(*) FROM cases WHERE id = ANY(:ids) GROUP BY status"),
            {"ids": groups[-1].ids},
        ).all()
    assert [tuple(row) for row in statuses] == [("closed", cases)], statuses
    return groups


# --- memory -------------------------------------------------------------------------------------


def status_of(pid: int | str) -> dict[str, int]:
    """VmRSS and VmHWM of a process, in bytes (from the text of /proc/<pid>/status)."""
    return parse_status(Path(f"/proc/{pid}/status").read_text())


def parse_status(status: str) -> dict[str, int]:
    found = {}
    for line in status.splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            found[key] = int(value.split()[0]) * 1024
    return found


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return sorted(found)


def bare_flask() -> dict[str, int]:
    """A bare ``python -c "import flask"``: the floor any Flask process starts from."""
    code = "import flask; print(open('/proc/self/status').read())"
    return parse_status(
        subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    )


class Browser:
    """One signed-in officer: a session cookie for the pages, a bearer token for the API."""

    def __init__(self, port: int) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.cookie = ""
        self.token = ""
        self.statuses: dict[int, int] = {}

    def call(
        self, method: str, path: str, body: str | None = None, headers: dict[str, str] | None = None
    ) -> Any:
        headers = {"Cookie": self.cookie, **(headers or {})}
        self.connection.request(method, path, body=body, headers=headers)
        response = self.connection.getresponse()
        content = response.read()
        cookie = response.getheader("Set-Cookie")
        if cookie:
            self.cookie = cookie.split(";", 1)[0]
        return response.status, content

    def sign_in(self) -> None:
        _, page = self.call("GET", "/login")
        match = re.search(rb'name="csrf_token" value="([^"]+)"', page)
        assert match, "no CSRF token on the sign-in page"
        form = urllib.parse.urlencode(
            {"csrf_token": match.group(1).decode(), "username": "officer", "password": "demo"}
        )
        status, _ = self.call("POST", "/login", form, {"Content-Type": "application/x-www-form-urlencoded"})
        assert status == 302, f"sign-in answered {status}"
        body = json.dumps({"username": "officer", "password": "demo"})
        status, content = self.call("POST", "/api/token", body, {"Content-Type": "application/json"})
        assert status == 200, f"token answered {status}"
        self.token = json.loads(content)["token"]

    def get(self, path: str) -> None:
        headers = {"Authorization": f"Bearer {self.token}"} if path.startswith("/api/") else None
        status, _ = self.call("GET", path, headers=headers)
        self.statuses[status] = self.statuses.get(status, 0) + 1


def paths(database: Database, groups: list[Group], requests: int) -> list[str]:
    """The requests, in turn: inbox pages, case pages, task pages, the API's task list and cases."""
    ids = [i for group in groups[1:] for i in group.ids]
    with database.session() as session:
        cases = list(session.scalars(select(Case.reference).where(Case.id.in_(ids))))
        tasks = list(session.scalars(select(Task.id).where(Task.status == "open")))
    kinds = [
        itertools.cycle([f"/?page={n}" for n in range(1, 5)]),
        itertools.cycle([f"/cases/{reference}" for reference in cases]),
        itertools.cycle([f"/tasks/{task}" for task in tasks]),
        itertools.cycle(["/api/tasks?sort=due", "/api/tasks?sort=due&page=2"]),
        itertools.cycle([f"/api/cases/{reference}" for reference in cases]),
    ]
    return [next(kinds[n % len(kinds)]) for n in range(requests)]


def measure_memory(
    url: str, database: Database, groups: list[Group], requests: int, folder: Path
) -> dict[str, Any]:
    hook = folder / "gunicorn_hook.py"
    hook.write_text(GUNICORN_HOOK.format(folder=str(folder)))
    procs = Processes({"DATABASE_URL": url, "TIMERS": "off", "HATECASES_ENV": "demo"}, folder)
    todo = paths(database, groups, requests)
    port = free_port()
    try:
        master = procs.start(
            "web",
            str(BIN / "gunicorn"),
            *("--workers", "2", "--bind", f"127.0.0.1:{port}", "--config", str(hook), "webapp:create_app()"),
        )
        wait_for(lambda: len(list(folder.glob("boot-*.status"))) == 2, 60, "both gunicorn workers to boot")
        boot = {int(p.stem.split("-")[1]): parse_status(p.read_text()) for p in folder.glob("boot-*.status")}
        browsers = [Browser(port) for _ in range(4)]
        for browser in browsers:
            browser.sign_in()

        def work(index: int) -> None:
            for path in todo[index :: len(browsers)]:
                browsers[index].get(path)

        threads = [threading.Thread(target=work, args=(i,)) for i in range(len(browsers))]
        start = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        seconds = time.perf_counter() - start
        workers = children(master.pid)
        assert sorted(workers) == sorted(boot), (workers, boot)
        statuses: dict[int, int] = {}
        for browser in browsers:
            for status, count in browser.statuses.items():
                statuses[status] = statuses.get(status, 0) + count
        return {
            "boot": boot,
            "workers": {pid: status_of(pid) for pid in workers},
            "master": status_of(master.pid),
            "flask": bare_flask(),
            "statuses": statuses,
            "seconds": seconds,
            "requests": len(todo),
        }
    finally:
        procs.stop_all()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=200, help="cases in each group")
    parser.add_argument("--contacts", type=int, default=3, help="contacts made on the open and closed cases")
    parser.add_argument("--requests", type=int, default=400, help="requests to the web process")
    args = parser.parse_args()
    url, drop = _postgres()
    folder = Path(tempfile.mkdtemp(prefix="hc-storage-"))
    try:
        seed(url, BPMN)
        database = Database(url)
        groups = measure_storage(database, args.cases, args.contacts)
        say(f"gunicorn, 2 workers: {args.requests} requests")
        memory = measure_memory(url, database, groups, args.requests, folder)
        database.dispose()
    finally:
        drop()
    report_storage(groups, args.cases)
    report_memory(memory)
    summary(groups, memory)


def _kb(size: float) -> str:
    return f"{size / KB:.2f}"


def report_storage(groups: list[Group], cases: int) -> None:
    print(
        f"\nBytes stored per case on PostgreSQL, {cases} cases a group, in KB (1,024 bytes): rows / on disk\n"
    )
    header = f"{'table':<27}" + "".join(f"{g.label:>27}" for g in groups)
    print(header)
    print("-" * len(header))
    order = []
    for table in TABLES:
        order += [table, *(part for part, owner in PART_OF.items() if owner == table)]
    for table in order:
        if not any(g.rows.get(table) or g.disk.get(table) for g in groups):
            continue
        cells = "".join(
            f"{_kb(g.rows[table]):>17} / {'-' if table in PARTS else _kb(g.disk[table]):>7}" for g in groups
        )
        print(f"{table:<27}{cells}")
    print("-" * len(header))
    print(f"{'total':<27}" + "".join(f"{_kb(g.total_rows):>17} / {_kb(g.total_disk):>7}" for g in groups))
    base = groups[0]
    ratios = "".join(
        f"{g.total_rows / base.total_rows:>16.1f}x / {g.total_disk / base.total_disk:>6.1f}x" for g in groups
    )
    print(f"{'vs report alone':<27}{ratios}")
    texts = "".join(f"{_kb(g.state_text):>27}" for g in groups)
    print(f"{'workflow_state JSON text':<27}{texts}")


def _mb(size: float) -> str:
    return f"{size / MB:.1f}"


def report_memory(memory: dict[str, Any]) -> None:
    statuses = ", ".join(f"{count} x {status}" for status, count in sorted(memory["statuses"].items()))
    print(
        f"\nThe web process: gunicorn, 2 sync workers, PostgreSQL; {memory['requests']} requests "
        f"from 4 clients in {memory['seconds']:.1f} s ({statuses})\n"
    )
    print(f"{'process (MB = 2^20 bytes)':<40}{'RSS MB':>10}{'peak RSS MB':>13}{'peak/boot':>11}")

    def row(label: str, status: dict[str, int], ratio: str = "") -> None:
        print(f"{label:<40}{_mb(status['VmRSS']):>10}{_mb(status['VmHWM']):>13}{ratio:>11}")

    row('python -c "import flask" (for scale)', memory["flask"])
    for n, boot in enumerate(v for _, v in sorted(memory["boot"].items())):
        row(f"worker {n + 1} after boot (baseline)", boot, "1.00")
    for n, (pid, now) in enumerate(sorted(memory["workers"].items())):
        row(f"worker {n + 1} after the requests", now, f"{now['VmHWM'] / memory['boot'][pid]['VmRSS']:.2f}")
    row("master", memory["master"])


def summary(groups: list[Group], memory: dict[str, Any]) -> None:
    worst_open = max(groups[1:-1], key=lambda g: g.total_disk)
    closed, base = groups[-1], groups[0]
    open_verdict = "met" if worst_open.total_disk <= TARGET_OPEN_KB * KB else "MISSED"
    peak = max(now["VmHWM"] for now in memory["workers"].values())
    boot = max(status["VmRSS"] for status in memory["boot"].values())
    rss_verdict = "met" if peak <= TARGET_RSS_MB * MB else "MISSED"
    print(
        f"\nSUMMARY: an open case ({worst_open.label}) takes {_kb(worst_open.total_disk)} KB on disk "
        f"({_kb(worst_open.total_rows)} KB of rows), {worst_open.total_disk / base.total_disk:.1f}x "
        f"the report alone; a closed case {_kb(closed.total_disk)} KB; "
        f"target <= {TARGET_OPEN_KB} KB per open case: {open_verdict}. "
        f"Web worker peak RSS {_mb(peak)} MB ({peak / boot:.2f}x a worker after boot, {_mb(boot)} MB); "
        f"target <= {TARGET_RSS_MB} MB: {rss_verdict}"
    )


if __name__ == "__main__":
    main()
