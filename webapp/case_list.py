"""The cases list and search page (/cases): every case I may open, open and closed."""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, render_template, request
from marshmallow import ValidationError

from casework import case_search, people
from casework.indicators import RISK_LEVELS
from casework.vocabulary import STRANDS
from webapp import storage
from webapp.auth import current_row
from webapp.case_search_schemas import FILTERS, CaseSearchQuerySchema, filters_of
from webapp.public import LONDON

bp = Blueprint("case_list", __name__)
PER_PAGE = 25
FIELD_IDS = {"from": "reported-from", "to": "reported-to", "risk_level": "risk-level"}


@bp.route("/cases")
def index() -> tuple[str, int]:
    typed = {k: v.strip()[:200] for k, v in request.args.items()}
    errors: dict[str, str] = {}
    page = None
    try:
        args = CaseSearchQuerySchema().load(request.args)
    except ValidationError as err:
        errors = {name: " ".join(map(str, msgs)) for name, msgs in _messages(err).items()}
    else:
        try:
            page = case_search.search(
                storage.session(), current_row(), filters_of(args), page=args["page"], per_page=PER_PAGE
            )
        except case_search.SearchRefused as err:
            errors = {"q": str(err)}
    options = case_search.options(storage.session())
    return render_template(
        "cases/list.html",
        page=page,
        typed=typed,
        errors=errors,
        field_ids=FIELD_IDS,
        options=options,
        localities=[(name, name) for name in options.localities],
        teams=[(name, people.GROUPS.get(name, name)) for name in options.teams],
        scopes=case_search.SCOPES,
        sorts=case_search.SORTS,
        statuses=case_search.STATUSES,
        risk_levels=RISK_LEVELS,
        strands=STRANDS,
        filtered=any(typed.get(k) for k in FILTERS if k != "q"),
    ), (422 if errors else 200)


def _messages(err: ValidationError) -> dict[str, list[str]]:
    messages = err.messages if isinstance(err.messages, dict) else {"q": err.messages}
    return {str(k): v if isinstance(v, list) else [str(v)] for k, v in messages.items()}


@bp.app_template_filter("long_when")
def long_when(value: datetime | None) -> str:
    """An instant as UK local time in full: ``1 December 2026, 14:05``."""
    if value is None:
        return ""
    local = value.astimezone(LONDON)
    return f"{local.day} {local:%B %Y, %H:%M}"
