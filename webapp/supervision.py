"""Supervisors' forms: on the case page, give a task to another officer, escalate the case, record a
quality review; on a page of its own, give every open task of one officer to another.

A form with something to correct shows the case page again with the messages next to the fields
and what was typed kept (status 422); a conflict reloads the page with the reason.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

import processes
from casework import supervision
from casework.casefile import CaseNotFound
from webapp import cases, storage
from webapp.auth import current_row

bp = Blueprint("supervision", __name__)
Page = str | Response | tuple[str, int]


@bp.app_template_global("may_supervise")
def _may_supervise() -> bool:
    return bool(current_user.is_authenticated and current_user.role in supervision.ROLES)


@bp.app_template_global("case_reviews")
def _case_reviews(reference: str) -> list[supervision.Review]:
    return supervision.case_reviews(storage.session(), reference)


@bp.app_template_global("reassign_choices")
def _reassign_choices(task: processes.TaskView) -> list[tuple[str, str]]:
    """Whom the task may go to: active members of its groups, except its holder."""
    people = supervision.eligible_officers(storage.session(), task.candidate_groups)
    return [(username, name) for username, name in people if username != task.assignee]


@bp.app_template_global("supervision_form")
def _supervision_form() -> dict[str, Any]:
    """The supervisors' form being shown again with errors, if any: its name, errors and values."""
    return g.get("supervision_form") or {"form": None, "errors": {}, "values": {}, "task_id": None}


def _case_page_again(reference: str, form: str, err: supervision.Invalid, **extra: Any) -> Page:
    g.supervision_form = {"form": form, "errors": err.errors, "values": request.form.to_dict(), **extra}
    return cases.show(reference), 422


def _to_case(reference: str, anchor: str) -> Response:
    return redirect(url_for("cases.show", reference=reference, _anchor=anchor), 303)


def _refused(err: Exception) -> Page:
    if isinstance(err, supervision.NotPermitted):
        return render_template("errors/error.html", code=403, message=str(err)), 403
    abort(404)


@bp.route("/cases/<reference>/tasks/<task_id>/reassign", methods=["POST"])
def reassign_task(reference: str, task_id: str) -> Page:
    try:
        view = supervision.reassign_task(
            storage.session(),
            task_id,
            request.form.get("to", ""),
            user=current_row(),
            now=processes.clock.now(),
            expected_case_version=request.form.get("case_version", type=int),
        )
    except supervision.Invalid as err:
        return _case_page_again(reference, "reassign", err, task_id=task_id)
    except processes.Conflict as err:
        flash(str(err), "error")
        return _to_case(reference, "open-tasks")
    except (supervision.NotPermitted, processes.TaskNotFound, CaseNotFound) as err:
        return _refused(err)
    taker = supervision.find_officer(storage.session(), view.assignee or "")
    flash(f"The task “{view.title}” is now with {taker.display_name}.", "success")
    return _to_case(view.case_reference, "open-tasks")


@bp.route("/cases/<reference>/escalate", methods=["POST"])
def escalate(reference: str) -> Page:
    try:
        supervision.escalate(
            storage.session(),
            reference,
            request.form.get("reason"),
            user=current_row(),
            now=processes.clock.now(),
        )
    except supervision.Invalid as err:
        return _case_page_again(reference, "escalate", err)
    except processes.Conflict as err:
        flash(str(err), "error")
        return _to_case(reference, "timeline")
    except (supervision.NotPermitted, CaseNotFound) as err:
        return _refused(err)
    flash("The case is escalated: the supervisors have been notified.", "success")
    return _to_case(reference, "timeline")


@bp.route("/cases/<reference>/reviews", methods=["POST"])
def review(reference: str) -> Page:
    try:
        supervision.review_case(
            storage.session(),
            reference,
            request.form.get("score", type=int),
            request.form.get("comments"),
            user=current_row(),
            now=processes.clock.now(),
        )
    except supervision.Invalid as err:
        return _case_page_again(reference, "review", err)
    except (supervision.NotPermitted, CaseNotFound) as err:
        return _refused(err)
    flash("Your quality review is recorded.", "success")
    return _to_case(reference, "reviews")


@bp.route("/supervision/reassign", methods=["GET"])
def reassign_all_form() -> Page:
    values = {"from": request.args.get("from", ""), "to": request.args.get("to", "")}
    return _reassign_all_page(values, {})


@bp.route("/supervision/reassign", methods=["POST"])
def reassign_all() -> Page:
    values = {"from": request.form.get("from", ""), "to": request.form.get("to", "")}
    try:
        result = supervision.reassign_all(
            storage.session(), values["from"], values["to"], user=current_row(), now=processes.clock.now()
        )
    except supervision.Invalid as err:
        return _reassign_all_page(values, err.errors, 422)
    except supervision.NotPermitted as err:
        return _refused(err)
    total = result.count + len(result.skipped)
    tasks = "task" if total == 1 else "tasks"
    flash(
        f"Reassigned {result.count} of {total} open {tasks} from {result.from_name} to {result.to_name}.",
        "success" if result.count or not total else "error",
    )
    for item in result.skipped:
        where = f" on case {item.case_reference}" if item.case_reference else ""
        flash(f"“{item.title}”{where} stayed where it was: {item.reason}", "error")
    return redirect(url_for("supervision.reassign_all_form"), 303)


def _reassign_all_page(values: dict[str, str], errors: dict[str, str], status: int = 200) -> Page:
    session = storage.session()
    return render_template(
        "supervision/reassign.html",
        holders=supervision.task_holders(session),
        officers=supervision.active_officers(session),
        values=values,
        errors=errors,
    ), status
