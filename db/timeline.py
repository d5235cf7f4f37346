"""The kinds of line on a case's timeline: one definition of each.

A kind says how its line reads on the case page (``summary``, written when it happens), what the
reporter is told of it on their own view of the case (``REPORTER``: None, they are not told),
what stays of it when the case is anonymised at the end of retention (``AFTER_RETENTION``) and
which of its details are kept for the record (``details``). The subject access export gives the
case page's words with other people's personal data redacted (``casework.subject_access``).

Only the case step (``casework.steps``) turns an event into a ``TimelineEvent`` row; the engine,
the handlers and the services build events and hand them to it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, ClassVar

MARKER = "[removed under the retention policy]"
_POLICE_REFERENCE = re.compile(r" \(reference [^)]*\)")


@dataclass(frozen=True)
class Retained:
    """What stays of a line's summary when its case is anonymised."""

    keep: bool = False
    fixed_text: str | None = None
    cut: re.Pattern[str] | None = None

    def apply(self, summary: str) -> str:
        if self.fixed_text is not None:
            return self.fixed_text
        if not self.keep:
            return MARKER
        return self.cut.sub("", summary) if self.cut is not None else summary


# The summary holds only words the system wrote from the diagram and staff names.
KEEP = Retained(keep=True)
# The summary may hold typed text or personal data: nothing of it stays.
REMOVE = Retained()


def fixed(text: str) -> Retained:
    """The system's own words stay; the typed text after them goes."""
    return Retained(fixed_text=text)


@dataclass(frozen=True)
class Event:
    """A thing that happened to a case. Subclasses are the kinds."""

    KIND: ClassVar[str]
    REPORTER: ClassVar[str | None] = None
    AFTER_RETENTION: ClassVar[Retained] = REMOVE

    @property
    def summary(self) -> str:
        raise NotImplementedError

    @property
    def details(self) -> dict[str, Any] | None:
        return None


@dataclass(frozen=True)
class Said(Event):
    """A kind whose words the code that records it writes (``text``), with optional details."""

    text: str
    facts: dict[str, Any] | None = None

    @property
    def summary(self) -> str:
        return self.text

    @property
    def details(self) -> dict[str, Any] | None:
        return self.facts


# The report and the process


@dataclass(frozen=True)
class Opened(Said):
    KIND = "opened"
    REPORTER = "We received your report."
    AFTER_RETENTION = KEEP


@dataclass(frozen=True)
class NotStarted(Event):
    """The report was saved but its process could not start (a broken diagram): the case waits on
    the stuck-work list for a supervisor to start it on another version."""

    KIND = "not_started"
    AFTER_RETENTION = fixed("The process could not start")
    message: str

    @property
    def summary(self) -> str:
        return f"The process could not start; the report is kept: {self.message}"


@dataclass(frozen=True)
class ProcessStarted(Said):
    """The process of a report that could not start was started later, on a chosen version."""

    KIND = "process_started"
    AFTER_RETENTION = KEEP


@dataclass(frozen=True)
class TaskCreated(Event):
    KIND = "task_created"
    task_id: str
    title: str
    groups: list[str]
    who: str

    @property
    def summary(self) -> str:
        return f"New task: {self.title} (for {self.who})"

    @property
    def details(self) -> dict[str, Any] | None:
        return {"task_id": self.task_id, "groups": self.groups}


@dataclass(frozen=True)
class TaskCancelled(Event):
    KIND = "task_cancelled"
    AFTER_RETENTION = KEEP
    title: str

    @property
    def summary(self) -> str:
        return f"Task withdrawn: {self.title}"


@dataclass(frozen=True)
class TaskClaimed(Event):
    KIND = "task_claimed"
    by: str
    title: str

    @property
    def summary(self) -> str:
        return f"{self.by} took the task: {self.title}"


@dataclass(frozen=True)
class TaskReleased(Event):
    KIND = "task_released"
    by: str
    title: str

    @property
    def summary(self) -> str:
        return f"{self.by} gave the task back: {self.title}"


@dataclass(frozen=True)
class TaskCompleted(Event):
    """A task done. The answers are stored once, in the task's row (``tasks.submitted``), which the
    line refers to by ``task_id``; ``derived`` holds only what the step worked out from them (a
    scored task's score and band)."""

    KIND = "task_completed"
    AFTER_RETENTION = KEEP
    by: str
    title: str
    task_id: str
    derived: dict[str, Any] = field(default_factory=dict)

    @property
    def summary(self) -> str:
        return f"{self.by} completed: {self.title}"

    @property
    def details(self) -> dict[str, Any] | None:
        return {"task_id": self.task_id, **self.derived}


@dataclass(frozen=True)
class TaskReassigned(Event):
    KIND = "task_reassigned"
    AFTER_RETENTION = KEEP
    by: str
    title: str
    task_id: str
    before: str | None
    before_name: str | None
    to: str
    to_name: str

    @property
    def summary(self) -> str:
        was = self.before_name or "nobody (it was not taken)"
        return f"{self.by} reassigned the task “{self.title}” from {was} to {self.to_name}"

    @property
    def details(self) -> dict[str, Any] | None:
        return {"task_id": self.task_id, "from": self.before, "to": self.to}


@dataclass(frozen=True)
class CaseClosed(Event):
    KIND = "case_closed"
    REPORTER = "Your case was closed."
    AFTER_RETENTION = KEEP

    @property
    def summary(self) -> str:
        return "Case closed"


@dataclass(frozen=True)
class TimerFired(Event):
    KIND = "timer_fired"
    name: str
    element_id: str
    due_at: str
    due_text: str
    late_seconds: float

    @property
    def summary(self) -> str:
        return f"Deadline passed: {self.name} (due {self.due_text} UTC)"

    @property
    def details(self) -> dict[str, Any] | None:
        return {"timer": self.element_id, "due_at": self.due_at, "late_seconds": self.late_seconds}


@dataclass(frozen=True)
class MessageReceived(Event):
    KIND = "message"
    AFTER_RETENTION = KEEP
    name: str

    @property
    def summary(self) -> str:
        return f"Received: {self.name.replace('_', ' ')}"

    @property
    def details(self) -> dict[str, Any] | None:
        return {"message": self.name}


@dataclass(frozen=True)
class StepFailed(Event):
    KIND = "step_failed"
    AFTER_RETENTION = fixed("A step failed and waited for a retry")
    message: str

    @property
    def summary(self) -> str:
        return f"A step failed and waits for a retry: {self.message}"


@dataclass(frozen=True)
class StepSkipped(Event):
    KIND = "step_skipped"
    AFTER_RETENTION = KEEP
    by: str
    title: str

    @property
    def summary(self) -> str:
        return f"{self.by} skipped the failed step {self.title}"


@dataclass(frozen=True)
class StepRecovered(Event):
    KIND = "step_recovered"
    by: str
    skipped: bool

    @property
    def summary(self) -> str:
        return f"{self.by} {'skipped past' if self.skipped else 'retried'} the failed step; the case runs on"


@dataclass(frozen=True)
class Migrated(Said):
    KIND = "migrated"
    AFTER_RETENTION = KEEP


@dataclass(frozen=True)
class MigrationUndone(Migrated):
    KIND = "migration_undone"


# Work done by the process's service tasks


@dataclass(frozen=True)
class Notified(Said):
    KIND = "notification"
    AFTER_RETENTION = KEEP


@dataclass(frozen=True)
class Decided(Said):
    """A decision the process records on the case in the diagram's own words (a service task
    ``record_decision`` with a ``text`` parameter): no personal data, so it stays."""

    KIND = "decision"
    AFTER_RETENTION = KEEP


@dataclass(frozen=True)
class ResponseBreached(Event):
    KIND = "breach"
    AFTER_RETENTION = KEEP

    @property
    def summary(self) -> str:
        return "24-hour first response missed (recorded for reporting)"


@dataclass(frozen=True)
class ContactAttempted(Event):
    """A first-response attempt that reached nobody: the 24-hour deadline keeps running."""

    KIND = "contact_attempt"
    AFTER_RETENTION = KEEP
    method: str

    @property
    def summary(self) -> str:
        how = f" ({self.method})" if self.method else ""
        return f"First response attempted{how}: the reporter was not reached; the 24 hours keep running"


@dataclass(frozen=True)
class DeadlineMissed(Event):
    """A deadline of escalated or ongoing work passed and went up a level; counted for reporting."""

    KIND = "deadline_missed"
    AFTER_RETENTION = KEEP
    deadline: str
    group: str

    @property
    def summary(self) -> str:
        return f"Deadline missed: {self.deadline} (escalated to {self.group})"

    @property
    def details(self) -> dict[str, Any] | None:
        return {"deadline": self.deadline, "group": self.group}


@dataclass(frozen=True)
class Referred(Said):
    KIND = "referral"
    AFTER_RETENTION = Retained(keep=True, cut=_POLICE_REFERENCE)


@dataclass(frozen=True)
class SupportAgreed(Event):
    KIND = "support"
    AFTER_RETENTION = KEEP
    parts: list[str]

    @property
    def summary(self) -> str:
        return "Support agreed: " + ("; ".join(self.parts) if self.parts else "none wanted")


@dataclass(frozen=True)
class RiskRecorded(Said):
    KIND = "risk"
    AFTER_RETENTION = KEEP


@dataclass(frozen=True)
class LetterGenerated(Event):
    KIND = "letter"
    AFTER_RETENTION = KEEP
    title: str
    facts: dict[str, Any] | None = None

    @property
    def summary(self) -> str:
        return f"Letter generated: {self.title}"

    @property
    def details(self) -> dict[str, Any] | None:
        return self.facts


# Things people do to a case outside its tasks


@dataclass(frozen=True)
class FurtherIncident(Event):
    KIND = "incident"
    TITLE: ClassVar[str] = "Another incident reported"
    REPORTER: ClassVar[str | None] = "You told us about another incident."
    AFTER_RETENTION = fixed("Another incident reported")
    text: str

    @property
    def summary(self) -> str:
        return f"{self.TITLE}: {self.text}"


@dataclass(frozen=True)
class CaseReviewRequested(FurtherIncident):
    KIND = "case_review"
    TITLE: ClassVar[str] = "ASB Case Review requested"
    REPORTER = "An ASB Case Review was requested."
    AFTER_RETENTION = fixed("ASB Case Review requested")


@dataclass(frozen=True)
class CaseReviewRecommendation(FurtherIncident):
    """A recommendation of a held ASB Case Review, with who owns it and when it is due: it
    becomes a task of the owner's group (issue 14, point 13)."""

    KIND = "case_review_action"
    TITLE: ClassVar[str] = "ASB Case Review recommendation"
    REPORTER = None
    AFTER_RETENTION = fixed("ASB Case Review recommendation")
    owner: str = ""
    due: str = ""  # in words, e.g. "31 March 2026"

    @property
    def summary(self) -> str:
        return f"{self.TITLE} for {self.owner}, due {self.due}: {self.text}"


@dataclass(frozen=True)
class ContactRecorded(FurtherIncident):
    """Contact with the victim made outside the contact task (during prevention, enforcement or
    any other stage): it restarts the contact cadence."""

    KIND = "contact"
    TITLE: ClassVar[str] = "Contact with the victim"
    REPORTER = None  # the reporter may not be the victim contacted
    AFTER_RETENTION = fixed("Contact with the victim")


@dataclass(frozen=True)
class ComplaintReceived(FurtherIncident):
    """Who complained (in words, with their name if given) and about what, and the complaint."""

    KIND = "complaint"
    TITLE: ClassVar[str] = "Complaint about the handling of the case"
    REPORTER = "We received your complaint about how the case was handled."
    AFTER_RETENTION = fixed("Complaint about the handling of the case")
    complainant: str = ""
    about: tuple[str, ...] = ()

    @property
    def summary(self) -> str:
        who = f" from {self.complainant}" if self.complainant else ""
        what = f" about {'; '.join(self.about).lower()}" if self.about else ""
        return f"{self.TITLE}{who}{what}: {self.text}"


@dataclass(frozen=True)
class StrandsChanged(Event):
    """The perceived motivation changed (issue 14): from what, to what, why, and what was first
    perceived, which the case keeps."""

    KIND = "strands"
    AFTER_RETENTION = fixed("Changed the perceived motivation")
    before: list[str]
    after: list[str]
    reason: str
    original: list[str]

    @property
    def summary(self) -> str:
        return (
            f"Changed the perceived motivation from {', '.join(self.before)} to {', '.join(self.after)}: "
            f"{self.reason} (first perceived: {', '.join(self.original)})"
        )

    @property
    def details(self) -> dict[str, Any] | None:
        return {"before": self.before, "after": self.after, "reason": self.reason, "original": self.original}


@dataclass(frozen=True)
class DetailsChanged(Event):
    KIND = "details"
    AFTER_RETENTION = KEEP
    key: str
    value: Any

    @property
    def summary(self) -> str:
        return f"Changed {self.key.replace('_', ' ')}"

    @property
    def details(self) -> dict[str, Any] | None:
        return {self.key: self.value}


@dataclass(frozen=True)
class Escalated(Event):
    KIND = "escalated"
    AFTER_RETENTION = fixed("Escalated the case to the supervisors")
    by: str
    group: str
    group_label: str
    reason: str

    @property
    def summary(self) -> str:
        return f"{self.by} escalated the case to {self.group_label.lower()}: {self.reason}"

    @property
    def details(self) -> dict[str, Any] | None:
        return {"reason": self.reason, "group": self.group}


@dataclass(frozen=True)
class QualityReviewed(Event):
    KIND = "quality_review"
    AFTER_RETENTION = fixed("Quality review recorded")
    by: str
    score: int
    comments: str

    @property
    def summary(self) -> str:
        return f"Quality review by {self.by}: {self.score} out of 5. {self.comments}"

    @property
    def details(self) -> dict[str, Any] | None:
        return {"score": self.score}


@dataclass(frozen=True)
class Restricted(Said):
    KIND = "restricted"
    AFTER_RETENTION = KEEP


@dataclass(frozen=True)
class ConsentRecorded(Said):
    KIND = "consent"


@dataclass(frozen=True)
class Disclosed(Said):
    KIND = "disclosure"


# The reporter's own way back (issue 19): what they add from the tracking page


@dataclass(frozen=True)
class DiaryEntry(Event):
    """What happened next, in the reporter's words, with when it happened (UK time, as typed)."""

    KIND = "diary"
    REPORTER = "You added a diary entry."
    AFTER_RETENTION = fixed("Diary entry from the reporter")
    happened: str
    text: str
    day: str | None = None  # the day it happened (ISO) and the time typed, for the reporter's page
    clock: str = ""

    @property
    def summary(self) -> str:
        return f"Diary entry from the reporter ({self.happened}): {self.text}"

    @property
    def details(self) -> dict[str, Any] | None:
        return {"day": self.day, "time": self.clock} if self.day else None


@dataclass(frozen=True)
class CallbackRequested(Event):
    KIND = "callback"
    REPORTER = "You asked us to call you back."
    AFTER_RETENTION = fixed("The reporter asked for a call back")
    text: str

    @property
    def summary(self) -> str:
        return f"The reporter asked for a call back: {self.text}"


@dataclass(frozen=True)
class TrackingCodeReset(Said):
    """A new tracking code was made for the reporter (never the code itself)."""

    KIND = "tracking_code"
    AFTER_RETENTION = KEEP


# The action plan and letters (issue 15)


@dataclass(frozen=True)
class ActionAdded(Said):
    """An action put on the case's action plan: what, whose, by when (typed text: removed later)."""

    KIND = "action_added"
    AFTER_RETENTION = fixed("Action added to the action plan")


@dataclass(frozen=True)
class ActionClosed(Said):
    """An action marked done or cancelled."""

    KIND = "action_closed"
    AFTER_RETENTION = fixed("Action on the action plan closed")


@dataclass(frozen=True)
class LetterWritten(LetterGenerated):
    """A letter an officer wrote from a template: its title was typed, so it goes at the end of
    retention."""

    KIND = "letter_written"
    AFTER_RETENTION = fixed("Letter written")

    @property
    def summary(self) -> str:
        return f"Letter written: {self.title}"


@dataclass(frozen=True)
class LetterSent(Said):
    """A saved letter emailed to its recipient or printed to post (with its typed title)."""

    KIND = "letter_sent"
    AFTER_RETENTION = fixed("Letter sent")


# Notes, contacts and evidence (casework.notes, casework.contacts, casework.evidence)


@dataclass(frozen=True)
class NoteAdded(FurtherIncident):
    KIND = "note"
    TITLE: ClassVar[str] = "Note"
    REPORTER = None
    AFTER_RETENTION = fixed("Note added")


@dataclass(frozen=True)
class ContactWithOther(FurtherIncident):
    """A contact with someone other than the victim (a witness, the alleged perpetrator): kept
    on the record; it does not restart the victim's contact cadence."""

    KIND = "contact_other"
    TITLE: ClassVar[str] = "Contact"
    REPORTER = None
    AFTER_RETENTION = fixed("Contact")


@dataclass(frozen=True)
class EvidenceAdded(FurtherIncident):
    KIND = "evidence"
    TITLE: ClassVar[str] = "Evidence added"
    REPORTER = None
    AFTER_RETENTION = fixed("Evidence added")


# Linked cases, holds and duplicates; people added (casework.linked_cases, casework.holds,
# casework.case_people)


@dataclass(frozen=True)
class CasesLinked(Event):
    KIND = "linked"
    AFTER_RETENTION = fixed("Linked to another case")
    other: str
    how: str
    reason: str

    @property
    def summary(self) -> str:
        return f"Linked to case {self.other} ({self.how.lower()}): {self.reason}"

    @property
    def details(self) -> dict[str, Any] | None:
        return {"other": self.other}


@dataclass(frozen=True)
class PutOnHold(Event):
    KIND = "on_hold"
    AFTER_RETENTION = fixed("Put on hold")
    review_on: str
    reason: str

    @property
    def summary(self) -> str:
        return f"Put on hold until {self.review_on}: {self.reason}"


@dataclass(frozen=True)
class TakenOffHold(Said):
    KIND = "off_hold"
    AFTER_RETENTION = fixed("Taken off hold")


@dataclass(frozen=True)
class ClosedAsDuplicate(Event):
    KIND = "duplicate"
    REPORTER = "Your report was joined to another case about the same thing."
    AFTER_RETENTION = KEEP
    original: str
    moved: int

    @property
    def summary(self) -> str:
        return f"Closed as a duplicate of case {self.original}; {self.moved} incident(s) moved to it"


@dataclass(frozen=True)
class IncidentsMoved(FurtherIncident):
    KIND = "incident_moved"
    TITLE: ClassVar[str] = "Incident moved from a duplicate case"
    REPORTER = None
    AFTER_RETENTION = fixed("Incident moved from a duplicate case")


@dataclass(frozen=True)
class IncidentSplitOff(Event):
    """An incident matched to this case at intake, split off by the officer into its own case."""

    KIND = "incident_split"
    AFTER_RETENTION = fixed("An incident was split off into its own case")
    reported: str  # the day it was reported, in words
    other: str
    reason: str

    @property
    def summary(self) -> str:
        return f"The incident reported {self.reported} was split off into case {self.other}: {self.reason}"

    @property
    def details(self) -> dict[str, Any] | None:
        return {"other": self.other}


@dataclass(frozen=True)
class SplitFrom(Event):
    """This case was made from an incident that had been matched to another case."""

    KIND = "split_from"
    REPORTER = "Your report is now a case of its own."
    AFTER_RETENTION = fixed("Split off from another case")
    other: str
    reason: str

    @property
    def summary(self) -> str:
        return f"Split off from case {self.other}, where it had been added as an incident: {self.reason}"

    @property
    def details(self) -> dict[str, Any] | None:
        return {"other": self.other}


@dataclass(frozen=True)
class PersonAdded(Said):
    KIND = "person_added"
    AFTER_RETENTION = fixed("Person added to the case")


def _kinds() -> dict[str, type[Event]]:
    found: dict[str, type[Event]] = {}
    pending = list(Event.__subclasses__())
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if "KIND" not in cls.__dict__:
            continue  # a base of kinds (Said), not a kind
        if cls.KIND in found:
            raise TypeError(f"two definitions of the timeline kind {cls.KIND!r}")
        found[cls.KIND] = cls
    return found


KINDS: dict[str, type[Event]] = _kinds()


def definition(kind: str) -> type[Event] | None:
    """The definition of a stored line's kind (None for a kind no longer written)."""
    return KINDS.get(kind)


def after_retention(kind: str, summary: str) -> str:
    """What a stored line's summary becomes when its case is anonymised; an unknown kind's goes."""
    found = KINDS.get(kind)
    return found.AFTER_RETENTION.apply(summary) if found is not None else MARKER
