"""The incidents a case holds: the report that opened it, and the reports matched to it at intake
(``casework.further_reports``), each kept as it was sent (``CaseIncident``) so the officer can
split one off into a case of its own (``casework.splitting``).

The numbering the officer and the API see: the opening report is incident 0 (it is the case and
cannot be split off); a matched report is its ``CaseIncident`` id."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from casework import reporters, reports
from casework.reporter_requests import BY as REPORTER_ONLINE
from db.models import Case, CaseIncident, Evidence
from db.timeline import MARKER

OPENING = 0
# What the public form calls the files sent with a report (``webapp.public``): a matched report's
# files came in the same request, just after it was saved.
REPORT_FILES = "Sent by the reporter with their online report"
FILES_WITHIN = timedelta(minutes=10)


def keep(
    session: Session, case: Case, report: reports.Report, *, now: datetime, code_on_case: bool
) -> CaseIncident:
    """Keep ``report``, just matched to ``case``, as one of its incidents."""
    fields = {
        name: value
        for name, value in vars(report).items()
        if name not in ("reporter", "tracking_code", "parties")
    }
    fields["occurred_at"] = report.occurred_at.isoformat() if report.occurred_at else None
    fields["parties"] = [vars(p) for p in report.parties]
    row = CaseIncident(
        case_id=case.id,
        reported_at=now,
        report=fields,
        reporter=dataclasses.asdict(report.reporter) if report.reporter is not None else None,
        code_on_case=code_on_case,
    )
    session.add(row)
    return row


def as_report(row: CaseIncident) -> reports.Report:
    """The report ``row`` keeps, as it was sent (without its tracking code: that is never kept)."""
    fields: dict[str, Any] = dict(row.report)
    when = fields.pop("occurred_at", None)
    parties = [reports.PartyDetails(**p) for p in fields.pop("parties", [])]
    preferences = reporters.Preferences(**row.reporter) if row.reporter is not None else None
    occurred = datetime.fromisoformat(when) if when else None
    return reports.Report(**fields, occurred_at=occurred, parties=parties, reporter=preferences)


@dataclass(frozen=True)
class Incident:
    """One incident of a case, for the case page and the API."""

    id: int
    reported_at: datetime
    description: str
    channel: str
    split_to: str | None  # the reference of the case it was split off into


def of_case(session: Session, case: Case) -> list[Incident]:
    """The case's incidents: the opening report (0), then each matched report, oldest first."""
    found = [Incident(OPENING, case.reported_at, case.description, case.channel, None)]
    rows = session.execute(
        select(CaseIncident, Case.reference)
        .outerjoin(Case, Case.id == CaseIncident.split_case_id)
        .where(CaseIncident.case_id == case.id)
        .order_by(CaseIncident.reported_at, CaseIncident.id)
    )
    for row, split_to in rows:
        found.append(
            Incident(
                row.id,
                row.reported_at,
                str(row.report.get("description", "")),
                row.report["channel"],
                split_to,
            )
        )
    return found


def files_of(session: Session, row: CaseIncident) -> list[Evidence]:
    """The files the reporter sent with the matched report ``row``: those the public form added
    to the case in the same request, after it was saved and before the case's next matched report."""
    later = session.scalar(
        select(func.min(CaseIncident.reported_at)).where(
            CaseIncident.case_id == row.case_id, CaseIncident.reported_at > row.reported_at
        )
    )
    until = min(later, row.reported_at + FILES_WITHIN) if later else row.reported_at + FILES_WITHIN
    return list(
        session.scalars(
            select(Evidence).where(
                Evidence.case_id == row.case_id,
                Evidence.uploaded_by == REPORTER_ONLINE,
                Evidence.description == REPORT_FILES,
                Evidence.uploaded_at >= row.reported_at,
                Evidence.uploaded_at < until,
            )
        )
    )


def split_off_between(session: Session, case_ids: set[int], since: datetime, until: datetime) -> int:
    """How many incidents matched to ``case_ids`` and reported in [since, until] were split off
    since: each is a case of its own now, so the timeline's "another incident" line for it is not
    counted again (the counting rule)."""
    if not case_ids:
        return 0
    found = session.scalar(
        select(func.count(CaseIncident.id)).where(
            CaseIncident.case_id.in_(case_ids),
            CaseIncident.split_at.is_not(None),
            CaseIncident.reported_at >= since,
            CaseIncident.reported_at <= until,
        )
    )
    return int(found or 0)


def scrub(session: Session, case_id: int) -> None:
    """At the end of retention: what the matched reports said goes; that they were, stays."""
    for row in session.scalars(select(CaseIncident).where(CaseIncident.case_id == case_id)):
        row.report, row.reporter = {"channel": row.report.get("channel"), "description": MARKER}, None
