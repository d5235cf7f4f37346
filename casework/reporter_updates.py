"""Keeping the reporter informed: on the events the policy names (an officer takes the case, a
contact with the victim, support agreed, a referral, action taken, the case closed), a short
message by the channel they chose, only when they said it is safe to contact them.

The case step calls ``send`` before it commits, with the timeline events it recorded, so the
messages are queued in the same transaction as the change that caused them, whichever flow made
it (a task in the inbox, the API, a timer). Messages are fixed sentences with the case reference
and at most an officer's first name: never another person's details. What was sent (or not,
and why) is kept for the officer to see (``ReporterMessage``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

import translations
from casework import sms, surveys
from db import timeline
from db.models import Case, OutboxMessage, ReporterDetails, ReporterMessage, Task

if TYPE_CHECKING:
    from casework.steps import CaseStep

UPDATE = "reporter_update"  # the outbox kind of an emailed update
OFFICER, CONTACT, SUPPORT, REFERRAL, ACTION, CLOSED = (
    "officer",
    "contact",
    "support",
    "referral",
    "action",
    "closed",
)
CONTACT_TASKS = {"keep_in_contact"}
ACTION_TASKS = {"prevention", "enforcement_action"}
# Only the victim is told of a contact or support: a witness or third party may not be them.
FOR_THE_VICTIM = {CONTACT, SUPPORT}
WATCHED = {
    timeline.TaskClaimed.KIND,
    timeline.TaskReassigned.KIND,
    timeline.TaskCompleted.KIND,
    timeline.ContactRecorded.KIND,
    timeline.SupportAgreed.KIND,
    timeline.Referred.KIND,
    timeline.CaseClosed.KIND,
}
NOT_SAFE = "Not sent: the reporter said it is not safe to contact them"
NOT_SAID = "Not sent: the reporter did not say whether it is safe to contact them"


def text_for(topic: str, reference: str, officer: str | None = None, language: str | None = None) -> str:
    """The update on ``topic``, in the reporter's ``language`` (English when not known)."""
    _ = translations.translator(language)
    words = {
        OFFICER: lambda: _(
            "%(officer)s from the community safety team is dealing with your report %(reference)s "
            "and will be in touch.",
            officer=officer,
            reference=reference,
        ),
        CONTACT: lambda: _(
            "We have recorded our contact with you about your case %(reference)s. Thank you.",
            reference=reference,
        ),
        SUPPORT: lambda: _(
            "We have recorded the support we agreed with you for your case %(reference)s.",
            reference=reference,
        ),
        REFERRAL: lambda: _(
            "We have made a referral to help with your case %(reference)s. Your officer can tell you more.",
            reference=reference,
        ),
        ACTION: lambda: _(
            "We have taken action on your case %(reference)s. Your officer can tell you more.",
            reference=reference,
        ),
        CLOSED: lambda: _(
            "Your case %(reference)s has been closed. You can see why on our 'Check your report' "
            "page with your tracking code.",
            reference=reference,
        ),
    }
    return words[topic]()


def send(step: CaseStep, recorded: Sequence[tuple[int, timeline.Event]]) -> None:
    """Queue the updates the events ``recorded`` in ``step`` call for (see the module's words)."""
    topics: dict[int, list[tuple[str, str | None]]] = {}
    for case_id, event in recorded:
        if event.KIND in WATCHED:
            found = _topic(step, event)
            if found is not None:
                topics.setdefault(case_id, []).append(found)
    for case_id, wanted in topics.items():
        details = step.session.scalar(select(ReporterDetails).where(ReporterDetails.case_id == case_id))
        case = step.session.get(Case, case_id)
        if details is None or case is None or case.anonymised_at is not None:
            continue  # no public reporter (a staff or API report): nothing was agreed with anyone
        for topic, officer in dict.fromkeys(wanted):
            if topic == OFFICER and _told(step, case_id, OFFICER):
                continue
            if topic in FOR_THE_VICTIM and details.reporter_is != "victim":
                continue
            _send_one(
                step, case, details, topic, text_for(topic, case.reference or "", officer, details.language)
            )
            if topic == CLOSED:
                surveys.send(step, case, details)


def _topic(step: CaseStep, event: timeline.Event) -> tuple[str, str | None] | None:
    if isinstance(event, timeline.TaskClaimed):
        return OFFICER, event.by.split()[0] if event.by.strip() else None
    if isinstance(event, timeline.TaskReassigned):
        return OFFICER, event.to_name.split()[0] if event.to_name.strip() else None
    if isinstance(event, timeline.TaskCompleted):
        task = step.session.get(Task, event.task_id)  # the step's own task: no query
        element = task.element_id if task is not None else None
        topic = CONTACT if element in CONTACT_TASKS else ACTION if element in ACTION_TASKS else None
        return (topic, None) if topic else None
    if isinstance(event, timeline.ContactRecorded):
        return CONTACT, None
    if isinstance(event, timeline.SupportAgreed):
        return SUPPORT, None
    if isinstance(event, timeline.Referred):
        return None if event.summary.startswith("Not ") else (REFERRAL, None)
    if isinstance(event, timeline.CaseClosed):
        return CLOSED, None
    return None


def _told(step: CaseStep, case_id: int, topic: str) -> bool:
    return (
        step.session.scalar(
            select(ReporterMessage.id)
            .where(ReporterMessage.case_id == case_id, ReporterMessage.topic == topic)
            .limit(1)
        )
        is not None
    )


def _send_one(step: CaseStep, case: Case, details: ReporterDetails, topic: str, text: str) -> None:
    def keep(channel: str, note: str, outbox: OutboxMessage | None = None) -> None:
        step.session.add(
            ReporterMessage(
                case_id=case.id,
                at=step.now,
                topic=topic,
                channel=channel,
                outbox_id=outbox.id if outbox is not None else None,
                text=note,
            )
        )

    if details.safe_to_contact is not True:
        keep("none", NOT_SAFE if details.safe_to_contact is False else NOT_SAID)
        return
    routes = [("email", case.reporter_email, UPDATE), ("text", case.reporter_phone, sms.KIND)]
    sent = False
    for channel, address, kind in routes:
        if channel in details.contact_methods and address:
            outbox = OutboxMessage(
                case_id=case.id,
                kind=kind,
                recipient=address,
                subject=translations.translator(details.language)(
                    "An update on your report %(reference)s", reference=case.reference
                ),
                body=text,
                created_at=step.now,
                next_attempt_at=step.now,
            )
            step.session.add(outbox)
            step.session.flush()
            keep(channel, text, outbox)
            step.record(
                timeline.Notified(f"Update sent to the reporter by {channel}: {text}"), case=case, by="system"
            )
            sent = True
    if not sent:
        keep(
            "none",
            "Not sent automatically: the reporter asked for phone calls, letters or contact "
            "through someone else, so tell them yourself",
        )


def sent_to_reporter(session: Session, case_id: int) -> list[tuple[ReporterMessage, OutboxMessage | None]]:
    """What the reporter was sent on this case (or not, and why), newest first, with its delivery."""
    rows = session.execute(
        select(ReporterMessage, OutboxMessage)
        .outerjoin(OutboxMessage, OutboxMessage.id == ReporterMessage.outbox_id)
        .where(ReporterMessage.case_id == case_id)
        .order_by(ReporterMessage.at.desc(), ReporterMessage.id.desc())
    )
    return [(message, outbox) for message, outbox in rows]
