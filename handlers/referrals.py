"""Referrals to other agencies, recorded from the answers of the task before: the police
(every case unless a reason is recorded), safeguarding (overrides consent) and support (only with
the victim's consent). Also the record of a missed 24-hour response."""

from __future__ import annotations

from typing import Any

from db.models import Referral
from db.timeline import Decided, Referred, ResponseBreached, SupportAgreed
from handlers.registry import ServiceRequest, handler
from processes.words import option_labels

# A referral made through a task is a disclosure outside the landlord (policy section 9): it is
# recorded as one, with its lawful basis and reason, and in the audit log, in the step's
# transaction, through the same checks as a disclosure a person records. Who completed the task
# is in the task row and the audit log's "edit" entry.
BY_PROCESS = "process (referral task)"


def _refer(request: ServiceRequest, **values: Any) -> None:
    request.session.add(Referral(case_id=request.case_id, created_at=request.now, **values))


def _disclose(
    request: ServiceRequest,
    *,
    recipient: str,
    purpose: str,
    basis: str,
    information: str,
    reason: str | None,
    with_consent: bool = False,
) -> None:
    request.context.record_disclosure(
        request.case(),
        recipient=recipient,
        purpose=purpose,
        lawful_basis=basis,
        information=information,
        reason=reason,
        by=BY_PROCESS,
        with_consent=with_consent,
    )


@handler("record_response_breach")
def record_response_breach(request: ServiceRequest) -> dict[str, Any]:
    """Record, for reporting, that the first response missed its 24-hour deadline."""
    case = request.case()
    if case.first_response_breached_at is None:
        case.first_response_breached_at = request.now
    request.record(ResponseBreached())
    return {"response_breached": True}


@handler("record_decision")
def record_decision(request: ServiceRequest) -> dict[str, Any]:
    """Put a decision the process reached on the case's timeline, in the words of the diagram's
    ``text`` parameter (e.g. no enforcement without evidence that may be used)."""
    text = str(request.params.get("text") or "").strip()
    if not text:
        raise ValueError("record_decision needs a 'text' parameter saying what was decided")
    request.record(Decided(text[:2000]))
    return {"decision_recorded": True}


@handler("police_referral")
def police_referral(request: ServiceRequest) -> dict[str, Any]:
    data = request.data
    made = data.get("police_decision") == "reported"
    consented = data.get("police_consent") is True
    if made:
        _refer(
            request,
            agency="police",
            made=True,
            reference=data.get("police_reference"),
            referred_on=data.get("police_reported_on"),
            consent=consented,
            lawful_basis="consent" if consented else "crime",
        )
        # With the victim's consent the disclosure relies on it; without, on the prevention and
        # detection of crime, with the reason.
        _disclose(
            request,
            recipient="Police",
            purpose="police",
            basis="crime",
            information="The report of the case and what was recorded about it",
            reason=None
            if consented
            else f"Reported to the police for the prevention and detection of crime (reference "
            f"{data.get('police_reference')}); the policy reports every case unless a reason not to "
            "is recorded",
            with_consent=consented,
        )
        request.record(Referred(f"Reported to the police (reference {data.get('police_reference')})"))
    else:
        _refer(request, agency="police", made=False, reason=data.get("not_reported_reason"))
        request.record(Referred("Not reported to the police; reason recorded"))
    return {"police_reported": made}


@handler("safeguarding_referral")
def safeguarding_referral(request: ServiceRequest) -> dict[str, Any]:
    data = request.data
    agency = str(data.get("safeguarding_agency") or "safeguarding team")
    _refer(
        request,
        agency=f"safeguarding: {agency}",
        made=True,
        reference=data.get("safeguarding_reference"),
        referred_on=data.get("safeguarding_referred_on"),
        reason=data.get("safeguarding_details"),
        lawful_basis="safeguarding",
    )
    concern = "a child" if data.get("concern_for") == "child" else "a vulnerable adult"
    _disclose(
        request,
        recipient=agency,
        purpose="agency_referral",
        basis="safeguarding",
        information="The safeguarding concern and the details of the case needed to act on it",
        reason=str(data.get("safeguarding_details") or f"A safeguarding concern for {concern}"),
    )
    request.record(Referred(f"Safeguarding referral made to {agency} (concern for {concern})"))
    return {"safeguarding_referred": True}


@handler("support_referrals")
def support_referrals(request: ServiceRequest) -> dict[str, Any]:
    """One referral per agency chosen, only when the victim consented; measures are noted."""
    data = request.data
    agencies = [str(a) for a in data.get("support_agencies") or []]
    if agencies and data.get("support_consent") is not True:
        raise ValueError("support referrals need the victim's consent")
    version = request.case().process_version
    words = option_labels(version, "support_agencies")  # the form's words for its codes
    measure_words = option_labels(version, "support_measures")
    for agency in agencies:
        _refer(request, agency=f"support: {agency}", made=True, consent=True, lawful_basis="consent")
        _disclose(
            request,
            recipient=words.get(agency, agency.replace("_", " ")),
            purpose="agency_referral",
            basis="consent",
            information="The victim's contact details and what they need support with",
            reason=None,
            with_consent=True,
        )
    measures = [str(m) for m in data.get("support_measures") or []]
    parts = []
    if agencies:
        parts.append(f"referred with consent to {', '.join(words.get(a, a) for a in agencies)}")
    if measures:
        parts.append(f"measures: {', '.join(measure_words.get(m, m) for m in measures)}")
    request.record(SupportAgreed(parts))
    return {"support_referrals": len(agencies)}
