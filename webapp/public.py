"""Public pages: anyone may report a hate incident without an account and is given a reference.

Also the template filters every page uses (dates in UK time, strand and team names).
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint, current_app, redirect, render_template, request, session, url_for
from flask_babel import gettext
from marshmallow import ValidationError
from werkzeug.wrappers import Response

import processes
from casework import further_reports, people, report_drafts, reports, tracking
from casework.reporters import CONTACT_METHODS, NEEDS, REPORTER_KINDS
from casework.vocabulary import EQUALITY_QUESTIONS, INCIDENT_TYPES, STRANDS
from webapp import languages, public_uploads, reporter_form, storage
from webapp.schemas import EqualitySchema, ReportSchema

bp = Blueprint("public", __name__)
log = logging.getLogger(__name__)
# The spam-trap input: hidden from people and screen readers, filled in by form-filling bots.
TRAP = "website"
HELD = "held"
NOT_SAVED = "We could not save your report just now. Nothing is lost on this page: please send it again."
SENT_WITH = "Sent by the reporter with their online report"
LONDON = ZoneInfo("Europe/London")
# The report form's inputs, in page order (the error summary lists problems in this order).
FIELDS = (
    "description",
    "occurred_date",
    "occurred_time",
    "location",
    "incident_types",
    "strands",
    "reporter_is",
    "reporter_name",
    "reporter_email",
    "reporter_phone",
    "reporter_address",
    "safe_to_contact",
    "contact_methods",
    "contact_times",
    "contact_through",
    "needs",
    "interpreter_language",
    *EQUALITY_QUESTIONS,
)
LISTS = ("incident_types", "strands", "contact_methods", "needs")
SCHEMA_FIELDS = ("description", "location", "reporter_name", "reporter_email", "reporter_phone")
# Plainer words than the schema's generic ones ("Length must be between ...") for the public.
FRIENDLY = {
    "description": "Tell us what happened, in at least 10 characters (and no more than 10,000).",
    "location": "Tell us where it happened, for example the street, estate or area.",
    "incident_types": "Choose from the kinds of incident listed.",
    "reporter_name": "Enter a name of no more than 200 characters, or leave it empty.",
    "reporter_email": "Enter an email address like name@example.com, or leave it empty.",
    "occurred_at": "Enter a real date and time, or leave them empty.",
    "equality": "Choose one of the answers listed, or leave the question unanswered.",
    "not_the_victim": "The equality questions are about you: choose “It happened to me” here, "
    "or leave those questions unanswered.",
}


@bp.route("/report", methods=["GET", "POST"])
def report() -> str | Response | tuple[str, int]:
    """The start of the report, asked one question per page (``report_steps``). A POST is the
    whole report in one request, as a script or an older page sends it: checked by the same
    rules, any problem shown on the one-page form with everything sent kept."""
    if request.method == "GET":
        return render_template("public/start.html", hours=report_drafts.LIFETIME_HOURS)
    values = submitted()
    if request.form.get(TRAP):
        return held()
    data, errors = _validate(values)
    if data is None:
        return _form(values, errors, 422)
    try:
        reference, code = submit(data)
    except processes.ProcessError:
        return _form(values, {}, 500, NOT_SAVED)
    # The report is saved: a file refused now is named on the next page, and costs nothing else.
    session["report_refused"] = public_uploads.attach(reference, public_uploads.sent(), SENT_WITH)
    session["report_reference"] = reference
    session["report_code"] = code  # shown once, on the next page, then forgotten
    return redirect(url_for("public.received"), 303)


def submit(data: dict[str, Any]) -> tuple[str, str | None]:
    """Save the report (``validate``'s data): its reference, and the tracking code to show once
    (None when it was added to an open case whose earlier code stays the reporter's)."""
    code = tracking.new_code()
    result = further_reports.submit(
        storage.session(),
        reports.Report(**data, tracking_code=code),
        now=processes.clock.now(),
        acknowledgements_per_address=current_app.config["ACKNOWLEDGEMENTS_PER_ADDRESS"],
    )
    matched_without_code = isinstance(result, further_reports.Matched) and not result.code_kept
    return result.case_reference, None if matched_without_code else code


@bp.route("/report/easy-read")
def easy_read() -> str:
    """The form's guidance in easy read: short sentences, one idea each."""
    return render_template("public/easy_read.html")


def held() -> Response:
    """The spam trap was filled in: a bot, almost always. It gets the answer a person gets, but
    no case, task or email is made; the audit log records it (when, from where, no content), and
    the page tells a person caught by mistake to phone if nobody is in touch within 24 hours."""
    reports.record_held(storage.session(), request.remote_addr, now=processes.clock.now())
    log.warning("public report held: the spam-trap field was filled in (no case made)")
    session["report_reference"] = HELD
    return redirect(url_for("public.received"), 303)


@bp.route("/report/received")
def received() -> str | Response:
    outcome = report_drafts.take_outcome(
        storage.session(), session.get("report_draft"), processes.clock.now()
    )
    if outcome is not None:  # a report sent page by page: its outcome, shown once
        session.pop("report_draft", None)
        session["report_reference"] = outcome["reference"]
        session["report_code"] = outcome["code"]
        session["report_refused"] = outcome["refused"]
    reference = session.get("report_reference")
    if not reference:
        return redirect(url_for("public.report"))
    return render_template(
        "public/received.html",
        reference=None if reference == HELD else reference,
        code=session.pop("report_code", None),
        refused=session.pop("report_refused", []),
    )


def _form(
    values: dict[str, Any], errors: dict[str, str], status: int = 200, problem: str | None = None
) -> tuple[str, int]:
    return render_template(
        "public/report.html",
        values=values,
        # Fixed messages are in the catalogues; one with a number in it stays in English.
        errors={name: gettext(message) for name, message in errors.items()},
        problem=gettext(problem) if problem else None,
        strands=STRANDS,
        reporter_kinds=REPORTER_KINDS,
        safe=reporter_form.SAFE,
        contact_methods=CONTACT_METHODS,
        needs=NEEDS,
        equality=EQUALITY_QUESTIONS,
        upload_limit=public_uploads.limit(),
    ), status


def blank() -> dict[str, Any]:
    """Every input of the report, unanswered (a draft's answers start from these)."""
    values: dict[str, Any] = {name: [] if name in LISTS else "" for name in FIELDS}
    values.update({name: "" for name in reporter_form.DATE_PARTS})
    return values


def validate(values: dict[str, Any]) -> tuple[dict[str, Any] | None, dict[str, str]]:
    """The report as ``reports.Report`` takes it from all its inputs, or None and the problems."""
    return _validate(values)


def submitted() -> dict[str, Any]:
    form = request.form
    values: dict[str, Any] = {name: form.get(name, "") for name in FIELDS if name not in LISTS}
    values.update({name: form.get(name, "") for name in reporter_form.DATE_PARTS})
    if not any(name in form for name in reporter_form.DATE_PARTS) and form.get("occurred_date"):
        values.update(reporter_form.split_single_date(form["occurred_date"]))
    for name in LISTS:
        values[name] = form.getlist(name)
    return values


def _validate(values: dict[str, Any]) -> tuple[dict[str, Any] | None, dict[str, str]]:
    """The report as ``reports.Report`` takes it, or None and {input name: message}."""
    occurred_at, errors = _occurred_at(values)
    data = {name: values[name] for name in SCHEMA_FIELDS}
    data["strands"] = values["strands"]
    data["incident_types"] = values.get("incident_types", [])
    data["occurred_at"] = occurred_at
    answers, equality_errors = _equality(values)
    errors.update(equality_errors)
    preferences, preference_errors = reporter_form.preferences(values)
    for name, problem in preference_errors.items():
        errors.setdefault(name, problem)
    try:
        loaded = ReportSchema().load(data)
    except ValidationError as err:
        for name, problem in _flatten(err.messages).items():
            target = "occurred_date" if name == "occurred_at" else name
            errors.setdefault(target, FRIENDLY.get(name, problem))
    if errors:
        return None, {name: errors[name] for name in FIELDS if name in errors}
    if values["reporter_is"] == "victim":
        loaded["parties"] = [_reporter_as_victim(loaded, answers)]
    loaded["reporter"] = replace(preferences, language=languages.current()) if preferences else None
    return loaded, {}


def _equality(values: dict[str, Any]) -> tuple[dict[str, str] | None, dict[str, str]]:
    """The equality-monitoring answers (about the reporter, as the victim), or the problems with
    them and with "Did this happen to you?", by input name."""
    errors: dict[str, str] = {}
    given = {name: values[name] for name in EQUALITY_QUESTIONS}
    if any(value.strip() for value in given.values()) and values["reporter_is"] != "victim":
        errors["reporter_is"] = FRIENDLY["not_the_victim"]
    try:
        answers: dict[str, str] | None = EqualitySchema().load(given)
    except ValidationError as err:
        return None, {**errors, **{str(name): FRIENDLY["equality"] for name in err.messages}}
    return answers, errors


def _reporter_as_victim(report: dict[str, Any], answers: dict[str, str] | None) -> reports.PartyDetails:
    return reports.PartyDetails(
        role="victim",
        name=report["reporter_name"],
        email=report["reporter_email"],
        phone=report["reporter_phone"],
        equality=answers,
    )


def _occurred_at(values: dict[str, Any]) -> tuple[str | None, dict[str, str]]:
    """An ISO instant in UK time from the date's three boxes and the optional time."""
    day, problem = reporter_form.memorable_date(values)
    clock = values["occurred_time"].strip()
    if problem:
        return None, {"occurred_date": problem}
    if day is None:
        if clock:
            return None, {"occurred_date": "Enter the date as well as the time, or leave both empty."}
        return None, {}
    parsed_time = reporter_form.parse_time(clock) if clock else "00:00"
    if parsed_time is None:
        return None, {"occurred_time": "Enter a time on the 24-hour clock, for example 14:30."}
    instant = datetime.combine(day, time.fromisoformat(parsed_time), tzinfo=LONDON)
    if instant > processes.clock.now() + timedelta(minutes=5):
        return None, {"occurred_date": "The date and time must be in the past."}
    return instant.isoformat(), {}


def _flatten(messages: Any) -> dict[str, str]:
    """marshmallow's {field: [message] | {index: [message]}} as {field: first message}."""
    return {str(name): _first(problem) for name, problem in dict(messages).items()}


def _first(problem: Any) -> str:
    if isinstance(problem, list) and problem:
        return _first(problem[0])
    if isinstance(problem, dict) and problem:
        return _first(next(iter(problem.values())))
    return str(problem)


# Template filters for every page (registered on the app by this always-present blueprint).


@bp.app_template_filter("when")
def when(value: datetime | None) -> str:
    """An instant as UK local time, e.g. ``5 January 2026, 09:30``."""
    if value is None:
        return ""
    local = value.astimezone(LONDON)
    return f"{local.day} {local:%B %Y, %H:%M}"


@bp.app_template_filter("day")
def day(value: date | str | None) -> str:
    """A date (or an ISO date string) as ``5 January 2026``."""
    if value is None:
        return ""
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value)
        except ValueError:
            return str(value)
    if isinstance(value, datetime):
        value = value.astimezone(LONDON).date()
    return f"{value.day} {value:%B %Y}"


@bp.app_template_filter("strand")
def strand(value: str) -> str:
    return STRANDS.get(value, value)


@bp.app_template_filter("incident_type")
def incident_type(value: str) -> str:
    return INCIDENT_TYPES.get(value, value)


@bp.app_template_filter("team")
def team(value: str) -> str:
    return people.GROUPS.get(value, value)


@bp.app_template_global("due_state")
def due_state(due_at: datetime | None, now: datetime) -> str | None:
    """``overdue``, ``soon`` (within a day) or None, for the due-date tag."""
    if due_at is None:
        return None
    if due_at < now:
        return "overdue"
    return "soon" if due_at - now < timedelta(days=1) else None
