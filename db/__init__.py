"""Persistence: the SQLAlchemy engine, sessions and the tables every layer shares."""

from db import (
    case_labels,  # noqa: F401  (its session event keeps the case labels current)
    search_index,  # noqa: F401  (its session events keep the search index current)
)
from db.database import Database, utcnow
from db.models import Base

__all__ = ["Base", "Database", "utcnow"]
