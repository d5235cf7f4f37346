"""Shared fixtures: a real database per test (Alembic-migrated SQLite, copied from a template
built once per run), the deployed diagram, demo users, and the Flask app on that database."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

import processes
from casework import people
from db import Database

ROOT = Path(__file__).resolve().parent.parent
BPMN = ROOT / "bpmn" / "hate_incident.bpmn"
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture(scope="session")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    database = Database(f"sqlite:///{path}")
    database.upgrade()
    with database.session() as session:
        processes.deploy(session, BPMN.read_bytes(), deployed_by="tests")
        people.seed_demo_users(session)
        session.commit()
    database.dispose()
    return path


@pytest.fixture
def db_url(template_db: Path, tmp_path: Path) -> str:
    path = tmp_path / "cases.db"
    shutil.copy(template_db, path)
    return f"sqlite:///{path}"


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
