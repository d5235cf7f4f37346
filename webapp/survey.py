"""The closure survey's public page (no account): the private link from the victim's email or
text opens it once, in the language they reported in (or the one they switch to). A wrong, used
or removed link gets one page that says nothing more."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_babel import gettext
from werkzeug.wrappers import Response

import processes
from casework import surveys
from webapp import languages, storage

bp = Blueprint("survey", __name__)
Page = str | Response | tuple[str, int]
GONE = (
    "This survey link does not work. It may have been used already, or typed wrongly. "
    "If you want to tell us how we did, phone us."
)


@bp.route("/survey/<token>", methods=["GET", "POST"])
def answer(token: str) -> Page:
    sessions = storage.session()
    survey = surveys.open_survey(sessions, token)
    if survey is None:
        return render_template("survey/gone.html", message=gettext(GONE)), 404
    languages.speak(surveys.language_of(sessions, survey))
    if request.method == "GET":
        return _page(token, {}, {})
    values = {name: request.form.get(name, "") for name in ("outcome", "tp12")}
    errors = {
        name: gettext(words) for name, words in surveys.problems(values["outcome"], values["tp12"]).items()
    }
    if errors:
        return _page(token, values, errors, 422)
    if not surveys.answer(sessions, token, values["outcome"], values["tp12"], now=processes.clock.now()):
        return render_template("survey/gone.html", message=gettext(GONE)), 404
    return render_template("survey/thanks.html")


def _page(token: str, values: dict[str, str], errors: dict[str, str], status: int = 200) -> tuple[str, int]:
    return render_template(
        "survey/answer.html",
        token=token,
        values=values,
        errors=errors,
        answers=languages.translated(surveys.ANSWERS.items()),
        outcome_question=gettext(surveys.OUTCOME_QUESTION),
        tp12_question=gettext(surveys.TP12_QUESTION),
    ), status
