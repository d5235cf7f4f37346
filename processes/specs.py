"""Deployed process versions and the parsed specs kept in memory, one per version."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.models import Group, ProcessVersion
from processes import bindings, diagram, engine
from processes.clock import now as clock_now
from processes.errors import UnknownProcess
from processes.forms import FormField
from processes.types import Deployment

# Keyed by content hash, so it stays right across databases (tests, several deployments).
_cache: dict[str, engine.Specs] = {}
_lock = threading.Lock()
# The service-task operations that have a handler: registered at set-up (``use_operations``),
# so the engine checks a diagram's topics without importing the handlers.
_operations: list[Callable[[], set[str]]] = []
# A sample of the start data of the processes the app starts itself, by process key (see
# ``use_start_data``): the deploy check evaluates a diagram's expressions on it.
_start_data: dict[str, Mapping[str, Any]] = {}


def use_operations(known: Callable[[], set[str]]) -> None:
    """Tell the engine which operations have handlers (the app and the worker do at set-up)."""
    _operations[:] = [known]


def use_start_data(key: str, sample: Mapping[str, Any]) -> None:
    """Tell the engine what a case of process ``key`` starts with (a sample value of each key),
    so that deploy checks its timers and conditions against those names."""
    _start_data[key] = dict(sample)


def known_operations() -> set[str]:
    if not _operations:
        raise RuntimeError("No service-task handlers are registered: call processes.use_operations first.")
    return _operations[0]()


def deploy(
    session: Session,
    xml: bytes,
    *,
    deployed_by: str | None = None,
    filename: str = "diagram.bpmn",
    note: str | None = None,
) -> Deployment:
    """Check and store a diagram as the next version of its process (``note``: why it exists, when
    that is not plain).

    Deploying the same content as the latest version again changes nothing.
    """
    parsed = parse(session, xml, filename)
    checksum = hashlib.sha256(xml).hexdigest()
    latest = latest_version(session, parsed.key, required=False)
    warnings = tuple(parsed.warnings)
    if latest is not None and latest.checksum == checksum:
        return Deployment(
            latest.id, latest.process_key, latest.name, latest.version, created=False, warnings=warnings
        )
    highest = session.scalar(
        select(func.max(ProcessVersion.version)).where(ProcessVersion.process_key == parsed.key)
    )
    row = ProcessVersion(
        process_key=parsed.key,
        name=parsed.name,
        version=(highest or 0) + 1,  # after a rolled-back version too
        checksum=checksum,
        bpmn_xml=xml.decode("utf-8"),
        spec_json=engine.specs_to_json(parsed.spec, parsed.subprocess_specs),
        deployed_at=clock_now(),
        deployed_by=deployed_by,
        note=note,
    )
    session.add(row)
    session.flush()
    return Deployment(row.id, row.process_key, row.name, row.version, created=True, warnings=warnings)


def parse(session: Session, xml: bytes, filename: str = "diagram.bpmn") -> diagram.ParsedDiagram:
    """Check a diagram as a deploy would, against the handlers and groups that exist; deploy nothing.

    Candidate groups are checked once any group exists (first set-up deploys the diagrams before
    it creates the groups).
    """
    groups = set(session.scalars(select(Group.name))) or None
    return diagram.parse(xml, known_operations(), filename, groups, _start_data)


def latest_version(session: Session, key: str, *, required: bool = True) -> ProcessVersion | None:
    """The version new cases of ``key`` start on: the newest one not rolled back."""
    newest = select(func.max(ProcessVersion.version)).where(
        ProcessVersion.process_key == key, ProcessVersion.withdrawn_at.is_(None)
    )
    row = session.scalars(
        select(ProcessVersion).where(
            ProcessVersion.process_key == key, ProcessVersion.version == newest.scalar_subquery()
        )
    ).first()
    if row is None and required:
        raise UnknownProcess(f"No process called '{key}' has been deployed.")
    return row


_templates: dict[str, engine.SpecTemplate] = {}


_spares: dict[str, list[engine.Specs]] = {}
SPARES = 8  # per version and process: about the number of threads stepping cases at once


def fresh_specs(version: ProcessVersion) -> engine.Specs:
    """A private copy of the version's specs for one workflow to run on (see ``SpecTemplate``):
    a spare that an earlier step gave back untouched, or a new copy."""
    with _lock:
        spare = _spares.get(version.checksum)
        if spare:
            return spare.pop()
    template = _templates.get(version.checksum)
    if template is None:
        template = engine.SpecTemplate(specs_for(version))
        _templates[version.checksum] = template
    return template.fresh()


def give_back(version: ProcessVersion, specs: engine.Specs | None) -> None:
    """Keep a copy whose workflow is finished with it and left it as parsed, for the next step.

    Copying the specs was the largest single cost of a step (a profile of the timer sweep: 39%).
    A copy that running changed (``None`` here) is dropped.
    """
    if specs is None:
        return
    with _lock:
        spare = _spares.setdefault(version.checksum, [])
        if len(spare) < SPARES:
            spare.append(specs)


def specs_for(version: ProcessVersion) -> engine.Specs:
    """The version's specs, shared and read-only: for reading forms and documentation, never
    for running a workflow (use ``fresh_specs``)."""
    specs = _cache.get(version.checksum)
    if specs is None:
        with _lock:
            specs = _cache.get(version.checksum)
            if specs is None:
                specs = engine.specs_from_json(version.spec_json)
                _cache[version.checksum] = specs
    return specs


def _task_spec(version: ProcessVersion, element_id: str) -> Any | None:
    specs = specs_for(version)
    for spec in (specs.spec, *specs.subprocess_specs.values()):
        task_spec = spec.task_specs.get(element_id)
        if task_spec is not None:
            return task_spec
    return None


def user_tasks(version: ProcessVersion) -> list[tuple[str, dict[str, Any], list[dict[str, Any]]]]:
    """Every user task of the version: its id, its ``camunda:properties`` and its form."""
    parsed = specs_for(version)
    return bindings.tasks_of(parsed.spec, parsed.subprocess_specs)


def form_for(version: ProcessVersion, element_id: str) -> list[FormField]:
    task_spec = _task_spec(version, element_id)
    if task_spec is None:
        return []
    return [FormField.from_dict(f) for f in task_spec.extensions.get("form", [])]


def properties_for(version: ProcessVersion, element_id: str) -> dict[str, str]:
    """The task's ``camunda:properties`` (its scoring, its separation of duties)."""
    task_spec = _task_spec(version, element_id)
    return dict(task_spec.extensions.get("camundaProperties", {})) if task_spec is not None else {}


def documentation_for(version: ProcessVersion, element_id: str) -> str | None:
    task_spec = _task_spec(version, element_id)
    return getattr(task_spec, "documentation", None) if task_spec is not None else None
