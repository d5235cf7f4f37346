"""Refuse text that no database column can hold, before anything reads it.

PostgreSQL text cannot contain NUL (U+0000), and a lone UTF-16 surrogate (JSON allows
``"\\ud800"``) cannot be encoded as UTF-8 for either database: both used to reach the driver and
fail there as a 500 (found by schemathesis, tests/webapp/test_openapi_fuzz.py). This hook runs
first, before the access checks that look a case up by its reference:

- in the path (a case reference, a task id): 404, since nothing can be called that;
- in a query parameter, a form field, an uploaded file's name or a JSON body: 422 naming the
  field, like any other invalid value.
"""

from __future__ import annotations

import re
from typing import Any

from flask import request
from flask_smorest import abort

MESSAGE = "Contains a character that cannot be stored (a NUL or an unpaired surrogate)."
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def unstorable(value: str) -> bool:
    return _UNSTORABLE.search(value) is not None


def _first_bad(value: Any, where: str) -> str | None:
    """The name of the first field (dotted, with list indexes) holding unstorable text."""
    if isinstance(value, str):
        return (where or "_body") if unstorable(value) else None
    if isinstance(value, dict):
        for key, item in value.items():
            name = f"{where}.{key}" if where else str(key)
            if unstorable(str(key)):
                return name
            found = _first_bad(item, name)
            if found:
                return found
    if isinstance(value, list):
        for index, item in enumerate(value):
            found = _first_bad(item, f"{where}.{index}" if where else str(index))
            if found:
                return found
    return None


def refuse_unstorable_text() -> None:
    """The before-request hook."""
    if any(isinstance(v, str) and unstorable(v) for v in (request.view_args or {}).values()):
        abort(404)
    fields: list[tuple[str, str]] = [*request.args.items(multi=True)]
    if request.method in ("POST", "PUT", "PATCH", "DELETE"):
        fields += request.form.items(multi=True)
        fields += [(name, upload.filename or "") for name, upload in request.files.items(multi=True)]
    for name, value in fields:
        if unstorable(name) or unstorable(value):
            abort(422, errors={name: MESSAGE})
    if request.is_json and request.content_length != 0:
        found = _first_bad(request.get_json(silent=True), "")
        if found:
            abort(422, errors={found: MESSAGE})
