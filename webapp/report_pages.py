"""The public report's question pages (GOV.UK "one thing per page"): their order, the inputs
each asks, which are skipped for whom, where each page goes next, and each page's problems.

The answers are the single report form's inputs (``public.FIELDS`` and the date's boxes), so a
report made page by page is checked by the very same rules as one sent in a single request.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from casework.vocabulary import EQUALITY_QUESTIONS
from webapp import public, reporter_form


@dataclass(frozen=True)
class Page:
    slug: str
    inputs: tuple[str, ...]  # what the page's form sends
    errors: tuple[str, ...]  # the problems it shows (their keys are the ids the summary links to)


DANGER = "in_danger"
DANGER_ANSWERS = ("yes", "no")
NO_DANGER_ANSWER = "Select yes if anyone is in danger now, or no if not."
CONTACT = ("safe_to_contact", "contact_methods", "contact_through", "contact_times")
DETAILS = ("reporter_name", "reporter_email", "reporter_phone", "reporter_address")
PAGES = (
    Page("danger", (DANGER,), (DANGER,)),
    Page("what-happened", ("description",), ("description",)),
    Page("when", (*reporter_form.DATE_PARTS, "occurred_time"), ("occurred_date", "occurred_time")),
    Page("where", ("location",), ("location",)),
    Page("kind", ("incident_types",), ("incident_types",)),
    Page("targeted", ("strands",), ("strands",)),
    Page("who", ("reporter_is",), ("reporter_is",)),
    Page("contact", CONTACT, CONTACT),
    Page("details", DETAILS, DETAILS),
    Page("needs", ("needs", "interpreter_language"), ("needs", "interpreter_language")),
    Page("about-you", tuple(EQUALITY_QUESTIONS), tuple(EQUALITY_QUESTIONS)),
    Page("files", (), ("files",)),
)
BY_SLUG = {page.slug: page for page in PAGES}
CHECK = "check"


def blank() -> dict[str, Any]:
    return {**public.blank(), DANGER: ""}


def answered(answers: dict[str, Any]) -> dict[str, Any]:
    """The draft's answers over the blank form (a draft starts with none)."""
    return {**blank(), **answers}


def read(page: Page, form: Any) -> dict[str, Any]:
    """What the page's form sent, as answers (a box left empty is an empty answer)."""
    values: dict[str, Any] = {}
    for name in page.inputs:
        values[name] = form.getlist(name) if name in public.LISTS else form.get(name, "").strip()
    return values


def consequences(answers: dict[str, Any]) -> dict[str, Any]:
    """Answers no longer asked after a change: an anonymous reporter gives no contact details;
    the equality questions are only about a reporter it happened to."""
    cleared: dict[str, Any] = {}
    if answers.get("reporter_is") == "anonymous":
        cleared.update({name: [] if name in public.LISTS else "" for name in (*CONTACT, *DETAILS)})
    if answers.get("reporter_is") != "victim":
        cleared.update({name: "" for name in EQUALITY_QUESTIONS})
    return cleared


def shown(answers: dict[str, Any]) -> list[Page]:
    """The pages this reporter is asked, in order."""
    kind = answers.get("reporter_is")
    skipped = set()
    if kind == "anonymous":
        skipped |= {"contact", "details"}
    if kind != "victim":
        skipped.add("about-you")
    return [page for page in PAGES if page.slug not in skipped]


def problems(answers: dict[str, Any]) -> dict[str, str]:
    """Every problem with the answers as they stand, by input id (untranslated)."""
    values = answered(answers)
    found: dict[str, str] = {}
    if values[DANGER] not in DANGER_ANSWERS:
        found[DANGER] = NO_DANGER_ANSWER
    _data, errors = public.validate(values)
    found.update(errors)
    return found


def page_problems(page: Page, answers: dict[str, Any]) -> dict[str, str]:
    everything = problems(answers)
    return {name: everything[name] for name in page.errors if name in everything}


def owner(error: str) -> Page:
    """The page that asks the input a problem is about."""
    return next((page for page in PAGES if error in page.errors), PAGES[0])


def previous(page: Page, answers: dict[str, Any]) -> str | None:
    """The slug of the page before ``page`` (None for the first)."""
    pages = shown(answers)
    slugs = [p.slug for p in pages]
    if page.slug not in slugs:
        return slugs[-1]
    index = slugs.index(page.slug)
    return slugs[index - 1] if index else None


def following(page: Page, answers: dict[str, Any], changing: bool) -> str:
    """Where to go once ``page`` is answered: on from a change, the first page shown with a
    problem (a change may call for another answer) or Check your answers; else the next page."""
    pages = shown(answers)
    if changing:
        everything = problems(answers)
        return next((p.slug for p in pages if any(e in everything for e in p.errors)), CHECK)
    slugs = [p.slug for p in pages]
    index = slugs.index(page.slug) if page.slug in slugs else len(slugs) - 1
    return slugs[index + 1] if index + 1 < len(slugs) else CHECK
