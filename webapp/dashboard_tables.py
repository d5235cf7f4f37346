"""The indicators as titled tables: each is shown under its chart and exported as CSV."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, field

from flask import Response

from casework.annual import AnnualReport, Comparison
from casework.indicators import Count, Indicators, Ratio
from casework.stuck import KINDS, StuckItem

Cell = str | int | float | None


@dataclass(frozen=True)
class Chart:
    series: tuple[str, ...]
    points: list[tuple[str, tuple[float, ...]]]
    unit: str = ""


@dataclass(frozen=True)
class Table:
    name: str
    title: str
    headers: tuple[str, ...]
    rows: list[tuple[Cell, ...]]
    chart: Chart | None = None
    note: str = ""
    footer: list[tuple[Cell, ...]] = field(default_factory=list)


def indicator_tables(ind: Indicators) -> list[Table]:
    new, closed = ind.new_cases, ind.closed_cases
    fr = ind.first_response
    return [
        _counts(
            "new_by_type",
            "New cases by incident type",
            "Incident type",
            ind.new_by_type,
            new,
            "A case with several incident types counts under each.",
        ),
        _counts("new_by_locality", "New cases by locality", "Locality", ind.new_by_locality, new),
        _counts(
            "strands",
            "Equality: motivation strands of new cases",
            "Strand",
            ind.strands,
            new,
            "A case perceived under several strands counts under each.",
        ),
        *victim_tables(ind),
        Table(
            "first_response",
            "First response within 24 hours of the report",
            ("First response", "Cases"),
            [("Made within 24 hours", fr.met), ("Missed", fr.missed), ("Not yet due", fr.pending)],
            _chart([("Made within 24 hours", fr.met), ("Missed", fr.missed), ("Not yet due", fr.pending)]),
            footer=[("Within 24 hours", _percent(fr.within_24h))],
        ),
        Table(
            "missed_deadlines",
            "Missed deadlines of ongoing and escalated work (each went up a level)",
            ("Deadline missed", "Times"),
            [(c.label, c.count) for c in ind.missed_deadlines],
            _chart([(c.label, c.count) for c in ind.missed_deadlines]),
            "Every miss counts: a case may miss its contact with the victim several times.",
        ),
        _counts(
            "outcomes",
            "Outcome of closed cases",
            "Outcome",
            ind.outcomes,
            closed,
            footer=[("Resolved", _percent(ind.resolved))],
        ),
        _counts(
            "satisfaction",
            "Victims' satisfaction with the outcome",
            "Answer",
            ind.satisfaction,
            closed,
            footer=[
                ("Very or fairly satisfied, of those who answered", _percent(ind.satisfied)),
                ("Where the answers came from", ind.satisfaction_sources.words),
            ],
        ),
        Table(
            "time_to_resolve",
            "Time to resolve, from report to closure, by incident type",
            ("Incident type", "Cases closed", "Median days", "90th percentile days"),
            [(d.label, d.cases, d.median_days, d.p90_days) for d in ind.time_to_resolve],
            _chart(
                [(d.label, d.median_days or 0) for d in ind.time_to_resolve if d.cases],
                " days",
                "Median days",
            ),
        ),
        _counts(
            "legal_actions",
            "Legal actions used in closed cases",
            "Legal action",
            ind.legal_actions,
            closed,
            footer=[("Cases with any legal action", _percent(ind.legal_action_cases))],
        ),
        _counts(
            "non_legal_actions",
            "Non-legal actions used in closed cases",
            "Non-legal action",
            ind.non_legal_actions,
            closed,
            footer=[("Cases with any non-legal action", _percent(ind.non_legal_action_cases))],
        ),
        regulator_table(ind),
    ]


def victim_tables(ind: Indicators) -> list[Table]:
    """One table per equality-monitoring question: the victims of new cases by their answer."""
    note = (
        f"Answers victims gave voluntarily. Victims recorded on new cases: {ind.victims}; "
        f"new cases with no victim recorded (not counted): {ind.new_cases_without_victim}."
    )
    return [
        Table(
            f"victims_{c.key}",
            victims_title(c.label),
            (c.label, "Victims", f"% of {ind.victims} victims"),
            [(n.label, n.count, n.percent) for n in c.counts],
            _chart([(n.label, n.count) for n in c.counts], series="Victims"),
            note,
        )
        for c in ind.victim_characteristics
    ]


def victims_title(heading: str) -> str:
    return f"Equality: victims of new cases by {heading[:1].lower()}{heading[1:]}"


def regulator_table(ind: Indicators) -> Table:
    reg = ind.regulator
    return Table(
        "tenant_satisfaction_measures",
        "Tenant satisfaction measures (all cases; the filters do not apply)",
        ("Measure", "Value", "Based on"),
        [
            (
                "NM01(1) ASB cases opened per 1,000 homes",
                reg.nm01_1.per_1000,
                f"{reg.nm01_1.cases} cases, {reg.nm01_1.homes} homes",
            ),
            (
                "NM01(2) hate cases opened per 1,000 homes",
                reg.nm01_2.per_1000,
                f"{reg.nm01_2.cases} cases, {reg.nm01_2.homes} homes",
            ),
            (
                "TP12 satisfied with the approach to ASB (%)",
                reg.tp12.percent,
                f"{reg.tp12.numerator} of {reg.tp12.denominator} who answered, {reg.tp12_sources.words}",
            ),
            (
                "Employee-route cases (not counted above)",
                reg.employee_route_cases,
                "handled under HR procedures",
            ),
        ],
        note="NM01(1) here counts the cases in this system only; add the ASB cases held elsewhere.",
    )


def annual_tables(report: AnnualReport) -> list[Table]:
    years = report.labels
    return [
        Table(
            "headline",
            "The year's figures compared with the previous year",
            ("Measure", *years, "Change"),
            [(c.label, c.current, c.previous, c.change) for c in report.headline],
        ),
        _comparison("new_by_type", "New cases by incident type", "Incident type", report.by_type, years),
        _comparison(
            "strands", "Equality: motivation strands of new cases", "Strand", report.by_strand, years
        ),
        _comparison("new_by_locality", "New cases by locality", "Locality", report.by_locality, years),
        *(
            _comparison(f"victims_{key}", victims_title(label), label, rows, years)
            for key, label, rows in report.by_characteristic
        ),
    ]


def stuck_table(kind: str, items: Sequence[StuckItem]) -> Table:
    return Table(
        kind,
        KINDS[kind],
        ("Case", "Reason", "Since", "Stage", "Team", "Officer", "Locality", "Risk"),
        [
            (
                i.case_reference,
                i.reason,
                i.since.isoformat() if i.since else None,
                i.task_title,
                " ".join(i.teams),
                i.officer,
                i.locality,
                i.risk_level,
            )
            for i in items
        ],
    )


def csv_response(table: Table, filename: str) -> Response:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(table.headers)
    for row in [*table.rows, *table.footer]:
        writer.writerow([_safe(cell) for cell in row])
    return Response(
        out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _safe(cell: Cell) -> Cell:
    """Text a spreadsheet would run as a formula is written with a leading apostrophe."""
    if isinstance(cell, str) and cell[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + cell
    return cell


def _percent(ratio: Ratio) -> str:
    return (
        "no cases"
        if ratio.percent is None
        else f"{ratio.percent}% ({ratio.numerator} of {ratio.denominator})"
    )


def _chart(points: list[tuple[str, float]], unit: str = "", series: str = "Cases") -> Chart:
    return Chart((series,), [(label, (value,)) for label, value in points], unit)


def _counts(
    name: str,
    title: str,
    heading: str,
    counts: list[Count],
    of: int,
    note: str = "",
    footer: list[tuple[Cell, ...]] | None = None,
) -> Table:
    return Table(
        name,
        title,
        (heading, "Cases", f"% of {of} cases"),
        [(c.label, c.count, c.percent) for c in counts],
        _chart([(c.label, c.count) for c in counts]),
        note,
        footer or [],
    )


def _comparison(name: str, title: str, heading: str, rows: list[Comparison], years: tuple[str, str]) -> Table:
    return Table(
        name,
        title,
        (heading, *years, "Change"),
        [(c.label, c.current, c.previous, c.change) for c in rows],
        Chart(years, [(c.label, (float(c.current or 0), float(c.previous or 0))) for c in rows]),
    )
