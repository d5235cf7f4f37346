"""Diagrams saved by other tools (issue 18, point 6): plain and manual tasks pass straight
through with a warning, elements that only describe data are ignored with one, and what would
really fail is refused naming the element."""

from __future__ import annotations

import pytest
from sqlalchemy import select

import processes
from casework import process_models, tasks
from db.models import Case, Task, User
from tests.conftest import T0
from tests.diagrams_other_tools import HERE, REFUSED, RUNNABLE, read


def test_every_file_is_listed():
    assert {p.name for p in HERE.glob("*.bpmn")} == set(RUNNABLE) | set(REFUSED)


@pytest.mark.parametrize("name", sorted(RUNNABLE))
def test_a_runnable_diagram_deploys_with_warnings_naming_elements(session, name):
    deployment = processes.deploy(session, read(name), filename=name)
    assert deployment.created
    assert {w.element_id for w in deployment.warnings} == RUNNABLE[name]
    assert all(w.message for w in deployment.warnings)


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_a_diagram_that_would_fail_is_refused_naming_the_element(session, name):
    with pytest.raises(processes.InvalidDiagram) as err:
        processes.deploy(session, read(name), filename=name)
    assert err.value.problems
    assert all(p.element_id for p in err.value.problems)
    assert REFUSED[name] in {p.element_id for p in err.value.problems}


def _user(session, username: str) -> User:
    return session.scalars(select(User).where(User.username == username)).one()


def _open_tasks(database, case_id: int) -> list[str]:
    with database.session() as session:
        return sorted(
            session.scalars(select(Task.element_id).where(Task.case_id == case_id, Task.status == "open"))
        )


@pytest.mark.parametrize(
    ("name", "key", "user_task"),
    [
        ("camunda_modeler_plain_and_manual.bpmn", "plain_and_manual", "Activity_user"),
        ("signavio_data_objects.bpmn", "signavio_letters", "sid-reply"),
        ("bizagi_lanes_data_store.bpmn", "bizagi_repairs", "Id_log"),
    ],
)
def test_plain_and_manual_tasks_pass_straight_through_to_the_user_task(database, name, key, user_task):
    """The case is saved after the start and reloaded: the plain and manual tasks (and the
    ignored data elements) are behind it, and the user task waits."""
    with database.session() as session:
        owner = _user(session, "owner")
        process_models.deploy(session, read(name), user=owner, filename=name)
        case_id = process_models.start_case(session, key, {}, user=owner, now=T0).case_id
    assert _open_tasks(database, case_id) == [user_task]


def test_a_case_through_plain_and_manual_tasks_finishes_after_a_reload(database):
    name = "camunda_modeler_plain_and_manual.bpmn"
    with database.session() as session:
        owner = _user(session, "owner")
        process_models.deploy(session, read(name), user=owner, filename=name)
        case_id = process_models.start_case(session, "plain_and_manual", {}, user=owner, now=T0).case_id
    with database.session() as session:
        task_id = session.scalars(
            select(Task.id).where(Task.case_id == case_id, Task.element_id == "Activity_user")
        ).one()
        tasks.complete(session, task_id, {}, user=_user(session, "officer"), now=T0)
        session.commit()
    assert _open_tasks(database, case_id) == []
    with database.session() as session:
        assert session.get_one(Case, case_id).status != "open"


def test_a_user_task_offered_to_nobody_is_warned_of(session):
    deployment = processes.deploy(session, read("signavio_data_objects.bpmn"))
    messages = [w.message for w in deployment.warnings if w.element_id == "sid-reply"]
    assert any("no candidate group and no assignee, so nobody may work it" in m for m in messages)
