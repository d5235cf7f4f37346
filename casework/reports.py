"""A report of a hate incident becomes a case, and its process starts.

The report decides two things the process branches on: the employee route (a colleague reported
by a colleague or contractor, policy section 6) and how many complaints the same person or
address made in the last six months (the ASB Case Review prompt and threshold)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

import processes
from casework import audit, steps
from casework.vocabulary import INCIDENT_TYPES, PARTY_ROLES, PROCESS_KEY, RELATIONS, STRANDS
from db.models import Case, OutboxMessage, Party
from handlers.notifications import ACKNOWLEDGEMENT

LOOK_BACK = timedelta(days=183)  # six months
ANONYMOUS = "Anonymous reporter"


@dataclass(frozen=True)
class PartyDetails:
    role: str
    name: str | None = None
    relation: str | None = None
    tenure: str | None = None
    address: str | None = None
    phone: str | None = None
    email: str | None = None
    # Voluntary equality monitoring: {question: answer} for the questions answered, else None.
    equality: dict[str, str] | None = None


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
    incident_types: list[str] = field(default_factory=list)
    locality: str | None = None
    parties: list[PartyDetails] = field(default_factory=list)


def sample_report() -> Report:
    """A report like one from the public form, in its words (a deploy starts a trial case on it)."""
    return Report(
        description="Trial report: abusive notes pushed through the letterbox.",
        location="1 Trial Street",
        strands=[next(iter(STRANDS))],
        channel="website",
        incident_types=[next(iter(INCIDENT_TYPES))],
        reporter_name="Trial Reporter",
        reporter_email="trial.reporter@example.invalid",
        parties=[
            PartyDetails(role=next(iter(PARTY_ROLES)), name="Trial Reporter", relation=next(iter(RELATIONS)))
        ],
    )


def start_data(report: Report, *, now: datetime, route: str, prior: int, acknowledge: bool) -> dict[str, Any]:
    """What the report-driven process starts with: the names its diagram may read."""
    return {
        "reported_at": now.isoformat(),
        "channel": report.channel,
        "route": route,
        "prior_complaints_6m": prior,
        "strands": list(report.strands),
        "acknowledge_by_email": acknowledge,
    }


def sample_start_data() -> dict[str, Any]:
    """Start data like a real report's, for the deploy check to evaluate expressions on."""
    report = sample_report()
    return start_data(
        report, now=datetime(2026, 3, 27, 9, tzinfo=UTC), route="hate", prior=1, acknowledge=True
    )


def reference_for(case_id: int, reported_at: datetime) -> str:
    return f"HC-{reported_at:%Y}-{case_id:06d}"


# The team whose officers may open a case of each route (casework.case_access).
TEAM_FOR_ROUTE = {"hate": "community-safety", "employee": "hr"}


def route_for(parties: list[PartyDetails]) -> str:
    """``employee`` when a colleague is the alleged perpetrator and a colleague or contractor reports."""
    about_colleague = any(p.role == "alleged_perpetrator" and p.relation == "colleague" for p in parties)
    by_staff = any(
        p.role in ("reporter", "victim") and p.relation in ("colleague", "contractor") for p in parties
    )
    return "employee" if about_colleague and by_staff else "hate"


def _normal(text: str | None) -> str:
    return " ".join((text or "").lower().replace(",", " ").split())


def prior_complaints(session: Session, report: Report, now: datetime) -> int:
    """Cases opened in the last six months for the same victim (by name) or the same address."""
    victims = [p for p in report.parties if p.role == "victim"]
    names = {_normal(p.name) for p in victims if p.name}
    addresses = {_normal(p.address) for p in victims if p.address} | {_normal(report.location)}
    conditions = [func.lower(Case.location).in_(addresses)]
    if names:
        conditions.append(
            Case.id.in_(
                select(Party.case_id).where(Party.role == "victim", func.lower(Party.name).in_(names))
            )
        )
    victim_addresses = select(Party.case_id).where(
        Party.role == "victim", func.lower(Party.address).in_(addresses)
    )
    conditions.append(Case.id.in_(victim_addresses))
    return (
        session.scalar(
            select(func.count(Case.id)).where(
                Case.reported_at >= now - LOOK_BACK, Case.reported_at <= now, or_(*conditions)
            )
        )
        or 0
    )


def acknowledgement_allowed(session: Session, email: str | None, cap: int | None, now: datetime) -> bool:
    """Whether the reporter may be emailed an acknowledgement: fewer than ``cap`` went to that
    address in the last 24 hours (None: no cap). The cap keeps the public form from being used
    to flood an address of the sender's choosing; the report itself is taken either way."""
    if not email:
        return False
    if cap is None:
        return True
    sent = session.scalar(
        select(func.count(OutboxMessage.id)).where(
            OutboxMessage.kind == ACKNOWLEDGEMENT,
            func.lower(OutboxMessage.recipient) == email.strip().lower(),
            OutboxMessage.created_at > now - timedelta(days=1),
        )
    )
    return (sent or 0) < cap


def record_held(session: Session, address: str | None, *, now: datetime) -> None:
    """A public report with the spam trap filled in: no case, only an audit entry (no content,
    so no personal data in the append-only log), in a step of its own."""
    with steps.case_step(session, now=now, actor=audit.Actor(None, None, address)) as step:
        step.audit(
            "report-held",
            subject_type="report",
            detail="The public form's spam-trap field was filled in: no case was made",
            outcome="held",
        )


def submit(
    session: Session, report: Report, *, now: datetime, acknowledgements_per_address: int | None = None
) -> processes.StepResult:
    """Open a case for ``report`` and start its process in one case step, all or nothing."""
    with steps.case_step(session, now=now, by=report.reporter_name or ANONYMOUS) as step:
        return open_case(step, report, acknowledgements_per_address=acknowledgements_per_address)


def open_case(
    step: steps.CaseStep, report: Report, *, acknowledgements_per_address: int | None = None
) -> processes.StepResult:
    """Open a case for ``report`` and start its process, in ``step`` (a deploy's trial case starts
    exactly as a real report does, in a step that is rolled back)."""
    session, now = step.session, step.now
    route = route_for(report.parties)
    acknowledge = acknowledgement_allowed(session, report.reporter_email, acknowledgements_per_address, now)
    prior = prior_complaints(session, report, now)
    case = Case(
        reported_at=now,
        occurred_at=report.occurred_at,
        description=report.description,
        location=report.location,
        strands=list(report.strands),
        hate_perceived=True,
        channel=report.channel,
        incident_types=list(report.incident_types),
        locality=report.locality,
        route=route,
        team=TEAM_FOR_ROUTE[route],
        reporter_name=report.reporter_name,
        reporter_email=report.reporter_email,
        reporter_phone=report.reporter_phone,
        status="open",
        parties=[Party(**vars(p)) for p in report.parties],
    )
    result = processes.start(
        step,
        case,
        PROCESS_KEY,
        start_data(report, now=now, route=route, prior=prior, acknowledge=acknowledge),
        now=now,
        reference=lambda case_id: reference_for(case_id, now),
        actor=report.reporter_name or ANONYMOUS,
        summary=f"Report received via {report.channel}"
        + (" (employee route)" if route == "employee" else "")
        + (f"; {prior} earlier complaint(s) in six months" if prior else ""),
        details={"strands": list(report.strands), "incident_types": list(report.incident_types)},
    )
    return result
