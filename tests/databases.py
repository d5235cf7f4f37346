"""Per-test databases: a migrated, seeded template built once per run, copied for each test.

SQLite copies the file. PostgreSQL uses ``CREATE DATABASE ... TEMPLATE``; each test's database
is dropped afterwards, and every run uses its own names, so runs never see each other's data.

On PostgreSQL a copy and a drop each take a second or more on a busy two-core machine (the copy
writes the whole template to the WAL and both wait for fsync), which was most of a short test's
time. So a thread keeps the next copies ready while tests run, and another drops a test's
database after it, while the next test already runs. Each test still gets a database of its
own, made from the template and used by nobody else. The copies commit without waiting for the
WAL to reach the disk (``synchronous_commit = off``, set on each test database only): that
changes what a crash of the PostgreSQL server could lose, which no test does, and nothing that a
test can see.
"""

from __future__ import annotations

import os
import queue
import shutil
import threading
import uuid
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import create_engine, text

import processes
from casework import people
from db import Database

POSTGRES_ADMIN_URL = os.environ.get(
    "TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
READY = 2  # PostgreSQL copies kept ready ahead of the tests that will take them
WAIT_SECONDS = 300  # for a copy, before a test gives up (a stuck PostgreSQL, not a slow one)


def seed(url: str, bpmn: Path) -> None:
    database = Database(url)
    database.upgrade()
    with database.session() as session:
        processes.deploy(session, bpmn.read_bytes(), deployed_by="tests")
        people.seed_demo_users(session)
        session.commit()
    database.dispose()


class SqliteDatabases:
    def __init__(self, folder: Path, bpmn: Path) -> None:
        self.template = folder / "template.db"
        seed(f"sqlite:///{self.template}", bpmn)

    def new(self, folder: Path) -> tuple[str, Callable[[], None]]:
        path = folder / "cases.db"
        shutil.copy(self.template, path)
        return f"sqlite:///{path}", lambda: None

    def close(self) -> None:
        pass


class PostgresDatabases:
    def __init__(self, bpmn: Path) -> None:
        self.run = uuid.uuid4().hex[:8]
        self.admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
        self.template = f"hc_test_{self.run}_template"
        self._execute(f'CREATE DATABASE "{self.template}"')
        seed(self._url(self.template), bpmn)
        self.count = 0
        self._ready: queue.Queue[str | BaseException] = queue.Queue()
        self._to_make: queue.Queue[bool] = queue.Queue()  # True: make one; False: stop
        self._to_drop: queue.Queue[str | None] = queue.Queue()  # None: stop
        self._drop_errors: list[BaseException] = []
        self._threads = [
            threading.Thread(target=self._make_copies, name="test-database-copies", daemon=True),
            threading.Thread(target=self._drop_copies, name="test-database-drops", daemon=True),
        ]
        for thread in self._threads:
            thread.start()
        for _ in range(READY):
            self._to_make.put(True)

    def _url(self, name: str) -> str:
        return POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"

    def _execute(self, sql: str) -> None:
        with self.admin.connect() as connection:
            connection.execute(text(sql))

    def _make_copies(self) -> None:
        while self._to_make.get():
            self.count += 1  # only this thread counts
            name = f"hc_test_{self.run}_{self.count}"
            try:
                self._execute(f'CREATE DATABASE "{name}" TEMPLATE "{self.template}"')
                self._execute(f'ALTER DATABASE "{name}" SET synchronous_commit = off')
            except Exception as error:  # the waiting test raises it
                self._ready.put(error)
            else:
                self._ready.put(name)

    def _drop_copies(self) -> None:
        while (name := self._to_drop.get()) is not None:
            try:
                self._execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            except Exception as error:  # raised at the end of the run
                self._drop_errors.append(error)

    def new(self, folder: Path) -> tuple[str, Callable[[], None]]:
        """A fresh copy of the template for one test, and what drops it after the test."""
        self._to_make.put(True)  # the copy after the next ones, made while this test runs
        try:
            ready = self._ready.get(timeout=WAIT_SECONDS)
        except queue.Empty:
            raise RuntimeError(f"no test database copied in {WAIT_SECONDS} s: is PostgreSQL stuck?") from None
        if isinstance(ready, BaseException):
            raise RuntimeError("copying the template database failed") from ready
        return self._url(ready), lambda: self._to_drop.put(ready)

    def close(self) -> None:
        self._to_make.put(False)
        self._threads[0].join()
        while not self._ready.empty():
            left = self._ready.get()
            if isinstance(left, str):
                self._to_drop.put(left)
        self._to_drop.put(None)
        self._threads[1].join()
        self._execute(f'DROP DATABASE IF EXISTS "{self.template}" WITH (FORCE)')
        self.admin.dispose()
        if self._drop_errors:
            error = self._drop_errors[0]
            raise RuntimeError(f"{len(self._drop_errors)} test databases were not dropped") from error
