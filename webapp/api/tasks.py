"""The inbox over JSON: list, read, claim, release and complete tasks."""

from __future__ import annotations

from typing import Any

from flask import request
from flask_smorest import Blueprint, abort

import processes
from casework import inbox, tasks
from webapp import storage
from webapp.access import api_user
from webapp.schemas import (
    StepSchema,
    TaskDetailSchema,
    TaskListQuerySchema,
    TaskPageSchema,
    TaskSchema,
)

bp = Blueprint("tasks", __name__, url_prefix="/api", description="Tasks (the inbox)")
SECURITY: list[dict[str, list[str]]] = [{"bearer": []}]


def abort_for(err: processes.ProcessError) -> None:
    """Turn a facade error into the matching HTTP answer."""
    if isinstance(err, processes.TaskNotFound):
        abort(404, message=str(err))
    if isinstance(err, processes.NotAllowed):
        abort(403, message=str(err))
    if isinstance(err, processes.Conflict):
        abort(409, message=str(err))
    if isinstance(err, processes.FormInvalid):
        abort(422, message="Some answers need correcting.", errors=err.errors)
    abort(500, message=f"{err} The case is unchanged.")


@bp.route("/tasks", methods=["GET"])
@bp.doc(security=SECURITY)
@bp.arguments(TaskListQuerySchema, location="query")
@bp.response(200, TaskPageSchema)
def list_tasks(query: dict[str, Any]) -> dict[str, Any]:
    """My inbox: tasks assigned to me and unassigned tasks of my groups, soonest due first."""
    page = inbox.inbox(
        storage.session(),
        api_user(),
        scope=query["scope"],
        search=query["q"],
        sort=query["sort"],
        page=query["page"],
        per_page=query["per_page"],
    )
    return {
        "items": page.items,
        "total": page.total,
        "page": page.page,
        "pages": page.pages,
        "per_page": page.per_page,
        "more": page.more,
    }


@bp.route("/tasks/<task_id>", methods=["GET"])
@bp.doc(security=SECURITY)
@bp.response(200, TaskDetailSchema)
def get_task(task_id: str) -> Any:
    """A task with the form fields to fill in."""
    try:
        return tasks.task_with_form(storage.session(), task_id)
    except processes.ProcessError as err:
        abort_for(err)


@bp.route("/tasks/<task_id>/claim", methods=["POST"])
@bp.doc(security=SECURITY)
@bp.response(200, TaskSchema)
@bp.alt_response(409, description="Someone else holds the task, or it is closed")
def claim(task_id: str) -> Any:
    """Take the task, so others see it is being worked."""
    try:
        return tasks.claim(storage.session(), task_id, api_user(), now=processes.clock.now())
    except processes.ProcessError as err:
        abort_for(err)


@bp.route("/tasks/<task_id>/release", methods=["POST"])
@bp.doc(security=SECURITY)
@bp.response(200, TaskSchema)
def release(task_id: str) -> Any:
    """Give the task back to its groups."""
    try:
        return tasks.release(storage.session(), task_id, api_user(), now=processes.clock.now())
    except processes.ProcessError as err:
        abort_for(err)


@bp.route("/tasks/<task_id>/complete", methods=["POST"])
@bp.doc(
    security=SECURITY,
    requestBody={
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "additionalProperties": True,
                    "description": "The form's answers, keyed by field id (see GET /api/tasks/{id}).",
                }
            }
        },
    },
)
@bp.response(200, StepSchema)
@bp.alt_response(409, description="The task is no longer open, or the case changed")
@bp.alt_response(422, description="Field errors: {errors: {field: message}}")
def complete(task_id: str) -> Any:
    """Submit the task's form. Returns the case's next tasks."""
    data = request.get_json(silent=True)
    if data is None:
        abort(400, message="Send the form answers as a JSON object with Content-Type: application/json.")
    if not isinstance(data, dict):
        abort(
            422,
            message="The form answers must be a JSON object.",
            errors={"_form": "Expected an object keyed by field id."},
        )
    try:
        return tasks.complete(storage.session(), task_id, data, api_user(), now=processes.clock.now())
    except processes.ProcessError as err:
        abort_for(err)
