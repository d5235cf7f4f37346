"""Consents (policy section 9): what a person on a case agreed to, for which purpose, and
withdrawing it.

A consent is recorded per person (a party of the case) and purpose: sharing with the police, a
referral to an agency, or the use of their evidence in court; it is given or refused. A given
consent can be withdrawn once; the withdrawal is a BPMN message into the running case
(``consent_withdrawn``), which gives community safety a task to stop sharing and tell the
agencies. On a closed case the withdrawal is recorded and no message is sent.

The timeline names the person by their role only ("the victim withdrew consent to share with the
police"), never by name. Each function is one case step; on any error nothing is saved.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from lxml import etree
from sqlalchemy import select
from sqlalchemy.orm import Session

import processes
from casework import steps
from casework.casefile import find_case
from casework.permissions import Permission, allows, who_may
from casework.vocabulary import PARTY_ROLES
from db.models import Case, Consent, Party, User
from db.timeline import ConsentRecorded

PURPOSES: dict[str, str] = {
    "police": "Sharing with the police",
    "agency_referral": "Referral to an agency",
    "court_evidence": "Use of evidence in court",
}
# "The victim gave consent to ..." / "withdrew consent to ..."
PURPOSE_PHRASES: dict[str, str] = {
    "police": "share with the police",
    "agency_referral": "be referred to an agency",
    "court_evidence": "use their evidence in court",
}
NOTE_MAX = 2000
WITHDRAWN_MESSAGE = "consent_withdrawn"


class ConsentError(Exception):
    """Base class of the refusals below."""


class NotPermitted(ConsentError):
    """The acting user's role may not do this."""


class Invalid(ConsentError):
    """Input to correct, as ``{field: message}``."""

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = errors
        super().__init__("; ".join(errors.values()))


class NotFound(ConsentError, LookupError):
    """No such consent on this case."""


@dataclass(frozen=True)
class ConsentView:
    id: int
    party_id: int
    party_role: str
    party_label: str
    purpose: str
    purpose_label: str
    given: bool
    note: str | None
    recorded_at: datetime
    recorded_by: str
    withdrawn_at: datetime | None
    withdrawn_by: str | None

    @property
    def current(self) -> bool:
        """Given and not withdrawn: sharing for the purpose may rely on it."""
        return self.given and self.withdrawn_at is None

    @property
    def state(self) -> str:
        if not self.given:
            return "refused"
        return "withdrawn" if self.withdrawn_at else "given"


@dataclass(frozen=True)
class Withdrawal:
    consent: Consent
    # The step the message ran (None: the case is closed, or its process has no such step).
    step: processes.StepResult | None


def role_name(party: Party) -> str:
    """'the victim', 'the alleged perpetrator': how the timeline names a person."""
    return "the " + PARTY_ROLES.get(party.role, party.role).lower()


def party_label(party: Party) -> str:
    """How staff choose a person on the case page: role and name."""
    return f"{PARTY_ROLES.get(party.role, party.role)}: {party.name or 'name not given'}"


def _check_role(user: User, permission: Permission) -> None:
    if not allows(user.role, permission):
        raise NotPermitted(who_may(permission))


def party_of(session: Session, case: Case, party_id: object, field: str = "party_id") -> Party:
    """The party ``party_id`` of ``case``, or ``Invalid`` naming ``field``."""
    try:
        wanted = int(str(party_id))
    except (TypeError, ValueError):
        raise Invalid({field: "Choose the person."}) from None
    party = session.get(Party, wanted)
    if party is None or party.case_id != case.id:
        raise Invalid({field: "Choose one of the people on this case."})
    return party


def _given(value: object) -> bool | None:
    if isinstance(value, bool):
        return value
    text = str(value or "").strip().lower()
    return {"yes": True, "true": True, "no": False, "false": False}.get(text)


def record(
    session: Session,
    reference: str,
    *,
    party_id: object,
    purpose: object,
    given: object,
    note: object = None,
    user: User,
    now: datetime,
) -> Consent:
    """Record that a person on the case gave (or refused) consent for ``purpose``, in a case step."""
    _check_role(user, Permission.RECORD_CONSENT)
    case = find_case(session, reference)
    with steps.case_step(session, now=now, user=user, case=case) as step:
        errors: dict[str, str] = {}
        party: Party | None = None
        try:
            party = party_of(session, case, party_id)
        except Invalid as err:
            errors.update(err.errors)
        purpose_key = str(purpose or "").strip()
        if purpose_key not in PURPOSES:
            errors["purpose"] = "Choose what the consent is for: " + ", ".join(
                label.lower() for label in PURPOSES.values()
            )
        answer = _given(given)
        if answer is None:
            errors["given"] = "Say whether the person gave consent (yes or no)."
        note_text = str(note or "").strip() or None
        if note_text and len(note_text) > NOTE_MAX:
            errors["note"] = f"Keep the note to {NOTE_MAX:,} characters (it has {len(note_text):,})."
        if errors or party is None or answer is None:
            raise Invalid(errors)
        consent = Consent(
            case_id=case.id,
            party_id=party.id,
            purpose=purpose_key,
            given=answer,
            note=note_text,
            recorded_at=now,
            recorded_by=user.username,
        )
        session.add(consent)
        verb = "gave" if answer else "refused"
        step.record(
            ConsentRecorded(
                f"{role_name(party).capitalize()} {verb} consent to {PURPOSE_PHRASES[purpose_key]}"
            )
        )
    return consent


def record_by_process(step: steps.CaseStep, case: Case, *, purpose: str, by: str) -> Party:
    """The victim's consent for ``purpose``, as an officer confirmed it on a task (the support
    referrals, the police report): reused when a current one is recorded, else recorded now, on
    the timeline, in ``step``. Returns the victim, whose consent a disclosure then relies on.
    Raises ``Invalid`` when no victim is recorded on the case: whose consent it is must be known."""
    victims = [p for p in case.parties if p.role == "victim"]
    if not victims:
        raise Invalid(
            {
                "party_id": "No victim is recorded on the case, so whose consent this is is not known: "
                "add the victim to the people involved, or make the referral without relying on consent."
            }
        )
    victim = victims[0]
    if current_consent(step.session, case, victim, purpose) is None:
        step.session.add(
            Consent(
                case_id=case.id,
                party_id=victim.id,
                purpose=purpose,
                given=True,
                note="Confirmed by the officer on the task",
                recorded_at=step.now,
                recorded_by=by,
            )
        )
        step.session.flush()
        step.record(
            ConsentRecorded(f"{role_name(victim).capitalize()} gave consent to {PURPOSE_PHRASES[purpose]}"),
            case=case,
            by=by,
        )
    return victim


def withdraw(
    session: Session, reference: str, consent_id: object, *, user: User, now: datetime
) -> Withdrawal:
    """Withdraw a given consent. On an open case a ``consent_withdrawn`` message goes into the
    running process (a task to stop sharing and tell the agencies); on a closed case, or a case
    whose process version has no such step, the withdrawal is recorded and the timeline says so.
    One case step."""
    _check_role(user, Permission.RECORD_CONSENT)
    case = find_case(session, reference)
    with steps.case_step(session, now=now, user=user, case=case) as step:
        consent = _consent_of(session, case, consent_id)
        party = session.get(Party, consent.party_id)
        who = role_name(party).capitalize() if party else "The person"
        phrase = PURPOSE_PHRASES.get(consent.purpose, consent.purpose)
        if not consent.given:
            raise Invalid({"consent": f"{who} refused consent to {phrase}: there is nothing to withdraw."})
        if consent.withdrawn_at is not None:
            raise Invalid(
                {"consent": f"{who} already withdrew consent to {phrase} on {consent.withdrawn_at:%d %B %Y}."}
            )
        consent.withdrawn_at = now
        consent.withdrawn_by = user.username
        summary = f"{who} withdrew consent to {phrase}"
        send = case.status == "open" and waits_for_withdrawals(case)
        if case.status != "open":
            summary += " (the case is closed: no task was started)"
        elif not send:
            summary += " (this case's process has no step for it: stop sharing and tell the agencies by hand)"
        step.record(ConsentRecorded(summary))
        result: processes.StepResult | None = None
        if send:
            result = processes.deliver_message(
                step,
                case,
                WITHDRAWN_MESSAGE,
                {"withdrawn_purpose": consent.purpose},
                actor=user.display_name,
                now=now,
            )
    return Withdrawal(consent, result)


def waits_for_withdrawals(case: Case) -> bool:
    """Whether the case's process version catches the ``consent_withdrawn`` message (versions
    deployed before it was added do not)."""
    try:
        tree = etree.fromstring(case.process_version.bpmn_xml.encode())
    except etree.XMLSyntaxError:
        return False
    names = tree.xpath("//*[local-name()='message']/@name")
    return WITHDRAWN_MESSAGE in names


def _consent_of(session: Session, case: Case, consent_id: object) -> Consent:
    try:
        wanted = int(str(consent_id))
    except (TypeError, ValueError):
        raise NotFound("There is no such consent on this case.") from None
    consent = session.get(Consent, wanted)
    if consent is None or consent.case_id != case.id:
        raise NotFound("There is no such consent on this case.")
    return consent


def for_case(session: Session, case: Case) -> list[ConsentView]:
    """The case's consents, oldest first, with the person's role and name for staff."""
    parties = {p.id: p for p in case.parties}
    rows = session.scalars(select(Consent).where(Consent.case_id == case.id).order_by(Consent.id))
    return [view(row, parties.get(row.party_id)) for row in rows]


def view(row: Consent, party: Party | None) -> ConsentView:
    return ConsentView(
        id=row.id,
        party_id=row.party_id,
        party_role=party.role if party else "unknown",
        party_label=party_label(party) if party else "Unknown person",
        purpose=row.purpose,
        purpose_label=PURPOSES.get(row.purpose, row.purpose),
        given=row.given,
        note=row.note,
        recorded_at=row.recorded_at,
        recorded_by=row.recorded_by,
        withdrawn_at=row.withdrawn_at,
        withdrawn_by=row.withdrawn_by,
    )


def current_consent(session: Session, case: Case, party: Party, purpose: str) -> Consent | None:
    """The latest consent of ``party`` for ``purpose`` on ``case`` if it is given and not withdrawn
    (a later refusal overrides an earlier consent)."""
    latest = session.scalar(
        select(Consent)
        .where(Consent.case_id == case.id, Consent.party_id == party.id, Consent.purpose == purpose)
        .order_by(Consent.recorded_at.desc(), Consent.id.desc())
        .limit(1)
    )
    if latest is None or not latest.given or latest.withdrawn_at is not None:
        return None
    return latest
