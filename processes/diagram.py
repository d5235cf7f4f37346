"""Reading a BPMN file into an executable spec, and the checks a deploy makes.

One parser family: SpiffWorkflow's spiff parser, extended so that user tasks read the Camunda 7
attributes the bpmn-js properties panel writes (form fields, candidate groups, assignee, due
date) and service tasks name their handler as an external-task topic.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from typing import Any

from lxml import etree
from SpiffWorkflow.bpmn.parser.BpmnParser import full_tag
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser
from SpiffWorkflow.spiff.parser.task_spec import ServiceTaskParser, UserTaskParser
from SpiffWorkflow.spiff.specs.defaults import ServiceTask, UserTask

from processes import validation
from processes.errors import InvalidDiagram, Problem
from processes.forms import FIELD_TYPES, FormField, Option

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
CAMUNDA_NS = "http://camunda.org/schema/1.0/bpmn"
NS = {"bpmn": BPMN_NS, "camunda": CAMUNDA_NS}
ISO_LITERAL = re.compile(r"^(R\d*/)?(P[\dYMWDTHS.,]+|\d{4}-\d{2}-\d{2}T[\d:.+\-Z]+)(/P[\dYMWDTHS.,]+)?$")
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
            result_variable=None,
            **self.bpmn_attributes,
        )


class DiagramParser(SpiffBpmnParser):
    OVERRIDE_PARSER_CLASSES = {
        **SpiffBpmnParser.OVERRIDE_PARSER_CLASSES,
        full_tag("userTask"): (CamundaUserTaskParser, UserTask),
        full_tag("serviceTask"): (CamundaServiceTaskParser, ServiceTask),
    }


@dataclass
class ParsedDiagram:
    key: str
    name: str
    spec: Any
    subprocess_specs: dict[str, Any]


def _quote_timer_literals(tree: Any) -> None:
    """Turn ``PT24H`` (what the Camunda panel writes) into the Python string the engine evaluates."""
    for tag in TIMER_TAGS:
        for node in tree.iter(f"{{{BPMN_NS}}}{tag}"):
            text = (node.text or "").strip()
            if ISO_LITERAL.match(text):
                node.text = repr(text)


def _element_problem(node: Any, message: str) -> Problem:
    return validation.problem(node, message)


def _check_timers(tree: Any) -> list[Problem]:
    problems = []
    for tag in TIMER_TAGS:
        for node in tree.iter(f"{{{BPMN_NS}}}{tag}"):
            event = node.getparent().getparent()
            text = (node.text or "").strip()
            try:
                literal = ast.literal_eval(text) if text else None
            except (ValueError, SyntaxError):
                literal = None
                try:
                    ast.parse(text, mode="eval")
                except SyntaxError:
                    problems.append(
                        _element_problem(
                            event,
                            f"'{text}' is not a time the engine understands. Write an ISO-8601 {TIME_HINT}",
                        )
                    )
                continue
            if not isinstance(literal, str):
                problems.append(_element_problem(event, "The timer has no time or duration."))
                continue
            try:
                if tag == "timeCycle":
                    TimerEventDefinition.parse_iso_recurring_interval(literal)
                else:
                    TimerEventDefinition.parse_time_or_duration(literal)
            except Exception:
                problems.append(
                    _element_problem(
                        event,
                        f"'{literal}' is not a valid ISO-8601 {TIME_HINT}",
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


def parse(
    xml: bytes, operations: set[str], filename: str = "diagram.bpmn", groups: set[str] | None = None
) -> ParsedDiagram:
    """Parse and check a diagram; raise ``InvalidDiagram`` listing every problem found.

    ``groups`` are the candidate groups that exist (``None``: not checked).
    """
    try:
        tree = etree.fromstring(xml, etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError as err:
        raise InvalidDiagram(
            [Problem(f"The file is not well-formed XML: {err.msg}", line=err.lineno)]
        ) from err
    if tree.tag != f"{{{BPMN_NS}}}definitions":
        raise InvalidDiagram([Problem("The file is not a BPMN 2.0 diagram (no bpmn:definitions).")])
    problems = _check_timers(tree) + _check_forms(tree) + _check_service_tasks(tree, operations)
    problems += validation.check(tree, groups)
    if problems:
        raise InvalidDiagram(problems)
    _quote_timer_literals(tree)
    parser = DiagramParser(validator=VALIDATOR)
    try:
        parser.add_bpmn_xml(tree, filename)
        keys = parser.get_process_ids()
        if not keys:
            raise InvalidDiagram([Problem("The diagram has no executable process (tick 'Executable').")])
        key = keys[0]
        spec = parser.get_spec(key)
        subprocess_specs = parser.get_subprocess_specs(key)
    except ValidationException as err:
        raise InvalidDiagram(
            [Problem(str(err).split("\n")[0], err.id or None, err.name or None, err.line_number or None)]
        ) from err
    return ParsedDiagram(key, spec.description or key, spec, subprocess_specs)
