"""The database for each request: one session, opened on first use, closed at the end."""

from __future__ import annotations

import logging

from flask import Flask, current_app, g
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.orm import Session

from casework import people
from db import Database

log = logging.getLogger(__name__)


def init_app(app: Flask) -> None:
    app.extensions["database"] = Database(app.config["DATABASE_URL"])

    @app.teardown_appcontext
    def close_session(_exc: BaseException | None) -> None:
        session = g.pop("db_session", None)
        if session is None:
            return
        try:
            session.rollback()
        except DBAPIError:
            # The connection went (a database restart) after the answer was made: nothing was
            # left to roll back; the pool drops the connection and opens a new one next time.
            log.warning("the database connection was lost while the request ended")
        finally:
            session.close()


def database(app: Flask | None = None) -> Database:
    return (app or current_app).extensions["database"]


def session() -> Session:
    """The request's session. Views call services with it; the service's flow commits."""
    if "db_session" not in g:
        g.db_session = database().sessions()
    return g.db_session


def demo_users_present(db_session: Session) -> bool:
    try:
        return people.demo_users_present(db_session)
    except SQLAlchemyError:  # the schema may not exist yet (before `flask init`)
        db_session.rollback()
        return False
