"""Query arguments of the stuck-work list, the indicators and the annual report, shared by the
JSON API (where the OpenAPI document is generated from them) and the pages."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from marshmallow import (
    EXCLUDE,
    Schema,
    ValidationError,
    fields,
    post_load,
    pre_load,
    validate,
    validates_schema,
)

from casework import stuck
from casework.indicators import RISK_LEVELS, Filters, Period
from casework.vocabulary import INCIDENT_TYPES, STRANDS

LONGEST_PERIOD = timedelta(days=366 * 10)
EARLIEST = date(2000, 1, 1)


class _Query(Schema):
    class Meta:
        unknown = EXCLUDE

    @pre_load
    def drop_blanks(self, data: Any, **_: Any) -> dict[str, Any]:
        """An empty select or input on a page means "any"."""
        return {key: value for key, value in dict(data).items() if str(value).strip() != ""}


def _text(description: str) -> fields.String:
    return fields.String(
        load_default=None, validate=validate.Length(max=120), metadata={"description": description}
    )


def _risk() -> fields.String:
    return fields.String(load_default=None, validate=validate.OneOf(list(RISK_LEVELS)))


class IndicatorQuerySchema(_Query):
    start = fields.Date(
        data_key="from",
        load_default=None,
        metadata={"description": "First day counted (YYYY-MM-DD); default: the start of this reporting year"},
    )
    end = fields.Date(
        data_key="to",
        load_default=None,
        metadata={"description": "First day NOT counted (YYYY-MM-DD); default: tomorrow"},
    )
    incident_type = fields.String(load_default=None, validate=validate.OneOf(list(INCIDENT_TYPES)))
    strand = fields.String(load_default=None, validate=validate.OneOf(list(STRANDS)))
    locality = _text("A locality exactly as recorded on cases")
    risk_level = _risk()

    @validates_schema
    def check_period(self, data: dict[str, Any], **_: Any) -> None:
        start, end = data.get("start"), data.get("end")
        if start is not None and start < EARLIEST:
            raise ValidationError("Choose a date from 1 January 2000.", field_name="from")
        if start is not None and end is not None:
            if end <= start:
                raise ValidationError("'to' must be after 'from' (it is the first day not counted).", "to")
            if end - start > LONGEST_PERIOD:
                raise ValidationError("Choose a period of ten years or less.", field_name="to")


def period_and_filters(args: dict[str, Any], today: date) -> tuple[Period, Filters]:
    """The loaded arguments as a period (defaults filled in from ``today``) and filters."""
    year = today.year if today.month >= 4 else today.year - 1
    end = args.get("end") or today + timedelta(days=1)
    start = args.get("start") or min(Period.reporting_year(year).start, end - timedelta(days=1))
    filters = Filters(**{k: args.get(k) for k in ("incident_type", "strand", "locality", "risk_level")})
    return Period(start, end), filters


class StuckQuerySchema(_Query):
    kind = fields.String(
        load_default="overdue",
        validate=validate.OneOf(list(stuck.KINDS)),
        metadata={"description": "Which list: " + ", ".join(stuck.KINDS)},
    )
    team = _text("A candidate group of the task, e.g. community-safety")
    officer = _text("Username of the officer holding the task")
    locality = _text("A locality exactly as recorded on cases")
    risk_level = _risk()
    stage = _text("The BPMN element id of an open task, e.g. first_response")
    unclaimed_hours = fields.Integer(
        load_default=stuck.Thresholds.unclaimed_hours, validate=validate.Range(min=1, max=24 * 365)
    )
    idle_days = fields.Integer(
        load_default=stuck.Thresholds.idle_days, validate=validate.Range(min=1, max=3650)
    )
    sort = fields.String(load_default="since", validate=validate.OneOf(list(stuck.SORTS)))
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100_000))
    per_page = fields.Integer(load_default=25, validate=validate.Range(min=1, max=200))

    @post_load
    def group(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        data["filters"] = stuck.StuckFilters(
            **{k: data.get(k) for k in ("team", "officer", "locality", "risk_level", "stage")}
        )
        data["thresholds"] = stuck.Thresholds(data["unclaimed_hours"], data["idle_days"])
        return data


class AnnualQuerySchema(_Query):
    year = fields.Integer(
        load_default=None,
        validate=validate.Range(min=2000, max=2100),
        metadata={"description": "The reporting year starting 1 April, e.g. 2025 for 2025/26"},
    )


def first_errors(err: ValidationError) -> dict[str, str]:
    """``{field: first message}`` for a page's error summary."""
    messages = err.messages if isinstance(err.messages, dict) else {"_schema": err.messages}
    return {str(k): str(v[0] if isinstance(v, list) and v else v) for k, v in messages.items()}
