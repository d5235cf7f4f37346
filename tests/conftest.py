"""Shared fixtures: a real database per test (Alembic-migrated SQLite, or PostgreSQL with
``--postgres``, copied from a template built once per run), the deployed diagram, demo users,
and the Flask app on that database."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine, event
from sqlalchemy.orm import Session

from casework import people
from db import Database
from tests.databases import PostgresDatabases, SqliteDatabases

# Most tests report many incidents from one address (127.0.0.1) to one email: the public report
# limits and the acknowledgement cap are set out of their way here, for every app and every
# process a test starts. tests/webapp/test_public_flood.py tests the real defaults.
os.environ.setdefault("REPORT_LIMIT_PER_ADDRESS", "100000 per minute")
os.environ.setdefault("REPORT_LIMIT_OVERALL", "100000 per minute")
os.environ.setdefault("ACKNOWLEDGEMENTS_PER_ADDRESS", "1000000")

# Argon2id at its default cost (64 MiB, 3 passes) takes about 150 ms per hash or check on two
# cores, and the tests sign in thousands of times (the authorisation matrix alone signs in once
# per route and role). The tests hash with argon2id at its lowest cost instead; a hash carries its
# own parameters, so a check, here or in a process a test starts (gunicorn, Celery), costs what
# the stored hash says. tests/webapp/test_sign_in_throttling.py checks, in a fresh interpreter,
# that the app itself still hashes at the default cost.
people._hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
people._DUMMY_HASH = people._hasher.hash("not a password")


@event.listens_for(Engine, "connect")
def _sqlite_commits_without_fsync(dbapi_connection: Any, _record: Any) -> None:
    """The tests' SQLite files commit without waiting for the disk (``synchronous=NORMAL``, which
    in WAL mode loses nothing when a process dies, only on a power cut); the app itself keeps
    SQLite's default. A commit's fsync took milliseconds on a busy shared disk, many times a test."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.execute("PRAGMA synchronous=NORMAL")


ROOT = Path(__file__).resolve().parent.parent
BPMN = ROOT / "bpmn" / "hate_incident.bpmn"
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--postgres",
        action="store_true",
        default=os.environ.get("TEST_DATABASE") == "postgres",
        help="run every database test against PostgreSQL (TEST_POSTGRES_URL) instead of SQLite",
    )


@pytest.fixture(scope="session")
def databases(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    if request.config.getoption("--postgres"):
        factory: Any = PostgresDatabases(BPMN)
    else:
        factory = SqliteDatabases(tmp_path_factory.mktemp("template"), BPMN)
    yield factory
    factory.close()


@pytest.fixture
def db_url(databases: Any, tmp_path: Path) -> Iterator[str]:
    url, drop = databases.new(tmp_path)
    yield url
    drop()


@pytest.fixture
def database(db_url: str) -> Iterator[Database]:
    database = Database(db_url)
    yield database
    database.dispose()


@pytest.fixture
def session(database: Database) -> Iterator[Session]:
    with database.session() as session:
        yield session


@pytest.fixture
def app(db_url: str) -> Iterator[Flask]:
    from webapp import create_app

    app = create_app({"TESTING": True, "DATABASE_URL": db_url, "SECRET_KEY": "test-secret"})
    yield app
    app.extensions["database"].dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()
