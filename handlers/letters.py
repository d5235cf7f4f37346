"""Letters generated from a template and kept on the case (as documents, not in task data)."""

from __future__ import annotations

import re
from pathlib import Path
from string import Template
from typing import Any

from db.models import Case, CaseDocument
from db.timeline import LetterGenerated
from handlers.registry import ServiceRequest, handler

TEMPLATES = Path(__file__).parent / "letters"
OUTCOMES = {"resolved": "resolved", "not_resolved": "not resolved"}


def available() -> set[str]:
    return {p.stem for p in TEMPLATES.glob("*.txt")}


def addressee(case: Case, to: str) -> str:
    """Whom a letter is addressed to: the victim by default (a third party who reported is never
    written to about the victim's case unless the diagram says ``to`` = ``reporter``); their name
    as recorded, else "Sir or Madam"."""
    if to == "reporter":
        return case.reporter_name or "Sir or Madam"
    victim = next((p for p in case.parties if p.role == "victim"), None)
    return (victim.name if victim is not None and victim.name else None) or "Sir or Madam"


@handler("generate_letter")
def generate_letter(request: ServiceRequest) -> dict[str, Any]:
    """Parameters: ``template`` (a file in handlers/letters), ``title``, ``to`` (``victim``, the
    default, or ``reporter``)."""
    name = str(request.params.get("template", ""))
    if not re.fullmatch(r"[a-z_]+", name) or name not in available():
        raise ValueError(f"no letter template {name!r}; there are: {', '.join(sorted(available()))}")
    case = request.case()
    body = Template((TEMPLATES / f"{name}.txt").read_text()).safe_substitute(
        name=addressee(case, str(request.params.get("to") or "victim")),
        reference=request.case_reference,
        outcome=OUTCOMES.get(str(request.data.get("outcome")), "recorded on your case"),
        date=f"{request.now:%d %B %Y}",
    )
    title = str(request.params.get("title") or name.replace("_", " ").capitalize())
    document = CaseDocument(case_id=case.id, kind="letter", title=title, body=body, created_at=request.now)
    request.session.add(document)
    request.record(LetterGenerated(title))
    return {"letter": title}
