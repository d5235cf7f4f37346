"""The public report one question per page, then "Check your answers", then send (GOV.UK's
question pages). Works without JavaScript: the answers are kept on the server in a draft
(``casework.report_drafts``) whose random key is the only thing the session cookie holds.

Every page keeps what was typed, right or wrong; a page's problems are named in its error
summary, linked to its inputs; Check your answers lists each answer with a Change link that
comes back to it. Sending claims the draft so that a double click makes one report.
"""

from __future__ import annotations

import time
from typing import Any

from flask import abort, current_app, redirect, render_template, request, session, url_for
from flask_babel import gettext
from werkzeug.wrappers import Response

import processes
from casework import report_drafts
from casework.reporters import CONTACT_METHODS, NEEDS, REPORTER_KINDS
from casework.vocabulary import EQUALITY_QUESTIONS, INCIDENT_TYPES, STRANDS
from db.models import ReportDraft
from webapp import languages, public, public_uploads, report_pages, reporter_form, storage
from webapp.public import bp

KEY = "report_draft"  # the session's only trace of a draft: its random key
HELD = "_held"  # the draft's mark that a page's spam trap was filled in
Page = str | Response | tuple[str, int]


@bp.post("/report/start")
def start_draft() -> Response:
    """Start (or go on with) a report: a draft on the server, its key in the session."""
    db = storage.session()
    now = processes.clock.now()
    if report_drafts.load(db, session.get(KEY), now) is None:
        session[KEY] = report_drafts.start(db, now)
    return redirect(url_for("public.step", slug=report_pages.PAGES[0].slug), 303)


@bp.route("/report/<slug>", methods=["GET", "POST"])
def step(slug: str) -> Page:
    page = report_pages.BY_SLUG.get(slug)
    if page is None:
        abort(404)
    draft = _draft()
    if draft is None:
        return _gone()
    changing = request.values.get("change") == "1"
    answers = report_pages.answered(draft.answers)
    if request.method == "GET":
        return _question(page, answers, {}, changing, draft)
    trapped = {HELD: True} if request.form.get(public.TRAP) else {}
    if page.slug == "files":
        return _files(page, draft, answers, changing, trapped)
    answers.update(report_pages.read(page, request.form))
    answers.update(report_pages.consequences(answers))
    # Kept right or wrong: nothing typed is lost, and Check your answers checks it all again.
    report_drafts.save(storage.session(), draft, {**answers, **trapped}, processes.clock.now())
    errors = report_pages.page_problems(page, answers)
    if errors:
        return _question(page, answers, errors, changing, draft, 422)
    if page.slug == "danger" and answers[report_pages.DANGER] == "yes":
        return redirect(url_for("public.danger_now", change="1" if changing else None), 303)
    return redirect(_url(report_pages.following(page, answers, changing), changing), 303)


@bp.get("/report/danger-now")
def danger_now() -> str:
    """Someone is in danger: 999 first, then the report can go on."""
    changing = request.args.get("change") == "1"
    return render_template("public/danger_now.html", next_url=_url("check" if changing else "what-happened"))


@bp.post("/report/files/<int:file_id>/remove")
def remove_file(file_id: int) -> Page:
    draft = _draft()
    if draft is None:
        return _gone()
    report_drafts.remove_file(storage.session(), draft, file_id, processes.clock.now())
    changing = request.form.get("change") == "1"
    return redirect(url_for("public.step", slug="files", change="1" if changing else None), 303)


@bp.get("/report/check")
def check() -> Page:
    draft = _draft()
    if draft is None:
        return _gone()
    return _check(draft, report_pages.answered(draft.answers))


@bp.post("/report/send")
def send() -> Page:
    db = storage.session()
    now = processes.clock.now()
    draft = _draft()
    if draft is None:
        # Sent already (a page sent again after the answer was shown): the same answer again.
        return redirect(url_for("public.received"), 303) if session.get("report_reference") else _gone()
    if request.form.get(public.TRAP) or draft.answers.get(HELD):
        report_drafts.discard(db, draft, now)
        session.pop(KEY, None)
        return public.held()
    answers = report_pages.answered(draft.answers)
    if report_pages.problems(answers):
        return _check(draft, answers, status=422)
    data, _errors = public.validate(answers)
    assert data is not None  # no problems: validated
    draft_id = draft.id
    if not report_drafts.claim(db, draft, now):
        return _await(str(session.get(KEY)))
    try:
        reference, code = public.submit(data)
    except processes.ProcessError:
        report_drafts.release(db, draft_id, processes.clock.now())
        return _check(draft, answers, status=500, problem=public.NOT_SAVED)
    except Exception:
        report_drafts.release(db, draft_id, processes.clock.now())
        raise
    files = report_drafts.files_to_send(db, draft_id)
    refused = public_uploads.attach(reference, files, public.SENT_WITH)
    outcome = {"reference": reference, "code": code, "refused": refused}
    report_drafts.sent(db, draft_id, outcome, processes.clock.now())
    return redirect(url_for("public.received"), 303)


def typed() -> dict[str, Any]:
    """The draft's answers (for the page shown when too many reports came at once)."""
    draft = _draft()
    return report_pages.answered(draft.answers if draft else {})


def _await(key: str) -> Page:
    """Another request (the first of a double click) is sending this draft: wait for it."""
    db = storage.session()
    for _ in range(60):
        state = report_drafts.state(db, key)
        if state != "sending":
            break
        time.sleep(0.25)
    if state == "open":  # it failed: the answers are all still there
        return redirect(url_for("public.check"), 303)
    return redirect(url_for("public.received"), 303)


def _draft() -> ReportDraft | None:
    return report_drafts.load(storage.session(), session.get(KEY), processes.clock.now())


def _gone() -> Page:
    """No draft: never started (to the start page) or deleted when it expired (say so)."""
    if not session.pop(KEY, None):
        return redirect(url_for("public.report"), 303)
    return render_template("public/expired.html", hours=report_drafts.LIFETIME_HOURS), 200


def _url(slug: str, changing: bool = False) -> str:
    if slug == report_pages.CHECK:
        return url_for("public.check")
    return url_for("public.step", slug=slug, change="1" if changing else None)


def _back(page: report_pages.Page, answers: dict[str, Any], changing: bool) -> str:
    if changing:
        return url_for("public.check")
    before = report_pages.previous(page, answers)
    return _url(before) if before else url_for("public.report")


def _files(
    page: report_pages.Page,
    draft: ReportDraft,
    answers: dict[str, Any],
    changing: bool,
    trapped: dict[str, Any],
) -> Page:
    db = storage.session()
    now = processes.clock.now()
    if trapped:
        report_drafts.save(db, draft, trapped, now)
    max_bytes = current_app.config["PUBLIC_UPLOAD_MAX_BYTES"]
    refused = report_drafts.add_files(db, draft, public_uploads.sent(), max_bytes, now)
    if refused:
        reasons = " ".join(
            f"{item.filename}: {gettext(item.reason, limit=public_uploads.limit())}" for item in refused
        )
        return _question(page, answers, {"files": reasons}, changing, draft, 422, translated=True)
    if request.form.get("action") == "upload":
        return redirect(url_for("public.step", slug="files", change="1" if changing else None), 303)
    return redirect(_url(report_pages.following(page, answers, changing), changing), 303)


def _question(
    page: report_pages.Page,
    answers: dict[str, Any],
    errors: dict[str, str],
    changing: bool,
    draft: ReportDraft,
    status: int = 200,
    translated: bool = False,
) -> tuple[str, int]:
    return render_template(
        "public/step.html",
        page=page.slug,
        values=answers,
        errors=errors if translated else {name: gettext(message) for name, message in errors.items()},
        changing=changing,
        back=_back(page, answers, changing),
        files=report_drafts.kept_files(storage.session(), draft),
        hours=report_drafts.LIFETIME_HOURS,
        **_vocabularies(),
    ), status


def _check(
    draft: ReportDraft, answers: dict[str, Any], status: int = 200, problem: str | None = None
) -> tuple[str, int]:
    shown = report_pages.shown(answers)
    errors = report_pages.problems(answers)
    listed = [
        (url_for("public.step", slug=report_pages.owner(name).slug, change="1"), gettext(message))
        for name, message in errors.items()
    ]
    return render_template(
        "public/check.html",
        values=answers,
        shown=[page.slug for page in shown],
        problems=listed,
        problem=gettext(problem) if problem else None,
        date=_date_words(answers),
        files=report_drafts.kept_files(storage.session(), draft),
        back=_url(shown[-1].slug),
        hours=report_drafts.LIFETIME_HOURS,
        **_vocabularies(),
    ), status


def _date_words(answers: dict[str, Any]) -> str:
    day, problem = reporter_form.memorable_date(answers)
    if day is None or problem:
        return ""
    clock = reporter_form.parse_time(answers["occurred_time"]) if answers["occurred_time"] else ""
    # In the reader's language: "3 grudnia 2026, 14:05" on the Polish page.
    return languages.reporter_day(day) + (f", {clock}" if clock else "")


def _vocabularies() -> dict[str, Any]:
    return {
        "strands": STRANDS,
        "incident_types": INCIDENT_TYPES,
        "reporter_kinds": REPORTER_KINDS,
        "safe": reporter_form.SAFE,
        "contact_methods": CONTACT_METHODS,
        "needs": NEEDS,
        "equality": EQUALITY_QUESTIONS,
        "upload_limit": public_uploads.limit(),
    }
