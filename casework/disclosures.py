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

from casework import audit
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
from db.models import Case, Disclosure, Party, TimelineEvent, User

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
    transaction. ``Invalid`` (field errors) saves nothing. Commits."""
    if not allows(user.role, Permission.DISCLOSE):
        raise NotPermitted(who_may(Permission.DISCLOSE))
    try:
        case = find_case(session, reference)
        errors: dict[str, str] = {}
        party: Party | None = None
        if _text(party_id):
            try:
                party = party_of(session, case, party_id)
            except Invalid as err:
                errors.update(err.errors)
        to, purpose_key, shared = _text(recipient), _text(purpose), _text(information)
        basis, why = _text(lawful_basis), _text(reason) or None
        errors.update(_field_errors(to, purpose_key, shared, basis, why))
        consent_id = _consent_for(session, case, party, purpose_key, basis, errors)
        if errors:
            raise Invalid(errors)
        disclosure = Disclosure(
            case_id=case.id,
            party_id=party.id if party else None,
            recipient=to,
            purpose=purpose_key,
            lawful_basis=basis,
            consent_id=consent_id,
            information=shared,
            reason=why,
            disclosed_at=now,
            disclosed_by=user.username,
        )
        session.add(disclosure)
        about = f" about {role_name(party)}" if party else ""
        session.add(
            TimelineEvent(
                case_id=case.id,
                at=now,
                kind="disclosure",
                actor=user.display_name,
                summary=f"Information{about} disclosed to {to} ({DISCLOSURE_PURPOSES[purpose_key].lower()}); "
                f"lawful basis: {BASES[basis].lower()}",
            )
        )
        audit.record(
            session,
            actor,
            "disclose",
            subject_type="case",
            subject=case.reference,
            detail=f"to {to}; purpose {purpose_key}; basis {basis}"
            + (f"; consent {consent_id}" if consent_id else ""),
            now=now,
        )
        session.commit()
    except BaseException:
        session.rollback()
        raise
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
