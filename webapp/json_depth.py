"""Deeply nested JSON is refused (400) before any view, schema or check reads the body.

Python's parser recurses once per level, so a body nested a few thousand levels deep raises
RecursionError (not the ValueError that means "not JSON"), which every reader of the body would
turn into a 500. One hook, the first to run, parses a JSON body once and refuses it if it is
nested deeper than any request of this app needs; the views' own parsing then never sees it.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Flask, request
from flask_smorest import abort

MAX_DEPTH = 32
MESSAGE = f"The JSON body is nested too deeply: at most {MAX_DEPTH} levels of lists and objects are accepted."


def _deeper_than(value: Any, limit: int) -> bool:
    """Whether ``value`` nests lists and objects more than ``limit`` levels deep (no recursion)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


def refuse_deep_json() -> None:
    """The before-request hook."""
    if not request.is_json:
        return
    body = request.get_data(cache=True)
    if not body:
        return
    try:
        parsed = json.loads(body)
    except RecursionError:
        abort(400, message=MESSAGE)
    except ValueError:
        return  # not JSON at all: the view's parser says so, as before
    if _deeper_than(parsed, MAX_DEPTH):
        abort(400, message=MESSAGE)


def init_app(app: Flask) -> None:
    app.before_request(refuse_deep_json)
