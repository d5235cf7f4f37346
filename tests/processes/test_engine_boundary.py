"""SpiffWorkflow stays behind processes/engine.py: runtime.py speaks only the facade's own types."""

from __future__ import annotations

import ast
from pathlib import Path

PROCESSES = Path(__file__).resolve().parents[2] / "processes"
# The engine runs workflows; diagram and validation parse and check BPMN with SpiffWorkflow's parser.
MAY_IMPORT_SPIFF = {"engine.py", "diagram.py", "validation.py"}
# Attributes of SpiffWorkflow's tasks, specs and workflows that only engine.py may read.
SPIFF_ATTRIBUTES = {
    "bpmn_id",
    "bpmn_name",
    "cancel_activity",
    "children",
    "do_engine_steps",
    "event_definition",
    "event_manager",
    "extensions",
    "get_task_from_id",
    "get_tasks",
    "internal_data",
    "parent",
    "refresh_timers",
    "send_event",
    "subprocess_specs",
    "task_spec",
    "top_workflow",
}


def spiff_imports(source: str) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source)):
        names = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module]
        found += [name for name in names if name.split(".")[0] == "SpiffWorkflow"]
    return found


def spiff_attributes(source: str) -> list[str]:
    return sorted(
        {
            node.attr
            for node in ast.walk(ast.parse(source))
            if isinstance(node, ast.Attribute) and node.attr in SPIFF_ATTRIBUTES
        }
    )


def test_runtime_imports_nothing_from_spiffworkflow():
    assert spiff_imports((PROCESSES / "runtime.py").read_text()) == []


def test_runtime_reads_no_attribute_of_spiffworkflow_objects():
    assert spiff_attributes((PROCESSES / "runtime.py").read_text()) == []


def test_only_the_engine_and_the_parsers_import_spiffworkflow():
    importers = {path.name for path in PROCESSES.rglob("*.py") if spiff_imports(path.read_text())}
    assert importers <= MAY_IMPORT_SPIFF
    assert "engine.py" in importers


def test_the_checks_catch_what_runtime_used_to_do():
    before = (
        "from SpiffWorkflow.exceptions import SpiffWorkflowException\n"
        "import SpiffWorkflow.bpmn.util.event\n"
        "ext = task.task_spec.extensions\n"
        "dues = [s.internal_data for s in task.parent.children]\n"
    )
    assert spiff_imports(before) == ["SpiffWorkflow.exceptions", "SpiffWorkflow.bpmn.util.event"]
    assert spiff_attributes(before) == ["children", "extensions", "internal_data", "parent", "task_spec"]
