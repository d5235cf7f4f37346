"""Pages for managers and supervisors: stuck work, the indicators dashboard and the annual report,
each table also as a CSV file, and the heatmap of where open cases wait on the process diagram."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from typing import Any

from flask import Blueprint, abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from marshmallow import ValidationError
from werkzeug.wrappers import Response

import processes
from casework import annual, heatmap, indicators, people, process_models, retries, stuck, unstarted
from casework.vocabulary import INCIDENT_TYPES, STRANDS
from webapp import storage
from webapp.auth import current_row
from webapp.charts import bar_chart
from webapp.dashboard_schemas import (
    AnnualQuerySchema,
    IndicatorQuerySchema,
    StuckQuerySchema,
    first_errors,
    period_and_filters,
)
from webapp.dashboard_tables import annual_tables, csv_response, indicator_tables, stuck_table
from webapp.public import when

bp = Blueprint("dashboards", __name__, url_prefix="/dashboards")
Page = str | Response | tuple[str, int]


def _today() -> date:
    return processes.clock.now().astimezone(indicators.LONDON).date()


def _invalid(err: ValidationError, title: str, back: str) -> tuple[str, int]:
    return render_template("dashboards/invalid.html", errors=first_errors(err), title=title, back=back), 422


@bp.app_template_global("bar_chart")
def _bar_chart(chart: Any, title: str, chart_id: str) -> Any:
    return bar_chart(chart, title, chart_id)


@bp.route("/stuck")
def stuck_work() -> Page:
    try:
        args = StuckQuerySchema().load(request.args.to_dict())
    except ValidationError as err:
        return _invalid(err, "Stuck work", request.path)
    session, now = storage.session(), processes.clock.now()
    args["filters"] = replace(args["filters"], viewer_id=current_row().id)
    if request.args.get("format") == "csv":
        items = stuck.export_rows(
            session,
            now=now,
            kind=args["kind"],
            filters=args["filters"],
            thresholds=args["thresholds"],
            sort=args["sort"],
        )
        return csv_response(stuck_table(args["kind"], items), f"stuck-{args['kind']}.csv")
    page = stuck.stuck_work(
        session,
        now=now,
        kind=args["kind"],
        filters=args["filters"],
        thresholds=args["thresholds"],
        sort=args["sort"],
        page=args["page"],
        per_page=args["per_page"],
    )
    return render_template(
        "dashboards/stuck.html",
        page=page,
        args=args,
        query=_query_args(),
        choices=_stuck_choices(stuck.options(session)),
        filtered=any(vars(args["filters"]).values()),
        kinds=stuck.KINDS,
        risk_levels=indicators.RISK_LEVELS,
        versions=unstarted.choices(session, {i.process_key for i in page.items if i.process_key}),
    )


@bp.route("/stuck/cases/<reference>/start", methods=["POST"])
def start_process(reference: str) -> Page:
    """Start the process of a case that could not start, on the version chosen (form ``version``)."""
    chosen = request.form.get("version", "")
    if chosen and not chosen.isdigit():
        flash("Choose a version from the list.", "error")
        return redirect(url_for("dashboards.stuck_work", kind="not_started"), 303)
    try:
        result = unstarted.start(
            storage.session(),
            reference,
            version=int(chosen) if chosen else None,
            user=current_row(),
            now=processes.clock.now(),
        )
    except LookupError:
        abort(404)
    except (processes.NotAllowed, processes.UnknownProcess, processes.Conflict) as err:
        flash(str(err), "error")
    except processes.EngineFailure as err:
        flash(
            f"{reference.upper()} could not start on that version either; it stays on this list. {err}",
            "error",
        )
    else:
        flash(f"{result.case_reference}: the process started; the case runs on.", "success")
    return redirect(url_for("dashboards.stuck_work", kind="not_started"), 303)


@bp.route("/stuck/cases/<reference>/retry", methods=["POST"])
def retry_step(reference: str) -> Page:
    """Run a case's failed step again; an administrator may skip it (form field ``skip``)."""
    skip = request.form.get("skip") == "1"
    try:
        retries.retry_failed_step(
            storage.session(), storage.database().sessions, reference, user=current_row(), skip=skip
        )
    except retries.SkipNotPermitted:
        abort(403)
    except LookupError:
        abort(404)
    except processes.NotAllowed as err:
        flash(str(err), "error")
    except processes.EngineFailure as err:
        flash(f"{reference.upper()} failed again; it stays on this list. {err}", "error")
    except processes.Conflict as err:
        flash(str(err), "error")
    else:
        done = "skipped the failed step" if skip else "ran the failed step again"
        flash(f"{reference.upper()}: {done}; the case runs on.", "success")
    return redirect(url_for("dashboards.stuck_work", kind="failed"), 303)


def _stuck_choices(options: stuck.Options) -> dict[str, list[tuple[str, str]]]:
    """Each filter's (value, text) pairs."""
    return {
        "teams": [(name, people.GROUPS.get(name, name)) for name in options.teams],
        "officers": options.officers,
        "localities": [(name, name) for name in options.localities],
        "risk_levels": list(indicators.RISK_LEVELS.items()),
        "stages": options.stages,
    }


def _indicator_args() -> tuple[indicators.Period, indicators.Filters]:
    return period_and_filters(IndicatorQuerySchema().load(request.args.to_dict()), _today())


@bp.route("/indicators")
def indicator_dashboard() -> Page:
    try:
        period, filters = _indicator_args()
    except ValidationError as err:
        return _form_page(err)
    figures = indicators.indicators(
        storage.session(), period, filters, homes=current_app.config["HOMES"], now=processes.clock.now()
    )
    return render_template(
        "dashboards/indicators.html",
        figures=figures,
        tables=indicator_tables(figures),
        errors={},
        values=_indicator_values(period, filters),
        query=_query_args(),
        **_vocabulary(),
    )


def _form_page(err: ValidationError) -> tuple[str, int]:
    return render_template(
        "dashboards/indicators.html",
        figures=None,
        tables=[],
        errors=first_errors(err),
        values=request.args.to_dict(),
        query=_query_args(),
        **_vocabulary(),
    ), 422


@bp.route("/indicators/<name>.csv")
def indicator_csv(name: str) -> Page:
    try:
        period, filters = _indicator_args()
    except ValidationError as err:
        return _invalid(err, "Indicators", request.path)
    figures = indicators.indicators(
        storage.session(), period, filters, homes=current_app.config["HOMES"], now=processes.clock.now()
    )
    table = next((t for t in indicator_tables(figures) if t.name == name), None)
    if table is None:
        abort(404)
    return csv_response(table, f"{name}-{period.start}-to-{period.last_day}.csv")


def _annual_report() -> annual.AnnualReport:
    year = AnnualQuerySchema().load(request.args.to_dict())["year"]
    if year is None:
        today = _today()
        year = today.year - 1 if today.month >= 4 else today.year - 2  # the last complete year
    return annual.annual_report(
        storage.session(), year, homes=current_app.config["HOMES"], now=processes.clock.now()
    )


@bp.route("/annual")
def annual_page() -> Page:
    try:
        report = _annual_report()
    except ValidationError as err:
        return _invalid(err, "Annual report", request.path)
    current = indicators.Period.reporting_year(report.year)
    return render_template(
        "dashboards/annual.html",
        report=report,
        period=current,
        tables=annual_tables(report),
        regulator=report.current.regulator,
        homes=current_app.config["HOMES"],
        this_year=_today().year,
    )


@bp.route("/annual/<name>.csv")
def annual_csv(name: str) -> Page:
    try:
        report = _annual_report()
    except ValidationError as err:
        return _invalid(err, "Annual report", request.path)
    table = next((t for t in annual_tables(report) if t.name == name), None)
    if table is None:
        abort(404)
    return csv_response(table, f"annual-{report.year}-{name}.csv")


def _query_args() -> dict[str, str]:
    """The page's arguments (blanks dropped), to keep them in links."""
    return {k: v for k, v in request.args.items() if v.strip() and k not in ("page", "format")}


def _indicator_values(period: indicators.Period, filters: indicators.Filters) -> dict[str, str]:
    values = {"from": period.start.isoformat(), "to": period.end.isoformat()}
    values.update(filters.active)
    return values


def _vocabulary() -> dict[str, Any]:
    return {
        "incident_types": INCIDENT_TYPES,
        "strands": STRANDS,
        "risk_levels": indicators.RISK_LEVELS,
        "localities": indicators.localities(storage.session()),
    }


def _heatmap() -> tuple[heatmap.Heatmap, int, str]:
    """The heatmap of ``?key=`` (the main process by default), its latest version and XML; 404 if
    no such process is deployed."""
    key = request.args.get("key", "").strip() or heatmap.MAIN_PROCESS
    session = storage.session()
    try:
        version, xml = process_models.version_xml(session, key)
    except processes.UnknownProcess:
        abort(404)
    return heatmap.heatmap(session, key, viewer=current_row(), now=processes.clock.now()), version, xml


@bp.route("/heatmap")
def heatmap_page() -> Page:
    """The diagram with a badge on each element where cases wait (drawn by heatmap.js from the
    JSON below); the same figures as a table, and the cases of ``?element=``, without script."""
    data, version, _ = _heatmap()
    deployed = [(p.key, p.name) for p in process_models.catalogue(storage.session())]
    return render_template(
        "dashboards/heatmap.html",
        heatmap=data,
        version=version,
        processes=deployed,
        process_name=dict(deployed).get(data.key, data.key),
        chosen=data.element(request.args.get("element", "")),
        describe=heatmap.describe,
    )


@bp.route("/heatmap.json")
def heatmap_json() -> Response:
    data, version, xml = _heatmap()
    return jsonify(
        {
            "key": data.key,
            "version": version,
            "now": data.now.isoformat(),
            "xml": xml,
            "elements": [_element_json(e, data.now) for e in data.elements],
        }
    )


def _element_json(element: heatmap.ElementWait, now: datetime) -> dict[str, Any]:
    return {
        "element_id": element.element_id,
        "name": element.name,
        "count": element.count,
        "not_listed": element.closed,
        "median_seconds": element.median_seconds,
        "oldest_seconds": element.oldest_seconds,
        "median_text": heatmap.describe(element.median_seconds),
        "oldest_text": heatmap.describe(element.oldest_seconds),
        "cases": [
            {
                "reference": case.reference,
                "since": case.since.isoformat(),
                "since_text": when(case.since),
                "waited_text": heatmap.describe(case.seconds(now)),
                "url": url_for("cases.show", reference=case.reference),
            }
            for case in element.cases
        ],
    }
