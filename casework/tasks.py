"""Working a task: claim, give back, complete. Each is one case step: on any error nothing is
saved and the case is as it was."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

import processes
from casework import steps
from db.models import User


def claim(session: Session, task_id: str, user: User, *, now: datetime) -> processes.TaskView:
    case = processes.get_task(session, task_id).case
    with steps.case_step(session, now=now, user=user, case=case) as step:
        return processes.claim(step, task_id, user, now=now)


def release(session: Session, task_id: str, user: User, *, now: datetime) -> processes.TaskView:
    case = processes.get_task(session, task_id).case
    with steps.case_step(session, now=now, user=user, case=case) as step:
        return processes.release(step, task_id, user, now=now)


def complete(
    session: Session,
    task_id: str,
    data: Any,
    user: User,
    *,
    now: datetime,
    expected_case_version: int | None = None,
) -> processes.StepResult:
    case = processes.get_task(session, task_id).case
    with steps.case_step(session, now=now, user=user, case=case) as step:
        return processes.complete(
            step, task_id, data, user=user, now=now, expected_case_version=expected_case_version
        )


def task_with_form(session: Session, task_id: str) -> processes.TaskView:
    return processes.task_view(processes.get_task(session, task_id), with_form=True)
