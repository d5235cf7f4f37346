"""Reports whose process could not start: a supervisor starts them on another version.

A report the deployed diagram fails on is kept as a case that could not start
(``casework.reports.keep_unstarted``) and listed on the stuck-work page. Once the diagram is
fixed (or a working version is rolled back to), starting it runs the process from the start on
the chosen version, in one case step: if it fails again nothing changes and the case stays listed.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

import processes
from casework import steps
from casework.casefile import find_case
from casework.reports import NOT_STARTED, PartyDetails, Report, prior_complaints, start_data
from db.models import Case, ProcessVersion, User


def choices(session: Session, keys: set[str]) -> dict[str, list[tuple[int, str]]]:
    """For each process in ``keys``: (version, words) to offer, newest first, the one new cases
    start on marked as such and rolled-back ones said to be."""
    found: dict[str, list[tuple[int, str]]] = {}
    for key in sorted(keys):
        current = processes.latest_version(session, key, required=False)
        rows = session.scalars(
            select(ProcessVersion)
            .where(ProcessVersion.process_key == key)
            .order_by(ProcessVersion.version.desc())
        )
        found[key] = [
            (
                row.version,
                f"Version {row.version}"
                + (" (new cases start on it)" if current is not None and row.id == current.id else "")
                + (" (rolled back)" if row.withdrawn_at else ""),
            )
            for row in rows
        ]
    return found


def _as_report(case: Case) -> Report:
    return Report(
        description=case.description,
        location=case.location,
        strands=list(case.strands),
        parties=[PartyDetails(role=p.role, name=p.name, address=p.address) for p in case.parties],
    )


def start(
    session: Session, reference: str, *, version: int | None, user: User, now: datetime
) -> processes.StepResult:
    """Start the process of case ``reference``, which could not start, on ``version`` of its
    process (None: the version new cases start on).

    Raises ``casefile.CaseNotFound``, ``NotAllowed`` (the case is not waiting to start),
    ``UnknownProcess`` (no such version), ``EngineFailure`` (it failed again: nothing changed)."""
    case = find_case(session, reference)
    if case.status != NOT_STARTED:
        raise processes.NotAllowed(f"{case.reference} is not waiting to start: its process is running.")
    key = case.process_version.process_key
    if version is None:
        chosen = processes.latest_version(session, key)
    else:
        chosen = session.scalar(
            select(ProcessVersion).where(ProcessVersion.process_key == key, ProcessVersion.version == version)
        )
    if chosen is None:
        raise processes.UnknownProcess(f"The process '{key}' has no version {version}.")
    failed_on = case.process_version.version
    with steps.case_step(session, now=now, user=user, case=case) as step:
        prior = prior_complaints(session, _as_report(case), case.reported_at, exclude=case.id)
        data = {**start_data(case, prior, acknowledge=False), "acknowledged_already": True}
        case.step_failed_at = None
        case.step_failure = None
        result = processes.start_again(
            step,
            case,
            chosen,
            data,
            now=now,
            actor=user.display_name,
            summary=f"{user.display_name} started the process on version {chosen.version} "
            f"(it could not start on version {failed_on})",
        )
        return result
