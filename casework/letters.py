"""Letters written by staff (issue 15): choose a template, see it filled from the case, edit the
text, save it on the case as a PDF, then email it to its recipient (through the outbox, the PDF
attached) or print it to post. Process owners edit the templates, with the fields listed.

Each change to a case is one case step with its timeline line; a template edit is a unit of work.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework import steps
from casework.casefile import find_case
from db.models import Case, CaseDocument, LetterTemplate, User
from db.timeline import LetterSent, LetterWritten
from handlers import letters as templates
from handlers.letter_pdf import letter_pdf

TEXT_MAX = 20_000
TITLE_MAX = 300
TEMPLATE_MAX = 20_000


class Invalid(ValueError):
    """Input to correct, as ``{field: message}``."""

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = errors
        super().__init__(" ".join(errors.values()))


class NotFound(LookupError):
    """No such letter on the case, or no such template."""


@dataclass(frozen=True)
class Draft:
    template: str
    title: str
    recipient: str  # a key of handlers.letters.RECIPIENTS
    recipient_label: str  # "the victim"
    addressee: str
    email: str | None
    text: str


@dataclass(frozen=True)
class TemplateInfo:
    key: str
    title: str
    recipient_label: str
    body: str
    edited_by: str | None
    edited_at: datetime | None


def template_keys() -> list[str]:
    return list(templates.KINDS)


def recipient_email(case: Case, recipient: str) -> str | None:
    if recipient == "reporter":
        return case.reporter_email or None
    person = next((p for p in case.parties if p.role == recipient and p.email), None)
    return person.email if person is not None else None


def _kind(key: object) -> str:
    name = str(key or "")
    if name not in templates.KINDS:
        raise NotFound(f"There is no letter template {name!r}.")
    return name


def draft(session: Session, reference: str, template: object, *, user: User, now: datetime) -> Draft:
    """The template ``template`` filled from the case, for the officer to read and edit."""
    case = find_case(session, reference)
    key = _kind(template)
    to = templates.KINDS[key].recipient
    values = templates.values_for(case, to=to, now=now, officer=user.display_name)
    try:
        text = templates.render(templates.template_body(session, key), values)
    except templates.TemplateInvalid as err:
        raise Invalid(
            {"text": f"The template cannot be filled: {err} Ask a process owner to fix it."}
        ) from None
    return Draft(
        template=key,
        title=templates.template_title(session, key),
        recipient=to,
        recipient_label=templates.RECIPIENTS[to],
        addressee=values["addressee"],
        email=recipient_email(case, to),
        text=text,
    )


def save(
    session: Session,
    reference: str,
    *,
    template: object,
    title: object,
    text: object,
    user: User,
    now: datetime,
) -> CaseDocument:
    """Save the (edited) letter on the case as a PDF, in a case step."""
    case = find_case(session, reference)
    key = _kind(template)
    errors: dict[str, str] = {}
    heading = str(title or "").strip()
    body = str(text or "").replace("\r\n", "\n").strip()
    if not heading:
        errors["title"] = "Give the letter a title."
    elif len(heading) > TITLE_MAX:
        errors["title"] = f"Keep the title to {TITLE_MAX} characters (it has {len(heading):,})."
    if not body:
        errors["text"] = "The letter is empty: write its text."
    elif len(body) > TEXT_MAX:
        errors["text"] = f"Keep the letter to {TEXT_MAX:,} characters (it has {len(body):,})."
    if errors:
        raise Invalid(errors)
    pdf = letter_pdf(heading, body)
    with steps.case_step(session, now=now, user=user, case=case) as step:
        document = CaseDocument(
            case_id=case.id,
            kind="letter",
            title=heading,
            body=body,
            created_at=now,
            pdf=pdf,
            recipient=templates.KINDS[key].recipient,
        )
        session.add(document)
        step.record(LetterWritten(heading, {"template": key}))
    return document


def letter_of(session: Session, reference: str, document_id: object) -> CaseDocument:
    case = find_case(session, reference)
    try:
        wanted = int(str(document_id))
    except (TypeError, ValueError):
        raise NotFound(f"There is no letter {document_id!r} on case {case.reference}.") from None
    if not 0 < wanted < 2**31:  # beyond what the id column holds: no such row
        raise NotFound(f"There is no letter {document_id!r} on case {case.reference}.")
    document = session.get(CaseDocument, wanted)
    if document is None or document.case_id != case.id or document.kind != "letter":
        raise NotFound(f"There is no letter {document_id!r} on case {case.reference}.")
    return document


def pdf_of(document: CaseDocument) -> bytes:
    """The saved PDF; a letter the process wrote (text only) is made into one when asked."""
    return document.pdf if document.pdf else letter_pdf(document.title, document.body)


def for_case(session: Session, case: Case) -> list[CaseDocument]:
    return list(
        session.scalars(
            select(CaseDocument)
            .where(CaseDocument.case_id == case.id, CaseDocument.kind == "letter")
            .order_by(CaseDocument.id)
        )
    )


def send(
    session: Session, reference: str, document_id: object, *, how: object, user: User, now: datetime
) -> str:
    """Email the letter to its recipient (the PDF attached) or record it printed to post; returns
    what happened, in words. One case step."""
    case = find_case(session, reference)
    with steps.case_step(session, now=now, user=user, case=case) as step:
        document = letter_of(session, reference, document_id)
        to = document.recipient or "victim"
        label = templates.RECIPIENTS.get(to, "the recipient")
        if str(how) == "post":
            if not document.pdf:
                document.pdf = pdf_of(document)
            done = f"Letter printed to post to {label}: {document.title}"
        elif str(how) == "email":
            address = recipient_email(case, to)
            if address is None:
                missing = f"No email address is recorded for {label}: print the letter and post it instead."
                raise Invalid({"how": missing})
            if not document.pdf:
                document.pdf = pdf_of(document)
            session.flush()
            step.queue_email(
                to=address,
                subject=f"{document.title} (our reference {case.reference})",
                body=f"Please find attached a letter about case {case.reference}.\n\nCommunity Safety Team",
                case_id=case.id,
                kind="letter",
                document_id=document.id,
            )
            done = f"Letter emailed to {label}: {document.title}"
        else:
            raise Invalid({"how": "Choose whether to email the letter or print it."})
        step.record(LetterSent(done))
    return done


# -- templates, as process owners edit them


def template_list(session: Session) -> list[TemplateInfo]:
    return [template_info(session, key) for key in templates.KINDS]


def template_info(session: Session, key: object) -> TemplateInfo:
    name = _kind(key)
    edited = session.get(LetterTemplate, name)
    return TemplateInfo(
        key=name,
        title=edited.title if edited else templates.KINDS[name].title,
        recipient_label=templates.RECIPIENTS[templates.KINDS[name].recipient],
        body=edited.body if edited else templates.shipped(name),
        edited_by=edited.updated_by if edited else None,
        edited_at=edited.updated_at if edited else None,
    )


def save_template(
    session: Session, key: object, *, title: object, body: object, user: User, now: datetime
) -> LetterTemplate:
    """Save a process owner's version of a template; one that would not render is refused."""
    name = _kind(key)
    heading = str(title or "").strip()
    text = str(body or "").replace("\r\n", "\n")
    errors: dict[str, str] = {}
    if not heading:
        errors["title"] = "Give the template a title: it is the letter's title."
    elif len(heading) > TITLE_MAX:
        errors["title"] = f"Keep the title to {TITLE_MAX} characters."
    if not text.strip():
        errors["body"] = "The template is empty: write the letter's text."
    elif len(text) > TEMPLATE_MAX:
        errors["body"] = f"Keep the template to {TEMPLATE_MAX:,} characters (it has {len(text):,})."
    else:
        try:
            templates.check(text)
        except templates.TemplateInvalid as err:
            errors["body"] = str(err)
    if errors:
        raise Invalid(errors)
    with steps.unit_of_work(session, now=now, user=user):
        row = session.get(LetterTemplate, name)
        if row is None:
            row = LetterTemplate(
                key=name, title=heading, body=text, updated_at=now, updated_by=user.display_name
            )
            session.add(row)
        else:
            row.title, row.body, row.updated_at, row.updated_by = heading, text, now, user.display_name
    return row
