"""Persistence: the SQLAlchemy engine, sessions and the tables every layer shares."""

from db.database import Database, utcnow
from db.models import Base

__all__ = ["Base", "Database", "utcnow"]
