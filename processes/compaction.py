"""Compacting a case's saved workflow: the tasks the process has finished with are left out.

SpiffWorkflow keeps every task a case has run in its tree, with each task's data stored as the
change from its parent's. Most of those tasks are never read again, so the saved state leaves
out, each time it is written:

- a finished subtree (completed or cancelled, with no task still to come below it), such as a
  boundary timer cancelled when its task was done or a branch an event-based gateway did not
  take, with any subprocess run by a task in it;
- a finished task in a line of finished tasks (it has one child kept), the child hanging from
  the task above it instead, with its data stored as the change from that task's, so every task
  kept has exactly the data it had;
- the subprocesses of finished subprocess tasks;
- the change from its parent's data of a task planned but not reached, whose data is empty:
  stored as empty, not as the deletion of each key above it.

What the engine reads later is kept: the tasks not finished (waiting, ready, planned) and their
ancestors, with the tasks of the last turn of a loop a task waits in (back to where its element
last ran: a case stopped for looping on its own names them); the joins of every kind and their
parents (a join merges its earlier instances' parents' data and finds its split among its
ancestors); splits, subprocess tasks, loops and boundary events; the root and the last task
completed (whose data a finished subprocess hands on). A closed case keeps only those: its root,
its last task, its joins and splits.

The BPMN elements of the tasks left out are listed (``passed``) so that moving the case to a new
version still refuses one that lacks a step the case has passed. A state saved before compaction
loads as it always did and is compacted the next time it is saved.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from uuid import UUID


@dataclass(frozen=True)
class Rules:
    """What compaction asks of the engine's tasks (``processes.engine`` knows SpiffWorkflow)."""

    finished: Callable[[Any], bool]  # completed or cancelled
    planned: Callable[[Any], bool]  # predicted, not yet reached for certain
    in_place: Callable[[Any], bool]  # found again by its place in the tree: never closed up
    join: Callable[[Any], bool]  # a join, which reads its parent's data and place
    change: Callable[[dict[str, Any], dict[str, Any]], dict[str, Any]]  # a task's saved data change


def passed_elements(workflow: Any) -> list[str]:
    """The BPMN elements of the tasks compaction has left out of ``workflow`` (as loaded)."""
    return list(getattr(workflow, "passed_elements", ()))


def passed_but_missing(workflow: Any, spec: Any, subprocess_specs: dict[str, Any]) -> list[Any]:
    """The task specs of ``workflow`` whose tasks it has passed and compaction left out, which a
    new version (``spec`` with ``subprocess_specs``) does not have."""
    known = set(spec.task_specs).union(*(sub.task_specs for sub in subprocess_specs.values()))
    old = [workflow.spec, *workflow.subprocess_specs.values()]
    found = []
    for name in passed_elements(workflow):
        if name not in known:
            found += [o.task_specs[name] for o in old if name in o.task_specs][:1]
    return found


def compact(dct: dict[str, Any], workflow: Any, rules: Rules) -> None:
    """Leave out of ``dct``, the saved form of ``workflow``, the tasks it has finished with."""
    passed = set(passed_elements(workflow))
    kept = _compact_tasks(dct, workflow, passed, rules)
    for key in list(dct["subprocesses"]):
        subprocess = workflow.subprocesses.get(UUID(key))
        owner = _owner(workflow, UUID(key)) if subprocess is not None else None
        if subprocess is None or owner is None or owner.id not in kept or rules.finished(owner):
            passed.update(_elements(subprocess.tasks.values()) if subprocess is not None else ())
            del dct["subprocesses"][key]
            continue
        kept |= _compact_tasks(dct["subprocesses"][key], subprocess, passed, rules)
    dct["passed"] = sorted(passed)


def _owner(workflow: Any, task_id: UUID) -> Any | None:
    """The task that runs the subprocess ``task_id``, in the workflow or one of its subprocesses."""
    for tasks in [workflow.tasks, *(sub.tasks for sub in workflow.subprocesses.values())]:
        if task_id in tasks:
            return tasks[task_id]
    return None


def _elements(tasks: Any) -> set[str]:
    return {task.task_spec.name for task in tasks if getattr(task.task_spec, "bpmn_id", None)}


def _compact_tasks(dct: dict[str, Any], workflow: Any, passed: set[str], rules: Rules) -> set[UUID]:
    """Compact one workflow's (or subprocess's) tasks in ``dct``; the ids of those kept."""
    tasks: dict[UUID, Any] = workflow.tasks
    kept, pinned = _needed(workflow, rules)
    lined = {task_id for task_id in kept - pinned if len(_kept_children(tasks[task_id], kept)) == 1}
    passed.update(_elements(tasks[task_id] for task_id in (set(tasks) - kept) | lined))
    saved = dct["tasks"]
    for key in [key for key in saved if UUID(key) not in kept or UUID(key) in lined]:
        del saved[key]
    for key, entry in saved.items():
        _rewrite(entry, tasks[UUID(key)], kept, lined, rules)
    return kept - lined


def _needed(workflow: Any, rules: Rules) -> tuple[set[UUID], set[UUID]]:
    """The tasks to keep (those the engine may read again and their ancestors), and of those
    the ones to keep in place (``pinned``), never closed up in a line."""
    kept: set[UUID] = set()
    pinned: set[UUID] = set()

    def keep(task: Any) -> None:
        pinned.add(task.id)
        while task is not None and task.id not in kept:
            kept.add(task.id)
            task = task.parent

    for task in [workflow.task_tree, workflow.last_task]:
        if task is not None and task.id in workflow.tasks:
            keep(task)
    for task in workflow.tasks.values():
        if not rules.finished(task) or rules.in_place(task):
            keep(task)
            if rules.join(task) and task.parent is not None:
                pinned.add(task.parent.id)
        if not rules.finished(task) and not rules.planned(task):
            pinned.update(_last_turn(task))
    return kept, pinned


def _last_turn(task: Any) -> list[UUID]:
    """The tasks since the same element last ran, when ``task`` is going round a loop: a case
    stopped for looping on its own names the steps of the turn (``processes.loops``)."""
    turn = []
    earlier = task.parent
    while earlier is not None:
        turn.append(earlier.id)
        if earlier.task_spec is task.task_spec:
            return turn
        earlier = earlier.parent
    return []


def _kept_children(task: Any, kept: set[UUID]) -> list[Any]:
    return [child for child in task.children if child.id in kept]


def _rewrite(entry: dict[str, Any], task: Any, kept: set[UUID], lined: set[UUID], rules: Rules) -> None:
    """Point a kept task's saved entry past the tasks closed up above and below it."""

    def below(child: Any) -> Any:
        while child.id in lined:
            child = _kept_children(child, kept)[0]
        return child

    entry["children"] = [str(below(child).id) for child in _kept_children(task, kept)]
    parent = task.parent
    while parent is not None and parent.id in lined:
        parent = parent.parent
    if parent is None:
        return
    if parent is not task.parent:
        entry["parent"] = str(parent.id)
        entry["delta"] = rules.change(parent.data, task.data)
    if not task.data:
        # A task planned but not reached holds no data yet: stored as such (an empty change
        # loads the task's own, empty, data), not as the deletion of each key above it.
        entry["data"], entry["delta"] = {}, {}
