"""Fixtures for the scaled mode: a PostgreSQL database, a private Redis, a mailbox, processes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from db import Database
from tests.conftest import BPMN
from tests.databases import PostgresDatabases
from tests.jobs.services import Mailbox, PrivateRedis, Processes


@pytest.fixture(scope="session")
def postgres_databases(request: pytest.FixtureRequest) -> Iterator[PostgresDatabases]:
    if request.config.getoption("--postgres"):  # the run's own template and copies serve here too
        yield request.getfixturevalue("databases")
        return
    factory = PostgresDatabases(BPMN)
    yield factory
    factory.close()


@pytest.fixture
def pg_url(postgres_databases: PostgresDatabases, tmp_path: Path) -> Iterator[str]:
    url, drop = postgres_databases.new(tmp_path)
    yield url
    drop()


@pytest.fixture
def pg(pg_url: str) -> Iterator[Database]:
    database = Database(pg_url)
    yield database
    database.dispose()


@pytest.fixture
def redis(tmp_path: Path) -> Iterator[PrivateRedis]:
    server = PrivateRedis(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    with Mailbox() as box:
        yield box


@pytest.fixture
def scaled_env(pg_url: str, redis: PrivateRedis, mailbox: Mailbox) -> dict[str, str]:
    return {
        "DATABASE_URL": pg_url,
        "REDIS_URL": redis.url,
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(mailbox.port),
        "TIMER_REQUEUE_SECONDS": "5",
        "HATECASES_ENV": "demo",
    }


@pytest.fixture
def procs(scaled_env: dict[str, str], tmp_path: Path) -> Iterator[Processes]:
    processes = Processes(scaled_env, tmp_path)
    yield processes
    processes.stop_all()
