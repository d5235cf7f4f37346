"""Taking a report at intake (public form, staff intake, API): a report that strongly matches an
open case (``casework.matching``) is another incident on that case, not a new case, so repeat
victimisation is seen on one case and NM01 counts it once (the counting rule); any other report
opens a case (``casework.reports.submit``).

A report is never lost: if adding it to the open case fails for any reason, it opens a case of
its own as usual."""

from __future__ import annotations

import logging
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

import processes
from casework import incidents, matching, reporters, reports, steps
from casework.vocabulary import CHANNELS
from db import timeline
from db.models import Case, ReporterDetails, User
from handlers.notifications import ACKNOWLEDGEMENT, acknowledgement

log = logging.getLogger(__name__)
INCIDENT = "further_incident"  # the BPMN message that tells the case's process of an incident


@dataclass(frozen=True)
class Matched(processes.StepResult):
    """The report was added to the open case ``case_reference``. ``code_kept``: the report's new
    tracking code works for that case (it had none); otherwise the reporter's earlier code does."""

    code_kept: bool = False
    incident_id: int | None = None  # the report as kept on the case (``casework.incidents``)


def submit(
    session: Session,
    report: reports.Report,
    *,
    now: datetime,
    acknowledgements_per_address: int | None = None,
    user: User | None = None,
) -> processes.StepResult:
    """Add ``report`` to the open case it strongly matches, or else open a case for it."""
    try:
        case = matching.strong_match(session, report)
        if case is not None:
            return add_to_case(session, case, report, now=now, acks=acknowledgements_per_address, user=user)
    except Exception:  # whatever went wrong, the report still opens a case of its own
        session.rollback()
        log.exception("A matched report could not be added to its open case; opening a case for it")
    return reports.submit(
        session, report, now=now, acknowledgements_per_address=acknowledgements_per_address, user=user
    )


def _incident_words(report: reports.Report) -> str:
    when = ""
    if report.occurred_at is not None:
        at = report.occurred_at
        when = f" (happened {at.day} {at:%B %Y, %H:%M})"
    return f"{report.description} At: {report.location}{when}."


def add_to_case(
    session: Session,
    case: Case,
    report: reports.Report,
    *,
    now: datetime,
    acks: int | None,
    user: User | None,
) -> Matched:
    """``report`` as another incident on the open ``case``, in one case step: on its timeline
    (saying it was matched), heard by its process, the team told, the reporter acknowledged."""
    by = report.keyed_by_name or report.reporter_name or reports.ANONYMOUS
    with steps.case_step(session, now=now, user=user, by=by, case=case) as step:
        reference = case.reference or ""
        step.record(timeline.FurtherIncident(_incident_words(report)))
        step.record(
            timeline.Notified(
                f"A new report ({CHANNELS.get(report.channel, report.channel).lower()}) was matched to "
                "this open case and added as another incident, not a new case"
            ),
            by=steps.SYSTEM,
        )
        with suppress(processes.Conflict):  # not waiting for news of an incident: the timeline has it
            processes.deliver_message(step, case, INCIDENT, {}, actor=by, now=now)
        code_kept = _attach_code(step, case, report, acks)
        kept = incidents.keep(step.session, case, report, now=now, code_on_case=code_kept)
        step.notify_group(
            case.id,
            reference,
            case.team or reports.TEAM_FOR_ROUTE["hate"],
            "a new report was matched to this open case and added as another incident; "
            "split it off if it is not the same matter",
            email=False,
        )
        step.audit(
            "report-matched",
            subject_type="case",
            subject=reference,
            detail="A new report was added to this open case as another incident",
        )
        step.session.flush()
        return Matched(case.id, reference, case.status, (), code_kept=code_kept, incident_id=kept.id)


def _attach_code(step: steps.CaseStep, case: Case, report: reports.Report, acks: int | None) -> bool:
    """Acknowledge the reporter with the case's reference. The report's tracking code is kept
    only when the case has none yet: an existing code is never replaced from a public form (a
    stranger who knew the victim's email would otherwise get into their case)."""
    acknowledge = report.may_email() and reports.acknowledgement_allowed(
        step.session, report.reporter_email, acks, step.now
    )
    has_code = step.session.scalar(select(ReporterDetails.id).where(ReporterDetails.case_id == case.id))
    kept = report.reporter is not None and bool(report.tracking_code) and has_code is None
    if kept:
        assert report.reporter is not None and report.tracking_code is not None
        reporters.attach(
            step, case, report.reporter, report.tracking_code, email=report.mails_code(acknowledge)
        )
    if acknowledge and report.reporter_email and not (kept and report.mails_code(acknowledge)):
        language = report.reporter.language if report.reporter else None
        subject, body = acknowledgement(case.reference or "", language)
        step.queue_email(
            to=report.reporter_email, subject=subject, body=body, case_id=case.id, kind=ACKNOWLEDGEMENT
        )
        step.record(timeline.Notified("Acknowledgement emailed to the reporter"), by=steps.SYSTEM)
    return kept
