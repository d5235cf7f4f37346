"""What changed between two versions, read from the XML: each property with its old and new
value, elements added and removed, and layout apart (a pixel's rounding is no move)."""

from __future__ import annotations

import pytest

from processes.changes import Changes, ElementChange, UnreadableDiagram, compare, process_key
from tests.conftest import BPMN
from tests.diagrams import noise

HATE = BPMN.read_bytes()


def changed(changes: Changes, element_id: str) -> dict[str, tuple[str | None, str | None]]:
    [element] = [e for e in changes.elements if e.element_id == element_id]
    assert element.kind == "changed"
    return {p.name: (p.old, p.new) for p in element.properties}


def only(changes: Changes) -> ElementChange:
    [element] = changes.elements
    return element


def test_the_same_diagram_has_no_changes():
    assert compare(HATE, HATE).same
    assert compare(HATE, HATE.decode()).as_dict() == {"same": True, "elements": [], "layout": []}


def test_a_label_candidate_groups_and_a_timer_with_old_and_new_values():
    new = (
        HATE.replace(b'name="Make the first response"', b'name="Make first contact"')
        .replace(b'camunda:candidateGroups="community-safety">', b'camunda:candidateGroups="supervisors">', 1)
        .replace(b"PT24H", b"PT36H")
    )
    changes = compare(HATE, new)
    first = changed(changes, "first_response")
    assert first["label"] == ("Make the first response", "Make first contact")
    assert first["candidate groups"] == ("community-safety", "supervisors")
    assert changed(changes, "response_deadline") == {"timer duration": ("PT24H", "PT36H")}
    assert not changes.layout
    titles = [e.title for e in changes.elements]
    assert "User task “Make first contact” (first_response)" in titles


def test_form_fields_label_required_options_added_and_removed():
    old = noise()
    new = (
        noise(label="Decibels")
        .replace(b'<camunda:constraint name="required" config="true" />', b"")
        .replace(
            b'<camunda:formField id="noise_notes" label="What the neighbours said" type="string" />',
            b'<camunda:formField id="source" label="Where from" type="enum">'
            b'<camunda:value id="party" name="A party" /></camunda:formField>',
        )
    )
    element = only(compare(old, new))
    properties = {p.name: (p.old, p.new) for p in element.properties}
    assert properties == {
        "form field decibels: label": ("Loudness (dB)", "Decibels"),
        "form field decibels: required": ("true", None),
        "form field noise_notes": ("“What the neighbours said” (string)", None),
        "form field source": (None, "“Where from” (enum)"),
    }
    options = noise().replace(
        b'type="string" />', b'type="enum"><camunda:value id="a" name="Day" /></camunda:formField>'
    )
    more = options.replace(b'name="Day" />', b'name="Day" /><camunda:value id="b" name="Night" />')
    assert changed(compare(options, more), "log_noise") == {
        "form field noise_notes: options": ("Day (a)", "Day (a), Night (b)")
    }


def test_conditions_topics_inputs_documentation_default_flow_and_where_flows_go():
    new = (
        noise()
        .replace(b"decibels &gt; 80", b"decibels &gt; 70")
        .replace(b'camunda:topic="notify_group"', b'camunda:topic="notify_person"')
        .replace(b">supervisors</camunda:inputParameter>", b">managers</camunda:inputParameter>")
        .replace(b'default="quiet_enough"', b'default="too_loud"')
        .replace(
            b'sourceRef="chase_noise" targetRef="noise_done"',
            b'sourceRef="chase_noise" targetRef="log_noise"',
        )
        .replace(b'attachedToRef="log_noise"', b'attachedToRef="visit_address"')
        .replace(
            b'name="Visit the address" camunda:candidateGroups="community-safety" />',
            b'name="Visit the address" camunda:candidateGroups="community-safety">'
            b"<bpmn:documentation>Go in pairs.</bpmn:documentation></bpmn:userTask>",
        )
    )
    changes = compare(noise(), new)
    assert changed(changes, "too_loud") == {"condition": ("decibels > 80", "decibels > 70")}
    assert changed(changes, "tell_supervisors") == {
        "service task topic": ("notify_group", "notify_person"),
        "input “group”": ("supervisors", "managers"),
    }
    assert changed(changes, "how_loud") == {
        "default flow": ("“Quiet enough” (quiet_enough)", "“Too loud” (too_loud)")
    }
    assert changed(changes, "chased")["to"] == (
        "“Done” (noise_done)",
        "“Log the noise complaint” (log_noise)",
    )
    assert changed(changes, "noise_deadline")["attached to"] == (
        "“Log the noise complaint” (log_noise)",
        "“Visit the address” (visit_address)",
    )
    assert changed(changes, "visit_address") == {"documentation": (None, "Go in pairs.")}


def test_added_and_removed_elements_and_other_camunda_settings_by_name():
    new = noise().replace(
        b'<bpmn:endEvent id="noise_done" name="Done" />',
        b'<bpmn:endEvent id="noise_done" name="Done" /><bpmn:task id="extra" name="Write it up" />',
    )
    added = only(compare(noise(), new))
    assert (added.kind, added.element_type, added.label, added.element_id) == (
        "added",
        "Task",
        "Write it up",
        "extra",
    )
    removed = only(compare(new, noise()))
    assert removed.kind == "removed" and removed.title == "Task “Write it up” (extra)"
    tuned = noise().replace(
        b'camunda:candidateGroups="supervisors" />',
        b'camunda:candidateGroups="supervisors"'
        b' camunda:asyncBefore="true" camunda:dueDate="P1D"><bpmn:extensionElements><camunda:properties>'
        b'<camunda:property name="colour" value="red" /></camunda:properties></bpmn:extensionElements>'
        b"</bpmn:userTask>",
    )
    assert changed(compare(noise(), tuned), "chase_noise") == {
        "async before": (None, "true"),
        "due date": (None, "P1D"),
        "extension property “colour”": (None, "red"),
    }


def with_drawing(xml: bytes, x: str = "100", waypoint: str = "150") -> bytes:
    drawing = (
        '<bpmndi:BPMNDiagram id="d" xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" '
        'xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" xmlns:di="http://www.omg.org/spec/DD/20100524/DI">'
        '<bpmndi:BPMNPlane id="p" bpmnElement="noise_complaint">'
        f'<bpmndi:BPMNShape id="s1" bpmnElement="log_noise">'
        f'<dc:Bounds x="{x}" y="80" width="100" height="80"/>'
        "</bpmndi:BPMNShape>"
        '<bpmndi:BPMNShape id="s2" bpmnElement="how_loud"><dc:Bounds x="300" y="95" width="50" height="50"/>'
        "</bpmndi:BPMNShape>"
        f'<bpmndi:BPMNEdge id="e1" bpmnElement="to_gateway"><di:waypoint x="200" y="120"/>'
        f'<di:waypoint x="{waypoint}" y="120"/></bpmndi:BPMNEdge>'
        "</bpmndi:BPMNPlane></bpmndi:BPMNDiagram>"
    )
    return xml.replace(b"</bpmn:definitions>", drawing.encode() + b"</bpmn:definitions>")


def test_layout_is_apart_and_a_pixels_rounding_is_no_move():
    assert compare(with_drawing(noise()), with_drawing(noise(), x="100.4", waypoint="150.9")).same
    changes = compare(with_drawing(noise()), with_drawing(noise(label="Decibels"), x="160", waypoint="210"))
    assert [e.element_id for e in changes.elements] == ["log_noise"]
    assert all(p.name != "moved" for p in changes.elements[0].properties)
    assert {(e.kind, e.element_id, e.detail) for e in changes.layout} == {
        ("moved", "log_noise", "moved or resized"),
        ("moved", "to_gateway", "path redrawn"),
    }


def test_the_key_and_unreadable_xml():
    assert process_key(noise()) == "noise_complaint"
    assert (
        process_key(b'<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"/>') is None
    )
    with pytest.raises(UnreadableDiagram, match="not well-formed"):
        compare(b"<oops", noise())
