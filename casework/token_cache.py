"""Checked API tokens, remembered for a few seconds so that a request need not look its token up.

A bearer token that checked out (known, not revoked, not expired, its account active) is kept,
keyed by its digest, with a detached copy of its user and groups, for ``TOKEN_CACHE_SECONDS``
(default 2; 0 turns the cache off). A request within that time puts the copy into its session
without a query. Only tokens that passed are kept; a refusal is always read from the database.

What ends access ends it at once in this process: any change to a user, a group, a membership or
an API token committed through a session of this process (a revocation, a sign-out, a password
change, a deactivation, a new role or group; ORM changes and bulk ``UPDATE``/``DELETE`` alike)
empties the cache when it commits, and a check that was reading the database while such a change
committed keeps nothing. Another process (a second gunicorn worker, the command line) sees the
change when its own copy runs out, within ``TOKEN_CACHE_SECONDS``.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Delete, Update, event, inspect
from sqlalchemy.orm import ORMExecuteState, Session, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from db.models import ApiToken, Group, User

DEFAULT_SECONDS = 2.0
_WATCHED = (User, Group, ApiToken)
_WATCHED_TABLES = {"users", "groups", "memberships", "api_tokens"}
_CHANGED = "casework.token_cache.changed"


@dataclass(frozen=True)
class Entry:
    user: User  # detached, never attached to a session itself (``merge`` copies it in)
    token_id: int
    expires_at: datetime
    kept_until: float


class _Cache:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.entries: dict[str, Entry] = {}
        self.generation = 0

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()
            self.generation += 1


_cache = _Cache()


def generation() -> int:
    """Taken before a check reads the database; ``keep`` refuses to keep what it read if a
    change to users or tokens committed meanwhile."""
    return _cache.generation


def found(session: Session, digest: str, *, now: datetime) -> tuple[User, int] | None:
    """The user (in ``session``) and token id of a token checked within the last few seconds."""
    entry = _cache.entries.get(digest)
    if entry is None or entry.kept_until <= time.monotonic() or entry.expires_at <= now:
        return None
    return session.merge(entry.user, load=False), entry.token_id


def keep(digest: str, user: User, token_id: int, expires_at: datetime, *, seconds: float, since: int) -> None:
    """Remember a token that checked out, unless the cache is off or changed since ``since``."""
    if seconds <= 0:
        return
    copy = _detached(user)
    set_committed_value(copy, "groups", [_detached(group) for group in user.groups])
    with _cache.lock:
        if _cache.generation == since:
            _cache.entries[digest] = Entry(copy, token_id, expires_at, time.monotonic() + seconds)


def clear() -> None:
    _cache.clear()


def _detached(row: Any) -> Any:
    """A clean, detached copy of ``row``'s columns (no relationships)."""
    mapper = inspect(row).mapper
    copy = mapper.class_manager.new_instance()
    for attr in mapper.column_attrs:
        set_committed_value(copy, attr.key, getattr(row, attr.key))
    make_transient_to_detached(copy)
    return copy


# -- what empties the cache: any committed change to users, groups or tokens


@event.listens_for(Session, "after_flush")
def _note_flush(session: Session, _context: Any) -> None:
    if any(isinstance(obj, _WATCHED) for obj in (*session.new, *session.dirty, *session.deleted)):
        session.info[_CHANGED] = True


@event.listens_for(Session, "do_orm_execute")
def _note_bulk(state: ORMExecuteState) -> None:
    statement = state.statement
    if isinstance(statement, (Update, Delete)) and getattr(statement.table, "name", None) in _WATCHED_TABLES:
        state.session.info[_CHANGED] = True


@event.listens_for(Session, "after_commit")
def _clear_on_commit(session: Session) -> None:
    if session.info.pop(_CHANGED, False):
        _cache.clear()


@event.listens_for(Session, "after_soft_rollback")
def _forget(session: Session, previous: Any) -> None:
    if not previous.nested:
        session.info.pop(_CHANGED, None)
