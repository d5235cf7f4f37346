"""Splitting off an incident matched at intake into a case of its own (issue 19 point 4).

A report that strongly matched an open case was added to it as another incident
(``casework.further_reports``, kept as a ``CaseIncident``). When the officer finds it is not the
same matter, they split it off: a new case is made from that report and its process started as
any new report's is, in one case step that also moves what belongs to the incident (the
reporter's answers and tracking code, when they came with it; the files sent with it), links
the two cases and writes the timeline and the audit log of both. The new case counts as a new
case (NM01) from the day it was split off, and the matched incident no longer counts on the first.

A report is never lost: if the process fails to start, the step is rolled back and the incident
is split off again into a case kept as one that could not start (``reports.save_unstarted``),
listed on stuck work, as a new report would be.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

import processes
from casework import incidents, reporters, reports, steps
from casework.casefile import CaseNotFound, find_case
from casework.form_errors import Invalid, text
from casework.linked_cases import REASON_MAX, REASON_MIN, existing
from casework.vocabulary import SPLIT_FROM
from db import timeline
from db.models import Case, CaseIncident, CaseLink, ReporterDetails, User

log = logging.getLogger(__name__)
OPEN = "open"


class IncidentNotFound(CaseNotFound):
    """No such incident on the case (or not one matched at intake)."""


def _when(at: datetime) -> str:
    return f"{at.day} {at:%B %Y}"


def _incident(session: Session, case: Case, incident_id: int) -> CaseIncident:
    if incident_id == incidents.OPENING:
        raise processes.NotAllowed(
            f"Incident 0 is the report that opened case {case.reference}: it is the case itself, and "
            "cannot be split off from it. Only an incident added to the case at intake can be."
        )
    row = session.scalar(
        select(CaseIncident).where(CaseIncident.id == incident_id, CaseIncident.case_id == case.id)
    )
    if row is None:
        raise IncidentNotFound(f"Case {case.reference} has no incident {incident_id} added at intake.")
    return row


def _check(case: Case, row: CaseIncident) -> None:
    if case.status != OPEN:
        raise processes.NotAllowed(
            f"Case {case.reference} is not open; an incident can be split off only an open case."
        )
    if row.split_at is not None:
        raise processes.NotAllowed("This incident was split off already.")


def split_off(
    session: Session,
    reference: str,
    incident_id: int,
    *,
    reason: object,
    user: User,
    now: datetime,
    acknowledgements_per_address: int | None = None,
) -> processes.StepResult:
    """Split incident ``incident_id`` of case ``reference`` off into a new case; its result.

    Raises ``CaseNotFound`` (``IncidentNotFound``), ``Invalid`` (no reason), ``NotAllowed`` (the
    opening report, a case not open, an incident split already), ``Conflict``."""
    case = find_case(session, reference)
    row = _incident(session, case, incident_id)
    errors: dict[str, str] = {}
    why = text(
        reason, "reason", errors, what="why it is not the same matter", least=REASON_MIN, most=REASON_MAX
    )
    _check(case, row)
    if errors:
        raise Invalid(errors)
    report = incidents.as_report(row)
    acks = acknowledgements_per_address
    try:
        with steps.case_step(session, now=now, user=user, case=case) as step:
            _check(case, row)
            row.split_at = now  # first: the new case's earlier complaints do not count it twice
            started = reports.open_case(step, report, acknowledgements_per_address=acks)
            _move(step, case, session.get_one(Case, started.case_id), row, why)
            return started
    except (processes.Conflict, processes.NotAllowed):
        raise
    except Exception as err:  # the process could not start: the split case is kept all the same
        log.exception("The process could not start for a split-off incident; keeping it as a case")
        case, row = find_case(session, reference), session.get_one(CaseIncident, row.id)
        with steps.case_step(session, now=now, user=user, case=case) as step:
            _check(case, row)
            row.split_at = now
            new = reports.save_unstarted(step, report, err, acknowledgements_per_address=acks)
            _move(step, case, new, row, why)
            return processes.StepResult(new.id, new.reference or "", new.status, ())


def _move(step: steps.CaseStep, case: Case, new: Case, row: CaseIncident, why: str) -> None:
    """What belongs to the incident goes to ``new``; the cases are linked; both timelines and the
    audit log say so."""
    session, reference, other = step.session, case.reference or "", new.reference or ""
    moved = _reporter(session, case, new, row)
    files = incidents.files_of(session, row)
    for item in files:
        item.case_id = new.id
    row.split_case_id, row.split_at, row.split_by = new.id, step.now, step.by
    link = existing(session, case, new)
    if link is None:
        session.add(
            CaseLink(
                case_id=new.id,
                other_case_id=case.id,
                kind=SPLIT_FROM,
                reason=why,
                created_at=step.now,
                created_by=step.by,
            )
        )
    step.record(timeline.IncidentSplitOff(_when(row.reported_at), other, why))
    step.record(timeline.SplitFrom(reference, why), case=new)
    carried = [f"{len(files)} file(s) sent with it"] * bool(files) + [moved] * bool(moved)
    if carried:
        words = f"Moved with the incident: {'; '.join(carried)}"
        step.record(timeline.Notified(f"{words} (to case {other})"), by=steps.SYSTEM)
        step.record(timeline.Notified(f"{words} (from case {reference})"), case=new, by=steps.SYSTEM)
    detail = f"Incident {row.id} (reported {_when(row.reported_at)}) of {reference} split off into {other}"
    step.audit("incident-split", subject_type="case", subject=reference, detail=detail)
    step.audit("case-split-from", subject_type="case", subject=other, detail=detail)


def _reporter(session: Session, case: Case, new: Case, row: CaseIncident) -> str:
    """The reporter's answers go with the incident. When its tracking code became the case's, it
    moves with it (so the code opens the new case); otherwise the new case keeps their answers
    (who they are, whether it is safe to contact them, their language) with no code yet: the
    officer can make one."""
    if row.code_on_case:
        details = session.scalar(select(ReporterDetails).where(ReporterDetails.case_id == case.id))
        if details is not None:
            details.case_id = new.id
            return "the reporter's answers and tracking code"
    if row.reporter is not None:
        preferences = incidents.as_report(row).reporter
        assert preferences is not None
        session.add(reporters.details_row(new.id, preferences))
        return "the reporter's answers (no tracking code: make one for them if they need it)"
    return ""
