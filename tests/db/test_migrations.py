"""The Alembic migrations build exactly the schema the models describe."""

from __future__ import annotations

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
