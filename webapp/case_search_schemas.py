"""The cases search's query (the page and ``GET /api/cases`` read it alike) and its answer."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from marshmallow import Schema, ValidationError, fields, pre_load, validate, validates_schema

from casework import case_search
from casework.indicators import RISK_LEVELS
from casework.vocabulary import STRANDS

FILTERS = ("q", "status", "stage", "risk_level", "locality", "team", "officer", "strand", "from", "to")
_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d %B %Y", "%d %b %Y")
DATE_HINT = "Enter a date like 1/12/2026 (day, month, year)."


class UKDate(fields.Field):
    """A date typed the UK way (1/12/2026, 1 December 2026) or as a date box sends it (2026-12-01)."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> date:
        text = str(value).strip()
        for form in _DATE_FORMATS:
            try:
                return datetime.strptime(text, form).date()
            except ValueError:
                continue
        raise ValidationError(f"“{text[:40]}” is not a date we understand. {DATE_HINT}")

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        return value.isoformat() if value else None


def _one_of(choices: list[str], what: str) -> validate.OneOf:
    return validate.OneOf(choices, error=f"Choose a {what} from the list.")


class CaseSearchQuerySchema(Schema):
    q = fields.String(
        load_default="",
        validate=validate.Length(max=200, error="Search for at most 200 characters."),
        metadata={"description": "Words of a reference, name, address, postcode or police reference"},
    )
    scope = fields.String(load_default="all", validate=_one_of(list(case_search.SCOPES), "list"))
    status = fields.String(load_default=None, validate=_one_of(list(case_search.STATUSES), "status"))
    stage = fields.String(load_default=None, validate=validate.Length(max=200))
    risk_level = fields.String(load_default=None, validate=_one_of(list(RISK_LEVELS), "risk level"))
    locality = fields.String(load_default=None, validate=validate.Length(max=120))
    team = fields.String(load_default=None, validate=validate.Length(max=80))
    officer = fields.String(
        load_default=None, validate=validate.Length(max=80), metadata={"description": "Username"}
    )
    strand = fields.String(load_default=None, validate=_one_of(list(STRANDS), "type of hate"))
    reported_from = UKDate(
        load_default=None, data_key="from", metadata={"description": "Reported on or after"}
    )
    reported_to = UKDate(load_default=None, data_key="to", metadata={"description": "Reported on or before"})
    sort = fields.String(load_default="-reported", validate=_one_of(list(case_search.SORTS), "sort order"))
    page = fields.Integer(
        load_default=1,
        validate=validate.Range(min=1, max=100000),
        error_messages={"invalid": "The page is a whole number."},
    )
    per_page = fields.Integer(load_default=25, validate=validate.Range(min=1, max=100))

    @pre_load
    def _blanks_are_any(self, data: Any, **_: Any) -> Any:
        """An empty filter (a list's "Any" choice) filters nothing."""
        if hasattr(data, "to_dict"):
            data = data.to_dict()
        if isinstance(data, dict):
            data = {k: v for k, v in data.items() if not (k != "q" and isinstance(v, str) and not v.strip())}
        return data

    @validates_schema
    def _dates_in_order(self, data: dict[str, Any], **_: Any) -> None:
        start, end = data.get("reported_from"), data.get("reported_to")
        if start and end and start > end:
            raise ValidationError("The “to” date must be on or after the “from” date.", "to")


def filters_of(args: dict[str, Any]) -> case_search.Filters:
    names = [f for f in case_search.Filters.__dataclass_fields__ if f in args]
    return case_search.Filters(**{name: args[name] for name in names})


class CaseRowSchema(Schema):
    reference = fields.String()
    status = fields.String()
    status_label = fields.Function(lambda r: case_search.STATUSES.get(r.status, r.status))
    reported_at = fields.DateTime()
    updated_at = fields.DateTime()
    risk_level = fields.String(allow_none=True)
    locality = fields.String(allow_none=True)
    team = fields.String(allow_none=True)
    strands = fields.List(fields.String())
    location = fields.String()
    restricted = fields.Boolean()
    stages = fields.List(fields.String(), metadata={"description": "The open tasks"})
    officers = fields.List(fields.String(), metadata={"description": "Who holds them, by name"})
    people = fields.List(fields.String())


class CasePageSchema(Schema):
    items = fields.List(fields.Nested(CaseRowSchema), attribute="rows")
    total = fields.Integer()
    page = fields.Integer()
    pages = fields.Integer()
    per_page = fields.Integer()
    first = fields.Integer(metadata={"description": "Position of the first case on this page"})
    last = fields.Integer()
