"""How fast due timers drain, and how late a lone timer fires, in the scaled mode.

N counts timer rows; every case holds two (the 22 h reminder and the 24 h deadline), so N timers
are N/2 cases opened two days ago (500 through the process, the rest copies of them: see
``benchmarks.timer_copies``). Each N is drained several ways, each on a fresh copy of one seeded
PostgreSQL database: in this process one case a transaction, as every timer fired before batches
(the baseline), and in batches by ``timers.sweep``; by 1 Celery worker process and by 2 (each
``--concurrency=1``, firing batches), with beat sweeping every second and a private Redis. With
``--full`` the 100,000 timers are drained by 2 workers only (the other ways would take an hour);
the growth table compares each N with 1,000 drained the same way in the same run. Then one worker
and beat fire lone cases' 2 s / 3 s timers and the timeline's ``late_seconds`` give the lateness.
Run from the repo root: ``python -m benchmarks.timers [--full] [--sizes 1000,10000] [--workers 2]``.
"""

from __future__ import annotations

import argparse
import math
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, func, select, text

import processes
from benchmarks.timer_copies import copy_cases
from casework import reports, steps, timers
from db import Database
from db.models import TimelineEvent, Timer
from tests.databases import POSTGRES_ADMIN_URL, seed
from tests.jobs.services import PrivateRedis, Processes, wait_for

BPMN = Path(__file__).resolve().parent.parent / "bpmn" / "hate_incident.bpmn"
QUICK = BPMN.read_bytes().replace(b">PT24H<", b">PT3S<").replace(b">PT22H<", b">PT2S<")
BASELINE = "in-process, 1 case/txn"
BATCHED = f"in-process, {timers.BATCH} cases/txn"
CELERY_BASELINE = "celery 2 x 1 case/txn"  # 2 workers, each case fired on its own, as before batches
SEEDED = 500  # cases opened through the process; the rest of a size are copies of them
ONLY_TWO_WORKERS = 100_000  # from this size on, only 2 Celery workers drain it
TARGET_N, TARGET_SECONDS, TARGET_LATE = 10_000, 30.0, 2.0
TASK_LINE = re.compile(r"Task jobs\.tasks\.(\w+)\[[^\]]*\] succeeded in ([0-9.e+-]+)s: (\S+)")


def say(message: str) -> None:
    print(
        f"[{time.strftime('%H:%M:%S')} load {os.getloadavg()[0]:.1f}] {message}", file=sys.stderr, flush=True
    )


class Postgres:
    """Fresh databases named for this run; each is dropped when its ``with`` block ends, however."""

    def __init__(self) -> None:
        self.run = uuid.uuid4().hex[:8]
        self.admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")

    def _execute(self, sql: str) -> None:
        with self.admin.connect() as connection:
            connection.execute(text(sql))

    @contextmanager
    def database(self, label: str, template: Database | None = None) -> Iterator[Database]:
        name = f"hc_bench_{self.run}_{label}"
        copy = f' TEMPLATE "{template.url.rsplit("/", 1)[1]}"' if template else ""
        self._execute(f'CREATE DATABASE "{name}"{copy}')
        database = Database(POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}")
        try:
            yield database
        finally:
            database.dispose()
            self._execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def open_cases(database: Database, count: int, reported: datetime) -> None:
    """Open ``count`` cases through ``casework.reports.submit`` (one commit each), at distinct addresses
    so that no report counts as a repeat complaint about another."""
    with database.session() as session:
        for i in range(count):
            report = reports.Report(f"Incident number {i} at the flats", f"{i} Elm Court", ["race"])
            reports.submit(session, report, now=reported)
            if i % 200 == 199:
                session.expunge_all()


def timers_left(database: Database) -> int:
    with database.session() as session:
        # The timers due now: firing the deadline arms the supervisors' own 4-hour deadline,
        # which is not due yet and stays.
        due = Timer.due_at <= processes.clock.now()
        return session.scalar(select(func.count()).select_from(Timer).where(due)) or 0


def fired_events(database: Database) -> tuple[int, datetime | None]:
    with database.session() as session:
        count, first = session.execute(
            select(func.count(), func.min(TimelineEvent.at)).where(TimelineEvent.kind == "timer_fired")
        ).one()
    return count, first


@dataclass
class Drain:
    n: int
    mode: str
    seconds: float
    fired: int
    first_fire: float | None = None  # seconds from spawning the workers to the first timer fired
    tasks: dict[str, list[float]] = field(default_factory=dict)  # task name -> runtimes
    noop: int = 0  # fire_timers tasks that fired nothing (a re-queued or already-fired case)

    @property
    def rate(self) -> float:
        return self.fired / self.seconds


def drain_in_process(pg: Postgres, template: Database, n: int, *, batched: bool) -> Drain:
    """Drain in this process: in batches (``timers.sweep``), or one case a transaction as before."""
    with pg.database(f"n{n}_{'batch' if batched else 'one'}", template) as database:
        t0, passes = time.monotonic(), 0
        while timers_left(database):  # sweep stops at a short batch; sweep again until nothing is due
            at = processes.clock.now()
            if batched:
                timers.sweep(database.sessions, at)
            else:
                for case_id in timers.claim_due(database.sessions, at, requeue_after=timedelta(0)):
                    timers.fire_case(database.sessions, case_id, at)
            passes += 1
        seconds = time.monotonic() - t0
        fired, _ = fired_events(database)
    mode = BATCHED if batched else BASELINE
    return Drain(n, mode, seconds, fired)


@contextmanager
def celery(url: str, logs: Path, workers: int, batch: int = timers.BATCH) -> Iterator[None]:
    """A private Redis, then beat and ``workers`` worker processes of concurrency 1; all stopped after."""
    redis = PrivateRedis(logs)
    env = {"DATABASE_URL": url, "TIMER_REQUEUE_SECONDS": "30", "HATECASES_ENV": "demo", "SMTP_HOST": ""}
    env["TIMER_BATCH"] = str(batch)
    procs = Processes({**env, "REDIS_URL": redis.url}, logs)
    try:
        redis.start()
        for i in range(workers):
            procs.worker(f"w{i + 1}", concurrency=1)
        procs.beat()
        yield
    finally:
        for process in procs.running:
            try:
                Processes.kill(process, signal.SIGTERM)
            except subprocess.TimeoutExpired:
                Processes.kill(process)
        redis.stop()


def read_tasks(logs: Path, drain: Drain) -> None:
    for log in logs.glob("w*.log"):
        for name, runtime, result in TASK_LINE.findall(log.read_text(errors="replace")):
            drain.tasks.setdefault(name, []).append(float(runtime))
            drain.noop += name == "fire_timers" and result == "0"


def drain_with_celery(
    pg: Postgres, template: Database, n: int, workers: int, folder: Path, batch: int = timers.BATCH
) -> Drain:
    logs = folder / f"n{n}_w{workers}_b{batch}"
    logs.mkdir()
    with pg.database(f"n{n}_w{workers}_b{batch}", template) as database:
        started, t0 = processes.clock.now(), time.monotonic()
        with celery(database.url, logs, workers, batch):
            wait_for(lambda: timers_left(database) == 0, 60 + n / 5, "every timer to fire", 0.1)
            seconds = time.monotonic() - t0
        fired, first = fired_events(database)
    drain = Drain(n, f"celery {workers} x {batch} case{'s' if batch > 1 else ''}/txn", seconds, fired)
    drain.first_fire = (first - started).total_seconds() if first else None
    read_tasks(logs, drain)
    return drain


def lateness(pg: Postgres, folder: Path, repeats: int) -> dict[str, list[float]]:
    """One worker and beat; one case at a time, opened at a random phase of beat's 1-second tick."""
    logs = folder / "late"
    logs.mkdir()
    with pg.database("late") as database:
        seed(database.url, BPMN)
        with database.session() as session, steps.unit_of_work(session, now=processes.clock.now()):
            processes.deploy(session, QUICK, deployed_by="benchmark")
        with celery(database.url, logs, 1):
            for _ in range(repeats + 1):  # the first case also waits for the worker to boot: not counted
                time.sleep(random.uniform(0, 1))
                open_cases(database, 1, processes.clock.now())
                wait_for(lambda: timers_left(database) == 0, 60, "the lone case's timers", 0.05)
        with database.session() as session:
            rows = session.execute(
                select(TimelineEvent.case_id, TimelineEvent.details)
                .where(TimelineEvent.kind == "timer_fired")
                .order_by(TimelineEvent.id)
            ).all()
    late: dict[str, list[float]] = {}
    warm_up = min(case_id for case_id, _ in rows)
    for case_id, details in rows:
        if case_id != warm_up:
            late.setdefault(details["timer"], []).append(float(details["late_seconds"]))
    return late


def rank(values: list[float], q: float) -> float:
    """The nearest-rank percentile (with fewer than 100 samples, p99 is the maximum)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


COLUMNS = "{:>7} {:<24} {:>6} {:>8} {:>9} {:>6} {:>9} {:>9} {:>6} {:>6} {:>5} {:>7}"
HEAD = "N|drained by|fired|drain s|timers/s|/base|1st fire|steady/s|tasks|no-op|mail|busy s".split("|")  # noqa: SIM905
LEGEND = """\
N = timer rows, 2 per case (N/2 cases); drain s = from spawning workers+beat to no timer row left;
/base = timers/s over the baseline's (in-process, 1 case/txn, same N); 1st fire = s from spawning
to the first timer fired; steady/s = fired / (drain s - 1st fire); from the worker logs: tasks =
fire_timers tasks run (a batch of cases each), no-op = those that fired nothing, mail =
deliver_message tasks run by shutdown, busy s = all tasks' run time."""


def cells(d: Drain, base: float | None) -> list[object]:
    ratio = f"{d.rate / base:.2f}" if base else "-"
    row = [f"{d.n:,}", d.mode, d.fired, f"{d.seconds:.1f}", f"{d.rate:.1f}", ratio]
    if d.first_fire is None:
        return [*row, *["-"] * 6]
    tasks = [len(d.tasks.get("fire_timers", [])), d.noop, len(d.tasks.get("deliver_message", []))]
    steady = d.fired / (d.seconds - d.first_fire)
    return [*row, f"{d.first_fire:.1f}", f"{steady:.1f}", *tasks, f"{sum(map(sum, d.tasks.values())):.1f}"]


def growth(drains: list[Drain]) -> None:
    """How drain time grows with N, each way of draining against its own 1,000 in the same run."""
    smallest = min(d.n for d in drains)
    first = {d.mode: d for d in drains if d.n == smallest}
    print(f"\ngrowth: drain s per 1,000 timers at N over the same at N = {smallest:,}")
    print(f"{'drained by':<24} {'N':>8} {'drain s':>8} {'s/1,000':>8} {'growth':>7}")
    for d in sorted(drains, key=lambda d: (d.mode, d.n)):
        one = first[d.mode]
        per, base = d.seconds / d.n * 1000, one.seconds / one.n * 1000
        print(f"{d.mode:<24} {d.n:>8,} {d.seconds:>8.1f} {per:>8.2f} {per / base:>6.2f}x")


def report(drains: list[Drain], late: dict[str, list[float]]) -> None:
    cpu = re.search(r"model name\s*:\s*(.*)", Path("/proc/cpuinfo").read_text())
    load = "/".join(f"{x:.1f}" for x in os.getloadavg())
    when = time.strftime("%Y-%m-%d %H:%M %Z")
    print(f"\n{when}; nproc {len(os.sched_getaffinity(0))}; {cpu and cpu[1]}; load average {load} at the end")
    print(LEGEND)
    base = {d.n: d.rate for d in drains if d.mode == BASELINE}
    print(COLUMNS.format(*HEAD))
    for d in drains:
        print(COLUMNS.format(*cells(d, base.get(d.n))))
    growth(drains)
    big = max((d.n for d in drains if d.n <= TARGET_N and d.tasks), default=min(d.n for d in drains))
    best = max((d for d in drains if d.n == big and d.tasks), key=lambda d: d.rate)
    before = next((d for d in drains if d.n == big and d.mode == CELERY_BASELINE), None)
    versus = [f"{best.rate / base[big]:.2f}x {BASELINE}"] if big in base else []
    versus += [f"{best.rate / before.rate:.2f}x {before.mode}"] if before else []
    need = TARGET_N / TARGET_SECONDS
    print(f"target: {TARGET_N:,} timers in <= {TARGET_SECONDS:.0f} s on 2 cores, i.e. >= {need:.0f} timers/s")
    print("\nlone-timer lateness: 1 worker x conc 1, beat every 1 s; the first (warm-up) case excluded")
    print(f"{'timer':<20} {'n':>3} {'p50 s':>6} {'p99 s':>6} {'max s':>6}  target")
    for timer, v in sorted(late.items()):
        p50, p99 = rank(v, 0.5), rank(v, 0.99)
        print(f"{timer:<20} {len(v):>3} {p50:>6.2f} {p99:>6.2f} {max(v):>6.2f}  <= {TARGET_LATE} s")
    seconds = TARGET_N / best.rate
    p50, p99 = rank(late["response_deadline"], 0.5), rank(late["response_deadline"], 0.99)
    print(
        f"\nSUMMARY: {TARGET_N:,} timers take {'' if big == TARGET_N else '~'}{seconds:.0f} s "
        f"at {best.rate:.0f}/s "
        f"({', '.join([best.mode, *versus])}; target {TARGET_SECONDS:.0f} s "
        f"{'met' if seconds <= TARGET_SECONDS else 'MISSED'}); lone deadline timer late p50 {p50:.2f} s, "
        f"p99 {p99:.2f} s (target {TARGET_LATE:.0f} s {'met' if p99 <= TARGET_LATE else 'MISSED'})"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="N = 1,000, 10,000 and 100,000")
    parser.add_argument("--sizes", help="N to drain, e.g. 1000,10000 (default 1,000 and 2,000)")
    parser.add_argument("--workers", default="1,2", help="Celery worker processes to try (default 1,2)")
    parser.add_argument("--repeats", type=int, default=12, help="lone timers to time (default 12)")
    parser.add_argument(
        "--in-process-up-to", type=int, default=10_000, help="largest N drained in process (default 10,000)"
    )
    args = parser.parse_args(argv)
    sizes = [int(x) for x in args.sizes.split(",")] if args.sizes else [1_000, 2_000]
    sizes = [1_000, 10_000, 100_000] if args.full else sizes
    if any(n % (2 * SEEDED) for n in sizes):
        parser.error(f"each size must be a multiple of {2 * SEEDED:,}")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so every finally below runs, as on Ctrl-C
    signal.signal(signal.SIGINT, signal.default_int_handler)  # even when started with SIGINT ignored
    pg, drains = Postgres(), []
    with tempfile.TemporaryDirectory(prefix="hc-bench-") as tmp, pg.database("seeded") as seeded:
        say(f"seeding {SEEDED:,} overdue cases ({2 * SEEDED:,} timers)")
        seed(seeded.url, BPMN)
        open_cases(seeded, SEEDED, processes.clock.now() - timedelta(days=2))
        seeded.dispose()  # a template is copied only when nobody is connected to it
        for n in sizes:
            with pg.database(f"template_{n}", seeded) as template:
                t0 = time.monotonic()
                copy_cases(template, n // (2 * SEEDED) - 1)
                assert timers_left(template) == n
                template.dispose()
                say(f"N={n:,}: {n // 2:,} cases ready ({time.monotonic() - t0:.0f} s of copying)")
                drains += run_size(pg, template, n, args, Path(tmp))
        say(f"lone-timer lateness, {args.repeats} cases")
        late = lateness(pg, Path(tmp), args.repeats)
    pg.admin.dispose()
    report(drains, late)
    return 0


def run_size(pg: Postgres, template: Database, n: int, args: argparse.Namespace, folder: Path) -> list[Drain]:
    drains = []
    if n < ONLY_TWO_WORKERS and n <= args.in_process_up_to:
        for batched in (False, True):
            say(f"N={n:,}: {BATCHED if batched else BASELINE}")
            drains.append(drain_in_process(pg, template, n, batched=batched))
            say(f"N={n:,}: {drains[-1].mode} took {drains[-1].seconds:.1f} s")
    if n < ONLY_TWO_WORKERS:  # 2 workers firing one case a transaction, as before batches
        say(f"N={n:,}: celery, 2 worker processes, 1 case a transaction")
        drains.append(drain_with_celery(pg, template, n, 2, folder, batch=1))
        say(f"N={n:,}: {drains[-1].mode} took {drains[-1].seconds:.1f} s")
    for count in [2] if n >= ONLY_TWO_WORKERS else [int(x) for x in args.workers.split(",")]:
        say(f"N={n:,}: celery, {count} worker process(es)")
        drains.append(drain_with_celery(pg, template, n, count, folder))
        say(f"N={n:,}: {drains[-1].mode} took {drains[-1].seconds:.1f} s")
    return drains


if __name__ == "__main__":
    sys.exit(main())
