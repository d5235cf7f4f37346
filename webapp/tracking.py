"""The reporter's way back to their case (no account): with the reference and the private
tracking code, a plain-language status page, a diary, a call back, a complaint and an ASB Case
Review request. Also the officer's reset of the code, from the case page.

A wrong code and an unknown reference get the same page, status and (hash-checking) time; the
attempts are rate-limited (``webapp.flood``). The signed-in state is the reference and the time
the code was set, in the session cookie: a reset code ends it.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext
from werkzeug.wrappers import Response

import processes
from casework import reporter_requests, reporter_view, reporters, tracking
from casework.casefile import CaseNotFound, find_case
from casework.vocabulary import COMPLAINT_SUBJECTS
from db.models import Case
from webapp import public, public_uploads, reporter_form, storage
from webapp.auth import current_row

bp = Blueprint("tracking", __name__)
Page = str | Response | tuple[str, int]
KEY = "tracking"
NOT_FOUND = (
    "We could not find a report with that reference and tracking code. Check both and try again. "
    "If you have lost your code, phone us and your officer can give you a new one."
)
NOT_NOW = (
    "We could not record this on your case just now, as your case is not at a stage that takes it. "
    "Nothing you typed is lost: please phone us and we will help."
)
REFUSED = "diary_refused"
DIARY_FIELDS = ("diary_day", "diary_month", "diary_year", "diary_time", "diary_text")


@bp.route("/track", methods=["GET", "POST"])
def sign_in() -> Page:
    if request.method == "GET":
        return render_template("tracking/sign_in.html", values={}, errors={})
    values = {"reference": request.form.get("reference", ""), "code": request.form.get("code", "")}
    if request.form.get(public.TRAP):  # a bot: the answer a wrong code gets, and no look-up
        return render_template("tracking/sign_in.html", values=values, errors={}, problem=NOT_FOUND), 422
    errors = {name: f"Enter your {words}." for name, words in _WORDS.items() if not values[name].strip()}
    for name, words in _WORDS.items():
        if len(values[name]) > 60:
            errors[name] = f"That is too long to be a {words.split(',')[0]}: check what you typed."
    if errors:
        translated = {name: gettext(message) for name, message in errors.items()}
        return render_template("tracking/sign_in.html", values=values, errors=translated), 422
    sessions = storage.session()
    case = tracking.case_for(sessions, values["reference"], values["code"])
    if case is None:
        return render_template(
            "tracking/sign_in.html", values=values, errors={}, problem=gettext(NOT_FOUND)
        ), 422
    session[KEY] = {"reference": case.reference, "stamp": tracking.stamp(sessions, case.id)}
    return redirect(url_for("tracking.status"), 303)


_WORDS = {"reference": "case reference, for example HC-2026-000123", "code": "tracking code"}


def _signed_in() -> Case | None:
    held = session.get(KEY)
    if not isinstance(held, dict):
        return None
    sessions = storage.session()
    try:
        case = find_case(sessions, str(held.get("reference", "")))
    except CaseNotFound:
        return None
    if case.anonymised_at is not None or held.get("stamp") != tracking.stamp(sessions, case.id):
        session.pop(KEY, None)
        return None
    return case


def _status_page(case: Case, status: int = 200, **form: Any) -> tuple[str, int]:
    details = reporters.details_of(storage.session(), case.id)
    victim = details is not None and details.reporter_is == "victim"
    view = reporter_view.view_of(storage.session(), case, victim=victim)
    return render_template(
        "tracking/case.html",
        view=view,
        subjects=COMPLAINT_SUBJECTS,
        values=form.get("values", {}),
        errors={name: gettext(message) for name, message in form.get("errors", {}).items()},
        problem=gettext(form["problem"]) if form.get("problem") else None,
        section=form.get("section"),
        upload_limit=public_uploads.limit(),
        refused=session.pop(REFUSED, []),
    ), status


@bp.route("/track/case")
def status() -> Page:
    case = _signed_in()
    if case is None:
        return redirect(url_for("tracking.sign_in"))
    return _status_page(case)


@bp.route("/track/sign-out", methods=["POST"])
def sign_out() -> Response:
    session.pop(KEY, None)
    return redirect(url_for("tracking.sign_in"), 303)


@bp.route("/track/case/<what>", methods=["POST"])
def act(what: str) -> Page:
    case = _signed_in()
    if case is None:
        return redirect(url_for("tracking.sign_in"))
    if what not in _ACTIONS:
        abort(404)
    values: dict[str, Any] = {key: request.form.get(key, "") for key in request.form if key != "csrf_token"}
    values["about"] = request.form.getlist("about")
    errors = _ACTIONS[what][0](values)
    if errors:
        return _status_page(case, 422, values=values, errors=errors, section=what)
    try:
        _ACTIONS[what][1](case, values)
    except processes.Conflict:
        return _status_page(case, 409, values=values, problem=NOT_NOW, section=what)
    flash(gettext(_DONE[what]), "success")
    return redirect(url_for("tracking.status", _anchor=what), 303)


def _check_diary(values: dict[str, Any]) -> dict[str, str]:
    errors: dict[str, str] = {}
    day, problem = reporter_form.memorable_date(values, "diary")
    if problem or day is None:
        errors["diary_date"] = problem or "Enter the date it happened, for example 27 3 2026"
    elif day > processes.clock.now().date():
        errors["diary_date"] = "The date must be today or in the past."
    if values.get("diary_time", "").strip() and reporter_form.parse_time(values["diary_time"]) is None:
        errors["diary_time"] = "Enter a time on the 24-hour clock, for example 14:30."
    errors.update(_text_problem(values, "diary_text", "what happened", 5))
    return errors


def _text_problem(values: dict[str, Any], name: str, words: str, least: int) -> dict[str, str]:
    text = values.get(name, "").strip()
    if len(text) < least:
        return {name: f"Tell us {words}, in at least {least} characters."}
    if len(text) > 10_000:
        return {name: "Use no more than 10,000 characters here."}
    return {}


def _check_callback(values: dict[str, Any]) -> dict[str, str]:
    if len(values.get("callback_when", "")) > 500:
        return {"callback_when": "Use no more than 500 characters here."}
    return {}


def _check_complaint(values: dict[str, Any]) -> dict[str, str]:
    errors = _text_problem(values, "complaint_text", "what your complaint is about", 5)
    if not values["about"] or any(a not in COMPLAINT_SUBJECTS for a in values["about"]):
        errors["about"] = "Choose at least one thing your complaint is about."
    return errors


def _check_review(values: dict[str, Any]) -> dict[str, str]:
    return _text_problem(values, "review_text", "why you are asking for a review", 5)


def _diary(case: Case, values: dict[str, Any]) -> None:
    day, _ = reporter_form.memorable_date(values, "diary")
    assert day is not None
    clock = reporter_form.parse_time(values.get("diary_time", "")) or ""
    reporter_requests.add_diary_entry(
        storage.session(),
        case,
        reporter_form.written(day, clock),
        values["diary_text"].strip(),
        ip=request.remote_addr,
        now=processes.clock.now(),
        day=day,
        clock=clock,
    )
    # The entry is saved: a file refused now is named on the page, and costs nothing else.
    session[REFUSED] = public_uploads.attach(
        case.reference or "",
        public_uploads.sent(),
        f"Sent by the reporter with their diary entry of {reporter_form.written(day, clock)}",
    )


def _callback(case: Case, values: dict[str, Any]) -> None:
    reporter_requests.ask_for_call_back(
        storage.session(),
        case,
        values.get("callback_when", "").strip(),
        ip=request.remote_addr,
        now=processes.clock.now(),
    )


def _complaint(case: Case, values: dict[str, Any]) -> None:
    reporter_requests.complain(
        storage.session(), case, values["complaint_text"].strip(), values["about"], now=processes.clock.now()
    )


def _review(case: Case, values: dict[str, Any]) -> None:
    reporter_requests.ask_for_case_review(
        storage.session(), case, values["review_text"].strip(), now=processes.clock.now()
    )


_ACTIONS = {
    "diary": (_check_diary, _diary),
    "callback": (_check_callback, _callback),
    "complaint": (_check_complaint, _complaint),
    "case-review": (_check_review, _review),
}
_DONE = {
    "diary": "Your diary entry is saved on your case. Your officer will read it.",
    "callback": "We have asked your officer to call you back.",
    "complaint": "We have received your complaint. We will acknowledge it and tell you what happens next.",
    "case-review": "We have received your request for an ASB Case Review. Your officer will be in touch.",
}


@bp.route("/cases/<reference>/tracking-code", methods=["POST"])
def reset_code(reference: str) -> Response:
    """The officer makes a new code for the reporter: shown to them once, to pass on."""
    try:
        code = tracking.reset(storage.session(), reference, by=current_row(), now=processes.clock.now())
    except CaseNotFound:
        abort(404)
    flash(
        f"The reporter's new tracking code is {code}. Give it to them safely; it is shown only this once "
        "and their old code no longer works.",
        "success",
    )
    return redirect(url_for("cases.show", reference=reference, _anchor="reporter"), 303)
