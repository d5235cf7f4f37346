"""Plain words on the staff pages: a person's name where a username is stored, and the words of a
diagram's choice codes ("cctv, target_hardening" -> "CCTV, Target hardening")."""

from __future__ import annotations

import re

from flask import Blueprint, g

from casework import people
from webapp import storage

bp = Blueprint("plain_words", __name__)
CODE = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b")


def _names() -> dict[str, str]:
    if "display_names" not in g:
        g.display_names = people.display_names(storage.session())
    names: dict[str, str] = g.display_names
    return names


@bp.app_template_filter("person")
def person(username: str | None) -> str:
    """The name of the person with ``username`` (the username itself for no such person)."""
    if not username:
        return ""
    return _names().get(username, username)


@bp.app_template_filter("in_words")
def in_words(text: str | None, words: dict[str, str]) -> str:
    """``text`` with each snake_case code that ``words`` knows replaced by its words."""
    if not text:
        return ""
    return CODE.sub(lambda found: words.get(found.group(0), found.group(0)), text)
