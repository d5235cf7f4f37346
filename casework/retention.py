"""Retention (policy section 9): the personal data of a case closed longer ago than the retention
period is removed; what the indicators, the annual report, the equality breakdown and the
heatmap count stays.

What stays, and why:

- the case row's dates (reported, occurred, closed, first-response breach), status, route,
  channel, team, strands, incident types, locality and risk level: the indicators count by them;
- the parties' role, relation to the landlord, tenure and equality answers: the equality
  breakdown counts victims by them (no name, address, phone or email is kept with them);
- the task rows (element, title, created, due, completed, by which member of staff): the first
  response within 24 hours and the heatmap read them; of the answers only those the indicators
  count (the closure's outcome, satisfaction and actions; whether a first response reached
  the reporter: the fields the diagram binds to an indicator, ``processes.bindings``);
- the timeline's instants, kinds and staff names, with summaries that hold no typed text;
- referrals (agency, made, date, lawful basis), consents (purpose, given, dates) and
  disclosures (recipient, purpose, lawful basis, dates): counts of what was shared and why.

What goes: the reporter's name, email and phone; the description and location text (a fixed
marker stands in); the parties' names, addresses, phones and emails; every other task answer;
the saved workflow (it holds every answer; nothing reads it once the case is closed); letters;
the reporter's name on the timeline and every timeline ``details``; consent notes, disclosed
information and reasons, referral references and reasons, quality-review comments; the case's
outbox messages (recipients and bodies); case notes; contact records' outcomes and whom they
were with (the method and dates stay); evidence rows and their files in the evidence store
(the files are removed once the batch that removed their rows has committed, so a failed batch
leaves both).

Each batch is one transaction, so a crash leaves a case either fully anonymised or untouched;
``anonymised_at`` marks the ones done, so a run repeated changes nothing. The audit log is not
anonymised: it is append-only, and holds names of staff and references, not the report.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, delete, func, select
from sqlalchemy.orm import Session

from casework import audit, evidence_store, incidents, steps
from db import timeline
from db.models import (
    AuditEvent,
    Case,
    CaseAction,
    CaseDocument,
    CaseHold,
    CaseLink,
    CaseNote,
    CaseReview,
    Consent,
    ContactRecord,
    Disclosure,
    Evidence,
    OutboxMessage,
    PartyNeeds,
    Referral,
    ReporterDetails,
    ReporterMessage,
    Task,
    TimelineEvent,
    Timer,
    User,
)
from processes import bindings

MARKER = timeline.MARKER
ACTOR = audit.Actor("retention-job", "system", None)
BATCH = 100
SYSTEM = "system"
REMOVED_NAME = "[name removed]"
# The answers the indicators count (casework.indicators) are kept, by the diagram's bindings
# (processes.bindings): the closure's outcome, satisfaction and actions, and whether a first
# response reached the reporter (casework.indicators.responded). Every other answer goes.
KEPT_INDICATORS = ("closure", "first_response")


def _kept_answers(session: Session) -> dict[str, set[str]]:
    """Element id -> the field ids kept on anonymisation."""
    kept: dict[str, set[str]] = {}
    for indicator in KEPT_INDICATORS:
        for element_id, binding in bindings.every_binding(session, indicator).items():
            kept.setdefault(element_id, set()).update(binding.fields.values())
    return kept


def anonymise_expired(
    session: Session,
    *,
    now: datetime,
    retention: timedelta,
    batch: int = BATCH,
    actor: audit.Actor = ACTOR,
    store: evidence_store.EvidenceStore | None = None,
) -> int:
    """Anonymise every case closed before ``now - retention`` and not yet anonymised, ``batch``
        cases a transaction; record one audit entry for the run (by ``actor``: the scheduled job, or
        the administrator who ran it by hand). Evidence files go from ``store`` (default: the configured
    evidence store). Returns how many were anonymised."""
    if batch < 1:
        raise ValueError("batch must be at least 1")
    cutoff = now - retention
    staff = _staff_names(session)
    total = 0
    files = store or evidence_store.open_store()
    while True:
        with steps.case_step(session, now=now, actor=actor):
            done, keys = _one_batch(session, cutoff, now, batch, staff)
        for key in keys:
            files.delete(key)
        total += done
        if done < batch:
            break
    with steps.case_step(session, now=now, actor=actor) as step:
        step.audit("edit", subject_type="retention", detail=f"{total} cases anonymised")
    return total


@dataclass(frozen=True)
class RetentionStatus:
    cutoff: datetime
    due: int
    anonymised: int
    last_runs: list[AuditEvent]


def status(session: Session, *, now: datetime, retention: timedelta, runs: int = 10) -> RetentionStatus:
    """What the job would do now, what it has done, and its latest runs (from the audit log)."""
    cutoff = now - retention
    due = session.scalar(select(func.count()).select_from(_expired(cutoff).order_by(None).subquery()))
    done = session.scalar(select(func.count()).where(Case.anonymised_at.is_not(None)))
    last = session.scalars(
        select(AuditEvent)
        .where(AuditEvent.subject_type == "retention")
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(runs)
    )
    return RetentionStatus(cutoff, due or 0, done or 0, list(last))


def _expired(cutoff: datetime) -> Select[Any]:
    return (
        select(Case.id)
        .where(Case.status == "closed", Case.closed_at < cutoff, Case.anonymised_at.is_(None))
        .order_by(Case.closed_at, Case.id)
    )


def _one_batch(
    session: Session, cutoff: datetime, now: datetime, batch: int, staff: set[str]
) -> tuple[int, list[str]]:
    # SKIP LOCKED (PostgreSQL): two runs at once share the work instead of colliding; SQLite
    # ignores it and serialises writers anyway.
    ids = list(session.scalars(_expired(cutoff).limit(batch).with_for_update(skip_locked=True)))
    kept = _kept_answers(session) if ids else {}
    keys: list[str] = []
    for case_id in ids:
        case = session.get(Case, case_id)
        assert case is not None
        keys += _evidence_keys(session, case.id)
        _anonymise(session, case, now, staff, kept)
    session.flush()
    return len(ids), keys


def _evidence_keys(session: Session, case_id: int) -> list[str]:
    """The stored files of the case's evidence (each file and its thumbnail)."""
    rows = session.execute(
        select(Evidence.storage_key, Evidence.thumbnail_key).where(Evidence.case_id == case_id)
    )
    return [key for row in rows for key in row if key]


def _anonymise(
    session: Session, case: Case, now: datetime, staff: set[str], kept_answers: dict[str, set[str]]
) -> None:
    reporter = case.reporter_name
    case.reporter_name = case.reporter_email = case.reporter_phone = None
    case.description = case.location = MARKER
    case.workflow_state = ""
    case.step_failure = None
    case.anonymised_at = now
    for party in case.parties:
        party.name = party.address = party.phone = party.email = None
    for task in session.scalars(select(Task).where(Task.case_id == case.id)):
        kept = kept_answers.get(task.element_id, set())
        task.submitted = {k: v for k, v in (task.submitted or {}).items() if k in kept} or None
    for event in session.scalars(select(TimelineEvent).where(TimelineEvent.case_id == case.id)):
        _scrub_event(event, staff, reporter)
    for consent in session.scalars(select(Consent).where(Consent.case_id == case.id)):
        consent.note = None
    for disclosure in session.scalars(select(Disclosure).where(Disclosure.case_id == case.id)):
        disclosure.information = MARKER
        disclosure.reason = MARKER if disclosure.reason else None
    for referral in session.scalars(select(Referral).where(Referral.case_id == case.id)):
        referral.reference = None
        referral.reason = MARKER if referral.reason else None
    for review in session.scalars(select(CaseReview).where(CaseReview.case_id == case.id)):
        review.comments = MARKER
    for contact in session.scalars(select(ContactRecord).where(ContactRecord.case_id == case.id)):
        contact.outcome, contact.with_whom, contact.party_id = MARKER, None, None
    # The reporter's contact answers, tracking code and the updates sent go with the case's mail.
    for table in (
        ReporterMessage,
        ReporterDetails,
        CaseDocument,
        OutboxMessage,
        Timer,
        CaseAction,
        CaseNote,
        Evidence,
    ):
        session.execute(delete(table).where(table.case_id == case.id))
    _scrub_links_and_holds(session, case)
    incidents.scrub(session, case.id)


def _scrub_links_and_holds(session: Session, case: Case) -> None:
    """Typed reasons (links, holds) and people's needs are personal data; the links stay."""
    ids = [party.id for party in case.parties]
    if ids:
        session.execute(delete(PartyNeeds).where(PartyNeeds.party_id.in_(ids)))
    for hold in session.scalars(select(CaseHold).where(CaseHold.case_id == case.id)):
        hold.reason = MARKER
    for link in session.scalars(select(CaseLink).where(CaseLink.case_id == case.id)):
        link.reason = MARKER


def _scrub_event(event: TimelineEvent, staff: set[str], reporter: str | None) -> None:
    event.details = None
    # The report's event names the reporter (or "Anonymous reporter"); every other actor is
    # a member of staff or the system. A name no account has (a person, or a deleted account)
    # goes too: erring towards removing.
    if event.actor != SYSTEM and (
        event.actor not in staff or (event.kind == "opened" and event.actor == reporter)
    ):
        event.actor = REMOVED_NAME
    event.summary = timeline.after_retention(event.kind, event.summary)


def _staff_names(session: Session) -> set[str]:
    """The names staff act under on timelines (display names and usernames)."""
    rows = session.execute(select(User.display_name, User.username)).all()
    return {name for row in rows for name in row}
