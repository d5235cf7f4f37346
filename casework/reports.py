"""A report of a hate incident becomes a case, and its process starts."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

import processes
from casework.vocabulary import PROCESS_KEY
from db.models import Case


@dataclass(frozen=True)
class Report:
    description: str
    location: str
    strands: list[str]
    occurred_at: datetime | None = None
    reporter_name: str | None = None
    reporter_email: str | None = None
    reporter_phone: str | None = None
    channel: str = "website"
    extra: dict[str, str] = field(default_factory=dict)


def reference_for(case_id: int, reported_at: datetime) -> str:
    return f"HC-{reported_at:%Y}-{case_id:06d}"


def submit(session: Session, report: Report, *, now: datetime) -> processes.StepResult:
    """Open a case for ``report``, start its process and commit, all or nothing."""
    case = Case(
        reported_at=now,
        occurred_at=report.occurred_at,
        description=report.description,
        location=report.location,
        strands=list(report.strands),
        reporter_name=report.reporter_name,
        reporter_email=report.reporter_email,
        reporter_phone=report.reporter_phone,
        status="open",
    )
    result = processes.start(
        session,
        case,
        PROCESS_KEY,
        {"reported_at": now.isoformat(), "channel": report.channel},
        now=now,
        reference=lambda case_id: reference_for(case_id, now),
        actor=report.reporter_name or "Anonymous reporter",
        summary=f"Report received via {report.channel}",
        details={"strands": list(report.strands)},
    )
    session.commit()
    return result
