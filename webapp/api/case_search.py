"""GET /api/cases: the cases list and search, as the /cases page offers it."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint, abort

from casework import case_search
from webapp import storage
from webapp.access import api_user
from webapp.case_search_schemas import CasePageSchema, CaseSearchQuerySchema, filters_of

bp = Blueprint("case_search_api", __name__, url_prefix="/api", description="Cases list and search")


@bp.route("/cases", methods=["GET"])
@bp.doc(security=[{"bearer": []}])
@bp.arguments(CaseSearchQuerySchema, location="query")
@bp.response(200, CasePageSchema)
def list_cases(query: dict[str, Any]) -> case_search.CasePage:
    """Every case I may open, open and closed: search by reference, name, address, postcode or
    police reference; filter, sort and page through them. Every search is audited."""
    try:
        return case_search.search(
            storage.session(), api_user(), filters_of(query), page=query["page"], per_page=query["per_page"]
        )
    except case_search.SearchRefused as err:
        abort(422, message=str(err), errors={"q": str(err)})
        raise  # abort raised already
