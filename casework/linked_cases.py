"""Linked cases: two cases about the same victim, alleged perpetrator or address (or linked for
another reason), many to many, with the reason, shown on both cases."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from casework import case_access, steps
from casework.casefile import find_case
from casework.form_errors import Invalid, choice, text
from casework.vocabulary import LINK_KINDS, LINK_LABELS
from db import timeline
from db.models import Case, CaseLink, User

REASON_MIN, REASON_MAX = 5, 2000


@dataclass(frozen=True)
class LinkView:
    reference: str  # the other case
    kind: str
    how: str  # the kind in words
    reason: str
    at: datetime
    by: str
    other_status: str
    # For a duplicate: "duplicate_of" (this case duplicates the other) or "duplicated_by".
    direction: str | None = None


def links_of(session: Session, case: Case) -> list[LinkView]:
    """The case's links, from either side, oldest first."""
    rows = session.scalars(
        select(CaseLink)
        .where(or_(CaseLink.case_id == case.id, CaseLink.other_case_id == case.id))
        .order_by(CaseLink.created_at, CaseLink.id)
    ).all()
    others = {
        c.id: c
        for c in session.scalars(
            select(Case).where(
                Case.id.in_({r.other_case_id if r.case_id == case.id else r.case_id for r in rows})
            )
        )
    }
    found = []
    for row in rows:
        mine = row.case_id == case.id
        other = others[row.other_case_id if mine else row.case_id]
        direction = None
        if row.kind == "duplicate_of":
            direction = "duplicate_of" if mine else "duplicated_by"
        found.append(
            LinkView(
                other.reference or "",
                row.kind,
                LINK_LABELS.get(row.kind, row.kind),
                row.reason,
                row.created_at,
                row.created_by,
                other.status,
                direction,
            )
        )
    return found


def other_case(
    session: Session, case: Case, reference: object, user: User, errors: dict[str, str]
) -> Case | None:
    """The case ``reference`` names, if ``user`` may open it and it is not ``case`` (else a message)."""
    typed = str(reference or "").strip().upper()
    if not typed:
        errors["other"] = "Enter the reference of the other case, for example HC-2026-000012."
        return None
    other = session.scalar(select(Case).where(Case.reference == typed))
    if other is None or not case_access.may_open(session, user, other):
        errors["other"] = f"There is no case {typed} that you may open. Check the reference."
        return None
    if other.id == case.id:
        errors["other"] = "A case cannot be linked to itself: enter the reference of another case."
        return None
    return other


def existing(session: Session, a: Case, b: Case) -> CaseLink | None:
    return session.scalar(
        select(CaseLink).where(
            or_(
                (CaseLink.case_id == a.id) & (CaseLink.other_case_id == b.id),
                (CaseLink.case_id == b.id) & (CaseLink.other_case_id == a.id),
            )
        )
    )


def link(
    session: Session,
    reference: str,
    *,
    other: object,
    kind: object,
    reason: object,
    user: User,
    now: datetime,
) -> CaseLink:
    """Link case ``reference`` to case ``other`` (a reference) for ``reason``, in one case step:
    on both timelines, in the audit log. ``Invalid`` with field messages for bad input."""
    case = find_case(session, reference)
    with steps.case_step(session, now=now, user=user, case=case) as step:
        errors: dict[str, str] = {}
        target = other_case(session, case, other, user, errors)
        how = choice(kind, "kind", errors, LINK_KINDS, what="how the cases are linked")
        why = text(
            reason, "reason", errors, what="why the cases are linked", least=REASON_MIN, most=REASON_MAX
        )
        if target is not None and existing(session, case, target) is not None:
            errors["other"] = f"Case {case.reference} is already linked to case {target.reference}."
        if errors or target is None:
            raise Invalid(errors)
        step.lock(target.id)
        row = CaseLink(
            case_id=case.id, other_case_id=target.id, kind=how, reason=why, created_at=now, created_by=step.by
        )
        session.add(row)
        label = LINK_KINDS[how]
        step.record(timeline.CasesLinked(target.reference or "", label, why))
        step.record(timeline.CasesLinked(case.reference or "", label, why), case=target)
        step.audit(
            "case-linked",
            subject_type="case",
            subject=case.reference,
            detail=f"Linked to case {target.reference} ({label.lower()})",
        )
    return row
