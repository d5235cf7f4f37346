"""Who may start a case of a process, and what they are asked when they do, as the diagram says.

The executable process names the groups whose members may start it
(``camunda:candidateStarterGroups``, which the properties panel edits under "Start initiator" /
"Candidate starter"), and its plain start event may carry a form (``camunda:formData``) like a
user task. Read from the version's XML once per version (by its checksum).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from lxml import etree

from db.models import ProcessVersion
from processes.diagram import BPMN_NS, CAMUNDA_NS, read_form
from processes.forms import FormField


@dataclass(frozen=True)
class Starting:
    groups: tuple[str, ...]  # in the diagram's order
    fields: tuple[FormField, ...]  # the start event's form


_cache: dict[str, Starting] = {}
_lock = threading.Lock()


def read(xml: bytes | str) -> Starting:
    """The starter groups and start form of the first executable process in ``xml``."""
    data = xml.encode("utf-8") if isinstance(xml, str) else xml
    tree = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))
    found = tree.findall(f"{{{BPMN_NS}}}process")
    executable = [p for p in found if p.get("isExecutable", "false").lower() == "true"] or found
    if not executable:
        return Starting((), ())
    process = executable[0]
    raw = process.get(f"{{{CAMUNDA_NS}}}candidateStarterGroups") or ""
    groups = tuple(dict.fromkeys(g.strip() for g in raw.split(",") if g.strip()))
    fields: tuple[FormField, ...] = ()
    for event in process.iterchildren(f"{{{BPMN_NS}}}startEvent"):
        if not any(etree.QName(child).localname.endswith("EventDefinition") for child in event):
            fields = tuple(read_form(event))
            break
    return Starting(groups, fields)


def starting(version: ProcessVersion) -> Starting:
    """``read`` for a deployed version, kept per version."""
    known = _cache.get(version.checksum)
    if known is None:
        known = read(version.bpmn_xml)
        with _lock:
            _cache[version.checksum] = known
    return known
