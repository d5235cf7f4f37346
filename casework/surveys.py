"""Asked, not assumed (policy 11.1): when a case closes, the victim gets a short survey by the
channel they chose, with a private single-use link: how satisfied they are with the outcome, and
the regulator's TP12 question on the landlord's approach to anti-social behaviour.

Only the victim (a public reporter who said it happened to them) is asked, only when they said
it is safe to contact them, and only by email or text. The link's token is kept as a SHA-256
hash (it is long and random, so a fast hash is enough); a wrong, used or removed link finds
nothing, and the page says the same for each. The indicators use the answers where given
(``answers_for``) and the officer's record otherwise.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

import translations
from casework import sms
from db import timeline
from db.models import Case, ClosureSurvey, OutboxMessage, ReporterDetails, ReporterMessage

if TYPE_CHECKING:
    from casework.steps import CaseStep

KIND = "closure_survey"  # the outbox kind of an emailed survey (its link is blanked once sent)
TOPIC = "survey"
OUTCOME_QUESTION = "How satisfied or dissatisfied are you with the outcome of your case?"
TP12_QUESTION = (
    "How satisfied or dissatisfied are you with your landlord's approach to handling anti-social behaviour?"
)
# The regulator's five answers (TP12), used for both questions; the keys are the closure form's.
ANSWERS = {
    "very_satisfied": "Very satisfied",
    "fairly_satisfied": "Fairly satisfied",
    "neither": "Neither satisfied nor dissatisfied",
    "fairly_dissatisfied": "Fairly dissatisfied",
    "very_dissatisfied": "Very dissatisfied",
}
NOT_THE_VICTIM = "Survey not sent: only the victim is asked, and the reporter is not the victim"


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def link(token: str) -> str:
    base = os.environ.get("PUBLIC_URL") or "http://localhost:5000"
    return f"{base.rstrip('/')}/survey/{token}"


def message(reference: str, token: str, language: str | None = None) -> tuple[str, str]:
    """The survey's subject and words, in the victim's ``language`` (English when not known)."""
    _ = translations.translator(language)
    return (
        _("Your case %(reference)s is closed: please tell us how we did", reference=reference),
        _(
            "Your case %(reference)s is closed. Please tell us how we did, in two questions: "
            "%(link)s (this link is only for you and works once).",
            reference=reference,
            link=link(token),
        ),
    )


def language_of(session: Session, survey: ClosureSurvey) -> str | None:
    """The language the victim reported in: their survey's page is shown in it."""
    return session.scalar(select(ReporterDetails.language).where(ReporterDetails.case_id == survey.case_id))


def send(step: CaseStep, case: Case, details: ReporterDetails) -> None:
    """Ask the victim of the closed ``case`` (see the module's words); what was done, or why not,
    is kept with the reporter's messages for the officer to see."""

    def keep(channel: str, note: str, outbox: OutboxMessage | None = None) -> None:
        step.session.add(
            ReporterMessage(
                case_id=case.id,
                at=step.now,
                topic=TOPIC,
                channel=channel,
                outbox_id=outbox.id if outbox is not None else None,
                text=note,
            )
        )

    if details.reporter_is != "victim":
        keep("none", NOT_THE_VICTIM)
        return
    if details.safe_to_contact is not True:
        keep("none", "Survey not sent: the reporter did not say it is safe to contact them")
        return
    routes = [("email", case.reporter_email, KIND), ("text", case.reporter_phone, sms.KIND)]
    for channel, address, kind in routes:
        if channel in details.contact_methods and address:
            token = secrets.token_urlsafe(32)
            subject, body = message(case.reference or "", token, details.language)
            outbox = OutboxMessage(
                case_id=case.id,
                kind=kind,
                recipient=address,
                subject=subject,
                body=body,
                created_at=step.now,
                next_attempt_at=step.now,
            )
            step.session.add(outbox)
            step.session.add(
                ClosureSurvey(case_id=case.id, token_hash=digest(token), channel=channel, sent_at=step.now)
            )
            step.session.flush()
            keep(channel, f"Closure survey sent by {channel} (the link is private to the victim)", outbox)
            step.record(timeline.Notified(f"Closure survey sent to the victim by {channel}"), case=case)
            return
    keep("none", "Survey not sent: the victim asked for phone calls, letters or contact through someone else")


def open_survey(session: Session, token: str) -> ClosureSurvey | None:
    """The unanswered survey of a live case that ``token`` opens, or None (wrong, used, removed)."""
    if not token or len(token) > 100:
        return None
    found = session.scalar(select(ClosureSurvey).where(ClosureSurvey.token_hash == digest(token)))
    if found is None or found.answered_at is not None:
        return None
    case = session.get(Case, found.case_id)
    return found if case is not None and case.anonymised_at is None else None


# The problems with the answers: fixed sentences, translated on the page.
CHOOSE = {
    "outcome": "Choose how satisfied you are with the outcome of your case.",
    "tp12": "Choose how satisfied you are with our approach to anti-social behaviour.",
}
ONE_OF = {
    "outcome": "Choose one of the five answers listed for how satisfied you are with the outcome of your "
    "case.",
    "tp12": "Choose one of the five answers listed for how satisfied you are with our approach to "
    "anti-social behaviour.",
}


def problems(outcome: str | None, tp12: str | None) -> dict[str, str]:
    """Plain-English problems with the answers, by field."""
    found: dict[str, str] = {}
    for name, value in (("outcome", outcome), ("tp12", tp12)):
        if not value:
            found[name] = CHOOSE[name]
        elif value not in ANSWERS:
            found[name] = ONE_OF[name]
    return found


def answer(session: Session, token: str, outcome: str, tp12: str, *, now: datetime) -> bool:
    """Keep the answers (checked with ``problems`` first); False when the link no longer opens a
    survey (answered meanwhile, or removed)."""
    from casework.steps import case_step

    survey = open_survey(session, token)
    if survey is None:
        return False
    case = session.get(Case, survey.case_id)
    with case_step(session, now=now, by="The victim (closure survey)", case=case) as step:
        session.refresh(survey)
        if survey.answered_at is not None:
            return False
        survey.answered_at, survey.outcome, survey.tp12 = now, outcome, tp12
        step.record(
            timeline.Notified(
                f"The victim answered the closure survey: outcome {ANSWERS[outcome].lower()}; "
                f"approach to anti-social behaviour {ANSWERS[tp12].lower()}"
            )
        )
    return True


def answers_for(session: Session, case_ids: list[int]) -> dict[int, ClosureSurvey]:
    """The newest answered survey of each case in ``case_ids``."""
    found: dict[int, ClosureSurvey] = {}
    for chunk in (case_ids[i : i + 500] for i in range(0, len(case_ids), 500)):
        rows = session.scalars(
            select(ClosureSurvey)
            .where(ClosureSurvey.case_id.in_(chunk), ClosureSurvey.answered_at.is_not(None))
            .order_by(ClosureSurvey.answered_at)
        )
        for row in rows:
            found[row.case_id] = row
    return found
