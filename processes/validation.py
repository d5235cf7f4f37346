"""The checks a diagram passes before it is deployed, beyond the BPMN schema and the parser.

Each finds what would otherwise fail later, at run time in a case, or with a message from the
parser that does not say what to fix: flows to elements that are not in the diagram, gateways
that can leave a case stuck, code that is not valid or not allowed (see ``processes.sandbox``),
unknown candidate groups, bad due dates, and loops that would run for ever with nothing to stop
them. Every problem names the element by its label and id, and says what to change. (Elements
this system does not run are refused by ``processes.elements``; expressions are evaluated on
sample data by ``processes.expressions``.)
"""

from __future__ import annotations

import ast
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from typing import Any

from lxml import etree
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition

from processes import sandbox
from processes.errors import Problem

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
CAMUNDA_NS = "http://camunda.org/schema/1.0/bpmn"
SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"
NS = {"bpmn": BPMN_NS, "camunda": CAMUNDA_NS}


def names(words: str) -> frozenset[str]:
    return frozenset(words.split())


# Where diagram code lives: element tag -> (mode, what the process owner calls it).
CODE: dict[str, tuple[sandbox.Mode, str]] = {
    f"{{{BPMN_NS}}}conditionExpression": ("eval", "the condition"),
    f"{{{BPMN_NS}}}script": ("exec", "the script"),
    f"{{{SPIFF_NS}}}preScript": ("exec", "the pre-script"),
    f"{{{SPIFF_NS}}}postScript": ("exec", "the post-script"),
    f"{{{SPIFF_NS}}}messagePayload": ("eval", "the message payload"),
}
TIMER_TAGS = tuple(f"{{{BPMN_NS}}}{tag}" for tag in ("timeDuration", "timeDate", "timeCycle"))
FLOW_NODES = names(
    """startEvent endEvent boundaryEvent intermediateCatchEvent intermediateThrowEvent task userTask
    serviceTask scriptTask manualTask sendTask receiveTask businessRuleTask callActivity subProcess
    transaction adHocSubProcess exclusiveGateway inclusiveGateway parallelGateway eventBasedGateway
    complexGateway"""
)
OWNERS = FLOW_NODES | {"sequenceFlow", "process", "definitions"}
WAITS = frozenset({"userTask", "intermediateCatchEvent", "receiveTask"})


def local(node: Any) -> str:
    return etree.QName(node).localname if isinstance(node.tag, str) else ""


def describe(node: Any) -> str:
    """``User task "Check the report" (check)``: the element's kind, label and id."""
    kind = re.sub(r"(?<!^)([A-Z])", r" \1", local(node)).lower().capitalize()
    name, ident = node.get("name"), node.get("id")
    if name:
        return f'{kind} "{name}" ({ident})'
    return f"{kind} {ident}" if ident else kind


def problem(node: Any, message: str) -> Problem:
    return Problem(f"{describe(node)}: {message}", node.get("id"), node.get("name"), node.sourceline)


def owner_of(node: Any) -> Any:
    """The element a process owner sees that holds ``node``: the task of a script, the event of a
    timer, the flow of a condition (or the process)."""
    start = node
    while node is not None and local(node) not in OWNERS:
        node = node.getparent()
    return node if node is not None else start


def _model(tree: Any) -> Iterator[Any]:
    """Every BPMN element except the diagram interchange (shapes and edges)."""
    return iter(tree.iter(f"{{{BPMN_NS}}}*"))


def references(tree: Any) -> list[Problem]:
    """Duplicate ids, and flows, defaults and attachments naming elements that do not exist."""
    ids = Counter(node.get("id") for node in _model(tree) if node.get("id"))
    found = [
        Problem(f"The id '{ident}' is used by {count} elements; every element needs its own id.", ident)
        for ident, count in ids.items()
        if count > 1
    ]
    for flow in tree.iter(f"{{{BPMN_NS}}}sequenceFlow"):
        for end, attribute in (("starts at", "sourceRef"), ("leads to", "targetRef")):
            ref = flow.get(attribute)
            if not ref or ref not in ids:
                found.append(
                    problem(flow, f"it {end} '{ref or ''}', which is not in the diagram; connect it again.")
                )
    for node in _model(tree):
        ref = node.get("default") or node.get("attachedToRef")
        if ref and ref not in ids:
            found.append(problem(node, f"it refers to '{ref}', which is not in the diagram."))
    return found


def _outgoing(tree: Any, node: Any) -> list[Any]:
    return [f for f in tree.iter(f"{{{BPMN_NS}}}sequenceFlow") if f.get("sourceRef") == node.get("id")]


def _has_condition(flow: Any) -> bool:
    condition = flow.find(f"{{{BPMN_NS}}}conditionExpression")
    return condition is not None and bool((condition.text or "").strip())


def gateways(tree: Any) -> list[Problem]:
    """Exclusive and inclusive gateways where no flow may be taken, so the case would stop."""
    found = []
    for tag in ("exclusiveGateway", "inclusiveGateway"):
        for gateway in tree.iter(f"{{{BPMN_NS}}}{tag}"):
            flows = _outgoing(tree, gateway)
            if len(flows) < 2 and not any(_has_condition(f) for f in flows):
                continue  # a join, or a single unconditional way out
            default = gateway.get("default")
            if default and default not in {f.get("id") for f in flows}:
                found.append(problem(gateway, f"its default flow '{default}' does not leave this gateway."))
            for flow in flows:
                if flow.get("id") != default and not _has_condition(flow):
                    found.append(
                        problem(
                            flow,
                            "it leaves a gateway but has no condition and is not the default flow; "
                            "add a condition, or make it the gateway's default flow.",
                        )
                    )
            if not default and all(_has_condition(f) for f in flows):
                found.append(
                    problem(
                        gateway,
                        "it has no default flow, so if none of its conditions is true the case stops "
                        "with an error. Make one outgoing flow the default (select the flow, then the "
                        "wrench: 'Default flow').",
                    )
                )
    return found


def _timer_code(node: Any) -> str | None:
    """A timer's text when it is an expression to evaluate (not an ISO literal or plain string)."""
    text = (node.text or "").strip()
    if not text or re.match(r"^[\dRPTYMWDHS/.:,+\-Z]+$", text):
        return None
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError:
        return None  # diagram.py names a timer it cannot read
    return None if isinstance(tree.body, ast.Constant) else text


def code(tree: Any) -> list[Problem]:
    """Conditions, scripts and timer expressions: Python that parses and that the sandbox allows."""
    found = []
    for node in tree.iter(*CODE, *TIMER_TAGS):
        mode, what = CODE.get(node.tag) or ("eval", "the timer expression")
        if node.tag in TIMER_TAGS:
            source = _timer_code(node)
            if source is None:
                continue
        else:
            source = node.text or ""
        owner = owner_of(node)
        if not source.strip():
            if node.tag == f"{{{BPMN_NS}}}script":
                found.append(problem(owner, "the script is empty."))
            continue
        found += [problem(owner, f"{what} cannot run: {p}.") for p in sandbox.problems(source, mode)]
    for task in tree.iter(f"{{{BPMN_NS}}}scriptTask"):
        if task.find(f"{{{BPMN_NS}}}script") is None:
            found.append(problem(task, "the script task has no script."))
    return found


def candidate_groups(tree: Any, groups: Iterable[str] | None) -> list[Problem]:
    if groups is None:
        return []
    known = set(groups)
    found = []
    named = [(task, "candidateGroups") for task in tree.iter(f"{{{BPMN_NS}}}userTask")]
    named += [(process, "candidateStarterGroups") for process in tree.iter(f"{{{BPMN_NS}}}process")]
    for node, attribute in named:
        raw = node.get(f"{{{CAMUNDA_NS}}}{attribute}") or ""
        for group in (g.strip() for g in raw.split(",")):
            if group.startswith("${"):
                found += _from_data(node, attribute, group)
            elif group and group not in known:
                found.append(
                    problem(node, f"no group is called '{group}'. Known groups: {', '.join(sorted(known))}.")
                )
    return found


FROM_DATA = re.compile(r"^\$\{[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*\}$")


def _from_data(node: Any, attribute: str, value: str) -> list[Problem]:
    """``${name}`` takes the value from the case data; nothing else in braces is read."""
    if FROM_DATA.match(value):
        return []
    return [
        problem(node, f"the {attribute} '{value}' should name one value of the case data, e.g. ${{owner}}.")
    ]


def due_dates(tree: Any) -> list[Problem]:
    found = []
    for task in tree.iter(f"{{{BPMN_NS}}}userTask"):
        due = task.get(f"{{{CAMUNDA_NS}}}dueDate")
        if not due:
            continue
        if due.strip().startswith("${"):
            found += _from_data(task, "dueDate", due.strip())
            continue
        try:
            TimerEventDefinition.parse_time_or_duration(due)
        except Exception:
            found.append(
                problem(task, f"the due date '{due}' is not an ISO-8601 duration or date, e.g. P3D or PT4H.")
            )
    return found


def _constant_time(node: Any) -> str | None:
    """A timer's text when it is a constant (an ISO literal, bare or quoted); ``None`` for an
    expression from the case's data, which the engine guards at run time instead."""
    text = (node.text or "").strip()
    if re.match(r"^[\dRPTYMWDHS/.:,+\-Z]+$", text):
        return text
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError:
        return None
    value = tree.body.value if isinstance(tree.body, ast.Constant) else None
    return value.strip() if isinstance(value, str) else None


def _positive(node: Any) -> bool:
    """Whether a constant timer really waits each time round a loop. A fixed date has passed
    after the first time, and an unreadable timer is named by another check."""
    text = _constant_time(node)
    if text is None:
        return True
    try:
        if local(node) == "timeCycle":
            return bool(TimerEventDefinition.parse_iso_recurring_interval(text)[2].total_seconds() > 0)
        parsed = TimerEventDefinition.parse_time_or_duration(text)
    except Exception:
        return True
    return isinstance(parsed, dict) and any(amount > 0 for amount in parsed.values())


def _zero_timer(event: Any) -> bool:
    return any(not _positive(timer) for timer in event.iter(*TIMER_TAGS))


def _cut_short(task: Any) -> bool:
    """A user task that an interrupting timer of no length takes away before anyone can work it."""
    return any(
        boundary.get("attachedToRef") == task.get("id")
        and boundary.get("cancelActivity") != "false"
        and _zero_timer(boundary)
        for boundary in task.getparent().iterchildren(f"{{{BPMN_NS}}}boundaryEvent")
    )


def _waits(node: Any) -> bool:
    """Whether a case stops at ``node`` for a person, a message or a timer that takes time."""
    name = local(node)
    if name == "subProcess":
        return any(_waits(child) for child in node.iter() if child is not node and local(child) in WAITS)
    if name == "userTask":
        return not _cut_short(node)
    if name == "intermediateCatchEvent":
        return not _zero_timer(node)
    return name in WAITS


def _on_cycles(edges: dict[str, set[str]]) -> set[str]:
    """The nodes left after peeling off, again and again, those with no way in or no way out:
    the nodes on (or between) cycles."""
    remaining = {node: set(targets) for node, targets in edges.items()}
    while True:
        reached = {t for targets in remaining.values() for t in targets}
        dead = [n for n, targets in remaining.items() if n not in reached or not targets & remaining.keys()]
        if not dead:
            return set(remaining)
        for node in dead:
            del remaining[node]


def _cycle(edges: dict[str, set[str]], first: str) -> list[str] | None:
    """The shortest way from ``first`` round and back to it, if there is one."""
    paths = {first: [first]}
    queue = [first]
    while queue:
        node = queue.pop(0)
        for target in sorted(edges[node]):
            if target == first:
                return paths[node]
            if target not in paths:
                paths[target] = [*paths[node], target]
                queue.append(target)
    return None


def _label(node: Any) -> str:
    return f"'{node.get('name') or node.get('id')}'"


def endless_loops(tree: Any) -> list[Problem]:
    """A cycle of flows with no person, message or timer that takes time on it would run the engine
    for ever and grow the case's saved state without bound."""
    found = []
    for scope in (*tree.iter(f"{{{BPMN_NS}}}process"), *tree.iter(f"{{{BPMN_NS}}}subProcess")):
        nodes = {n.get("id"): n for n in scope if local(n) in FLOW_NODES and not _waits(n)}
        edges: dict[str, set[str]] = {ident: set() for ident in nodes}
        for flow in scope.iterchildren(f"{{{BPMN_NS}}}sequenceFlow"):
            source, target = flow.get("sourceRef"), flow.get("targetRef")
            if source in nodes and target in nodes:
                edges[source].add(target)
        for boundary in scope.iterchildren(f"{{{BPMN_NS}}}boundaryEvent"):
            if boundary.get("attachedToRef") in nodes and boundary.get("id") in nodes:
                edges[boundary.get("attachedToRef")].add(boundary.get("id"))
        remaining = _on_cycles(edges)
        loops = [c for c in (_cycle(edges, n) for n in sorted(remaining)) if c]
        if loops:
            loop = loops[0]
            route = " → ".join(_label(nodes[n]) for n in [*loop, loop[0]])
            found.append(
                problem(
                    nodes[loop[0]],
                    f"it is on a loop ({route}) with no user task, message or timer that takes time "
                    "on it, so a case could go round it for ever. Put a user task on the loop, or a "
                    "timer of more than zero (a timer of PT0S, or a fixed date, does not wait).",
                )
            )
    return found


def check(tree: Any, groups: Iterable[str] | None = None) -> list[Problem]:
    """Every problem found in the parsed XML ``tree`` (beyond the elements it holds, see
    ``processes.elements``); ``groups`` are the known candidate groups (``None`` skips that
    check)."""
    return [
        *references(tree),
        *gateways(tree),
        *code(tree),
        *candidate_groups(tree, groups),
        *due_dates(tree),
        *endless_loops(tree),
        *critical_answers(tree),
        *separations(tree),
    ]


def _task_properties(task: Any) -> dict[str, str]:
    return {
        p.get("name"): p.get("value") or ""
        for p in task.xpath("./bpmn:extensionElements/camunda:properties/camunda:property", namespaces=NS)
        if p.get("name")
    }


def critical_answers(tree: Any) -> list[Problem]:
    """A scored task's ``critical.<band>`` rules name a band it declares and answers its form
    asks (a yes/no question, or an option of a choice)."""
    from processes import scoring  # forms -> diagram -> expressions import this module
    from processes.diagram import read_form

    found = []
    for task in tree.iter(f"{{{BPMN_NS}}}userTask"):
        properties = _task_properties(task)
        if not properties.get("scoring"):
            continue
        try:
            fields = {f.id: f for f in read_form(task)}
        except ValueError:
            continue  # diagram.py names the bad constraint
        known = scoring.bands(properties)
        for name, rule in scoring.critical_rules(properties):
            if name not in known:
                found.append(
                    problem(
                        task,
                        f"the critical rule for '{name}' names no band of this task. "
                        f"Its bands are: {', '.join(known)}.",
                    )
                )
            for field_id, option in rule:
                found += _unknown_answer(task, name, fields, field_id, option)
    return found


def _unknown_answer(
    task: Any, band: str, fields: dict[str, Any], field_id: str, option: str | None
) -> list[Problem]:
    field = fields.get(field_id)
    where = f"the critical rule for '{band}'"
    if field is None:
        return [problem(task, f"{where} names '{field_id}', which is not a field of its form.")]
    if option is None and field.type != "boolean":
        return [problem(task, f"{where} names '{field_id}' without an answer: write '{field_id}=<option>'.")]
    if option is not None and option not in {o.id for o in field.options}:
        options = ", ".join(o.id for o in field.options) or "none"
        return [
            problem(
                task, f"{where} names '{field_id}={option}', which is not one of its options ({options})."
            )
        ]
    return []


def separations(tree: Any) -> list[Problem]:
    """``not_completed_by`` on a user task names user tasks of this diagram whose completer may not
    work it (four eyes: the approver is not the proposer)."""
    tasks = {t.get("id") for t in tree.iter(f"{{{BPMN_NS}}}userTask")}
    found = []
    for task in tree.iter(f"{{{BPMN_NS}}}userTask"):
        for other in separated_from(_task_properties(task)):
            if other not in tasks:
                found.append(
                    problem(
                        task,
                        f"'not_completed_by' names '{other}', which is not a user task of this "
                        "diagram. Give the id of the task whose completer may not work this one.",
                    )
                )
            elif other == task.get("id"):
                found.append(problem(task, "'not_completed_by' names this task itself."))
    return found


def separated_from(properties: dict[str, Any]) -> list[str]:
    """The task ids in a ``not_completed_by`` property (comma separated)."""
    return [t.strip() for t in (properties.get("not_completed_by") or "").split(",") if t.strip()]
