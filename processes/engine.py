"""The SpiffWorkflow side of the facade: script engine, state codec, running and reading a workflow.

Everything here works on in-memory objects; ``processes.runtime`` loads and saves them. A workflow
leaves this module only as an opaque handle: what runtime reads from it comes back as this module's
dataclasses, and an engine error comes back as ``EngineFailure`` in plain words.
"""

from __future__ import annotations

import functools
import json
import pickle
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from typing import Any, ParamSpec, TypeVar
from uuid import UUID

from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine, TaskDataEnvironment
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter, WorkflowConverter
from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.specs.control import EventSplit
from SpiffWorkflow.bpmn.specs.event_definitions import timer as _spiff_timer
from SpiffWorkflow.bpmn.specs.event_definitions.multiple import MultipleEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.intermediate_event import BoundaryEvent
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import LoopTask
from SpiffWorkflow.bpmn.specs.mixins.subworkflow_task import SubWorkflowTask
from SpiffWorkflow.bpmn.util.diff import diff_workflow, migrate_workflow
from SpiffWorkflow.bpmn.util.event import BpmnEvent
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.specs.Join import Join
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.spiff.serializer.task_spec import SpiffBpmnTaskConverter
from SpiffWorkflow.spiff.specs.event_definitions import MessageEventDefinition
from SpiffWorkflow.spiff.specs.spiff_task import SpiffBpmnTask
from SpiffWorkflow.util.deep_merge import DeepMerge
from SpiffWorkflow.util.task import TaskState
from sqlalchemy.exc import DBAPIError

from processes import bounded, clock, compaction, sandbox
from processes.errors import EngineFailure

# 1: every task the case has run; 2: compacted (``processes.compaction``). Both load.
STATE_FORMAT = 2


class _EngineDatetime(datetime):
    """SpiffWorkflow reads ``datetime.now(timezone.utc)`` inside its timer module and offers no
    hook, so that module's ``datetime`` is this subclass, whose ``now`` answers from
    ``processes.clock`` when a ``frozen_at`` is in force (the real clock otherwise)."""

    @classmethod
    def now(cls, tz: tzinfo | None = None) -> datetime:  # type: ignore[override]
        fixed = clock.frozen()
        if fixed is None:
            return datetime.now(tz)
        return fixed.astimezone(tz) if tz is not None else fixed.astimezone(UTC).replace(tzinfo=None)


_spiff_timer.datetime = _EngineDatetime


class _InstanceConverter(BpmnWorkflowConverter):
    """Writes a case's running state without its spec, which is stored once per version."""

    def to_dict(self, workflow: Any) -> dict[str, Any]:
        dct: dict[str, Any] = WorkflowConverter.to_dict(self, workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct

    def from_dict(self, dct: dict[str, Any]) -> Any:
        workflow = self.target_class(dct.pop("spec"), dct.pop("subprocess_specs"), deserializing=True)
        workflow.tasks = self.mapping_from_dict(dct["tasks"], UUID, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        return workflow


_P = ParamSpec("_P")
_R = TypeVar("_R")


def _in_plain_words(err: SpiffWorkflowException) -> str:
    """Which step failed (by its label and id) and why, without the engine's traceback."""
    cause = err.__cause__ or err.__context__
    why = f"{type(cause).__name__}: {cause}" if cause is not None else str(err).strip()
    spec = getattr(err, "task_spec", None)
    if spec is None:
        return f"The process could not continue: {why}"
    ident = getattr(spec, "bpmn_id", None) or spec.name
    return f"The step '{getattr(spec, 'bpmn_name', None) or ident}' ({ident}) failed: {why}"


def _plain_errors(run: Callable[_P, _R]) -> Callable[_P, _R]:
    """``run`` raising ``EngineFailure`` naming the step, never SpiffWorkflow's own exceptions."""

    @functools.wraps(run)
    def translated(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        try:
            return run(*args, **kwargs)
        except EngineFailure:
            raise
        except SpiffWorkflowException as err:
            spec = getattr(err, "task_spec", None)
            raise EngineFailure(
                _in_plain_words(err),
                element_id=getattr(spec, "bpmn_id", None),
                element_name=getattr(spec, "bpmn_name", None),
                reason=err.__cause__ or err.__context__,
            ) from err

    return translated


class PassThroughTask(SpiffBpmnTask):
    """A plain or manual task: a step that does nothing and waits for nobody, as Camunda and
    SpiffArena run it. (SpiffWorkflow's own ``NoneTask`` and ``ManualTask`` wait to be completed
    by hand, which nobody here would see.) Its pre- and post-scripts still run."""


_REGISTRY = BpmnWorkflowSerializer.configure(
    {**SPIFF_CONFIG, BpmnWorkflow: _InstanceConverter, PassThroughTask: SpiffBpmnTaskConverter}
)


@dataclass(frozen=True)
class Specs:
    spec: Any
    subprocess_specs: dict[str, Any]


def specs_to_json(spec: Any, subprocess_specs: dict[str, Any]) -> str:
    return json.dumps(
        {
            "spec": _REGISTRY.convert(spec),
            "subprocess_specs": {k: _REGISTRY.convert(v) for k, v in subprocess_specs.items()},
        }
    )


def specs_from_json(text: str) -> Specs:
    data = json.loads(text)
    return Specs(
        _REGISTRY.restore(data["spec"]),
        {k: _REGISTRY.restore(v) for k, v in data["subprocess_specs"].items()},
    )


class SpecTemplate:
    """A deployed version's parsed specs, handed out as a fresh copy for each workflow.

    SpiffWorkflow changes a workflow's spec when an event subprocess is first triggered (it
    connects the subprocess to the start and end), so specs must never be shared between
    workflows. Copies come from a pickle of our own parsed objects (in memory, never from
    storage), which is faster than restoring the JSON each time.
    """

    def __init__(self, specs: Specs) -> None:
        self._pickled = pickle.dumps((specs.spec, specs.subprocess_specs), protocol=pickle.HIGHEST_PROTOCOL)

    def fresh(self) -> Specs:
        spec, subprocess_specs = pickle.loads(self._pickled)  # our own bytes, never from storage
        return Specs(spec, subprocess_specs)


def pristine_specs(workflow: Any) -> Specs | None:
    """The workflow's specs if running it left them as parsed (no event subprocess connected),
    so another workflow may run on them once this one is done with; otherwise ``None``."""
    if _triggered(workflow):
        return None
    return Specs(workflow.spec, workflow.subprocess_specs)


def _triggered(workflow: Any) -> list[str]:
    """The event subprocesses this workflow has triggered (its spec was connected for them)."""
    start = workflow.spec.start
    return [
        name
        for name in getattr(start, "trigger_specs", [])
        if workflow.spec.task_specs[name] in start.outputs
    ]


def _reconnect(workflow: Any, names: list[str]) -> None:
    """Redo on a fresh spec what SpiffWorkflow did to it when these subprocesses were triggered."""
    start, end = workflow.spec.start, workflow.spec.end
    for name in names:
        spec = workflow.spec.task_specs[name]
        if start not in spec.inputs:
            start.connect(spec)
            spec.connect(end)


_COMPACTION = compaction.Rules(
    finished=lambda task: task.has_state(TaskState.COMPLETED | TaskState.CANCELLED),
    planned=lambda task: task.has_state(TaskState.PREDICTED_MASK),
    in_place=lambda task: isinstance(
        task.task_spec, (Join, SubWorkflowTask, LoopTask, EventSplit, BoundaryEvent)
    ),
    join=lambda task: isinstance(task.task_spec, Join),
    change=lambda before, after: {  # as SpiffWorkflow's task converter writes it
        "updates": DeepMerge.get_updated_keys(before, after),
        "deletions": DeepMerge.get_deleted_keys(before, after),
    },
)


def state_to_json(workflow: Any) -> str:
    """The workflow's state as saved; a value the JSON cannot hold (an integer of more than 4,300
    digits) fails here as ``EngineFailure``, named by the step that first held it."""
    try:
        dct = _REGISTRY.convert(workflow)
        compaction.compact(dct, workflow, _COMPACTION)
        dct["format"] = STATE_FORMAT
        dct["triggered"] = _triggered(workflow)
        return json.dumps(dct, separators=(",", ":"))
    except (ValueError, TypeError, OverflowError) as err:
        spec = next((t.task_spec for t in workflow.get_tasks() if not _savable(t.data)), None)
        ident = getattr(spec, "bpmn_id", None)
        name = getattr(spec, "bpmn_name", None)
        where = f"The step '{name or ident}' ({ident})" if ident else "A step"
        raise EngineFailure(
            f"{where} set a value too large or too unusual to save with the case (such as a "
            "number of more than 4,300 digits).",
            element_id=ident,
            element_name=name,
            reason=err,
        ) from err


def _savable(data: dict[str, Any]) -> bool:
    try:
        json.dumps(data, default=str)
    except (ValueError, TypeError, OverflowError):
        return False
    return True


def state_from_json(text: str, specs: Specs, script_engine: Any) -> Any:
    """Restore a workflow onto ``specs``, which must be a fresh copy (``SpecTemplate.fresh``)."""
    dct = json.loads(text)
    dct.pop("format", None)
    triggered = dct.pop("triggered", [])
    passed = dct.pop("passed", [])
    dct["spec"] = specs.spec
    dct["subprocess_specs"] = specs.subprocess_specs
    workflow = _REGISTRY.restore(dct)
    _reconnect(workflow, triggered)
    workflow.passed_elements = passed
    workflow.script_engine = script_engine
    return workflow


ServiceCall = Callable[[str, dict[str, Any], dict[str, Any]], dict[str, Any]]


class RestrictedEnvironment(TaskDataEnvironment):
    """Runs the code in a diagram (conditions, scripts, timers, service parameters) in the sandbox,
    never with plain ``eval``/``exec``: uploaded BPMN is code."""

    # Off only in the lifecycle benchmark, to measure what the bound costs.
    bounded = True

    def __init__(self) -> None:
        super().__init__(sandbox.restricted_globals())

    def _namespace(self, context: dict[str, Any], external: dict[str, Any]) -> dict[str, Any]:
        # Case data may shadow a helper (a field called "date"), never a guard or the builtins.
        guards = {k: v for k, v in self.globals.items() if k.startswith("_")}
        return {**self.globals, **external, **context, **guards}

    def evaluate(self, expression: str, context: dict[str, Any], external_context: Any = None) -> Any:
        if not self.bounded or bounded.is_cheap(expression):
            namespace = self._namespace(context, external_context or {})
            return sandbox.run(sandbox.code_for(expression, "eval"), namespace)
        return bounded.run(expression, "eval", {**(external_context or {}), **context})

    def execute(self, script: str, context: dict[str, Any], external_context: Any = None) -> bool:
        external = external_context or {}
        if self.bounded:
            left = bounded.run(script, "exec", {**external, **context})
            kept = {key: value for key, value in left.items() if key not in external}
        else:
            namespace = self._namespace(context, external)
            sandbox.run(sandbox.code_for(script, "exec"), namespace)
            # Keep what the script left as data; drop the guards, helpers and anything callable.
            kept = {
                key: value
                for key, value in namespace.items()
                if key != "__builtins__"
                and key not in external
                and not (key in self.globals and value is self.globals[key])
                and not callable(value)
            }
        context.clear()
        context.update(kept)
        return True


class ScriptEngine(PythonScriptEngine):
    """Runs diagram code restricted, sends service tasks to the app's handlers and reports their
    real error. (SpiffWorkflow 3.2.0 hides a handler's exception behind ``NameError: script``.)
    """

    def __init__(self, call: ServiceCall) -> None:
        super().__init__(environment=RestrictedEnvironment())
        self._call = call

    def call_service(self, task: Any, **kwargs: Any) -> str:
        name: str = kwargs["operation_name"]
        params = {key: p["value"] for key, p in kwargs["operation_params"].items()}
        try:
            result = self._call(name, params, dict(task.data))
        except DBAPIError:
            raise  # the database, not the step, failed: the caller rolls back and says so (503)
        except Exception as err:
            title = task.task_spec.bpmn_name or task.task_spec.bpmn_id
            raise EngineFailure(f"The step '{title}' ({name}) failed: {err}") from err
        return json.dumps(result)


def new_workflow(specs: Specs, script_engine: Any) -> Any:
    return BpmnWorkflow(specs.spec, specs.subprocess_specs, script_engine=script_engine)


def set_start_data(workflow: Any, data: dict[str, Any]) -> None:
    """Give the process its start data: the tasks' data flows on from the start task."""
    for task in workflow.get_tasks(state=TaskState.READY):
        task.data.update(data)


def ready_user_tasks(workflow: Any) -> list[Any]:
    return list(workflow.get_tasks(state=TaskState.READY, manual=True))


def _find(workflow: Any, task_id: str) -> Any | None:
    try:
        return workflow.get_task_from_id(UUID(task_id))
    except (ValueError, KeyError):
        return None


def task_data(workflow: Any, task_id: str) -> dict[str, Any]:
    """The data a task of ``workflow`` holds (empty when there is no such task)."""
    task = _find(workflow, task_id)
    return dict(task.data) if task is not None else {}


@dataclass(frozen=True)
class ReadyTask:
    """A user task waiting for a person: what its task row and its completion need."""

    id: str
    element_id: str
    title: str
    candidate_groups: tuple[str, ...]
    assignee: str | None  # a username (``camunda:assignee``)
    due_at: datetime | None
    properties: dict[str, Any]  # ``camunda:properties``, which scoring reads


FROM_DATA = re.compile(r"^\$\{([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*)\}$")  # ``${name}`` or ``${name.part}``


def from_data(value: str, data: dict[str, Any]) -> Any:
    """``value``, or the task data it names when it is written ``${name}`` or ``${name.part}``
    (Camunda's way of setting a candidate group or a due date per case, e.g. a recommendation's
    owner)."""
    matched = FROM_DATA.match(value.strip())
    if not matched:
        return value
    found: Any = data
    for part in matched.group(1).split("."):
        found = found.get(part) if isinstance(found, dict) else None
    return found


def candidate_groups(task: Any) -> tuple[str, ...]:
    found = []
    for group in task.task_spec.extensions.get("candidateGroups") or ():
        value = from_data(group, task.data)
        if isinstance(value, str) and value:
            found.append(value)
    return tuple(found)


def _ready_task(task: Any, now: datetime) -> ReadyTask:
    spec = task.task_spec
    ext = spec.extensions
    return ReadyTask(
        id=str(task.id),
        element_id=spec.bpmn_id,
        title=spec.bpmn_name or spec.bpmn_id,
        candidate_groups=candidate_groups(task),
        assignee=ext.get("assignee") or None,
        due_at=_due_at(task, now),
        properties=ext.get("camundaProperties", {}),
    )


def _enclosing(task: Any) -> list[Any]:
    """``task`` and the subprocess tasks it runs inside, innermost first."""
    found = [task]
    workflow = task.workflow
    while getattr(workflow, "parent_task_id", None) is not None:
        outer = workflow.top_workflow.get_task_from_id(workflow.parent_task_id)
        if outer is None:
            break
        found.append(outer)
        workflow = outer.workflow
    return found


def _due_at(task: Any, now: datetime) -> datetime | None:
    """A task is due when its first interrupting boundary timer fires (a non-interrupting one is
    a reminder), or one on a subprocess it is in (a deadline that stays set while the task goes
    round a loop inside), or after its ``camunda:dueDate``."""
    dues = [
        datetime.fromisoformat(sibling.internal_data["event_value"])
        for inner in _enclosing(task)
        for sibling in (inner.parent.children if inner.parent else [])
        if sibling is not inner
        and getattr(sibling.task_spec, "cancel_activity", False)
        and isinstance(getattr(sibling.task_spec, "event_definition", None), TimerEventDefinition)
        and isinstance(sibling.internal_data.get("event_value"), str)
    ]
    if dues:
        return min(dues)
    due = task.task_spec.extensions.get("dueDate")
    if not due:
        return None
    if FROM_DATA.match(due.strip()):
        value = from_data(due, task.data)
        try:
            when = datetime.fromisoformat(value) if isinstance(value, str) else None
        except ValueError:
            when = None
        return when if when is None or when.tzinfo else when.replace(tzinfo=UTC)
    parsed = TimerEventDefinition.parse_time_or_duration(due)
    if isinstance(parsed, datetime):
        return parsed
    return now + TimerEventDefinition.get_timedelta_from_start(parsed, now)


def readable_time(kind: str, value: Any) -> bool:
    """Whether a timer of ``kind`` (timeDuration, timeDate or timeCycle) whose expression gave
    ``value`` can be set: read as SpiffWorkflow's timer of that kind reads it when it is reached
    (a date timer compares the parsed value with the time, so it must be a date and time)."""
    if not isinstance(value, str):
        return False
    try:
        if kind == "timeDuration":
            TimerEventDefinition.parse_iso_duration(value)
        elif kind == "timeCycle":
            TimerEventDefinition.parse_iso_recurring_interval(value)
        else:
            return isinstance(TimerEventDefinition.parse_time_or_duration(value), datetime)
    except Exception:
        return False
    return True


def ready_task(workflow: Any, task_id: str, now: datetime) -> ReadyTask | None:
    """The user task ``task_id`` if it waits for a person; ``None`` if it is unknown or not ready."""
    task = _find(workflow, task_id)
    if task is None or task.state != TaskState.READY:
        return None
    return _ready_task(task, now)


@dataclass(frozen=True)
class WaitingTimer:
    task_id: str
    element_id: str
    name: str
    due_at: datetime


def _timer_element(task: Any) -> tuple[str, str] | None:
    """The timer ``task`` waits on, as (element id, name): its own, or, for an event-based
    gateway (which waits on all its events at once), the timer event after it."""
    spec = task.task_spec
    definition = spec.event_definition
    if isinstance(definition, TimerEventDefinition):
        return spec.bpmn_id or spec.name, spec.bpmn_name or definition.name
    if isinstance(definition, MultipleEventDefinition):
        # The parser moves the events' definitions into the gateway; the timer's name is its event's.
        for timer in definition.event_definitions:
            if isinstance(timer, TimerEventDefinition):
                following = [s for s in spec.outputs if timer.name and s.bpmn_name == timer.name]
                if following:
                    return following[0].bpmn_id, timer.name
                return spec.bpmn_id or spec.name, timer.name or spec.bpmn_name or spec.name
    return None


def waiting_timers(workflow: Any) -> list[WaitingTimer]:
    timers = []
    for task in workflow.event_manager.tasks.values():
        element = _timer_element(task)
        if element is None:
            continue
        value = task.internal_data.get("event_value")
        if isinstance(value, dict):
            value = value.get("next")
        if not value:
            continue
        timers.append(WaitingTimer(str(task.id), *element, datetime.fromisoformat(value)))
    return timers


MAX_SKIPS = 20


StepWatch = Callable[[Any], None]


@_plain_errors
def run_on(workflow: Any, watch: StepWatch | None = None) -> None:
    """Run the automatic steps until the case waits; ``watch`` sees each step the engine ran
    (SpiffWorkflow 3.2 runs a loop of them for ever otherwise) and may stop the run by raising."""
    workflow.do_engine_steps(did_complete_task=watch)


@_plain_errors
def fire_timers(workflow: Any, *, skip_failing: bool = False, watch: StepWatch | None = None) -> list[str]:
    """Fire the workflow's due timers and run on. With ``skip_failing``, a step that fails is
    marked done without its effect and the run goes on; returns the skipped steps' titles."""
    workflow.refresh_timers()
    skipped: list[str] = []
    for _ in range(MAX_SKIPS):
        try:
            run_on(workflow, watch)
            return skipped
        except Exception:
            failed = workflow.get_tasks(state=TaskState.ERROR)
            if not skip_failing or not failed:
                raise
            for task in failed:
                skipped.append(_title(task))
                task.complete()
    raise EngineFailure(f"More than {MAX_SKIPS} steps failed one after another; nothing was skipped.")


@_plain_errors
def complete(task: Any, data: dict[str, Any], watch: StepWatch | None = None) -> None:
    task.data.update(data)
    task.run()
    run_on(task.workflow.top_workflow, watch)


def complete_task(workflow: Any, task_id: str, data: dict[str, Any], watch: StepWatch | None = None) -> None:
    """Complete the ready user task ``task_id`` (see ``ready_task``) with ``data`` and run on."""
    task = _find(workflow, task_id)
    if task is None:
        raise EngineFailure(f"The workflow has no task {task_id}.")
    complete(task, data, watch)


def send_message(workflow: Any, name: str, payload: dict[str, Any], watch: StepWatch | None = None) -> bool:
    """Send the message ``name`` into the workflow and run on; ``False`` (nothing run) when the
    workflow is not waiting for it."""
    try:
        workflow.send_event(BpmnEvent(MessageEventDefinition(name), payload=payload))
    except SpiffWorkflowException:
        return False
    run_on(workflow, watch)
    return True


@dataclass(frozen=True)
class Progress:
    """Where a workflow stands after a step: what runtime saves with the case."""

    ready: tuple[ReadyTask, ...]  # the user tasks waiting for a person, in the engine's order
    timers: tuple[WaitingTimer, ...]
    completed: bool
    state: str  # ``state_to_json``


def progress(workflow: Any, now: datetime) -> Progress:
    """The workflow's ready user tasks (due times reckoned from ``now``), waiting timers, whether it
    has finished, and its state to save (which may fail as ``EngineFailure``)."""
    return Progress(
        ready=tuple(_ready_task(task, now) for task in ready_user_tasks(workflow)),
        timers=tuple(waiting_timers(workflow)),
        completed=bool(workflow.completed),
        state=state_to_json(workflow),
    )


def _title(task: Any) -> str:
    return _spec_title(task.task_spec)


def _spec_title(spec: Any) -> str:
    ident = spec.bpmn_id or spec.name
    return f"'{spec.bpmn_name}' ({ident})" if spec.bpmn_name else f"'{ident}'"


def _dropped_by_reset(workflow: Any) -> set[Any]:
    """Tasks a migration re-plans: those after the ready ones (their own spec is swapped)."""
    dropped: set[Any] = set()
    for ready in workflow.get_tasks(state=TaskState.READY, skip_subprocesses=True):
        dropped.update(list(ready)[1:])
    return dropped


def migration_blockers(workflow: Any, new: Specs) -> list[str]:
    """Why the running ``workflow`` cannot move to the ``new`` specs, in plain words (empty when it
    can): a step it has passed, waits at or has planned that the new version does not have."""
    top, subprocesses = diff_workflow(_REGISTRY, workflow, new.spec, new.subprocess_specs)
    dropped = _dropped_by_reset(workflow)
    reasons = [
        f"it has reached or passed {_title(task)}, which the new version does not have"
        for task in top.removed
        if task not in dropped
    ]
    for sp_id, sp_diff in subprocesses.items():
        subprocess = workflow.subprocesses[sp_id]
        if sp_diff is None:
            reasons.append(
                f"it is inside the subprocess '{subprocess.spec.name}', which the new version lacks"
            )
            continue
        dropped = _dropped_by_reset(subprocess)
        reasons += [
            f"it has reached or passed {_title(task)}, which the new version does not have"
            for task in sp_diff.removed
            if task not in dropped
        ]
    return sorted(set(reasons + _passed_blockers(workflow, new)))


def _passed_blockers(workflow: Any, new: Specs) -> list[str]:
    return [
        f"it has reached or passed {_spec_title(spec)}, which the new version does not have"
        for spec in compaction.passed_but_missing(workflow, new.spec, new.subprocess_specs)
    ]


@_plain_errors
def migrate(workflow: Any, new: Specs) -> None:
    """Move ``workflow`` onto the ``new`` specs (check ``migration_blockers`` first). Ready tasks
    are re-planned on the new version; waiting timers keep their original due times."""
    top, subprocesses = diff_workflow(_REGISTRY, workflow, new.spec, new.subprocess_specs)
    migrate_workflow(top, workflow, new.spec, reset_mask=TaskState.READY)
    workflow.subprocess_specs = new.subprocess_specs
    for sp_id, sp_diff in subprocesses.items():
        subprocess = workflow.subprocesses[sp_id]
        migrate_workflow(
            sp_diff, subprocess, new.subprocess_specs[subprocess.spec.name], reset_mask=TaskState.READY
        )


def waiting_messages(workflow: Any) -> list[str]:
    """The names of the messages the workflow would take now (each once, in the engine's order)."""
    if workflow.completed:
        return []
    definitions = [task.task_spec.event_definition for task in workflow.event_manager.tasks.values()]
    # The process's event subprocesses (another incident, a complaint) take theirs at any time.
    for name in getattr(workflow.spec.start, "trigger_specs", []):
        sub = workflow.subprocess_specs.get(name)
        definitions += [start.event_definition for start in getattr(sub, "bpmn_start_events", [])]
    names: dict[str, None] = {}
    for definition in definitions:
        found = (
            definition.event_definitions if isinstance(definition, MultipleEventDefinition) else [definition]
        )
        for event in found:
            if isinstance(event, MessageEventDefinition) and event.name:
                names[event.name] = None
    return list(names)


def cancel(workflow: Any) -> None:
    """End the workflow where it stands: every unfinished task, timer and wait is cancelled."""
    workflow.cancel()
