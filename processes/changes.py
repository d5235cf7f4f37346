"""What changed between two versions of a diagram, in words a process owner reads.

Elements are matched by id. For each element in both versions, every property that differs is
listed with its old and new value: the label, groups, assignee, due date, timer, condition,
script, form fields (label, type, constraints, options), service task topic, documentation, the
default flow, where a flow goes, what an event is attached to, and any other Camunda attribute or
setting by name. Layout (the drawing's positions) is reported apart, and only for elements whose
position or size really changed (by more than a pixel), so a diagram saved again by another tool
is not "moved". Reads the XML only (lxml); no engine needed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from lxml import etree

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI = "http://www.omg.org/spec/BPMN/20100524/DI"
DC = "http://www.omg.org/spec/DD/20100524/DC"
DI = "http://www.omg.org/spec/DD/20100524/DI"
CAMUNDA = "http://camunda.org/schema/1.0/bpmn"
XSI_TYPE = "{http://www.w3.org/2001/XMLSchema-instance}type"
TOLERANCE = 1.0  # pixels: less than this is rounding, not a move

# Elements whose children are themselves elements (a step inside a process, a lane in a set).
CONTAINERS = {
    "definitions",
    "process",
    "subProcess",
    "transaction",
    "adHocSubProcess",
    "collaboration",
    "laneSet",
    "childLaneSet",
}
NOT_ELEMENTS = {"laneSet", "childLaneSet", "extensionElements", "documentation"}
SKIPPED_CHILDREN = {"incoming", "outgoing"}  # said by the flows' "from" and "to"

WORDS = {
    "name": "label",
    "default": "default flow",
    "sourceRef": "from",
    "targetRef": "to",
    "attachedToRef": "attached to",
    "cancelActivity": "interrupts the step",
    "isExecutable": "executable",
    "scriptFormat": "script language",
    "processRef": "process",
    "messageRef": "message",
    "signalRef": "signal",
    "errorRef": "error",
    "escalationRef": "escalation",
    "calledElement": "called process",
    "conditionExpression": "condition",
    "completionCondition": "completion condition",
    "timeDuration": "timer duration",
    "timeDate": "timer date",
    "timeCycle": "timer cycle",
    "candidateGroups": "candidate groups",
    "candidateUsers": "candidate users",
    "dueDate": "due date",
    "followUpDate": "follow-up date",
    "topic": "service task topic",
    "type": "implementation",
    "formKey": "form key",
    "flowNodeRef": "steps in the lane",
    "defaultValue": "default value",
    "loopCardinality": "number of repeats",
    "isSequential": "one after another",
    "elementVariable": "item variable",
    "collection": "collection",
}
REFERENCES = {"default", "sourceRef", "targetRef", "attachedToRef", "flowNodeRef", "processRef"}


@dataclass(frozen=True)
class PropertyChange:
    name: str  # in words: "label", "form field “Date of contact” (contact_date): required"
    old: str | None  # None: the property was not set
    new: str | None

    def as_dict(self) -> dict[str, str | None]:
        return {"name": self.name, "old": self.old, "new": self.new}


@dataclass(frozen=True)
class ElementChange:
    kind: str  # "added", "removed", "changed", "moved"
    element_id: str
    element_type: str  # in words: "User task"
    label: str | None
    properties: tuple[PropertyChange, ...] = ()
    detail: str | None = None  # for "moved": what about the drawing changed

    @property
    def title(self) -> str:
        return (
            f"{self.element_type} “{self.label}” ({self.element_id})"
            if self.label
            else (f"{self.element_type} {self.element_id}")
        )

    def as_dict(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "element_id": self.element_id,
            "element_type": self.element_type,
            "label": self.label,
            "title": self.title,
            "properties": [p.as_dict() for p in self.properties],
            "detail": self.detail,
        }


@dataclass(frozen=True)
class Changes:
    elements: tuple[ElementChange, ...]  # added, removed and changed elements
    layout: tuple[ElementChange, ...] = field(default=())  # moved or resized only

    @property
    def same(self) -> bool:
        return not self.elements and not self.layout

    def as_dict(self) -> dict[str, object]:
        return {
            "same": self.same,
            "elements": [e.as_dict() for e in self.elements],
            "layout": [e.as_dict() for e in self.layout],
        }


class UnreadableDiagram(ValueError):
    """The XML could not be read."""


def compare(old_xml: bytes | str, new_xml: bytes | str) -> Changes:
    """What changed from ``old_xml`` to ``new_xml`` (see the module's docstring)."""
    old, new = _read(old_xml), _read(new_xml)
    before, after = _elements(old), _elements(new)
    names = {**_names(before), **_names(after)}
    found: list[ElementChange] = []
    for element_id, node in after.items():
        if element_id not in before:
            found.append(_whole("added", node))
    for element_id, node in before.items():
        if element_id not in after:
            found.append(_whole("removed", node))
        else:
            changed = _diff(_properties(node, names), _properties(after[element_id], names))
            if changed:
                found.append(_whole("changed", after[element_id], changed))
    moved = _layout(old, new, {i: after[i] for i in before.keys() & after.keys()})
    return Changes(tuple(found), moved)


def process_key(xml: bytes | str) -> str | None:
    """The id of the diagram's executable process (the first one), as deploying reads it."""
    tree = _read(xml)
    for process in tree.iter(f"{{{BPMN}}}process"):
        if process.get("isExecutable", "false").lower() == "true" and process.get("id"):
            return process.get("id")
    return None


# -- reading


def _read(xml: bytes | str) -> etree._Element:
    data = xml.encode() if isinstance(xml, str) else xml
    parser = etree.XMLParser(resolve_entities=False, no_network=True, remove_comments=True)
    try:
        return etree.fromstring(data, parser)
    except etree.XMLSyntaxError as err:
        raise UnreadableDiagram(f"The file is not well-formed XML: {err.msg}") from err


def _local(node: etree._Element) -> str:
    return etree.QName(node).localname if isinstance(node.tag, str) else ""


def _ns(node: etree._Element) -> str | None:
    return etree.QName(node).namespace if isinstance(node.tag, str) else None


def _is_element(node: etree._Element) -> bool:
    parent = node.getparent()
    return (
        _ns(node) == BPMN
        and bool(node.get("id"))
        and _local(node) not in NOT_ELEMENTS
        and parent is not None
        and _local(parent) in CONTAINERS
    )


def _elements(tree: etree._Element) -> dict[str, etree._Element]:
    return {node.get("id"): node for node in tree.iter() if isinstance(node.tag, str) and _is_element(node)}


def _names(elements: dict[str, etree._Element]) -> dict[str, str]:
    return {element_id: node.get("name") or "" for element_id, node in elements.items()}


def words(camel: str) -> str:
    """``userTask`` → ``user task``."""
    return re.sub(r"(?<=[a-z0-9])([A-Z])", lambda m: " " + m.group(1).lower(), camel)


def _kind(node: etree._Element) -> str:
    text = words(_local(node))
    return text[:1].upper() + text[1:]


def _whole(kind: str, node: etree._Element, properties: Iterable[PropertyChange] = ()) -> ElementChange:
    return ElementChange(kind, node.get("id") or "", _kind(node), node.get("name") or None, tuple(properties))


# -- an element's properties, as {words: value}


def _text(node: etree._Element) -> str:
    return " ".join("".join(node.itertext()).split())


def _name_of(value: str, names: dict[str, str]) -> str:
    label = names.get(value)
    return f"“{label}” ({value})" if label else value


def _properties(node: etree._Element, names: dict[str, str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for attribute, value in sorted(node.attrib.items()):
        name = etree.QName(attribute).localname
        if name == "id":
            continue
        shown = _name_of(value, names) if name in REFERENCES else value
        found[WORDS.get(name, words(name))] = shown
    for child in node:
        if not isinstance(child.tag, str) or _is_element(child) or _local(child) in SKIPPED_CHILDREN:
            continue
        for key, value in _child(child, names):
            found[key] = f"{found[key]}, {value}" if key in found else value
    return found


def _child(node: etree._Element, names: dict[str, str]) -> Iterator[tuple[str, str]]:
    local = _local(node)
    if local == "extensionElements":
        yield from _extensions(node)
    elif local.endswith("EventDefinition"):
        yield from _event_definition(node)
    elif local == "flowNodeRef":
        yield WORDS[local], _name_of(_text(node), names)
    elif len(node) and local.endswith("LoopCharacteristics"):
        yield from _nested(words(local), node)
    else:
        yield WORDS.get(local, words(local)), _plain(node)


def _plain(node: etree._Element) -> str:
    """An element's text, with its attributes (a condition's language, say) when it has any."""
    attributes = ", ".join(
        f"{words(etree.QName(k).localname)} {v}" for k, v in sorted(node.attrib.items()) if k != XSI_TYPE
    )
    text = _text(node)
    return f"{text} ({attributes})" if attributes and text else text or attributes


def _nested(prefix: str, node: etree._Element) -> Iterator[tuple[str, str]]:
    for attribute, value in sorted(node.attrib.items()):
        name = etree.QName(attribute).localname
        yield f"{prefix}: {WORDS.get(name, words(name))}", value
    for child in node:
        if isinstance(child.tag, str):
            yield f"{prefix}: {WORDS.get(_local(child), words(_local(child)))}", _plain(child)


def _event_definition(node: etree._Element) -> Iterator[tuple[str, str]]:
    yield "event type", words(_local(node).removesuffix("EventDefinition"))
    for attribute, value in sorted(node.attrib.items()):
        name = etree.QName(attribute).localname
        if name != "id":
            yield WORDS.get(name, words(name)), value
    for child in node:
        if isinstance(child.tag, str):
            yield WORDS.get(_local(child), words(_local(child))), _plain(child)


def _extensions(node: etree._Element) -> Iterator[tuple[str, str]]:
    for child in _tagged(node):
        local = _local(child)
        if local == "formData":
            for form_field in _tagged(child):
                if _local(form_field) == "formField":
                    yield from _form_field(form_field)
        elif local == "inputOutput":
            for parameter in _tagged(child):
                kind = "input" if _local(parameter) == "inputParameter" else "output"
                yield f"{kind} “{parameter.get('name')}”", _compact(parameter, skip={"name"})
        elif local == "properties":
            for item in _tagged(child):
                yield f"extension property “{item.get('name')}”", item.get("value") or ""
        else:
            yield f"Camunda setting {words(local)}", _compact(child)


def _tagged(node: etree._Element) -> Iterator[etree._Element]:
    """The child elements (not comments or processing instructions)."""
    return (child for child in node if isinstance(child.tag, str))


def _compact(node: etree._Element, skip: frozenset[str] | set[str] = frozenset()) -> str:
    """Any XML as one line of words: attributes, text, then children (for settings with no
    words of their own)."""
    parts = [
        f"{words(etree.QName(k).localname)} {v}" for k, v in sorted(node.attrib.items()) if k not in skip
    ]
    text = (node.text or "").strip()
    if text:
        parts.append(" ".join(text.split()))
    parts += [f"{words(_local(c))} ({_compact(c)})" for c in node if isinstance(c.tag, str)]
    return "; ".join(parts)


def _form_field(node: etree._Element) -> Iterator[tuple[str, str]]:
    prefix = f"form field {node.get('id')}"
    yield prefix, f"“{node.get('label') or node.get('id')}” ({node.get('type') or 'no type'})"
    for attribute, value in sorted(node.attrib.items()):
        if attribute != "id":
            yield f"{prefix}: {WORDS.get(attribute, words(attribute))}", value
    for child in _tagged(node):
        for key, value in _form_field_part(child):
            yield f"{prefix}: {key}", value


def _form_field_part(node: etree._Element) -> Iterator[tuple[str, str]]:
    local = _local(node)
    if local == "validation":
        for constraint in _tagged(node):
            yield words(constraint.get("name") or ""), constraint.get("config") or ""
    elif local == "value":
        yield "options", f"{node.get('name')} ({node.get('id')})"
    elif local == "properties":
        for item in _tagged(node):
            yield words(item.get("id") or ""), item.get("value") or ""
    else:
        yield words(local), _compact(node)


def _diff(old: dict[str, str], new: dict[str, str]) -> list[PropertyChange]:
    changed: list[PropertyChange] = []
    for key in [*old, *(k for k in new if k not in old)]:
        if old.get(key) != new.get(key):
            changed.append(PropertyChange(key, old.get(key), new.get(key)))
    return _folded_fields(changed)


def _folded_fields(changed: list[PropertyChange]) -> list[PropertyChange]:
    """A form field added or removed is one change, not one per setting; a field in both
    versions is told by its settings alone."""
    heads = {c.name: c for c in changed if c.name.startswith("form field ") and ":" not in c.name}
    whole = {name for name, c in heads.items() if c.old is None or c.new is None}
    kept = []
    for change in changed:
        head = change.name.split(":")[0]
        if head in whole and change.name != head:
            continue
        if change.name in heads and change.name not in whole:
            continue
        kept.append(change)
    return kept


# -- layout


def _bounds(node: etree._Element) -> list[float]:
    numbers: list[float] = []
    for item in node.iter(f"{{{DC}}}Bounds", f"{{{DI}}}waypoint"):
        numbers += [float(item.get(a) or 0) for a in ("x", "y", "width", "height") if item.get(a) is not None]
    return numbers


def _drawing(tree: etree._Element) -> dict[str, tuple[str, list[float]]]:
    drawn: dict[str, tuple[str, list[float]]] = {}
    for node in tree.iter(f"{{{BPMNDI}}}BPMNShape", f"{{{BPMNDI}}}BPMNEdge"):
        element_id = node.get("bpmnElement")
        if element_id:
            drawn[element_id] = (_local(node), _bounds(node))
    return drawn


def _layout(
    old: etree._Element, new: etree._Element, both: dict[str, etree._Element]
) -> tuple[ElementChange, ...]:
    before, after = _drawing(old), _drawing(new)
    moved: list[ElementChange] = []
    for element_id, node in both.items():
        if element_id not in before or element_id not in after:
            continue
        (kind, old_numbers), (_, new_numbers) = before[element_id], after[element_id]
        if len(old_numbers) != len(new_numbers) or any(
            abs(a - b) > TOLERANCE for a, b in zip(old_numbers, new_numbers, strict=True)
        ):
            detail = "path redrawn" if kind == "BPMNEdge" else "moved or resized"
            moved.append(
                ElementChange("moved", element_id, _kind(node), node.get("name") or None, detail=detail)
            )
    return tuple(moved)
