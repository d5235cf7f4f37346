"""Forms written in the BPMN (``camunda:formData``) and server-side validation of submissions.

The engine never checks submitted data, so every completion goes through ``validate``.
Field types: string, long, boolean, date, enum. Field properties ``multiline`` (a text area),
``multiple`` (an enum where several options may be chosen) and ``required_if`` (``other`` or
``other=value`` or ``other=a|b``: required when another answer is given, or is that value, or any
of those values; a yes/no field must then be ticked) and ``prefill`` (a name in the case data,
``a.b`` for a part of it: the form starts with that value, which the officer may change).
Properties are what the Camunda properties panel edits, so these rules live in the diagram.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, replace
from datetime import date
from typing import Any

FIELD_TYPES = ("string", "long", "boolean", "date", "enum")
TRUE_WORDS = {"true", "on", "yes", "1"}
FALSE_WORDS = {"false", "off", "no", "0", ""}


@dataclass(frozen=True)
class Option:
    id: str
    name: str


@dataclass(frozen=True)
class FormField:
    id: str
    label: str
    type: str
    required: bool = False
    multiline: bool = False
    multiple: bool = False
    options: tuple[Option, ...] = ()
    default: str | None = None
    min_length: int | None = None
    max_length: int | None = None
    minimum: int | None = None
    maximum: int | None = None
    readonly: bool = False
    help: str | None = None
    extra: dict[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["options"] = [asdict(o) for o in self.options]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FormField:
        values = dict(data)
        values["options"] = tuple(Option(**o) for o in values.get("options", ()))
        return cls(**values)


def prefills(fields: Iterable[FormField]) -> bool:
    return any(f.extra.get("prefill") for f in fields)


def prefilled(fields: Iterable[FormField], data: dict[str, Any]) -> list[FormField]:
    """``fields`` whose ``prefill`` names a value in ``data``, with that value as their default
    (a list as the comma-separated choices a multiple choice starts with)."""
    found = []
    for form_field in fields:
        value = _lookup(data, form_field.extra.get("prefill") or "")
        if isinstance(value, list):
            form_field = replace(form_field, default=",".join(str(v) for v in value))
        elif isinstance(value, str | int | float | bool):
            form_field = replace(
                form_field, default=str(value).lower() if isinstance(value, bool) else str(value)
            )
        found.append(form_field)
    return found


def _lookup(data: dict[str, Any], path: str) -> Any:
    value: Any = data if path else None
    for part in path.split(".") if path else ():
        value = value.get(part) if isinstance(value, dict) else None
    return value


def validate(fields: list[FormField], data: Any) -> tuple[dict[str, Any], dict[str, str]]:
    """Check ``data`` against ``fields``; return (clean values, {field id: message})."""
    if not isinstance(data, dict):
        return {}, {"_form": "The form data must be a set of named fields."}
    known = {f.id for f in fields}
    errors = {key: "This form has no such field." for key in data if key not in known}
    clean: dict[str, Any] = {}
    for form_field in fields:
        if form_field.readonly:
            continue
        value, error = _check(form_field, data.get(form_field.id))
        if error:
            errors[form_field.id] = error
        else:
            clean[form_field.id] = value
    for form_field in fields:
        condition = form_field.extra.get("required_if")
        if condition and form_field.id not in errors and _condition_met(condition, clean):
            if form_field.type == "boolean" and clean.get(form_field.id) is not True:
                errors[form_field.id] = "This must be confirmed for the answers given."
            elif _is_blank(clean.get(form_field.id)):
                errors[form_field.id] = "This is required for the answers given."
    return clean, errors


def _condition_met(condition: str, clean: dict[str, Any]) -> bool:
    name, _, expected = condition.partition("=")
    value = clean.get(name.strip())
    if not expected:
        return not _is_blank(value) and value is not False
    # ``a|b``: any of these values (for a multiple choice, any of them chosen).
    wanted = {option.strip().lower() for option in expected.split("|") if option.strip()}
    if isinstance(value, list):
        return any(str(v).lower() in wanted for v in value)
    return str(value).lower() in wanted


def _is_blank(raw: Any) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip()) or raw == []


def _check(f: FormField, raw: Any) -> tuple[Any, str | None]:
    if f.type == "boolean":
        return _boolean(f, raw)
    if _is_blank(raw):
        if f.required:
            return None, "Choose at least one option." if f.multiple else "This field is required."
        return ([] if f.multiple else None), None
    checker = {"string": _string, "long": _long, "date": _date, "enum": _enum}[f.type]
    return checker(f, raw)


def _string(f: FormField, raw: Any) -> tuple[Any, str | None]:
    if not isinstance(raw, str):
        return None, "Enter text."
    value = raw.strip().replace("\r\n", "\n")
    if f.min_length is not None and len(value) < f.min_length:
        return None, f"Enter at least {f.min_length} characters."
    if f.max_length is not None and len(value) > f.max_length:
        return None, f"Enter no more than {f.max_length} characters."
    return value, None


def _long(f: FormField, raw: Any) -> tuple[Any, str | None]:
    if isinstance(raw, bool) or not isinstance(raw, int | str):
        return None, "Enter a whole number."
    try:
        value = int(raw.strip()) if isinstance(raw, str) else raw
    except ValueError:
        return None, "Enter a whole number."
    if f.minimum is not None and value < f.minimum:
        return None, f"Enter a number of at least {f.minimum}."
    if f.maximum is not None and value > f.maximum:
        return None, f"Enter a number no greater than {f.maximum}."
    return value, None


def _boolean(f: FormField, raw: Any) -> tuple[Any, str | None]:
    if raw is None:
        value = False
    elif isinstance(raw, bool):
        value = raw
    elif isinstance(raw, str) and raw.strip().lower() in TRUE_WORDS | FALSE_WORDS:
        value = raw.strip().lower() in TRUE_WORDS
    else:
        return None, "Answer yes or no."
    if f.required and not value:
        return None, "This must be confirmed."
    return value, None


def _date(f: FormField, raw: Any) -> tuple[Any, str | None]:
    if not isinstance(raw, str):
        return None, "Enter a date as YYYY-MM-DD."
    try:
        return date.fromisoformat(raw.strip()).isoformat(), None
    except ValueError:
        return None, "Enter a real date as YYYY-MM-DD, for example 2026-03-31."


def _enum(f: FormField, raw: Any) -> tuple[Any, str | None]:
    allowed = {o.id for o in f.options}
    if f.multiple:
        values = raw if isinstance(raw, list) else [raw]
        if not all(isinstance(v, str) and v in allowed for v in values):
            return None, "Choose only from the options listed."
        return [o.id for o in f.options if o.id in values], None
    if not isinstance(raw, str) or raw not in allowed:
        return None, "Choose one of the options listed."
    return raw, None
