"""The Alembic migrations build exactly the schema the models describe."""

from __future__ import annotations

import json

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from db import Base, Database
from db.models import modelled


def test_migrations_match_the_models(tmp_path):
    database = Database(f"sqlite:///{tmp_path / 'm.db'}")
    database.upgrade()
    database.upgrade()  # running it again is harmless
    with database.engine.connect() as connection:
        diff = compare_metadata(
            MigrationContext.configure(connection, opts={"include_name": modelled}), Base.metadata
        )
    database.dispose()
    assert diff == []


def test_completed_tasks_lines_lose_their_copy_of_the_answers(tmp_path):
    """Migration 0026: the answers stay in the task row only; a scored task's band stays."""
    from alembic import command
    from alembic.config import Config
    from sqlalchemy import text

    from db.database import MIGRATIONS

    database = Database(f"sqlite:///{tmp_path / 'm.db'}")
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    lines = [
        ("task_completed", '{"task_id": "t1", "data": {"notes": "Spoke to her"}, "risk_band": "high"}'),
        ("task_completed", '{"task_id": "t2"}'),
        ("migrated", '{"data": "kept", "to_version": 2}'),
    ]
    try:
        with database.engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA foreign_keys = OFF")  # lines without their case
            connection.commit()
            config.attributes["connection"] = connection
            command.upgrade(config, "0020")
            for kind, details in lines:
                connection.execute(
                    text(
                        "INSERT INTO timeline_events (case_id, at, kind, actor, summary, details) "
                        "VALUES (1, '2026-03-02 09:00:00', :kind, 'Olu', 's', :details)"
                    ),
                    {"kind": kind, "details": details},
                )
            command.upgrade(config, "0026")
            connection.commit()
            found = connection.execute(text("SELECT details FROM timeline_events ORDER BY id")).scalars()
            details = [json.loads(row) for row in found]
        assert details == [
            {"task_id": "t1", "risk_band": "high"},
            {"task_id": "t2"},
            {"data": "kept", "to_version": 2},
        ]
    finally:
        database.dispose()
