"""The staff intake form's inputs: read from the request as typed (so a page with problems shows
everything again), and checked into a ``reports.Report`` or plain-English problems by input id.

People on the report are rows ``parties-<n>-<field>``; a row left empty is ignored, so the page
can always offer one blank row, and "Add another person" / "Remove" work without JavaScript."""

from __future__ import annotations

import re
from typing import Any

from marshmallow import ValidationError
from werkzeug.datastructures import MultiDict

from casework import reports
from casework.vocabulary import CHANNELS, INCIDENT_TYPES, STRANDS
from db.models import Locality
from webapp import reporter_form
from webapp.public import _occurred_at
from webapp.schemas import PartySchema, ReportSchema

PARTY_FIELDS = ("role", "name", "relation", "tenure", "address", "phone")
TEXT_FIELDS = (
    "channel",
    "reporter_name",
    "reporter_phone",
    "reporter_email",
    "description",
    "occurred_date",
    "occurred_time",
    "location",
    "locality",
)
LIST_FIELDS = ("incident_types", "strands")
# The page's inputs in order (the error summary lists problems in this order).
ORDER = (*TEXT_FIELDS[:8], "locality", "incident_types", "strands")
_ROW = re.compile(r"^parties-(\d{1,3})-(" + "|".join(PARTY_FIELDS) + r")$")
MAX_PARTIES = 30
FRIENDLY = {
    "channel": "Choose how the report reached us.",
    "description": "Say what happened, in at least 10 characters (and no more than 10,000).",
    "location": "Say where it happened: an address, street, estate or area.",
    "locality": "Choose a locality from the list, or “Not known”.",
    "incident_types": "Choose at least one type of incident.",
    "strands": "Choose at least one reason it is thought to be motivated by hate.",
    "reporter_name": "Enter a name of no more than 200 characters, or leave it empty.",
    "reporter_email": "Enter an email address like name@example.com, or leave it empty.",
    "reporter_phone": "Enter a phone number, for example 0161 496 0000, or leave it empty.",
    "role": "Choose this person's role: victim, witness, alleged perpetrator or reporter.",
    "relation": "Choose the person's relation to us from the list.",
    "tenure": "Choose the tenure from the list.",
    "name": "Enter a name of no more than 200 characters.",
    "address": "Enter an address of no more than 500 characters.",
    "phone": "Enter a phone number of no more than 40 characters.",
}


def blank_party() -> dict[str, str]:
    return dict.fromkeys(PARTY_FIELDS, "")


def blank() -> dict[str, Any]:
    values: dict[str, Any] = dict.fromkeys(TEXT_FIELDS, "")
    values.update({name: [] for name in LIST_FIELDS})
    values["parties"] = [blank_party()]
    return values


def submitted(form: MultiDict[str, str]) -> dict[str, Any]:
    """Everything typed, as the page shows it again: text, ticked boxes and the people's rows."""
    values: dict[str, Any] = {name: form.get(name, "") for name in TEXT_FIELDS}
    values.update({name: form.getlist(name) for name in LIST_FIELDS})
    rows: dict[int, dict[str, str]] = {}
    for key, value in form.items():
        found = _ROW.match(key)
        if found and int(found.group(1)) < MAX_PARTIES:
            rows.setdefault(int(found.group(1)), blank_party())[found.group(2)] = value
    values["parties"] = [rows[n] for n in sorted(rows)] or [blank_party()]
    return values


def _is_empty(row: dict[str, str]) -> bool:
    return not any((row.get(name) or "").strip() for name in PARTY_FIELDS)


def _parties(rows: list[dict[str, str]]) -> tuple[list[reports.PartyDetails], dict[str, str]]:
    people: list[reports.PartyDetails] = []
    errors: dict[str, str] = {}
    for n, row in enumerate(rows):
        if _is_empty(row):
            continue
        data = {name: (row.get(name) or "").strip() or None for name in PARTY_FIELDS}
        if data["role"] is None:
            errors[f"parties-{n}-role"] = f"Person {n + 1}: {FRIENDLY['role']}"
            continue
        try:
            people.append(PartySchema().load(data))
        except ValidationError as err:
            for name in err.messages:
                problem = FRIENDLY.get(str(name), "Check this answer.")
                errors[f"parties-{n}-{name}"] = f"Person {n + 1}: {problem}"
    return people, errors


def _locality(chosen: str, offered: list[Locality]) -> tuple[str | None, str | None]:
    """The chosen locality's name, or the problem with the choice ("" is "Not known")."""
    if not chosen:
        return None, None
    for locality in offered:
        if str(locality.id) == chosen:
            return locality.name, None
    return None, FRIENDLY["locality"]


def occurred_at(date_text: str, time_text: str) -> tuple[str | None, dict[str, str]]:
    """The date typed in one box (27/03/2026) and the optional time, as the public form's
    three-box date is checked: an ISO instant in UK time, or {input id: problem}."""
    boxes = reporter_form.split_single_date(date_text)
    if date_text and not (boxes["occurred_month"] and boxes["occurred_year"]):
        return None, {"occurred_date": "Enter the date as day/month/year, for example 27/03/2026."}
    return _occurred_at({**boxes, "occurred_time": time_text})


def checked(values: dict[str, Any], offered: list[Locality]) -> tuple[dict[str, Any] | None, dict[str, str]]:
    """The report as ``reports.Report`` takes it, or None and {input id: problem}, in page order."""
    errors: dict[str, str] = {}
    instant, time_errors = occurred_at(values["occurred_date"].strip(), values["occurred_time"].strip())
    errors.update(time_errors)
    if values["channel"] not in CHANNELS:
        errors["channel"] = FRIENDLY["channel"]
    if not values["incident_types"] or not set(values["incident_types"]) <= set(INCIDENT_TYPES):
        errors["incident_types"] = FRIENDLY["incident_types"]
    if not values["strands"] or not set(values["strands"]) <= set(STRANDS):
        errors["strands"] = FRIENDLY["strands"]
    locality, problem = _locality(values["locality"], offered)
    if problem:
        errors["locality"] = problem
    people, party_errors = _parties(values["parties"])
    data = {
        name: values[name]
        for name in ("description", "location", "reporter_name", "reporter_email", "reporter_phone")
    }
    try:
        loaded = ReportSchema().load({**data, "strands": list(STRANDS)[:1], "occurred_at": instant})
    except ValidationError as err:
        for name in err.messages:
            errors.setdefault(str(name), FRIENDLY.get(str(name), "Check this answer."))
    if errors or party_errors:
        ordered = {name: errors[name] for name in ORDER if name in errors}
        return None, {**ordered, **party_errors}
    loaded.update(
        channel=values["channel"],
        incident_types=list(values["incident_types"]),
        strands=list(values["strands"]),
        locality=locality,
        parties=people,
    )
    return loaded, {}
