"""What the monitoring indicators read from a diagram, as the diagram declares it.

A user task says which indicator it feeds with the task property ``indicator`` (the properties
panel's "Extension properties"): ``first_response`` (the 24-hour measure) or ``closure`` (the
outcome lists and TP12). Each form field the indicator reads says which answer it is with the
field property ``indicator`` (``contact_made``, ``outcome``, ...). Renaming a task or a field in
the modeller keeps the indicators counting, as long as the properties stay; the deploy check
warns when the main process lacks one.

A version deployed before these properties existed declares none: its tasks are read under the
ids the indicators used then (``LEGACY``), so old cases keep counting.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import ProcessVersion
from processes.errors import Problem

PROPERTY = "indicator"
# indicator -> the answers it reads (field indicators)
REQUIRED: dict[str, tuple[str, ...]] = {
    "first_response": ("contact_made", "anonymous_no_contact"),
    "closure": ("outcome", "victim_satisfaction", "legal_actions", "non_legal_actions"),
}
LABELS = {"first_response": "the first response within 24 hours", "closure": "the closure outcomes and TP12"}
# The ids the indicators were tied to before diagrams declared them.
LEGACY = {"first_response": "first_response", "closure": "close_case"}
# A version's bindings, by its content hash (as processes.specs keeps its specs).
_by_checksum: dict[str, dict[str, list[Binding]]] = {}
# The processes whose cases the indicators count: they must declare every indicator.
_main: set[str] = set()


def use_main_process(key: str) -> None:
    """Tell the deploy check that the indicators count the cases of process ``key``."""
    _main.add(key)


def main_processes() -> set[str]:
    return set(_main)


@dataclass(frozen=True)
class Binding:
    """One task feeding an indicator: its element id, and answer name -> its field id."""

    element_id: str
    fields: dict[str, str] = field(default_factory=dict)

    def answers(self, submitted: dict[str, Any] | None) -> dict[str, Any]:
        """The task's submitted answers under the indicator's own names."""
        submitted = submitted or {}
        return {name: submitted[fid] for name, fid in self.fields.items() if fid in submitted}


def declared(tasks: Iterable[tuple[str, dict[str, Any], list[dict[str, Any]]]]) -> dict[str, list[Binding]]:
    """Indicator -> its bindings, from ``(element id, task properties, form fields)`` triples."""
    found: dict[str, list[Binding]] = {}
    for element_id, properties, form in tasks:
        indicator = (properties or {}).get(PROPERTY)
        if not indicator:
            continue
        fields = {
            str(f["extra"][PROPERTY]): str(f["id"]) for f in form if (f.get("extra") or {}).get(PROPERTY)
        }
        found.setdefault(str(indicator), []).append(Binding(element_id, fields))
    return found


def tasks_of(
    spec: Any, subprocess_specs: Mapping[str, Any]
) -> list[tuple[str, dict[str, Any], list[dict[str, Any]]]]:
    """``(element id, task properties, form fields)`` of every user task of a parsed diagram."""
    found = []
    for process in (spec, *subprocess_specs.values()):
        for task_spec in process.task_specs.values():
            ext = getattr(task_spec, "extensions", None) or {}
            if "form" in ext:
                found.append((task_spec.bpmn_id, dict(ext.get("camundaProperties") or {}), list(ext["form"])))
    return found


def legacy() -> dict[str, list[Binding]]:
    return {
        name: [Binding(LEGACY[name], {answer: answer for answer in answers})]
        for name, answers in REQUIRED.items()
    }


def of_version(version: ProcessVersion) -> dict[str, list[Binding]]:
    """The version's bindings (the legacy ids when it declares none)."""
    from processes import specs  # specs -> diagram -> validation imports this module

    found = _by_checksum.get(version.checksum)
    if found is None:
        found = declared(specs.user_tasks(version)) or legacy()
        _by_checksum[version.checksum] = found
    return found


def every_binding(session: Session, indicator: str) -> dict[str, Binding]:
    """Element id -> binding, for ``indicator`` across every deployed version: a case moved to a
    version where the task was renamed keeps the tasks it completed under the old id."""
    found: dict[str, Binding] = {}
    for version in session.scalars(select(ProcessVersion).order_by(ProcessVersion.id)):
        for binding in of_version(version).get(indicator, []):
            found[binding.element_id] = binding
    return found


def missing(main: bool, tasks: dict[str, list[Binding]]) -> list[str]:
    """What a diagram's bindings lack, in plain words (only a main process must declare them)."""
    problems = []
    for name, answers in REQUIRED.items():
        bound = tasks.get(name, [])
        if not bound:
            if main:
                problems.append(
                    f"No user task declares the property {PROPERTY}={name}, so {LABELS[name]} would "
                    "count nothing. Add it to the task's extension properties."
                )
            continue
        for binding in bound:
            lacking = [a for a in answers if a not in binding.fields]
            if lacking:
                problems.append(
                    f"The task '{binding.element_id}' ({PROPERTY}={name}) has no form field with the "
                    f"property {PROPERTY}=" + f", {PROPERTY}=".join(lacking) + f": {LABELS[name]} "
                    "would miss those answers."
                )
    return problems


def check(key: str, tasks: dict[str, list[Binding]], main_keys: Iterable[str]) -> list[Problem]:
    """Deploy warnings for a diagram whose process is ``key``."""
    return [Problem(message) for message in missing(key in set(main_keys), tasks)]
