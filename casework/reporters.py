"""Who a public reporter is, whether and how we may contact them, and what they need from us to
communicate (policy 1.4, 12.2), kept with their case when the report opens it."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework import steps, tracking
from db import timeline
from db.models import Case, ReporterDetails

REPORTER_KINDS: dict[str, str] = {
    "victim": "It happened to me",
    "witness": "I saw or heard it happen (a witness)",
    "third_party": "I am reporting for someone else, for example as a family member or support worker",
    "anonymous": "I want to stay anonymous",
}
NOT_SAID = "not_said"
CONTACT_METHODS: dict[str, str] = {
    "phone": "Phone call",
    "email": "Email",
    "text": "Text message",
    "letter": "Letter",
    "someone_else": "Through someone else",
}
NEEDS: dict[str, str] = {
    "interpreter": "An interpreter",
    "bsl": "British Sign Language (BSL)",
    "large_print": "Large print",
    "easy_read": "Easy read",
}
# The channels the system itself sends updates by; the others are for the officer to use.
AUTOMATIC = ("email", "text")
TRACKING_CODE = "tracking_code"  # the outbox kind (its body is blanked once sent: outbox)


@dataclass(frozen=True)
class Preferences:
    """What the form collected about the reporter (already checked)."""

    reporter_is: str
    # True or False as they answered; None when they did not say (then only the acknowledgement
    # and the tracking code go to the email address they typed; never an update).
    safe_to_contact: bool | None = None
    contact_methods: list[str] = field(default_factory=list)
    contact_times: str | None = None
    contact_through: str | None = None
    address: str | None = None
    needs: list[str] = field(default_factory=list)
    interpreter_language: str | None = None
    # The language they used the form in: their messages are written in it (casework.languages).
    language: str = "en"

    def allows(self, method: str) -> bool:
        """Whether they said it is safe to contact them, and by ``method``."""
        return self.safe_to_contact is True and method in self.contact_methods

    def may_email(self) -> bool:
        """Whether the acknowledgement and the tracking code may go to the address they typed."""
        return self.safe_to_contact is None or self.allows("email")


def attach(step: steps.CaseStep, case: Case, preferences: Preferences, code: str, *, email: bool) -> None:
    """Keep ``preferences`` with the newly opened ``case`` and the hash of its tracking ``code``;
    with ``email``, acknowledge the report with the code by email (when they gave an address and
    did not say email is unsafe)."""
    row = details_row(case.id, preferences)
    row.tracking_hash, row.tracking_set_at = tracking.digest(code), step.now
    step.session.add(row)
    if email and case.reporter_email and preferences.may_email():
        subject, body = tracking.code_email(case.reference or "", code, preferences.language)
        step.queue_email(
            to=case.reporter_email, subject=subject, body=body, case_id=case.id, kind=TRACKING_CODE
        )
        step.record(
            timeline.Notified("Acknowledgement with the tracking code emailed to the reporter"),
            case=case,
            by=steps.SYSTEM,
        )


def details_row(case_id: int, preferences: Preferences) -> ReporterDetails:
    """A new row keeping ``preferences`` for the case ``case_id`` (no tracking code yet)."""
    return ReporterDetails(
        case_id=case_id,
        reporter_is=preferences.reporter_is,
        safe_to_contact=preferences.safe_to_contact,
        contact_methods=list(preferences.contact_methods),
        contact_times=preferences.contact_times,
        contact_through=preferences.contact_through,
        address=preferences.address,
        needs=list(preferences.needs),
        interpreter_language=preferences.interpreter_language,
        language=preferences.language,
    )


def details_of(session: Session, case_id: int) -> ReporterDetails | None:
    return session.scalar(select(ReporterDetails).where(ReporterDetails.case_id == case_id))


def described(details: ReporterDetails | None) -> list[tuple[str, str]]:
    """The reporter's answers in words, for the officer's case page."""
    if details is None:
        return []
    rows = [("Who reported it", REPORTER_KINDS.get(details.reporter_is, "Not said"))]
    if details.safe_to_contact is None:
        rows.append(("Safe to contact them?", "Not said: check with them first, and send no updates"))
    if details.safe_to_contact is False:
        rows.append(("Safe to contact them?", "No: do not contact them"))
        return rows
    methods = ", ".join(CONTACT_METHODS.get(m, m) for m in details.contact_methods) or "Not said"
    if details.safe_to_contact:
        rows.append(("Safe to contact them?", f"Yes, by: {methods}"))
    for label, value in (
        ("Good times to contact them", details.contact_times),
        ("Contact them through", details.contact_through),
        ("Address for letters", details.address),
    ):
        if value:
            rows.append((label, value))
    needs = [NEEDS.get(n, n) for n in details.needs]
    if details.interpreter_language:
        needs = [n + f" ({details.interpreter_language})" if n == NEEDS["interpreter"] else n for n in needs]
    rows.append(("Communication needs", ", ".join(needs) or "None said"))
    return rows
