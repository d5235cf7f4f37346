"""Keep personal data out of the logs.

Request-log lines (Werkzeug's development server, gunicorn's access log) carry the whole URL,
and a query string can hold a person's name (the inbox search ``q=``) or an address: the filter
here cuts every query string from those lines. Unexpected errors are logged with their
traceback but without the exception's message, which can quote what was typed into a form or
the values of a failed SQL statement.
"""

from __future__ import annotations

import logging
import re
import traceback

REQUEST_LOGGERS = ("werkzeug", "gunicorn.access")
# A path followed by a query string, up to the next space or quote: "GET /inbox?q=Smith HTTP/1.1".
_QUERY = re.compile(r"(/[^\s?\"']*)\?[^\s\"']*")


def strip_query_strings(text: str) -> str:
    return _QUERY.sub(r"\1", text)


class StripQueryStrings(logging.Filter):
    """Rewrites a request-log record's message with its query strings removed."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = strip_query_strings(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


def install() -> None:
    """Add the filter to the request loggers (once, however many apps are created)."""
    for name in REQUEST_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, StripQueryStrings) for f in logger.filters):
            logger.addFilter(StripQueryStrings())


def describe(err: BaseException) -> str:
    """The traceback of ``err`` (and of what caused it), naming each exception's type but not
    its message."""
    parts: list[str] = []
    current: BaseException | None = err
    while current is not None and len(parts) < 10:
        frames = "".join(traceback.format_tb(current.__traceback__))
        parts.append(
            f"Traceback (most recent call last):\n{frames}{type(current).__qualname__} (message withheld)"
        )
        current = current.__cause__ or current.__context__
    between = "\n\nDuring handling of the above exception, another exception occurred:\n\n"
    return between.join(reversed(parts))
