"""The officer's inbox and working a task: list, claim, give back, fill in the task's form."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

import processes
from casework import casefile, matching, tasks
from casework import inbox as inbox_service
from casework.vocabulary import STRANDS
from webapp import storage
from webapp.auth import current_row

bp = Blueprint("inbox", __name__)
PER_PAGE = 25
NOT_ANSWERS = ("csrf_token", "case_version")
Page = str | Response | tuple[str, int]


@bp.route("/")
def index() -> str:
    args = _inbox_args()
    page = inbox_service.inbox(
        storage.session(),
        current_row(),
        scope=args["scope"],
        search=args["q"],
        sort=args["sort"],
        page=args["page"],
        per_page=PER_PAGE,
    )
    now = processes.clock.now()
    repeat_victims = matching.repeat_victim_references(
        storage.session(),
        (task.case_reference for task in page.items),
        incidents=current_app.config["REPEAT_VICTIM_INCIDENTS"],
        days=current_app.config["REPEAT_VICTIM_DAYS"],
        now=now,
    )
    return render_template(
        "inbox/index.html", page=page, args=args, now=now, me=current_row(), repeat_victims=repeat_victims
    )


def _inbox_args() -> dict[str, Any]:
    scope = request.args.get("scope", "all")
    sort = request.args.get("sort", "due")
    page = request.args.get("page", default=1, type=int) or 1
    return {
        "scope": scope if scope in inbox_service.SCOPES else "all",
        "sort": sort if sort in inbox_service.SORTS else "due",
        "q": request.args.get("q", "").strip()[:200],
        "page": min(max(page, 1), 100_000),
    }


@bp.route("/tasks/<task_id>", methods=["GET"])
def task(task_id: str) -> Page:
    view = _task_or_404(task_id)
    return _render_task(view, _initial_values(view.fields), {})


@bp.route("/tasks/<task_id>", methods=["POST"])
def complete(task_id: str) -> Page:
    view = _task_or_404(task_id)
    try:
        result = tasks.complete(
            storage.session(),
            task_id,
            _answers(view.fields),
            current_row(),
            now=processes.clock.now(),
            expected_case_version=request.form.get("case_version", type=int),
        )
    except processes.FormInvalid as err:
        return _render_task(view, _submitted_values(view.fields), _in_order(err.errors, view.fields), 422)
    except processes.Conflict as err:
        return _conflict(view, str(err))
    except processes.NotAllowed as err:
        return render_template("errors/error.html", code=403, message=str(err)), 403
    except processes.TaskNotFound:
        abort(404)
    except processes.EngineFailure as err:
        problem = f"{err} Nothing was saved: the case is as it was."
        return _render_task(view, _submitted_values(view.fields), {}, 500, problem)
    flash(f"Task completed: {view.title}.", "success")
    return redirect(url_for("cases.show", reference=result.case_reference), 303)


@bp.route("/tasks/<task_id>/claim", methods=["POST"])
def claim(task_id: str) -> Page:
    return _act(tasks.claim, task_id, "You have taken the task “{title}” for {case}.")


@bp.route("/tasks/<task_id>/release", methods=["POST"])
def release(task_id: str) -> Page:
    return _act(tasks.release, task_id, "You gave back the task “{title}” for {case}; its team can take it.")


def _act(action: Callable[..., processes.TaskView], task_id: str, message: str) -> Page:
    try:
        view = action(storage.session(), task_id, current_row(), now=processes.clock.now())
    except processes.TaskNotFound:
        abort(404)
    except processes.NotAllowed as err:
        return render_template("errors/error.html", code=403, message=str(err)), 403
    except processes.Conflict as err:
        flash(str(err), "error")
    else:
        flash(message.format(title=view.title, case=view.case_reference), "success")
    return redirect(_back(), 303)


def _back() -> str:
    """Where to go after claiming or giving back: ``next`` if it is a path on this site."""
    target = request.form.get("next") or request.args.get("next") or ""
    parts = urlsplit(target)
    # Browsers read "/\\host" as "//host", another site; so backslashes are refused too.
    if target.startswith("/") and "\\" not in target and not target.startswith("//") and not parts.netloc:
        return target
    return url_for("inbox.index")


def _task_or_404(task_id: str) -> processes.TaskView:
    try:
        return tasks.task_with_form(storage.session(), task_id)
    except processes.TaskNotFound:
        abort(404)


def _render_task(
    view: processes.TaskView,
    values: dict[str, Any],
    errors: dict[str, str],
    status: int = 200,
    problem: str | None = None,
) -> tuple[str, int]:
    case = casefile.find_case(storage.session(), view.case_reference)
    user = current_row()
    mine = view.assignee == user.username
    offered = view.assignee is None and bool(set(view.candidate_groups) & set(user.group_names))
    return render_template(
        "tasks/task.html",
        task=view,
        case=case,
        values=values,
        errors=errors,
        problem=problem,
        hints={f.id: _hint(f) for f in view.fields},
        labels={f.id: f.label for f in view.fields},
        mine=mine,
        can_work=view.status == "open" and (mine or offered),
        now=processes.clock.now(),
        strands=STRANDS,
    ), status


def _conflict(view: processes.TaskView, message: str) -> tuple[str, int]:
    links = [
        ("Go back to your inbox", url_for("inbox.index")),
        (f"See case {view.case_reference}", url_for("cases.show", reference=view.case_reference)),
    ]
    return render_template(
        "errors/error.html", code=409, message=f"{message} Your answers were not saved.", links=links
    ), 409


def _initial_values(fields: Iterable[processes.FormField]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for f in fields:
        if f.multiple:
            values[f.id] = [v.strip() for v in (f.default or "").split(",") if v.strip()]
        else:
            values[f.id] = f.default or ""
    return values


def _submitted_values(fields: Iterable[processes.FormField]) -> dict[str, Any]:
    """What the officer sent, to show again: lists for multi-choice fields, text otherwise."""
    return {f.id: request.form.getlist(f.id) if f.multiple else request.form.get(f.id, "") for f in fields}


def _answers(fields: Iterable[processes.FormField]) -> dict[str, Any]:
    """The form as the validator takes it; an unticked box sends nothing, which reads as false."""
    multiple = {f.id for f in fields if f.multiple}
    return {
        key: request.form.getlist(key) if key in multiple else request.form.get(key)
        for key in request.form
        if key not in NOT_ANSWERS
    }


def _in_order(errors: dict[str, str], fields: Iterable[processes.FormField]) -> dict[str, str]:
    ids = [f.id for f in fields]
    ordered = {i: errors[i] for i in ids if i in errors}
    ordered.update({k: v for k, v in errors.items() if k not in ordered})
    return ordered


def _hint(f: processes.FormField) -> str | None:
    parts = []
    if f.type == "string":
        parts.append(_length_hint(f.min_length, f.max_length))
    elif f.type == "long":
        parts.append(_number_hint(f.minimum, f.maximum))
    elif f.type == "enum" and f.multiple:
        parts.append("Select all that apply.")
    if f.help:
        parts.append(f.help)
    return " ".join(p for p in parts if p) or None


def _length_hint(low: int | None, high: int | None) -> str:
    if low is not None and high is not None:
        return f"Between {low} and {high} characters."
    if low is not None:
        return f"At least {low} characters."
    return f"Up to {high} characters." if high is not None else ""


def _number_hint(low: int | None, high: int | None) -> str:
    if low is not None and high is not None:
        return f"A whole number from {low} to {high}."
    if low is not None:
        return f"A whole number, at least {low}."
    return f"A whole number, no more than {high}." if high is not None else "A whole number."
