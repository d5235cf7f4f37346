"""Stuck work and the indicators over JSON, for managers, supervisors and administrators."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from flask import current_app
from flask_smorest import Blueprint, abort
from marshmallow import Schema, fields

import processes
from casework import indicators, retries, stuck, unstarted
from webapp import storage
from webapp.access import api_user
from webapp.dashboard_schemas import IndicatorQuerySchema, StuckQuerySchema, period_and_filters

bp = Blueprint(
    "dashboards_api", __name__, url_prefix="/api", description="Stuck work and indicators (managers)"
)
SECURITY: list[dict[str, list[str]]] = [{"bearer": []}]


class StuckItemSchema(Schema):
    kind = fields.String()
    case_reference = fields.String()
    reason = fields.String()
    since = fields.DateTime(allow_none=True)
    task_id = fields.String(allow_none=True)
    task_title = fields.String(allow_none=True)
    stage = fields.String(allow_none=True, metadata={"description": "BPMN element id of the task"})
    teams = fields.List(fields.String())
    officer = fields.String(allow_none=True)
    locality = fields.String(allow_none=True)
    risk_level = fields.String(allow_none=True)


class StuckPageSchema(Schema):
    kind = fields.String()
    counts = fields.Dict(keys=fields.String(), values=fields.Integer())
    items = fields.List(fields.Nested(StuckItemSchema))
    total = fields.Integer()
    page = fields.Integer()
    pages = fields.Integer()
    per_page = fields.Integer()


@bp.route("/stuck", methods=["GET"])
@bp.doc(security=SECURITY)
@bp.arguments(StuckQuerySchema, location="query")
@bp.response(200, StuckPageSchema)
@bp.alt_response(403, description="Not a manager, supervisor or administrator")
def stuck_work(args: dict[str, Any]) -> Any:
    """Counts of every stuck-work list, and one page of the chosen list (``kind``)."""
    return stuck.stuck_work(
        storage.session(),
        now=processes.clock.now(),
        kind=args["kind"],
        filters=replace(args["filters"], viewer_id=api_user().id),
        thresholds=args["thresholds"],
        sort=args["sort"],
        page=args["page"],
        per_page=args["per_page"],
    )


class RetrySchema(Schema):
    skip = fields.Boolean(
        load_default=False,
        metadata={"description": "Skip the failing step instead of running it again (administrators)"},
    )


class RetryResultSchema(Schema):
    reference = fields.String()
    fired = fields.Integer(metadata={"description": "Timers fired by the retried step"})


@bp.route("/stuck/cases/<reference>/retry", methods=["POST"])
@bp.doc(security=SECURITY)
@bp.arguments(RetrySchema)
@bp.response(200, RetryResultSchema)
@bp.alt_response(403, description="Not allowed (skipping is for administrators)")
@bp.alt_response(404, description="No such case")
@bp.alt_response(409, description="The case has no failed step, or it failed again (the error says why)")
def retry_step(args: dict[str, Any], reference: str) -> Any:
    """Run a case's failed background step again, or (administrators) skip the failing step."""
    try:
        retried = retries.retry_failed_step(
            storage.session(), storage.database().sessions, reference, user=api_user(), skip=args["skip"]
        )
    except retries.SkipNotPermitted as err:
        abort(403, message=str(err))
    except LookupError as err:
        abort(404, message=str(err))
    except (processes.NotAllowed, processes.Conflict) as err:
        abort(409, message=str(err))
    except processes.EngineFailure as err:
        abort(409, message=f"The step failed again; the case is unchanged. {err}")
    return {"reference": retried.reference, "fired": retried.fired}


class StartSchema(Schema):
    version = fields.Integer(
        load_default=None,
        allow_none=True,
        metadata={"description": "The version to start on (default: the one new cases start on)"},
    )


class StartResultSchema(Schema):
    reference = fields.String()
    status = fields.String()
    open_tasks = fields.List(fields.String(), metadata={"description": "Titles of the tasks now open"})


@bp.route("/stuck/cases/<reference>/start", methods=["POST"])
@bp.doc(security=SECURITY)
@bp.arguments(StartSchema)
@bp.response(200, StartResultSchema)
@bp.alt_response(404, description="No such case, or no such version of its process")
@bp.alt_response(409, description="The case is not waiting to start, or it failed again (the error says why)")
def start_process(args: dict[str, Any], reference: str) -> Any:
    """Start the process of a case kept when its process could not start (the "could not start"
    list), on a chosen version of its process."""
    try:
        result = unstarted.start(
            storage.session(), reference, version=args["version"], user=api_user(), now=processes.clock.now()
        )
    except (LookupError, processes.UnknownProcess) as err:
        abort(404, message=str(err))
    except (processes.NotAllowed, processes.Conflict) as err:
        abort(409, message=str(err))
    except processes.EngineFailure as err:
        abort(409, message=f"It could not start on that version either; the case is unchanged. {err}")
    return {
        "reference": result.case_reference,
        "status": result.case_status,
        "open_tasks": [t.title for t in result.open_tasks],
    }


class CountSchema(Schema):
    key = fields.String()
    label = fields.String()
    count = fields.Integer()
    percent = fields.Float(allow_none=True)


class RatioSchema(Schema):
    numerator = fields.Integer()
    denominator = fields.Integer()
    percent = fields.Float(allow_none=True)


class DurationSchema(Schema):
    key = fields.String(metadata={"description": "Incident type; empty for all types together"})
    label = fields.String()
    cases = fields.Integer()
    median_days = fields.Float(allow_none=True)
    p90_days = fields.Float(allow_none=True)


class FirstResponseSchema(Schema):
    met = fields.Integer()
    missed = fields.Integer()
    pending = fields.Integer()
    within_24h = fields.Nested(RatioSchema)


class PerHomesSchema(Schema):
    cases = fields.Integer()
    homes = fields.Integer()
    per_1000 = fields.Float()


class SourcesSchema(Schema):
    survey = fields.Integer(metadata={"description": "Answers the victims gave in the closure survey"})
    officer = fields.Integer(metadata={"description": "Officers' records at closure, where no survey answer"})
    words = fields.String(metadata={"description": "e.g. from 12 survey answers and 30 officers' records"})


class RegulatorSchema(Schema):
    nm01_1 = fields.Nested(PerHomesSchema)
    nm01_2 = fields.Nested(PerHomesSchema)
    tp12 = fields.Nested(RatioSchema)
    tp12_sources = fields.Nested(SourcesSchema)
    employee_route_cases = fields.Integer()


class PeriodSchema(Schema):
    start = fields.Date(data_key="from")
    end = fields.Date(data_key="to", metadata={"description": "The first day not counted"})


def _counts() -> fields.List:
    return fields.List(fields.Nested(CountSchema))


class CharacteristicSchema(Schema):
    key = fields.String(metadata={"description": "The equality-monitoring question, e.g. age_band"})
    label = fields.String()
    counts = fields.List(
        fields.Nested(CountSchema),
        metadata={
            "description": "Victims by answer, every answer listed; key prefer_not_to_say, and an "
            "empty key for not recorded; percent is of all victims"
        },
    )


class IndicatorsSchema(Schema):
    period = fields.Nested(PeriodSchema)
    filters = fields.Function(lambda figures: figures.filters.active)
    new_cases = fields.Integer()
    new_by_type = _counts()
    new_by_locality = _counts()
    strands = _counts()
    first_response = fields.Nested(FirstResponseSchema)
    missed_deadlines = fields.List(
        fields.Nested(CountSchema),
        metadata={
            "description": "Missed deadlines of ongoing and escalated work in the period, by what was missed"
        },
    )
    closed_cases = fields.Integer()
    outcomes = _counts()
    resolved = fields.Nested(RatioSchema)
    satisfaction = _counts()
    satisfied = fields.Nested(RatioSchema)
    satisfaction_sources = fields.Nested(SourcesSchema)
    time_to_resolve = fields.List(fields.Nested(DurationSchema))
    legal_actions = _counts()
    non_legal_actions = _counts()
    legal_action_cases = fields.Nested(RatioSchema)
    non_legal_action_cases = fields.Nested(RatioSchema)
    regulator = fields.Nested(RegulatorSchema)
    victims = fields.Integer(metadata={"description": "Victims recorded on the new cases"})
    new_cases_without_victim = fields.Integer()
    victim_characteristics = fields.List(
        fields.Nested(CharacteristicSchema),
        metadata={"description": "Victims' protected characteristics (voluntary equality monitoring)"},
    )


@bp.route("/indicators", methods=["GET"])
@bp.doc(security=SECURITY)
@bp.arguments(IndicatorQuerySchema, location="query")
@bp.response(200, IndicatorsSchema)
@bp.alt_response(403, description="Not a manager, supervisor or administrator")
def indicator_figures(args: dict[str, Any]) -> Any:
    """Every indicator for a period ``[from, to)`` (UK days), with optional filters."""
    today = processes.clock.now().astimezone(indicators.LONDON).date()
    period, filters = period_and_filters(args, today)
    return indicators.indicators(
        storage.session(), period, filters, homes=current_app.config["HOMES"], now=processes.clock.now()
    )
