"""Many overdue cases quickly, for the timers benchmark: copies of cases opened through the process.

Opening a case through ``casework.reports.submit`` takes tens of milliseconds, so 50,000 of them
would take most of an hour. A copy is made in Python from a seeded case: a new id and reference,
and every task id (the UUIDs in the saved workflow, the task, candidate group and timer rows) made
new by hashing it with the copy's number, so each copy runs as a case of its own when its timers
fire. Only the rows firing reads are copied: the case, its tasks, their groups and its timers.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from sqlalchemy import Table, insert, select, text

from db import Database
from db.models import Case, Task, TaskCandidateGroup, Timer

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
TABLES: tuple[Table, ...] = (Case.__table__, Task.__table__, TaskCandidateGroup.__table__, Timer.__table__)  # type: ignore[assignment]


def _new_id(old: str, k: int) -> str:
    h = hashlib.md5(f"{old}-{k}".encode(), usedforsecurity=False).hexdigest()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}"


def _copy(table: Table, row: dict[str, Any], k: int, offset: int) -> dict[str, Any]:
    row = dict(row)
    if table is Case.__table__:
        row["id"] += k * offset
        row["reference"] = f"{row['reference']}-{k}"
        row["workflow_state"] = UUID.sub(lambda m: _new_id(m[0], k), row["workflow_state"])
        return row
    if "case_id" in row:
        row["case_id"] += k * offset
    key = "task_id" if table is TaskCandidateGroup.__table__ else "id"
    row[key] = _new_id(row[key], k)
    return row


def copy_cases(database: Database, copies: int) -> int:
    """Add ``copies`` copies of every case in ``database`` (one transaction a copy); how many cases
    there are now."""
    with database.engine.connect() as connection:
        seeded = {t.name: [dict(r) for r in connection.execute(select(t)).mappings()] for t in TABLES}
    offset = max(row["id"] for row in seeded["cases"])
    for k in range(1, copies + 1):
        with database.engine.begin() as connection:
            for table in TABLES:
                rows = [_copy(table, row, k, offset) for row in seeded[table.name]]
                connection.execute(insert(table), rows)
    with database.engine.begin() as connection:
        connection.execute(text("SELECT setval('cases_id_seq', (SELECT max(id) FROM cases))"))
        connection.execute(text("ANALYZE"))
    return len(seeded["cases"]) * (copies + 1)
