"""How fast the managers' queries answer as cases pile up: indicators, stuck work, the heatmap.

A PostgreSQL database of this run gets ``SEED`` cases driven through the real process (reports,
first responses on time or missed and escalated by the sweep, some cases closed with their
outcome), which are then copied in SQL, row for row through the same tables the engine writes
(cases and their labels, tasks and their groups, timers, timeline), each copy moved back a few
days so the cases spread over the year, until there are 10,000 and then 100,000 cases. Each query
runs ``--repeats`` times per size; the table prints p50 and p95 and, as the ratio, p95 at the
large size over p95 at 10,000 (the baseline measured in the same run). Target: p95 <= 200 ms at 100,000 cases.

Run from the repo root: ``python -m benchmarks.dashboards [--full] [--repeats N]``
(default sizes 10,000 and 100,000; ``--full`` adds 300,000).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text

from casework import heatmap, indicators, stuck
from casework.indicators import Period
from db import Database
from db.models import User
from tests.casework.test_indicators import Planned, closing, drive
from tests.databases import POSTGRES_ADMIN_URL, seed

BPMN = Path(__file__).resolve().parent.parent / "bpmn" / "hate_incident.bpmn"
SEED = 120
NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
TARGET_MS = 200.0
LOCALITIES = ["Riverside", "Hillside", "Old Town", "Northgate", None]
TYPES = ["graffiti", "verbal_abuse", "name_calling", "damage_to_property", "assault"]
STRANDS = ["race", "religion_or_belief", "disability", "sexual_orientation", "gender_identity", "age"]


def say(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def plans(count: int, rng: random.Random) -> list[Planned]:
    """Cases reported over the last month: some waiting, some late, some closed."""
    found = []
    for i in range(count):
        reported = NOW - timedelta(days=30) + timedelta(hours=5 * i)
        closed = reported + timedelta(days=rng.randint(3, 20)) if i % 3 == 0 else None
        found.append(
            Planned(
                reported,
                rng.sample(TYPES, rng.randint(1, 2)),
                rng.sample(STRANDS, rng.randint(1, 2)),
                rng.choice(LOCALITIES),
                first_response_after=None if i % 5 == 1 else timedelta(hours=rng.randint(1, 30)),
                closed_at=closed if closed and closed < NOW else None,
                close=closing(
                    rng.choice(["resolved", "not_resolved"]),
                    rng.choice(["very_satisfied", "fairly_satisfied", "fairly_dissatisfied", "not_answered"]),
                    rng.choice([[], ["injunction"]]),
                    rng.choice([["warning"], ["mediation"], []]),
                ),
            )
        )
    return found


def _columns(database: Database, table: str) -> list[str]:
    with database.engine.connect() as connection:
        return list(
            connection.execute(
                text("SELECT column_name FROM information_schema.columns WHERE table_name = :t"), {"t": table}
            ).scalars()
        )


# How each copied column differs from its original in copy k: ids move up by k * OFFSET, task and
# timer ids get a new hash, times move back (k mod 330) days, references get a suffix.
SHIFT = "- (k % 330) * interval '1 day'"
NEW_ID = "left(md5({col} || '-' || k), 32)"
SERIES = "CAST(:first AS integer), CAST(:last AS integer)"


def _expression(table: str, column: str) -> str:
    times = {
        "reported_at", "occurred_at", "updated_at", "closed_at", "step_failed_at",
        "first_response_breached_at", "created_at", "due_at", "completed_at", "at", "queued_at",
        "last_activity_at",
    }  # fmt: skip
    if (table, column) == ("cases", "id") or column == "case_id":
        return f"{column} + k * CAST(:offset AS integer)"
    if (table, column) in (("tasks", "id"), ("timers", "id")) or column == "task_id":
        return NEW_ID.format(col=column)
    if column == "reference":
        return "reference || '-' || k"
    if column == "workflow_state":
        return "''"  # copies are only read, never run: keep the table small
    if column in times:
        return f"{column} {SHIFT}"
    return column


EVERY_TABLE = ("cases", "case_labels", "tasks", "task_candidate_groups", "timers", "timeline_events")


def copy_cases(
    database: Database, copies: int, offset: int, first_copy: int, tables: tuple[str, ...] = EVERY_TABLE
) -> None:
    """Add ``copies`` copies of the seeded cases (copy numbers from ``first_copy``) to ``tables``."""
    with database.engine.begin() as connection:
        # The copied cases carry their last activity already: no trigger per copied timeline row.
        connection.execute(text("SET LOCAL session_replication_role = replica"))
        for table in tables:
            columns = [c for c in _columns(database, table) if not (table == "timeline_events" and c == "id")]
            source = "cases" if table == "cases" else table
            where = "WHERE id <= :offset" if table == "cases" else (
                "WHERE case_id <= :offset" if table != "task_candidate_groups"
                else "WHERE task_id IN (SELECT id FROM tasks WHERE case_id <= :offset)"
            )  # fmt: skip
            connection.execute(
                text(
                    f"INSERT INTO {table} ({', '.join(columns)}) "
                    f"SELECT {', '.join(_expression(table, c) for c in columns)} "
                    f"FROM {source} CROSS JOIN generate_series({SERIES}) AS k {where}"
                ),
                {"offset": offset, "first": first_copy, "last": first_copy + copies - 1},
            )
        connection.execute(text("SELECT setval('cases_id_seq', (SELECT max(id) FROM cases))"))
        connection.execute(text("ANALYZE"))


def timed(action: Callable[[], Any], repeats: int) -> tuple[float, float]:
    action()  # warm: caches, plans
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        action()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return statistics.median(times), times[max(0, round(0.95 * len(times)) - 1)]


def queries(database: Database) -> dict[str, Callable[[], Any]]:
    year = Period(date(2025, 12, 1), date(2026, 12, 1))

    def run(query: Callable[[Any], Any]) -> Callable[[], Any]:
        def action() -> Any:
            with database.session() as session:
                return query(session)

        return action

    return {
        "indicators, 12 months": run(lambda s: indicators.indicators(s, year, homes=10_000, now=NOW)),
        "stuck work: overdue page": run(lambda s: stuck.stuck_work(s, now=NOW, kind="overdue")),
        "stuck work: idle page": run(lambda s: stuck.stuck_work(s, now=NOW, kind="idle")),
        "heatmap": run(lambda s: heatmap.heatmap(s, viewer=_manager(s), now=NOW)),
    }


def _manager(session: Any) -> User:
    """The heatmap lists the cases its viewer opens: a manager, who opens the unrestricted ones."""
    return session.query(User).filter_by(username="manager").one()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="add 300,000 cases")
    parser.add_argument("--repeats", type=int, default=15)
    args = parser.parse_args()
    sizes = [10_000, 100_000] + ([300_000] if args.full else [])
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"hc_bench_dash_{uuid.uuid4().hex[:8]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    try:
        seed(url, BPMN)
        database = Database(url)
        say(f"driving {SEED} cases through the process")
        for plan in plans(SEED, random.Random(7)):
            drive(database, plan)
        with database.engine.connect() as connection:
            seeded = connection.execute(text("SELECT count(*), max(id) FROM cases")).one()
        say(f"{seeded[0]} cases driven (highest id {seeded[1]})")
        results: dict[int, dict[str, tuple[float, float]]] = {}
        copied = 0
        for size in sizes:
            copies = size // seeded[0] - 1 - copied
            say(f"copying to {size:,} cases")
            copy_cases(database, copies, seeded[1], copied + 1)
            copied += copies
            with database.engine.connect() as connection:
                total = connection.execute(text("SELECT count(*) FROM cases")).scalar_one()
            say(f"{total:,} cases; timing")
            results[total] = {label: timed(q, args.repeats) for label, q in queries(database).items()}
        database.dispose()
        report(results)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def report(results: dict[int, dict[str, tuple[float, float]]]) -> None:
    totals = sorted(results)
    base, top = totals[0], totals[-1]
    print(f"\nManagers' queries on PostgreSQL, p50 / p95 in ms ({len(results[base])} queries)\n")
    header = f"{'query':<28}" + "".join(f"{f'{n:,} cases':>24}" for n in totals) + f"{'p95 ratio':>12}"
    print(header)
    print("-" * len(header))
    worst = 0.0
    for label in results[base]:
        cells = "".join(f"{results[n][label][0]:>12.1f} / {results[n][label][1]:>8.1f}" for n in totals)
        ratio = results[top][label][1] / results[base][label][1]
        worst = max(worst, results[top][label][1])
        print(f"{label:<28}{cells}{ratio:>11.1f}x")
    verdict = "meets" if worst <= TARGET_MS else "misses"
    print(
        f"\nSummary: slowest p95 at {top:,} cases {worst:.0f} ms ({verdict} the {TARGET_MS:.0f} ms target); "
        f"ratios are p95 at {top:,} over p95 at {base:,} (baseline, same run)."
    )


if __name__ == "__main__":
    main()
