"""The "new case" page: staff open a case of a process whose diagram names one of their groups
as its starters (``camunda:candidateStarterGroups``); the case belongs to the starter's team."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

import processes
from casework import process_models
from webapp import storage
from webapp.auth import current_row

bp = Blueprint("new_cases", __name__)
Page = str | Response | tuple[str, int]
OWN_FIELDS = ("description", "location")


@bp.route("/cases/new")
def index() -> str:
    return render_template(
        "new_cases/index.html", startable=process_models.startable(storage.session(), current_row())
    )


def _find(key: str) -> process_models.Startable:
    for item in process_models.startable(storage.session(), current_row()):
        if item.key == key:
            return item
    abort(404)


def _render(
    item: process_models.Startable, values: dict[str, Any], errors: dict[str, str], status: int = 200
) -> tuple[str, int]:
    return render_template("new_cases/form.html", item=item, values=values, errors=errors), status


@bp.route("/cases/new/<key>")
def form(key: str) -> Page:
    item = _find(key)
    values: dict[str, Any] = {f.id: ([] if f.multiple else (f.default or "")) for f in item.fields}
    return _render(item, values, {})


@bp.route("/cases/new/<key>", methods=["POST"])
def start(key: str) -> Page:
    item = _find(key)
    multiple = {f.id for f in item.fields if f.multiple}
    data: dict[str, Any] = {
        k: request.form.getlist(k) if k in multiple else request.form.get(k)
        for k in request.form
        if k != "csrf_token"
    }
    values = {
        k: data.get(k, [] if k in multiple else "") for k in (*OWN_FIELDS, *(f.id for f in item.fields))
    }
    errors: dict[str, str] = {}
    if not (data.get("description") or "").strip():
        errors["description"] = "Say what the case is about."
    errors.update(process_models.start_answers(item.fields, data)[1])
    if errors:
        return _render(item, values, errors, 422)
    try:
        result = process_models.start_case(
            storage.session(), key, data, user=current_row(), now=processes.clock.now()
        )
    except processes.FormInvalid as err:
        return _render(item, values, err.errors, 422)
    except processes.NotAllowed:
        abort(403)
    except processes.EngineFailure as err:
        return _render(item, values, {"_form": f"The case could not start: {err} Nothing was saved."}, 422)
    flash(f"Case {result.case_reference} opened.", "success")
    return redirect(url_for("cases.show", reference=result.case_reference), 303)
