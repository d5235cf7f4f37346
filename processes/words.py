"""The words a deployed diagram gives its codes: every choice of every task form, by its id
("victim_support_service" -> "Victim Support"), for pages that show what a task recorded."""

from __future__ import annotations

from db.models import ProcessVersion
from processes.forms import FormField
from processes.specs import specs_for


def option_labels(version: ProcessVersion) -> dict[str, str]:
    """{choice id: its name} over the version's task forms (the first name wins on a clash)."""
    specs = specs_for(version)
    labels: dict[str, str] = {}
    for spec in (specs.spec, *specs.subprocess_specs.values()):
        for task_spec in spec.task_specs.values():
            extensions = getattr(task_spec, "extensions", None) or {}
            for field in extensions.get("form", []):
                for option in FormField.from_dict(field).options:
                    labels.setdefault(option.id, option.name)
    return labels
