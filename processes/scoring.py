"""Scored questionnaires written in the diagram (e.g. the risk and vulnerability assessment).

A user task with the extension property ``scoring`` (say ``risk``) is a questionnaire. Each
question's weight is a property of its form field: ``score.<option id>`` for a choice,
``score`` for a yes/no question (counted when ticked). The task's properties
``band.<name>`` give each band's lowest score (highest first wins) and ``band.default`` the band
below them all. ``critical.<band>`` lists answers that put the case in at least that band
whatever the score: rules separated by commas, any of which is enough; a rule is answers joined
by ``&``, all of which must be given; an answer is ``field`` (a ticked yes/no question) or
``field=option`` (a chosen option), e.g. ``violence & victim_fear=very, violence & home_targeted``.
``override`` names a field in which the officer may set the level by hand (its reason is made
required by that field's ``required_if`` rule). An override above the computed band is the
level at once; one below it is only asked for (``<scoring>_requested_level``, with
``<scoring>_lowering_requested``): the computed band stands until a supervisor approves it.
The result is written to the task data as ``<scoring>_score``, ``<scoring>_band`` and
``<scoring>_level``. A process owner changes questions, weights, critical answers and thresholds
in the modeller; no Python changes.
"""

from __future__ import annotations

from collections.abc import Iterator
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


def bands(properties: dict[str, str]) -> list[str]:
    """The band names, highest first, the default band last."""
    thresholds = sorted(
        (
            (_number(v), k.removeprefix("band."))
            for k, v in properties.items()
            if k.startswith("band.") and k != "band.default"
        ),
        reverse=True,
    )
    return [name for _, name in thresholds] + [properties.get("band.default", "none")]


def band(total: float, properties: dict[str, str]) -> str:
    for name in bands(properties)[:-1]:
        if total >= _number(properties[f"band.{name}"]):
            return name
    return properties.get("band.default", "none")


def critical_rules(properties: dict[str, str]) -> Iterator[tuple[str, list[tuple[str, str | None]]]]:
    """Each ``critical.<band>`` rule as (band, [(field, option or None for a yes/no)])."""
    for key, value in properties.items():
        if not key.startswith("critical."):
            continue
        for rule in value.split(","):
            answers = [part.strip() for part in rule.split("&") if part.strip()]
            if answers:
                parsed = [
                    (a.split("=", 1)[0].strip(), a.split("=", 1)[1].strip() if "=" in a else None)
                    for a in answers
                ]
                yield key.removeprefix("critical."), parsed


def _given(answers: dict[str, Any], field: str, option: str | None) -> bool:
    value = answers.get(field)
    if option is None:
        return value is True
    return option in value if isinstance(value, list) else value == option


def higher(first: str, second: str, order: list[str]) -> str:
    """The higher of two bands (``order`` highest first); an unknown band counts lowest."""
    rank = {name: i for i, name in enumerate(order)}
    return first if rank.get(first, len(order)) <= rank.get(second, len(order)) else second


def results(fields: list[FormField], properties: dict[str, str], answers: dict[str, Any]) -> dict[str, Any]:
    """The values a scored task adds to the case data; empty for a task that is not scored."""
    prefix = properties.get("scoring")
    if not prefix:
        return {}
    total = score(fields, answers)
    order = bands(properties)
    computed = band(total, properties)
    critical = [
        name
        for name, rule in critical_rules(properties)
        if all(_given(answers, field, option) for field, option in rule)
    ]
    for name in critical:
        computed = higher(name, computed, order)
    override = properties.get("override")
    chosen = answers.get(override) if override else None
    lowering = bool(chosen and higher(chosen, computed, order) != chosen)
    level = computed if lowering or not chosen else chosen
    return {
        f"{prefix}_score": total,
        f"{prefix}_band": computed,
        f"{prefix}_critical": bool(critical),
        f"{prefix}_level": level,
        f"{prefix}_overridden": level != computed,
        f"{prefix}_lowering_requested": lowering,
        f"{prefix}_requested_level": chosen if lowering else None,
    }
