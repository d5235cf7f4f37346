"""The reporter's part of the case page: who they are, whether and how to contact them, their
communication needs, the reset of their tracking code, and the updates they were sent."""

from __future__ import annotations

from typing import Any

from flask import Blueprint

from casework import reporter_updates, reporters
from db.models import Case
from webapp import storage

bp = Blueprint("reporter_panel", __name__)
CHANNELS = {"email": "Email", "text": "Text message", "none": "Not sent"}
TOPICS = {
    "officer": "Officer dealing with it",
    "contact": "Contact recorded",
    "support": "Support agreed",
    "referral": "Referral made",
    "action": "Action taken",
    "closed": "Case closed",
    "survey": "Closure survey",
}


@bp.app_template_global("reporter_of")
def reporter_of(case: Case) -> dict[str, Any]:
    session = storage.session()
    details = reporters.details_of(session, case.id)
    return {
        "public": details is not None,
        "rows": reporters.described(details),
        "messages": reporter_updates.sent_to_reporter(session, case.id),
        "channels": CHANNELS,
        "topics": TOPICS,
    }
