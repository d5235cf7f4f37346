"""The public pages' language: chosen by the switch (``?lang=``, remembered in a cookie), else the
language a reporter wrote in when the page is theirs (the closure survey: ``speak``), else
offered from the browser's Accept-Language, else English. Staff pages stay in English. Dates and
times on these pages are written in the page's language, in UK time (``reporter_when``)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from flask import Flask, g, request
from flask_babel import Babel, format_date, format_datetime, get_locale, gettext, refresh
from werkzeug.wrappers import Response

import translations as languages

COOKIE = "language"
PUBLIC = ("public", "tracking", "survey")
UK_TIME = "Europe/London"
WHEN, DAY = "d MMMM y, HH:mm", "d MMMM y"
YEAR = 365 * 24 * 3600


def chosen() -> str:
    """The language of this request's page (a code from ``languages.LANGUAGES``)."""
    if request.blueprint not in PUBLIC:
        return languages.DEFAULT
    asked = request.args.get("lang")
    if asked in languages.LANGUAGES:
        g.language_chosen = asked
        return asked
    remembered = request.cookies.get(COOKIE)
    if remembered in languages.LANGUAGES:
        return remembered
    theirs = g.get("reporter_language")
    if theirs in languages.LANGUAGES:
        return str(theirs)
    offered = request.accept_languages.best_match(list(languages.LANGUAGES))
    return languages.known(offered)


def speak(language: str | None) -> None:
    """This page belongs to a reporter who wrote in ``language``: show it in that language unless
    the switch chose another."""
    g.reporter_language = languages.known(language)
    refresh()


def reporter_when(value: datetime | None) -> str:
    """An instant in UK time, written in the page's language: ``3 grudnia 2026, 17:50``."""
    return "" if value is None else str(format_datetime(value, WHEN))


def reporter_day(value: date | datetime | None) -> str:
    """A day in the page's language: ``3 grudnia 2026``."""
    if isinstance(value, datetime):
        return str(format_datetime(value, DAY))
    return "" if value is None else str(format_date(value, DAY))


def current() -> str:
    return str(get_locale() or languages.DEFAULT)


def _choose() -> None:
    """Settle the language before the view runs, so a switch is remembered on a redirect too."""
    if request.blueprint in PUBLIC:
        get_locale()


def _remember(response: Response) -> Response:
    language = g.pop("language_chosen", None)
    if request.blueprint in PUBLIC:
        response.vary.add("Accept-Language")
        response.vary.add("Cookie")
    if language:
        response.set_cookie(COOKIE, language, max_age=YEAR, samesite="Lax", httponly=True)
    return response


def _page_language() -> dict[str, Any]:
    language = current()
    return {
        "page_language": language,
        "page_direction": languages.direction(language),
        "page_languages": languages.LANGUAGES,
    }


def translated(options: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """Choices' (value, label) pairs with the labels in the page's language."""
    return [(value, gettext(label)) for value, label in options]


def init_app(app: Flask) -> None:
    languages.compile_catalogues()
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(languages.DIRECTORY))
    app.config.setdefault("BABEL_DEFAULT_LOCALE", languages.DEFAULT)
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", UK_TIME)
    Babel(app, locale_selector=chosen)
    app.before_request(_choose)
    app.after_request(_remember)
    app.context_processor(_page_language)
    app.add_template_filter(translated)
    app.add_template_filter(reporter_when)
    app.add_template_filter(reporter_day)
