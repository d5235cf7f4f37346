"""Letter templates and how they are filled from a case.

The shipped templates are ``handlers/letters/<key>.txt``; a process owner's edited version is a
``LetterTemplate`` row, which wins. A template is plain text with ``{{ field }}`` placeholders,
rendered in Jinja's sandbox with only the fields in ``FIELDS``: an unknown field or a syntax
error is refused (``TemplateInvalid``) when the template is saved, never when a letter is written.
Letters are kept on the case as documents, never in task data.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import jinja2
from jinja2.sandbox import SandboxedEnvironment
from sqlalchemy.orm import Session

from db.models import Case, CaseDocument, LetterTemplate
from db.timeline import LetterGenerated
from handlers.registry import ServiceRequest, handler

TEMPLATES = Path(__file__).parent / "letters"
OUTCOMES = {"resolved": "resolved", "not_resolved": "not resolved"}
RECIPIENTS = {
    "reporter": "the reporter",
    "victim": "the victim",
    "alleged_perpetrator": "the alleged perpetrator",
}
# The fields a template may use, with what each holds (listed for process owners).
FIELDS: dict[str, str] = {
    "addressee": "The name of the person the letter is to (or “Sir or Madam”)",
    "reference": "The case reference",
    "date": "Today's date, e.g. 3 December 2026",
    "reported_on": "The date the case was reported",
    "location": "Where it happened, as reported",
    "victim_name": "The victim's name",
    "perpetrator_name": "The alleged perpetrator's name",
    "reporter_name": "The name of the person who reported",
    "officer_name": "The name of the officer writing the letter",
    "outcome": "How the case ended (closure letters)",
}


@dataclass(frozen=True)
class Kind:
    title: str
    recipient: str  # a key of RECIPIENTS


KINDS: dict[str, Kind] = {
    "acknowledgement": Kind("We have received your report", "reporter"),
    "warning": Kind("Warning about your behaviour", "alleged_perpetrator"),
    "good_neighbour_agreement": Kind("Good neighbour agreement", "alleged_perpetrator"),
    "closure": Kind("Your case has been closed", "victim"),
    "case_review": Kind("Asking for an ASB Case Review", "victim"),
}


class TemplateInvalid(ValueError):
    """A template that cannot be rendered, in plain words."""


_ENV = SandboxedEnvironment(undefined=jinja2.StrictUndefined, autoescape=False, keep_trailing_newline=True)


def available() -> set[str]:
    return set(KINDS)


def shipped(key: str) -> str:
    return (TEMPLATES / f"{key}.txt").read_text()


def template_body(session: Session, key: str) -> str:
    """The template in use: the edited one, else the shipped one."""
    edited = session.get(LetterTemplate, key)
    return edited.body if edited is not None else shipped(key)


def template_title(session: Session, key: str) -> str:
    edited = session.get(LetterTemplate, key)
    return edited.title if edited is not None else KINDS[key].title


def check(body: str) -> None:
    """Refuse a template that would not render: a syntax error, or a field not in ``FIELDS``."""
    try:
        _ENV.from_string(body).render(dict.fromkeys(FIELDS, "x"))
    except jinja2.TemplateSyntaxError as err:
        raise TemplateInvalid(f"The template has a mistake on line {err.lineno}: {err.message}.") from None
    except jinja2.UndefinedError as err:
        unknown = re.search(r"'([^']+)' is undefined", str(err))
        name = unknown.group(1) if unknown else str(err)
        raise TemplateInvalid(
            f"The template uses “{name}”, which is not a field letters can use. "
            f"Use only: {', '.join(FIELDS)}."
        ) from None
    except jinja2.TemplateError as err:
        raise TemplateInvalid(f"The template cannot be used: {err}.") from None


def render(body: str, values: dict[str, str]) -> str:
    """Fill a checked template; raises ``TemplateInvalid`` as ``check`` does."""
    check(body)
    return _ENV.from_string(body).render({k: values.get(k, "") for k in FIELDS})


def _name(case: Case, role: str) -> str:
    person = next((p for p in case.parties if p.role == role and p.name), None)
    return person.name if person is not None and person.name else ""


def addressee(case: Case, to: str) -> str:
    """Whom a letter is addressed to: the victim by default (a third party who reported is never
    written to about the victim's case unless the template says ``reporter``); their name as
    recorded, else "Sir or Madam"."""
    if to == "reporter":
        return case.reporter_name or "Sir or Madam"
    return _name(case, to) or "Sir or Madam"


def values_for(
    case: Case, *, to: str, now: datetime, officer: str = "", outcome: str | None = None
) -> dict[str, str]:
    """Every field of ``FIELDS`` for ``case``."""
    return {
        "addressee": addressee(case, to),
        "reference": case.reference or "",
        "date": f"{now:%-d %B %Y}",
        "reported_on": f"{case.reported_at:%-d %B %Y}",
        "location": case.location,
        "victim_name": _name(case, "victim"),
        "perpetrator_name": _name(case, "alleged_perpetrator"),
        "reporter_name": case.reporter_name or "",
        "officer_name": officer or "Community Safety Team",
        "outcome": OUTCOMES.get(str(outcome), "recorded on your case"),
    }


@handler("generate_letter")
def generate_letter(request: ServiceRequest) -> dict[str, Any]:
    """Parameters: ``template`` (a key of ``KINDS``), ``title``, ``to`` (``victim``, the
    default, or ``reporter``)."""
    name = str(request.params.get("template", ""))
    if name not in KINDS:
        raise ValueError(f"no letter template {name!r}; there are: {', '.join(sorted(KINDS))}")
    case = request.case()
    to = str(request.params.get("to") or "victim")
    values = values_for(case, to=to, now=request.now, outcome=request.data.get("outcome"))
    body = render(template_body(request.session, name), values)
    title = str(request.params.get("title") or template_title(request.session, name))
    document = CaseDocument(
        case_id=case.id,
        kind="letter",
        title=title,
        body=body,
        created_at=request.now,
        recipient=to if to in RECIPIENTS else "victim",
    )
    request.session.add(document)
    request.record(LetterGenerated(title))
    return {"letter": title}
