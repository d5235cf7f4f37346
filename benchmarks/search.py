"""How fast the cases list and search answer at 100,000 cases, on PostgreSQL (pg_trgm) and SQLite
(FTS5 trigram, the embedded mode).

A database of this run gets 10,000 and then 100,000 cases (a victim with a name and an address
with a postcode each, an open task held by an officer on the open ones, a police referral on
some), written in bulk; the search index is filled by the same code the migration's backfill
uses (``db.search_index.rebuild_all``), and its time is printed. Each search runs
``--repeats`` times per size as a manager would (every case visible) and as an officer (the access
rule in the query); the table prints p50 / p95 and two ratios: p95 at 100,000 over p95 at 10,000
(the baseline measured in the same run), and, at 100,000, the indexed name search over the same
search done the naive way (``ILIKE '%bell%'`` on the parties, counted and paged, no index and no
access rule), also timed in this run.

Run from the repo root: ``python -m benchmarks.search [--sqlite] [--repeats N]``
(PostgreSQL by default, at TEST_POSTGRES_URL like the tests).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, func, insert, select, text

from casework import case_search
from db import Database, search_index
from db.models import Case, Party, Referral, Task, User
from tests.databases import POSTGRES_ADMIN_URL, seed

BPMN = Path(__file__).resolve().parent.parent / "bpmn" / "hate_incident.bpmn"
NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
TARGET_MS = 200.0
FIRST = ["Joseph", "Anne", "Zoë", "Kofi", "Siobhán", "Mohammed", "Agnieszka", "Li", "Chloé", "Darius"]
LAST = ["Bell", "Smith", "Béll", "Mensah", "O'Neill", "Khan", "Nowak", "Wei", "Dubois", "Rahimi", "Jones"]
STREETS = ["Ash Road", "Elm Street", "Mill Lane", "Church Walk", "Station Road"]
TOWNS = [("Leeds", "LS"), ("York", "YO"), ("Bradford", "BD"), ("Wakefield", "WF")]
STRANDS = ["race", "religion_or_belief", "disability", "sexual_orientation", "gender_identity", "age"]
LOCALITIES = ["Riverside", "Hillside", "Old Town", "Northgate", None]


def say(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def _address(i: int, rng: random.Random) -> str:
    town, area = TOWNS[i % len(TOWNS)]
    postcode = (
        f"{area}{rng.randint(1, 29)} {rng.randint(1, 9)}{rng.choice('ABDEFGHJ')}{rng.choice('ABDEFGHJ')}"
    )
    return f"{rng.randint(1, 200)} {rng.choice(STREETS)}, {town} {postcode}"


def add_cases(database: Database, first: int, last: int, rng: random.Random) -> None:
    """Cases ``first``..``last`` (numbers, not ids), with their victim, task and referral rows."""
    with database.engine.begin() as connection:
        version = connection.scalar(text("SELECT min(id) FROM process_versions"))
        officers = list(connection.scalars(select(User.id).where(User.role.in_(["officer", "supervisor"]))))
        start = (connection.scalar(select(func.max(Case.id))) or 0) + 1
        cases, parties, tasks, referrals = [], [], [], []
        for n in range(first, last + 1):
            case_id = start + n - first
            reported = NOW - timedelta(minutes=5 * n)
            closed = n % 3 == 0
            address = _address(n, rng)
            cases.append(
                {
                    "id": case_id,
                    "reference": f"HC-B-{n:06d}",
                    "process_version_id": version,
                    "status": "closed" if closed else "open",
                    "reported_at": reported,
                    "description": "Abuse shouted at the door",
                    "location": address,
                    "strands": rng.sample(STRANDS, 1),
                    "hate_perceived": True,
                    "channel": "phone",
                    "incident_types": [],
                    "locality": rng.choice(LOCALITIES),
                    "route": "hate",
                    "risk_level": rng.choice(["high", "medium", "low", None]),
                    "workflow_state": "",
                    "updated_at": reported + timedelta(hours=2),
                    "closed_at": NOW if closed else None,
                    "team": "community-safety",
                    "restricted": n % 500 == 0,
                    "version": 1,
                    "auto_steps": 0,
                }
            )
            name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
            parties.append({"case_id": case_id, "role": "victim", "name": name, "address": address})
            if not closed:
                tasks.append(
                    {
                        "id": uuid.uuid4().hex,
                        "case_id": case_id,
                        "element_id": "first_response",
                        "title": "Contact the victim",
                        "status": "open",
                        "created_at": reported,
                        "assignee_id": rng.choice(officers) if n % 2 else None,
                    }
                )
            if n % 4 == 0:
                referrals.append(
                    {
                        "case_id": case_id,
                        "agency": "police",
                        "made": True,
                        "reference": f"WY/{n:05d}/26",
                        "created_at": reported,
                    }
                )
        for table, rows in ((Case, cases), (Party, parties), (Task, tasks), (Referral, referrals)):
            if rows:
                connection.execute(insert(table), rows)
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT setval('cases_id_seq', (SELECT max(id) FROM cases))"))


def timed(action: Callable[[], Any], repeats: int) -> tuple[float, float]:
    action()  # warm: caches, plans
    times = []
    for _ in range(repeats):
        begun = time.perf_counter()
        action()
        times.append((time.perf_counter() - begun) * 1000)
    times.sort()
    return statistics.median(times), times[max(0, round(0.95 * len(times)) - 1)]


def queries(database: Database) -> dict[str, Callable[[], Any]]:
    def run(username: str, page: int = 1, **filters: Any) -> Callable[[], Any]:
        def action() -> Any:
            with database.session() as session:
                person = session.scalars(select(User).where(User.username == username)).one()
                return case_search.search(session, person, case_search.Filters(**filters), page=page)

        return action

    def naive() -> Any:
        """The same answer (a count and the first page) without the index: ILIKE on the parties."""
        with database.session() as session:
            query = select(Case.id).join(Party, Party.case_id == Case.id).where(Party.name.ilike("%bell%"))
            total = session.scalar(select(func.count()).select_from(query.subquery()))
            return total, list(session.scalars(query.order_by(Case.reported_at.desc()).limit(25)))

    return {
        "list, newest first": run("manager"),
        "name 'bell'": run("manager", q="bell"),
        "name 'Béll' (officer)": run("officer", q="Béll"),
        "two words 'zoe bell'": run("manager", q="zoe bell"),
        "postcode 'ls12 3ab'": run("manager", q="ls12 3ab"),
        "postcode 'LS123AB'": run("manager", q="LS123AB"),
        "reference": run("manager", q="HC-B-004321"),
        "police reference": run("manager", q="WY/04320/26"),
        "filters: closed, high, race": run("manager", status="closed", risk_level="high", strand="race"),
        "my cases (officer)": run("officer", scope="mine"),
        "dated, by risk": run(
            "manager", reported_from=date(2026, 11, 1), reported_to=date(2026, 11, 20), sort="risk"
        ),
        "page 100": run("manager", page=100),
        "baseline: naive ILIKE 'bell'": naive,
    }


@contextmanager
def a_database(sqlite: bool) -> Iterator[Database]:
    if sqlite:
        with tempfile.TemporaryDirectory() as folder:
            url = f"sqlite:///{folder}/bench.db"
            seed(url, BPMN)
            database = Database(url)
            yield database
            database.dispose()
        return
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"hc_bench_search_{uuid.uuid4().hex[:8]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    try:
        seed(url, BPMN)
        database = Database(url)
        yield database
        database.dispose()
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sqlite", action="store_true", help="the embedded mode (SQLite, FTS5)")
    parser.add_argument("--repeats", type=int, default=15)
    args = parser.parse_args()
    rng = random.Random(7)
    results: dict[int, dict[str, tuple[float, float]]] = {}
    indexing: dict[int, float] = {}
    with a_database(args.sqlite) as database:
        done = 0
        for size in (10_000, 100_000):
            say(f"adding cases up to {size:,}")
            add_cases(database, done + 1, size, rng)
            begun = time.perf_counter()
            with database.engine.begin() as connection:
                search_index.rebuild_all(connection)
                connection.execute(text("ANALYZE"))
            indexing[size] = time.perf_counter() - begun
            done = size
            say(f"{size:,} cases indexed in {indexing[size]:.1f} s; timing")
            results[size] = {label: timed(q, args.repeats) for label, q in queries(database).items()}
    report(results, indexing, "SQLite (FTS5 trigram)" if args.sqlite else "PostgreSQL (pg_trgm)")


def report(
    results: dict[int, dict[str, tuple[float, float]]], indexing: dict[int, float], where: str
) -> None:
    base, top = sorted(results)
    print(f"\nCases search on {where}, p50 / p95 in ms\n")
    header = f"{'search':<32}" + "".join(f"{f'{n:,} cases':>24}" for n in (base, top)) + f"{'p95 ratio':>12}"
    print(header)
    print("-" * len(header))
    worst = 0.0
    for label in results[base]:
        cells = "".join(f"{results[n][label][0]:>12.1f} / {results[n][label][1]:>8.1f}" for n in (base, top))
        ratio = results[top][label][1] / results[base][label][1]
        if not label.startswith("baseline"):
            worst = max(worst, results[top][label][1])
        print(f"{label:<32}{cells}{ratio:>11.1f}x")
    indexed, naive = results[top]["name 'bell'"][1], results[top]["baseline: naive ILIKE 'bell'"][1]
    verdict = "meets" if worst <= TARGET_MS else "misses"
    print(
        f"\nIndexing (rebuild_all, the backfill): {indexing[base]:.1f} s at {base:,}, "
        f"{indexing[top]:.1f} s at {top:,}."
    )
    print(
        f"Summary: slowest p95 at {top:,} cases {worst:.0f} ms ({verdict} the {TARGET_MS:.0f} ms target); "
        f"name search p95 {indexed:.1f} ms against {naive:.1f} ms the naive way ({indexed / naive:.2f}x); "
        f"ratios are p95 at {top:,} over p95 at {base:,} (baseline, same run)."
    )


if __name__ == "__main__":
    main()
