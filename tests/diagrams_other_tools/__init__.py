"""Small diagrams in the shapes other modelling tools save (Camunda Modeler 5 for Camunda 7 and
for Zeebe, Signavio, Bizagi, bpmn-js with pools, a drawing only), with what a deploy makes of
each: the runnable ones deploy with warnings, the others are refused naming an element."""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).resolve().parent

# file -> the element ids its warnings name (runnable), or the element id a refusal names.
RUNNABLE: dict[str, set[str]] = {
    "camunda_modeler_plain_and_manual.bpmn": {"Activity_plain", "Activity_manual"},
    "signavio_data_objects.bpmn": {"sid-read", "sid-letter", "sid-letter-ref", "sid-reply"},
    "bizagi_lanes_data_store.bpmn": {"Id_inspect", "Id_store", "Id_store_ref", "Id_log"},
    "pools_and_message_flows.bpmn": {"tenant_pool"},
}
REFUSED: dict[str, str] = {
    "zeebe_service_task.bpmn": "Task_charge",
    "call_activity.bpmn": "call_other",
    "not_executable.bpmn": "drawing_only",
}


def read(name: str) -> bytes:
    return (HERE / name).read_bytes()
