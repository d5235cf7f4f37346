"""The words a deployed diagram gives its codes: every choice of every task form, by its id
("victim_support_service" -> "Victim Support"), for pages that show what a task recorded."""

from __future__ import annotations

from db.models import ProcessVersion
from processes.forms import FormField
from processes.specs import specs_for


def option_labels(version: ProcessVersion, field: str | None = None) -> dict[str, str]:
    """{choice id: its name} over the version's task forms, or only over the fields with the id
    ``field`` (two fields may give one choice id different names: the first name wins)."""
    specs = specs_for(version)
    labels: dict[str, str] = {}
    for spec in (specs.spec, *specs.subprocess_specs.values()):
        for task_spec in spec.task_specs.values():
            extensions = getattr(task_spec, "extensions", None) or {}
            for data in extensions.get("form", []):
                form_field = FormField.from_dict(data)
                if field is not None and form_field.id != field:
                    continue
                for option in form_field.options:
                    labels.setdefault(option.id, option.name)
    return labels
