"""Alembic environment: migrations run on the connection ``Database.upgrade`` hands over."""

from alembic import context
from sqlalchemy import create_engine

from db.models import Base, modelled

config = context.config
target_metadata = Base.metadata


def run() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=True,
            include_name=modelled,
        )
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = create_engine(config.get_main_option("sqlalchemy.url") or "")
    with engine.begin() as conn:
        context.configure(
            connection=conn, target_metadata=target_metadata, render_as_batch=True, include_name=modelled
        )
        with context.begin_transaction():
            context.run_migrations()


run()
