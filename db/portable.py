"""SQL written for each database. Time: PostgreSQL subtracts timestamps exactly; SQLite keeps
them as text and measures them with ``julianday`` (to the millisecond). JSON: a member's JSON
text, so ``true`` stays a boolean on SQLite too (``json_extract`` would make it 1)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import Boolean, Float, Text, literal_column
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement, FunctionElement


class _DaysBetween(FunctionElement[float]):
    """Days from ``earlier`` to ``later``, with the fraction."""

    type = Float()
    inherit_cache = True
    name = "days_between"


class _NotLaterThan(FunctionElement[bool]):
    """Whether ``instant`` is no later than ``start`` plus a fixed number of seconds."""

    type = Boolean()
    inherit_cache = True
    name = "not_later_than"


def days_between(later: Any, earlier: Any) -> ColumnElement[float]:
    return _DaysBetween(later, earlier)


def not_later_than(instant: Any, start: Any, within: timedelta) -> ColumnElement[bool]:
    return _NotLaterThan(instant, start, literal_column(str(int(within.total_seconds() * 1000))))


def _arguments(element: FunctionElement[Any], compiler: Any, **kw: Any) -> list[str]:
    return [compiler.process(argument, **kw) for argument in element.clauses]


@compiles(_DaysBetween, "postgresql")
def _days_postgresql(element: _DaysBetween, compiler: Any, **kw: Any) -> str:
    later, earlier = _arguments(element, compiler, **kw)
    return f"(EXTRACT(EPOCH FROM ({later} - {earlier})) / 86400.0)"


@compiles(_DaysBetween)
def _days_sqlite(element: _DaysBetween, compiler: Any, **kw: Any) -> str:
    later, earlier = _arguments(element, compiler, **kw)
    return f"(ROUND((julianday({later}) - julianday({earlier})) * 86400000.0) / 86400000.0)"


@compiles(_NotLaterThan, "postgresql")
def _within_postgresql(element: _NotLaterThan, compiler: Any, **kw: Any) -> str:
    instant, start, millis = _arguments(element, compiler, **kw)
    return f"({instant} <= {start} + ({millis}) * INTERVAL '1 millisecond')"


@compiles(_NotLaterThan)
def _within_sqlite(element: _NotLaterThan, compiler: Any, **kw: Any) -> str:
    instant, start, millis = _arguments(element, compiler, **kw)
    return f"(ROUND((julianday({instant}) - julianday({start})) * 86400000.0) <= {millis})"


class _JsonText(FunctionElement[str]):
    """The JSON text of one member of a JSON object (``true``, ``"resolved"``, ``["warning"]``);
    NULL when the member or the object is missing."""

    type = Text()
    inherit_cache = True
    name = "json_text"


def json_text(column: Any, key: str) -> ColumnElement[str]:
    return _JsonText(column, literal_column(_quoted(key)), literal_column(_quoted(f'$."{key}"')))


def _quoted(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


@compiles(_JsonText, "postgresql")
def _json_postgresql(element: _JsonText, compiler: Any, **kw: Any) -> str:
    column, key, _path = _arguments(element, compiler, **kw)
    return f"CAST(({column} -> {key}) AS TEXT)"


@compiles(_JsonText)
def _json_sqlite(element: _JsonText, compiler: Any, **kw: Any) -> str:
    column, _key, path = _arguments(element, compiler, **kw)
    return f"({column} -> {path})"
