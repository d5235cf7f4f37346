"""Per-test databases: a migrated, seeded template built once per run, copied for each test.

SQLite copies the file. PostgreSQL uses ``CREATE DATABASE ... TEMPLATE``; each test's database
is dropped afterwards, and every run uses its own names, so runs never see each other's data.
"""

from __future__ import annotations

import os
import shutil
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

    def _url(self, name: str) -> str:
        return POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"

    def _execute(self, sql: str) -> None:
        with self.admin.connect() as connection:
            connection.execute(text(sql))

    def new(self, folder: Path) -> tuple[str, Callable[[], None]]:
        self.count += 1
        name = f"hc_test_{self.run}_{self.count}"
        self._execute(f'CREATE DATABASE "{name}" TEMPLATE "{self.template}"')
        return self._url(name), lambda: self._execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def close(self) -> None:
        self._execute(f'DROP DATABASE IF EXISTS "{self.template}" WITH (FORCE)')
        self.admin.dispose()
