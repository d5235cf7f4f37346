"""Which BPMN elements this system runs, passes through, ignores or refuses.

Diagrams come from many tools (Camunda Modeler, Signavio, Bizagi, bpmn.io, the BPMN Model
Interchange Working Group's test suite), and most hold more than the steps a case takes. A plain
or manual task runs as a step that passes straight through (as Camunda and SpiffArena run it),
with a warning. Elements that only describe or decorate (text annotations, groups, lanes, pools,
documentation, other vendors' extension elements) are accepted silently; those that describe data
the engine does not keep (ioSpecification, data objects and stores, data associations,
performers) are accepted with a warning and taken out of the diagram the engine runs. Errors are
kept for what would really fail: calling another process, decision tables, multi-instance, and
the like, each with a hint.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from processes.errors import Problem
from processes.validation import BPMN_NS, CAMUNDA_NS, FLOW_NODES, local, names, owner_of, problem

SUPPORTED = names(
    """definitions process collaboration participant messageFlow laneSet lane flowNodeRef childLaneSet
    startEvent endEvent boundaryEvent intermediateCatchEvent intermediateThrowEvent userTask
    serviceTask scriptTask subProcess exclusiveGateway inclusiveGateway parallelGateway
    eventBasedGateway sequenceFlow conditionExpression incoming outgoing property
    message signal error escalation timerEventDefinition timeDuration timeDate timeCycle
    messageEventDefinition signalEventDefinition errorEventDefinition escalationEventDefinition
    terminateEventDefinition script task manualTask"""
)
# Elements that only describe or decorate the diagram: accepted, and nothing inside them is run.
HARMLESS = names(
    """documentation extensionElements textAnnotation association group category categoryValue
    itemDefinition participantMultiplicity conversation conversationLink callConversation
    subConversation correlationKey correlationProperty interface operation resource
    resourceParameter dataState"""
)
# Elements that describe data the engine does not keep: accepted with a warning, and taken out
# of the diagram the engine runs (SpiffWorkflow would otherwise insist on the inputs an
# ioSpecification names, and on data objects being set before they are read).
IGNORED = {
    "ioSpecification": "its inputs and outputs (ioSpecification) are ignored; a case's data comes from "
    "forms and the start data",
    "dataObject": "data objects are ignored; a case's data comes from forms and the start data",
    "dataObjectReference": "data objects are ignored; a case's data comes from forms and the start data",
    "dataStore": "data stores are ignored; the case file keeps the case's records",
    "dataStoreReference": "data stores are ignored; the case file keeps the case's records",
    "dataInputAssociation": "its data associations are ignored; every step sees all the case's data",
    "dataOutputAssociation": "its data associations are ignored; every step sees all the case's data",
    "performer": "who does a task is set by its candidate group here, not by a performer",
    "humanPerformer": "who does a task is set by its candidate group here, not by a performer",
    "potentialOwner": "who does a task is set by its candidate group here, not by a potential owner",
}
DATA_ELEMENTS = names("dataObject dataObjectReference dataStore dataStoreReference")
PASS_THROUGH = {
    "task": "plain task",
    "manualTask": "manual task",
}
HINTS = {
    "callActivity": "calling another process is not supported; draw the steps in a subprocess",
    "businessRuleTask": "decision tables are not supported; use a gateway with conditions",
    "sendTask": "use a message end or throw event instead",
    "receiveTask": "use an intermediate message catch event instead",
    "multiInstanceLoopCharacteristics": "repeating a task for each item is not supported",
    "standardLoopCharacteristics": "looping a task is not supported; draw the loop with a gateway",
}
UNSUPPORTED_CAMUNDA = {
    "executionListener": "execution listeners are not run by this system",
    "taskListener": "task listeners are not run by this system",
    "connector": "connectors are not run by this system; use Implementation 'External' with a topic",
    "script": "scripts in input or output parameters are not run by this system",
}


def _walk(node: Any) -> Iterator[Any]:
    """The BPMN elements under ``node`` that the engine would run or read: not those inside an
    element that only describes or decorates (``HARMLESS``) or describes data (``IGNORED``)."""
    for child in node.iterchildren(f"{{{BPMN_NS}}}*"):
        yield child
        if local(child) not in HARMLESS and local(child) not in IGNORED:
            yield from _walk(child)


def unsupported(tree: Any) -> list[Problem]:
    found = []
    for node in _walk(tree):
        name = local(node)
        if name not in SUPPORTED | HARMLESS | IGNORED.keys():
            owner = node if name in FLOW_NODES else owner_of(node.getparent())
            hint = HINTS.get(name, "this system cannot run it")
            found.append(problem(owner, f"'{name}' is not supported: {hint}."))
    for node in tree.iter(f"{{{CAMUNDA_NS}}}*"):
        if local(node) in UNSUPPORTED_CAMUNDA:
            found.append(problem(owner_of(node), UNSUPPORTED_CAMUNDA[local(node)] + "."))
    for task in tree.iter(f"{{{BPMN_NS}}}scriptTask"):
        language = (task.get("scriptFormat") or "python").lower()
        if language not in ("python", "python3", "py"):
            found.append(problem(task, f"scripts in '{language}' cannot run here; write them in Python."))
    return found


def _title(node: Any) -> str:
    name, ident = node.get("name"), node.get("id")
    return f"'{name}' ({ident})" if name else f"'{ident}'"


def warnings(tree: Any) -> list[Problem]:
    """What the diagram holds that runs differently from how it may look, or not at all, though
    nothing fails: plain and manual tasks pass straight through, data elements are ignored."""
    found = []
    for node in _walk(tree):
        name = local(node)
        if name in PASS_THROUGH:
            found.append(
                Problem(
                    f"{PASS_THROUGH[name].capitalize()} {_title(node)} does nothing and nobody sees it; it "
                    "passes straight through. Make it a user task with a candidate group if someone "
                    "must do it.",
                    node.get("id"),
                    node.get("name"),
                    node.sourceline,
                )
            )
    for task in tree.iter(f"{{{BPMN_NS}}}userTask"):
        if not (task.get(f"{{{CAMUNDA_NS}}}candidateGroups") or task.get(f"{{{CAMUNDA_NS}}}assignee")):
            found.append(
                problem(
                    task,
                    "it has no candidate group and no assignee, so nobody may work it and a case "
                    "would wait there; give it a candidate group.",
                )
            )
    seen: set[tuple[str | None, str]] = set()
    for node in _walk(tree):
        name = local(node)
        if name not in IGNORED:
            continue
        owner = node if name in DATA_ELEMENTS else owner_of(node)
        key = (owner.get("id"), IGNORED[name])
        if key not in seen:
            seen.add(key)
            found.append(problem(owner, IGNORED[name] + "."))
    return found


def drawn_only(tree: Any) -> list[Problem]:
    """Take out of ``tree`` the processes not marked executable beside one that is (pools drawn to
    show who else takes part), which nothing runs; a warning for each."""
    processes = list(tree.iterchildren(f"{{{BPMN_NS}}}process"))
    if not any(p.get("isExecutable", "true") == "true" for p in processes):
        return []
    found = []
    for process in processes:
        if process.get("isExecutable", "true") != "true":
            found.append(problem(process, "it is not executable (its pool is only drawn), so it is not run."))
            tree.remove(process)
    return found


def strip_ignored(tree: Any) -> None:
    """Take out of ``tree`` what ``warnings`` says is ignored, so the engine never reads it."""
    for node in [node for node in _walk(tree) if local(node) in IGNORED]:
        node.getparent().remove(node)
