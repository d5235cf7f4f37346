"""Working a task: claim, give back, complete. Each is one unit of work with its own commit;
on any error the session is rolled back and the case is as it was."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

import processes
from db.models import User

T = TypeVar("T")


def unit_of_work(session: Session, step: Callable[[], T]) -> T:
    """Run ``step`` and commit; roll back on any error. A race over the case row is a Conflict."""
    try:
        result = step()
        session.commit()
    except StaleDataError as err:
        session.rollback()
        raise processes.Conflict(
            "The case was changed by someone else at the same time; nothing was saved. "
            "Reload to see its current state."
        ) from err
    except OperationalError as err:
        session.rollback()
        if "locked" in str(err):
            raise processes.Conflict("The case is being changed by someone else; try again.") from err
        raise
    except BaseException:
        session.rollback()
        raise
    return result


def claim(session: Session, task_id: str, user: User, *, now: datetime) -> processes.TaskView:
    return unit_of_work(session, lambda: processes.claim(session, task_id, user, now=now))


def release(session: Session, task_id: str, user: User, *, now: datetime) -> processes.TaskView:
    return unit_of_work(session, lambda: processes.release(session, task_id, user, now=now))


def complete(
    session: Session,
    task_id: str,
    data: Any,
    user: User,
    *,
    now: datetime,
    expected_case_version: int | None = None,
) -> processes.StepResult:
    return unit_of_work(
        session,
        lambda: processes.complete(
            session, task_id, data, user=user, now=now, expected_case_version=expected_case_version
        ),
    )


def task_with_form(session: Session, task_id: str) -> processes.TaskView:
    return processes.task_view(processes.get_task(session, task_id), with_form=True)
