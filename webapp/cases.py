"""The case page: the report, where the case stands, its open and completed tasks, its timeline."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, render_template, request

import processes
from casework import case_overview, casefile, incidents, matching, recently_viewed, tasks, vocabulary
from db.models import Task
from webapp import storage
from webapp.auth import current_row
from webapp.public import day

bp = Blueprint("cases", __name__)


@bp.route("/cases/<reference>")
def show(reference: str) -> str:
    try:
        file = casefile.case_file(storage.session(), reference)
    except casefile.CaseNotFound:
        abort(404)
    now = processes.clock.now()
    if request.method == "GET":  # a form shown again with its errors is not a visit (and must
        # not commit the refused edit's pending audit entry with the visit)
        recently_viewed.record_view(storage.session(), current_row(), file.case.id, now=now)
    return render_template(
        "cases/case.html",
        file=file,
        case=file.case,
        answers={t.id: _answers(t) for t in file.done_tasks},
        now=now,
        overview=case_overview.overview(storage.session(), file.case, now),
        matches=matching.on_the_page(
            storage.session(),
            file.case,
            current_row(),
            incidents=current_app.config["REPEAT_VICTIM_INCIDENTS"],
            days=current_app.config["REPEAT_VICTIM_DAYS"],
            now=now,
        ),
        incidents=incidents.of_case(storage.session(), file.case),
        vocabulary=vocabulary,
        channels=vocabulary.CHANNELS,
        roles=vocabulary.PARTY_ROLES,
        relations=vocabulary.RELATIONS,
        tenures=vocabulary.TENURES,
    )


def _answers(task: Task) -> list[tuple[str, str]]:
    """A completed task's answers as (question, answer), in the form's order and words."""
    submitted = task.submitted or {}
    try:
        form = tasks.task_with_form(storage.session(), task.id).fields
    except processes.ProcessError:
        form = ()
    shown = [(f.label, _answer_text(f, submitted[f.id])) for f in form if f.id in submitted]
    known = {f.id for f in form}
    shown += [(key, _plain(value)) for key, value in submitted.items() if key not in known]
    return shown


def _answer_text(field: processes.FormField, value: Any) -> str:
    if field.type == "boolean":
        return "Yes" if value else "No"
    if field.type == "enum":
        names = {o.id: o.name for o in field.options}
        chosen = value if isinstance(value, list) else [value]
        return ", ".join(names.get(str(v), str(v)) for v in chosen) or "None chosen"
    if field.type == "date" and value:
        return day(str(value))
    return _plain(value)


def _plain(value: Any) -> str:
    if value is None or value == "":
        return "Not given"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "None chosen"
    return str(value)
