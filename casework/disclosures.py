"""Disclosures outside the landlord (policy section 9): to whom, about whom, what, why, and on
which lawful basis.

The basis is consent, safeguarding (a child or a vulnerable adult), crime (prevention or
detection) or a legal duty. Consent is accepted only if the person has a current consent for the
purpose (given and not withdrawn) on the case, and the disclosure is linked to it; any other basis
needs a reason. The audit entry ("disclose") is written in the same transaction as the disclosure:
both are saved, or neither.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework import audit, steps
from casework.casefile import find_case
from casework.consents import (
    PURPOSE_PHRASES,
    PURPOSES,
    Invalid,
    NotPermitted,
    current_consent,
    party_label,
    party_of,
    role_name,
)
from casework.permissions import Permission, allows, who_may
from db.models import Case, Disclosure, Party, User
from db.timeline import Disclosed

BASES: dict[str, str] = {
    "consent": "Consent of the person",
    "safeguarding": "Safeguarding a child or vulnerable adult",
    "crime": "Prevention or detection of crime",
    "legal_duty": "A legal duty (a court order, a statute)",
}
DISCLOSURE_PURPOSES: dict[str, str] = {**PURPOSES, "other": "Another purpose (say which in the reason)"}
REASON_MIN, REASON_MAX = 10, 2000
RECIPIENT_MAX = 200
INFORMATION_MAX = 10000


@dataclass(frozen=True)
class DisclosureView:
    id: int
    party_label: str | None
    party_role: str | None
    recipient: str
    purpose: str
    purpose_label: str
    lawful_basis: str
    basis_label: str
    consent_id: int | None
    information: str
    reason: str | None
    disclosed_at: datetime
    disclosed_by: str


def _text(value: object) -> str:
    return str(value or "").strip()


def record(
    session: Session,
    reference: str,
    *,
    party_id: object = None,
    recipient: object,
    purpose: object,
    information: object,
    lawful_basis: object,
    reason: object = None,
    user: User,
    actor: audit.Actor,
    now: datetime,
) -> Disclosure:
    """Record a disclosure outside the landlord, its timeline event and its audit entry, in one
    case step. ``Invalid`` (field errors) saves nothing."""
    if not allows(user.role, Permission.DISCLOSE):
        raise NotPermitted(who_may(Permission.DISCLOSE))
    case = find_case(session, reference)
    with steps.case_step(session, now=now, user=user, actor=actor, case=case) as step:
        party: Party | None = None
        errors: dict[str, str] = {}
        if _text(party_id):
            try:
                party = party_of(session, case, party_id)
            except Invalid as err:
                errors.update(err.errors)
        disclosure = _disclose(
            step,
            case,
            party,
            errors,
            recipient=_text(recipient),
            purpose=_text(purpose),
            information=_text(information),
            lawful_basis=_text(lawful_basis),
            reason=_text(reason) or None,
            disclosed_by=user.username,
        )
        about = f" about {role_name(party)}" if party else ""
        step.record(
            Disclosed(
                f"Information{about} disclosed to {disclosure.recipient} "
                f"({DISCLOSURE_PURPOSES[disclosure.purpose].lower()}); "
                f"lawful basis: {BASES[disclosure.lawful_basis].lower()}"
            )
        )
    return disclosure


def record_by_process(
    step: steps.CaseStep,
    case: Case,
    *,
    recipient: str,
    purpose: str,
    lawful_basis: str,
    information: str,
    reason: str | None,
    by: str,
    party: Party | None = None,
) -> Disclosure:
    """A disclosure made by the process (a referral task), through the same checks as a
    person's (with basis ``consent``, ``party``'s current consent); its audit entry names the
    process. A diagram that asks for a disclosure the rules refuse fails its step (``Invalid``),
    and nothing of the step is saved."""
    return _disclose(
        step,
        case,
        party,
        {},
        recipient=recipient[:RECIPIENT_MAX],
        purpose=purpose,
        information=information,
        lawful_basis=lawful_basis,
        reason=reason,
        disclosed_by=by,
        audit_actor=audit.Actor(by, None, None),
        audit_note="; by the referral task",
    )


def _disclose(
    step: steps.CaseStep,
    case: Case,
    party: Party | None,
    errors: dict[str, str],
    *,
    recipient: str,
    purpose: str,
    information: str,
    lawful_basis: str,
    reason: str | None,
    disclosed_by: str,
    audit_actor: audit.Actor | None = None,
    audit_note: str = "",
) -> Disclosure:
    errors.update(_field_errors(recipient, purpose, information, lawful_basis, reason))
    consent_id = _consent_for(step.session, case, party, purpose, lawful_basis, errors)
    if errors:
        raise Invalid(errors)
    disclosure = Disclosure(
        case_id=case.id,
        party_id=party.id if party else None,
        recipient=recipient,
        purpose=purpose,
        lawful_basis=lawful_basis,
        consent_id=consent_id,
        information=information,
        reason=reason,
        disclosed_at=step.now,
        disclosed_by=disclosed_by,
    )
    step.session.add(disclosure)
    step.audit(
        "disclose",
        actor=audit_actor,
        subject_type="case",
        subject=case.reference,
        detail=f"to {recipient}; purpose {purpose}; basis {lawful_basis}"
        + (f"; consent {consent_id}" if consent_id else "")
        + audit_note,
    )
    return disclosure


def _field_errors(to: str, purpose: str, shared: str, basis: str, why: str | None) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not to:
        errors["recipient"] = "Say who the information went to (the organisation)."
    elif len(to) > RECIPIENT_MAX:
        errors["recipient"] = f"Keep the recipient to {RECIPIENT_MAX} characters."
    if purpose not in DISCLOSURE_PURPOSES:
        errors["purpose"] = "Choose what the information was shared for."
    if not shared:
        errors["information"] = "Say what information was shared."
    elif len(shared) > INFORMATION_MAX:
        errors["information"] = f"Keep this to {INFORMATION_MAX:,} characters (it has {len(shared):,})."
    if basis not in BASES:
        errors["lawful_basis"] = (
            "Choose the lawful basis: " + ", ".join(b.lower() for b in BASES.values()) + "."
        )
    elif basis != "consent" and (why is None or len(why) < REASON_MIN):
        errors["reason"] = (
            f"Without consent, give the reason for disclosing ({REASON_MIN} characters or more)."
        )
    if why and len(why) > REASON_MAX:
        errors["reason"] = f"Keep the reason to {REASON_MAX:,} characters."
    return errors


def _consent_for(
    session: Session, case: Case, party: Party | None, purpose: str, basis: str, errors: dict[str, str]
) -> int | None:
    """With basis ``consent``: the id of the person's current consent for the purpose, or an
    error on ``errors`` saying what is missing."""
    if basis != "consent" or "party_id" in errors or "purpose" in errors:
        return None
    if party is None:
        errors["party_id"] = "Choose whose consent the disclosure relies on."
        return None
    if purpose not in PURPOSES:
        errors["lawful_basis"] = (
            "Consent is recorded only for sharing with the police, agency referrals and evidence in "
            "court: choose another basis and give a reason."
        )
        return None
    consent = current_consent(session, case, party, purpose)
    if consent is None:
        errors["lawful_basis"] = (
            f"{role_name(party).capitalize()} has no current consent to {PURPOSE_PHRASES[purpose]} "
            "(never given, refused or withdrawn): record the consent first, or choose another basis "
            "and give a reason."
        )
        return None
    return consent.id


def for_case(session: Session, case: Case) -> list[DisclosureView]:
    parties = {p.id: p for p in case.parties}
    rows = session.scalars(select(Disclosure).where(Disclosure.case_id == case.id).order_by(Disclosure.id))
    return [view(row, parties.get(row.party_id) if row.party_id else None) for row in rows]


def view(row: Disclosure, party: Party | None) -> DisclosureView:
    return DisclosureView(
        id=row.id,
        party_label=party_label(party) if party else None,
        party_role=party.role if party else None,
        recipient=row.recipient,
        purpose=row.purpose,
        purpose_label=DISCLOSURE_PURPOSES.get(row.purpose, row.purpose),
        lawful_basis=row.lawful_basis,
        basis_label=BASES.get(row.lawful_basis, row.lawful_basis),
        consent_id=row.consent_id,
        information=row.information,
        reason=row.reason,
        disclosed_at=row.disclosed_at,
        disclosed_by=row.disclosed_by,
    )
