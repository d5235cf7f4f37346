"""Placeholder until the pages are written."""

from flask import Blueprint

bp = Blueprint("inbox", __name__)


@bp.route("/")
def index() -> str:
    return "inbox"
