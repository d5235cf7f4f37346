"""Reading a BPMN file into an executable spec, and the checks a deploy makes.

One parser family: SpiffWorkflow's spiff parser, extended so that user tasks read the Camunda 7
attributes the bpmn-js properties panel writes (form fields, candidate groups, assignee, due
date) and service tasks name their handler as an external-task topic.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from lxml import etree
from SpiffWorkflow.bpmn.parser.BpmnParser import full_tag
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser
from SpiffWorkflow.spiff.parser.task_spec import ServiceTaskParser, SpiffTaskParser, UserTaskParser
from SpiffWorkflow.spiff.specs.defaults import ServiceTask, UserTask

from processes import bindings, elements, expressions, validation
from processes.engine import PassThroughTask
from processes.errors import InvalidDiagram, Problem
from processes.forms import FIELD_TYPES, FormField, Option

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
CAMUNDA_NS = "http://camunda.org/schema/1.0/bpmn"
NS = {"bpmn": BPMN_NS, "camunda": CAMUNDA_NS}
TIMER_TAGS = ("timeDuration", "timeDate", "timeCycle")
TIME_HINT = "duration, date or cycle, for example PT24H (24 hours), P7D (7 days) or R3/P1D."


def _c(name: str) -> str:
    return f"{{{CAMUNDA_NS}}}{name}"


def read_form(node: Any) -> list[FormField]:
    fields = []
    for f in node.xpath("./bpmn:extensionElements/camunda:formData/camunda:formField", namespaces=NS):
        constraints = {
            c.get("name"): c.get("config")
            for c in f.xpath("./camunda:validation/camunda:constraint", namespaces=NS)
        }
        props = {
            p.get("id"): p.get("value")
            for p in f.xpath("./camunda:properties/camunda:property", namespaces=NS)
        }
        options = tuple(
            Option(v.get("id") or "", v.get("name") or v.get("id") or "")
            for v in f.xpath("./camunda:value", namespaces=NS)
        )

        def number(key: str, source: dict[str, str | None] = constraints) -> int | None:
            value = source.get(key)
            return int(value) if value not in (None, "") else None

        fields.append(
            FormField(
                id=f.get("id") or "",
                label=f.get("label") or f.get("id") or "",
                type=f.get("type") or "string",
                required=constraints.get("required", "false") in ("true", None),
                readonly=constraints.get("readonly", "false") in ("true", None),
                multiline=props.get("multiline") == "true",
                multiple=props.get("multiple") == "true",
                options=options,
                default=f.get("defaultValue"),
                min_length=number("minlength"),
                max_length=number("maxlength"),
                minimum=number("min"),
                maximum=number("max"),
                help=props.get("help"),
                extra={k: v for k, v in props.items() if k and v is not None},
            )
        )
    return fields


def _split(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


class CamundaUserTaskParser(UserTaskParser):
    """A spiff user task that also carries the Camunda form, candidate groups and due date."""

    def parse_extensions(self, node: Any = None) -> dict[str, Any]:
        extensions: dict[str, Any] = super().parse_extensions(node)
        if node is None or node is self.node:
            extensions["form"] = [f.as_dict() for f in read_form(self.node)]
            extensions["candidateGroups"] = _split(self.node.get(_c("candidateGroups")))
            extensions["assignee"] = self.node.get(_c("assignee"))
            extensions["dueDate"] = self.node.get(_c("dueDate"))
            extensions["camundaProperties"] = {
                p.get("name"): p.get("value")
                for p in self.node.xpath(
                    "./bpmn:extensionElements/camunda:properties/camunda:property", namespaces=NS
                )
                if p.get("name")
            }
        return extensions


class CamundaServiceTaskParser(ServiceTaskParser):
    """A service task whose handler is named by ``camunda:topic`` (implementation "External").

    Input parameters are literal text, never evaluated, so a diagram cannot run code through them.
    The handler's result is kept in the case data under ``camunda:resultVariable`` when given.
    """

    def create_task(self) -> Any:
        topic = self.node.get(_c("topic"))
        if topic is None:
            return super().create_task()
        params = {
            p.get("name"): {"value": repr(p.text or ""), "type": "str"}
            for p in self.node.xpath(
                "./bpmn:extensionElements/camunda:inputOutput/camunda:inputParameter", namespaces=NS
            )
        }
        return self.spec_class(
            self.spec,
            self.bpmn_id,
            operation_name=topic,
            operation_params=params,
            result_variable=self.node.get(_c("resultVariable")) or None,
            **self.bpmn_attributes,
        )


class DiagramParser(SpiffBpmnParser):
    OVERRIDE_PARSER_CLASSES = {
        **SpiffBpmnParser.OVERRIDE_PARSER_CLASSES,
        full_tag("task"): (SpiffTaskParser, PassThroughTask),
        full_tag("manualTask"): (SpiffTaskParser, PassThroughTask),
        full_tag("userTask"): (CamundaUserTaskParser, UserTask),
        full_tag("serviceTask"): (CamundaServiceTaskParser, ServiceTask),
    }


@dataclass
class ParsedDiagram:
    key: str
    name: str
    spec: Any
    subprocess_specs: dict[str, Any]
    warnings: list[Problem] = field(default_factory=list)


def _quote_timer_literals(tree: Any) -> None:
    """Turn ``PT24H`` (what the Camunda panel writes) into the Python string the engine evaluates."""
    for tag in TIMER_TAGS:
        for node in tree.iter(f"{{{BPMN_NS}}}{tag}"):
            node.text = expressions.engine_source(node.text or "")


def _element_problem(node: Any, message: str) -> Problem:
    return validation.problem(node, message)


def _check_timers(tree: Any) -> list[Problem]:
    """Timers with no time, or one that cannot be read at all; ``expressions.check`` evaluates the
    rest as the engine will."""
    problems = []
    for tag in TIMER_TAGS:
        for node in tree.iter(f"{{{BPMN_NS}}}{tag}"):
            event = node.getparent().getparent()
            text = (node.text or "").strip()
            if not text:
                problems.append(_element_problem(event, "The timer has no time or duration."))
                continue
            try:
                ast.parse(expressions.engine_source(text), mode="eval")
            except SyntaxError:
                problems.append(
                    _element_problem(
                        event, f"'{text}' is not a time the engine understands. Write an ISO-8601 {TIME_HINT}"
                    )
                )
    return problems


def _check_forms(tree: Any) -> list[Problem]:
    problems = []
    for task in tree.iter(f"{{{BPMN_NS}}}userTask"):
        try:
            fields = read_form(task)
        except ValueError:
            problems.append(_element_problem(task, "A form field constraint must be a whole number."))
            continue
        seen: set[str] = set()
        for f in fields:
            if f.type not in FIELD_TYPES:
                problems.append(
                    _element_problem(
                        task, f"Form field '{f.id}' has type '{f.type}'; use one of {', '.join(FIELD_TYPES)}."
                    )
                )
            if f.id in seen:
                problems.append(_element_problem(task, f"Form field id '{f.id}' is used twice."))
            if not re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", f.id):
                problems.append(
                    _element_problem(
                        task,
                        f"Form field id '{f.id}' must start with a letter and hold only letters, digits, _.",
                    )
                )
            if f.type == "enum" and not f.options:
                problems.append(_element_problem(task, f"Form field '{f.id}' is a choice with no options."))
            seen.add(f.id)
    return problems


def _check_service_tasks(tree: Any, operations: set[str]) -> list[Problem]:
    problems = []
    for task in tree.iter(f"{{{BPMN_NS}}}serviceTask"):
        topic = task.get(_c("topic"))
        if topic is None:
            problems.append(
                _element_problem(
                    task, "The service task names no handler: set Implementation to External and a Topic."
                )
            )
        elif topic not in operations:
            problems.append(
                _element_problem(
                    task, f"No handler is called '{topic}'. Known handlers: {', '.join(sorted(operations))}."
                )
            )
    return problems


def _executable(tree: Any) -> str | None:
    """The process to run: the first one marked executable (as SpiffWorkflow reads the mark)."""
    for process in tree.iterchildren(f"{{{BPMN_NS}}}process"):
        if process.get("isExecutable", "true") == "true":
            return str(process.get("id"))
    return None


def parse(
    xml: bytes,
    operations: set[str],
    filename: str = "diagram.bpmn",
    groups: set[str] | None = None,
    start_data: Mapping[str, Mapping[str, Any]] | None = None,
) -> ParsedDiagram:
    """Parse and check a diagram; raise ``InvalidDiagram`` listing every problem found (and the
    warnings); return it with its warnings.

    ``groups`` are the candidate groups that exist (``None``: not checked). ``start_data`` holds,
    by process key, a sample of the data a case of that process starts with; for another process
    the start data is not known, and expressions reading names it may hold are not blamed.
    """
    try:
        tree = etree.fromstring(xml, etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError as err:
        raise InvalidDiagram(
            [Problem(f"The file is not well-formed XML: {err.msg}", line=err.lineno)]
        ) from err
    if tree.tag != f"{{{BPMN_NS}}}definitions":
        raise InvalidDiagram([Problem("The file is not a BPMN 2.0 diagram (no bpmn:definitions).")])
    warnings = elements.drawn_only(tree) + elements.warnings(tree)
    key = _executable(tree)
    if key is None:
        process = tree.find(f"{{{BPMN_NS}}}process")
        raise InvalidDiagram(
            [
                validation.problem(process, "it is not executable: tick 'Executable' on the process.")
                if process is not None
                else Problem("The diagram has no process to run.")
            ],
            warnings,
        )
    problems = _check_timers(tree) + _check_forms(tree) + _check_service_tasks(tree, operations)
    problems += elements.unsupported(tree) + validation.check(tree, groups)
    problems += expressions.check(tree, (start_data or {}).get(key))
    if problems:
        raise InvalidDiagram(problems, warnings)
    _quote_timer_literals(tree)
    elements.strip_ignored(tree)
    parser = DiagramParser(validator=VALIDATOR)
    try:
        parser.add_bpmn_xml(tree, filename)
        spec = parser.get_spec(key)
        subprocess_specs = parser.get_subprocess_specs(key)
    except ValidationException as err:
        raise InvalidDiagram(
            [Problem(str(err).split("\n")[0], err.id or None, err.name or None, err.line_number or None)],
            warnings,
        ) from err
    tasks = bindings.declared(bindings.tasks_of(spec, subprocess_specs))
    warnings += bindings.check(key, tasks, bindings.main_processes())
    return ParsedDiagram(key, spec.description or key, spec, subprocess_specs, warnings)
