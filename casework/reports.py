"""A report of a hate incident becomes a case, and its process starts.

The report decides two things the process branches on: the employee route (a colleague reported
by a colleague or contractor, policy section 6) and how many complaints the same person or
address made in the last six months (the ASB Case Review prompt and threshold)."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

import processes
from casework import audit, incidents, localities, reporters, steps
from casework.vocabulary import CHANNELS, INCIDENT_TYPES, PARTY_ROLES, PROCESS_KEY, RELATIONS, STRANDS
from db import timeline
from db.models import Case, OutboxMessage, Party, TimelineEvent, User
from handlers.notifications import ACKNOWLEDGEMENT, acknowledgement

log = logging.getLogger(__name__)

LOOK_BACK = timedelta(days=183)  # six months
ANONYMOUS = "Anonymous reporter"
NOT_STARTED = "not_started"  # a case whose process could not start (a broken diagram)
SUPERVISORS = "supervisors"  # told when a report's process could not start
SYSTEM = "system"


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
    # A report taken by a colleague (staff intake): who keyed it, recorded on the case.
    keyed_by_id: int | None = None
    keyed_by_name: str | None = None
    # From the public form: who they are, whether and how to contact them, and their tracking
    # code (kept only as a hash). None for reports taken by staff or through the API.
    reporter: reporters.Preferences | None = None
    tracking_code: str | None = None

    def may_email(self) -> bool:
        return self.reporter is None or self.reporter.may_email()

    def mails_code(self, acknowledge: bool) -> bool:
        """Whether the acknowledgement goes with the tracking code, as one email (so the cap on
        acknowledgements to one address counts it) instead of the process's own."""
        return acknowledge and bool(self.tracking_code and self.reporter and self.reporter_email)


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


def sample_start_data() -> dict[str, Any]:
    """Start data like a real report's, for the deploy check to evaluate expressions on."""
    return start_data(_new_case(sample_report(), datetime(2026, 3, 27, 9, tzinfo=UTC)), 1, acknowledge=True)


def reference_for(case_id: int, reported_at: datetime) -> str:
    return f"HC-{reported_at:%Y}-{case_id:06d}"


# The team whose officers may open a case of each route (casework.case_access).
TEAM_FOR_ROUTE = {"hate": "community-safety", "employee": "hr"}


def route_for(parties: list[PartyDetails]) -> str:
    """``employee`` (policy section 6) when a colleague is the alleged perpetrator and a colleague
    or contractor reports, or when a colleague is harmed by a contractor (their line manager's).
    Anyone else harmed by a colleague is on the hate route; the diagram adds the HR referral."""
    accused = {p.relation for p in parties if p.role == "alleged_perpetrator"}
    staff = {p.relation for p in parties if p.role in ("reporter", "victim")}
    by_staff = bool(staff & {"colleague", "contractor"})
    colleague_harmed_by_contractor = "colleague" in staff and "contractor" in accused
    return "employee" if ("colleague" in accused and by_staff) or colleague_harmed_by_contractor else "hate"


def _normal(text: str | None) -> str:
    return " ".join((text or "").lower().replace(",", " ").split())


POSTCODE = re.compile(r"\b([A-Z]{1,2}\d[A-Z\d]?)\s*(\d[A-Z]{2})\b", re.IGNORECASE)


def address_key(text: str | None) -> tuple[str, ...] | None:
    """The dwelling an address names, to match reports by: its postcode and house or flat numbers,
    or (with no postcode) the whole address when it starts with a number. ``None`` for a place
    that is no one's home ("Head office", "near the shops", a postcode alone)."""
    if not text or not text.strip():
        return None
    upper = text.upper()
    found = POSTCODE.search(upper)
    if found:
        rest = upper[: found.start()] + " " + upper[found.end() :]
        numbers = tuple(re.findall(r"\b\d+[A-Z]?\b", rest))
        return ("postcode", f"{found.group(1)} {found.group(2)}", *numbers) if numbers else None
    normal = _normal(text)
    return ("address", normal) if re.match(r"^(flat |apartment |unit )?\d", normal) else None


def prior_complaints(session: Session, report: Report, now: datetime, *, exclude: int | None = None) -> int:
    """Complaints in the last six months by the same victim (by name) or about the same home (by
    postcode and house number, ``address_key``; a place that is no home, like "Head office",
    matches nothing): earlier cases, and further incidents logged on them (``exclude``: a case not
    to count, the report's own when it is already saved)."""
    victims = [p for p in report.parties if p.role == "victim"]
    names = {_normal(p.name) for p in victims if p.name}
    keys = {key for key in (*(address_key(p.address) for p in victims), address_key(report.location)) if key}
    window = (Case.reported_at >= now - LOOK_BACK, Case.reported_at <= now, Case.id != (exclude or 0))
    matched: set[int] = set()
    if names:
        matched |= set(
            session.scalars(
                select(Party.case_id)
                .join(Case, Case.id == Party.case_id)
                .where(Party.role == "victim", func.lower(Party.name).in_(names), *window)
            )
        )
    if keys:
        matched |= _same_home(session, keys, window)
    if not matched:
        return 0
    further = session.scalar(
        select(func.count(TimelineEvent.id)).where(
            TimelineEvent.case_id.in_(matched),
            TimelineEvent.kind == timeline.FurtherIncident.KIND,
            TimelineEvent.at >= now - LOOK_BACK,
            TimelineEvent.at <= now,
        )
    )
    split = incidents.split_off_between(session, matched, now - LOOK_BACK, now)
    return len(matched) + (further or 0) - split


def _same_home(session: Session, keys: set[tuple[str, ...]], window: tuple[Any, ...]) -> set[int]:
    """Cases in ``window`` whose location or victim's address is one of the homes ``keys``: found
    roughly in SQL (the postcode, or the address as typed), then checked exactly."""
    rough: list[ColumnElement[bool]] = []
    for key in keys:
        if key[0] == "postcode":
            for spelling in (key[1], key[1].replace(" ", "")):
                rough += [Case.location.ilike(f"%{spelling}%"), Party.address.ilike(f"%{spelling}%")]
        else:
            rough += [
                func.lower(func.replace(Case.location, ",", "")) == key[1],
                func.lower(func.replace(Party.address, ",", "")) == key[1],
            ]
    rows = session.execute(
        select(Case.id, Case.location, Party.address)
        .outerjoin(Party, (Party.case_id == Case.id) & (Party.role == "victim"))
        .where(*window, or_(*rough))
    )
    return {
        case_id for case_id, location, address in rows if {address_key(location), address_key(address)} & keys
    }


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
            OutboxMessage.kind.in_((ACKNOWLEDGEMENT, reporters.TRACKING_CODE)),
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
    session: Session,
    report: Report,
    *,
    now: datetime,
    acknowledgements_per_address: int | None = None,
    user: User | None = None,
) -> processes.StepResult:
    """Open a case for ``report`` and start its process in one case step, all or nothing.

    A report is never lost, whatever the deployed diagram does: when the process cannot start,
    the step is rolled back and the report is saved in a second step as a case that could not
    start (``keep_unstarted``), with its reference, which the reporter is given as usual.
    ``user``: the colleague who keyed a report taken by phone, in person... (staff intake)."""
    try:
        with steps.case_step(session, now=now, user=user, by=_by(report)) as step:
            return open_case(step, report, acknowledgements_per_address=acknowledgements_per_address)
    except Exception as err:  # whatever the diagram did, the report is kept
        log.exception("The process could not start for a report; keeping it as a case that could not start")
        try:
            return keep_unstarted(
                session,
                report,
                now=now,
                failure=err,
                acknowledgements_per_address=acknowledgements_per_address,
                user=user,
            )
        except Exception:
            log.exception("The report could not be kept either")
            raise err from None


def _by(report: Report) -> str:
    return report.keyed_by_name or report.reporter_name or ANONYMOUS


def _placed(session: Session, case: Case, report: Report) -> Case:
    """``case`` in the admins' locality named in the report, or else the one its address's
    postcode is in (a public report); a name not on the list is kept as typed."""
    found = localities.for_report(session, report.locality, report.location)
    if found is not None:
        case.locality, case.locality_id = found.name, found.id
    return case


def _new_case(report: Report, now: datetime) -> Case:
    route = route_for(report.parties)
    return Case(
        reported_at=now,
        occurred_at=report.occurred_at,
        description=report.description,
        location=report.location,
        strands=list(report.strands),
        hate_perceived=True,
        channel=report.channel,
        incident_types=list(report.incident_types),
        locality=report.locality,
        keyed_by_id=report.keyed_by_id,
        route=route,
        team=TEAM_FOR_ROUTE[route],
        reporter_name=report.reporter_name,
        reporter_email=report.reporter_email,
        reporter_phone=report.reporter_phone,
        status="open",
        parties=[Party(**vars(p)) for p in report.parties],
    )


def start_data(case: Case, prior: int, *, acknowledge: bool) -> dict[str, Any]:
    """What the report-driven process starts with (its start event's data)."""
    return {
        "reported_at": case.reported_at.isoformat(),
        "channel": case.channel,
        "route": case.route,
        # Who is accused, by relation to the landlord: the diagram routes on it (policy section 6).
        "perpetrator_relations": sorted(
            {p.relation for p in case.parties if p.role == "alleged_perpetrator" and p.relation}
        ),
        "prior_complaints_6m": prior,
        "strands": list(case.strands),
        "acknowledge_by_email": acknowledge,
    }


def _channel_words(channel: str) -> str:
    label = CHANNELS.get(channel, channel)
    return label[:1].lower() + label[1:]


def _opening(report: Report, route: str, prior: int) -> str:
    keyed = ""
    if report.keyed_by_name:
        keyed = f", keyed by {report.keyed_by_name} for {report.reporter_name or ANONYMOUS.lower()}"
    return (
        f"Report received via {_channel_words(report.channel)}"
        + keyed
        + (" (employee route)" if route == "employee" else "")
        + (f"; {prior} earlier complaint(s) in six months" if prior else "")
    )


def open_case(
    step: steps.CaseStep, report: Report, *, acknowledgements_per_address: int | None = None
) -> processes.StepResult:
    """Open a case for ``report`` and start its process, in ``step`` (a deploy's trial case starts
    exactly as a real report does, in a step that is rolled back)."""
    session, now = step.session, step.now
    acknowledge = report.may_email() and acknowledgement_allowed(
        session, report.reporter_email, acknowledgements_per_address, now
    )
    prior = prior_complaints(session, report, now)
    case = _placed(session, _new_case(report, now), report)
    data = start_data(case, prior, acknowledge=acknowledge)
    if report.mails_code(acknowledge):
        data["acknowledged_already"] = True  # the tracking code's email acknowledges it
    started = processes.start(
        step,
        case,
        PROCESS_KEY,
        data,
        now=now,
        reference=lambda case_id: reference_for(case_id, now),
        actor=_by(report),
        summary=_opening(report, case.route, prior),
        details={"strands": list(report.strands), "incident_types": list(report.incident_types)},
    )
    _attach_reporter(step, case, report, email=report.mails_code(acknowledge))
    return started


def _attach_reporter(step: steps.CaseStep, case: Case, report: Report, *, email: bool) -> None:
    if report.reporter is not None and report.tracking_code:
        reporters.attach(step, case, report.reporter, report.tracking_code, email=email)


def keep_unstarted(
    session: Session,
    report: Report,
    *,
    now: datetime,
    failure: BaseException,
    acknowledgements_per_address: int | None = None,
    user: User | None = None,
) -> processes.StepResult:
    """Save ``report`` as a case whose process could not start, in a case step of its own: it has
    its reference, the reporter is acknowledged as usual, it is on the stuck-work list as "could
    not start" with the engine's words, and the supervisors are told."""
    with steps.case_step(session, now=now, user=user, by=_by(report)) as step:
        case = save_unstarted(
            step, report, failure, acknowledgements_per_address=acknowledgements_per_address
        )
        return processes.StepResult(case.id, case.reference or "", case.status, ())


def save_unstarted(
    step: steps.CaseStep, report: Report, failure: BaseException, *, acknowledgements_per_address: int | None
) -> Case:
    """``keep_unstarted``'s work, in ``step`` (a split-off incident is kept the same way)."""
    session, now = step.session, step.now
    message = _failure_words(failure)
    prior = prior_complaints(session, report, now)
    case = _placed(session, _new_case(report, now), report)
    case.status = NOT_STARTED
    version = processes.latest_version(session, PROCESS_KEY)
    assert version is not None  # required: UnknownProcess when none is deployed
    case.process_version = version
    case.updated_at = now
    case.step_failed_at = now
    case.step_failure = message
    session.add(case)
    session.flush()
    case.reference = reference_for(case.id, now)
    step.record(
        timeline.Opened(
            _opening(report, case.route, prior),
            {"strands": list(report.strands), "incident_types": list(report.incident_types)},
        ),
        case=case,
    )
    step.record(timeline.NotStarted(message), case=case, by=SYSTEM)
    step.audit(
        "report-kept",
        subject_type="case",
        subject=case.reference,
        detail=f"The process could not start on version {case.process_version.version}: {message}",
        outcome="kept",
    )
    acknowledge = report.may_email() and acknowledgement_allowed(
        session, report.reporter_email, acknowledgements_per_address, now
    )
    _attach_reporter(step, case, report, email=report.mails_code(acknowledge))
    if acknowledge and not report.mails_code(acknowledge):
        subject, body = acknowledgement(case.reference, report.reporter.language if report.reporter else None)
        assert report.reporter_email is not None
        step.queue_email(
            to=report.reporter_email, subject=subject, body=body, case_id=case.id, kind=ACKNOWLEDGEMENT
        )
        step.record(timeline.Notified("Acknowledgement emailed to the reporter"), case=case, by=SYSTEM)
    step.notify_group(
        case.id,
        case.reference,
        SUPERVISORS,
        "a report was kept but its process could not start; start it on another version "
        "from the stuck-work list (Could not start)",
        email=True,
    )
    return case


def _failure_words(failure: BaseException) -> str:
    if isinstance(failure, processes.ProcessError):
        return str(failure)
    return f"{type(failure).__name__}: {failure}"
