"""Scored questionnaires written in the diagram (e.g. the risk and vulnerability assessment).

A user task with the extension property ``scoring`` (say ``risk``) is a questionnaire. Each
question's weight is a property of its form field: ``score.<option id>`` for a choice,
``score`` for a yes/no question (counted when ticked). The task's properties
``band.<name>`` give each band's lowest score (highest first wins) and ``band.default`` the band
below them all. ``override`` names a field in which the officer may set the level by hand (its
reason is made required by that field's ``required_if`` rule). The result is written to the
task data as ``<scoring>_score``, ``<scoring>_band`` and ``<scoring>_level``. A process owner
changes questions, weights and thresholds in the modeller; no Python changes.
"""

from __future__ import annotations

from typing import Any

from processes.forms import FormField


def _number(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        return 0.0


def score(fields: list[FormField], answers: dict[str, Any]) -> float:
    total = 0.0
    for f in fields:
        value = answers.get(f.id)
        if f.type == "boolean" and value is True:
            total += _number(f.extra.get("score", "0"))
        elif f.type == "enum":
            for chosen in value if isinstance(value, list) else [value]:
                if chosen is not None:
                    total += _number(f.extra.get(f"score.{chosen}", "0"))
    return total


def band(total: float, properties: dict[str, str]) -> str:
    thresholds = sorted(
        (
            (_number(v), k.removeprefix("band."))
            for k, v in properties.items()
            if k.startswith("band.") and k != "band.default"
        ),
        reverse=True,
    )
    for lowest, name in thresholds:
        if total >= lowest:
            return name
    return properties.get("band.default", "none")


def results(fields: list[FormField], properties: dict[str, str], answers: dict[str, Any]) -> dict[str, Any]:
    """The values a scored task adds to the case data; empty for a task that is not scored."""
    prefix = properties.get("scoring")
    if not prefix:
        return {}
    total = score(fields, answers)
    computed = band(total, properties)
    override = properties.get("override")
    chosen = answers.get(override) if override else None
    return {
        f"{prefix}_score": total,
        f"{prefix}_band": computed,
        f"{prefix}_level": chosen or computed,
        f"{prefix}_overridden": bool(chosen and chosen != computed),
    }
