"""Case notes and contact records: /api/cases/{reference}/notes and /contacts."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint, abort
from marshmallow import Schema, fields, validate

import processes
from casework import consents, contacts, notes
from casework.casefile import CaseNotFound, find_case
from casework.vocabulary import CONTACT_METHODS
from webapp import storage
from webapp.access import api_user
from webapp.schemas import ROW_ID

bp = Blueprint("notes_api", __name__, url_prefix="/api", description="Notes and contacts")
SECURITY: list[dict[str, list[str]]] = [{"bearer": []}]


class NoteInSchema(Schema):
    text = fields.String(
        required=True,
        error_messages={"required": "Write the note before saving it."},
        metadata={"description": f"The note (at most {notes.TEXT_MAX:,} characters)"},
    )


class NoteOutSchema(Schema):
    id = fields.Integer()
    text = fields.String()
    created_at = fields.DateTime()
    created_by = fields.String()


class ContactInSchema(Schema):
    method = fields.String(
        required=True,
        validate=validate.OneOf(list(CONTACT_METHODS), error="Choose how the contact was made."),
        metadata={"description": "; ".join(f"{k} ({v})" for k, v in CONTACT_METHODS.items())},
    )
    party_id = fields.Integer(
        load_default=None,
        allow_none=True,
        validate=ROW_ID,
        metadata={"description": "The person on the case"},
    )
    with_whom = fields.String(
        load_default=None,
        allow_none=True,
        metadata={"description": "Who, in words, if not a person on the case"},
    )
    outcome = fields.String(required=True, error_messages={"required": "Say what came of the contact."})
    next_contact_on = fields.Date(load_default=None, allow_none=True)


class ContactOutSchema(Schema):
    id = fields.Integer()
    method = fields.String()
    method_label = fields.Function(lambda c: CONTACT_METHODS.get(c.method, c.method))
    party_id = fields.Integer(allow_none=True)
    with_whom = fields.String(allow_none=True)
    outcome = fields.String()
    next_contact_on = fields.Date(allow_none=True)
    recorded_at = fields.DateTime()
    recorded_by = fields.String()
    restarted_cadence = fields.Boolean(
        metadata={"description": "Whether the contact restarted the victim's contact cadence"}
    )


def _refuse(err: Exception) -> None:
    if isinstance(err, consents.Invalid):
        abort(422, message=str(err), errors=err.errors)
    abort(404, message=str(err))


@bp.route("/cases/<reference>/notes", methods=["GET"])
@bp.doc(security=SECURITY)
@bp.response(200, NoteOutSchema(many=True))
def list_notes(reference: str) -> Any:
    """The case's notes, newest first."""
    session = storage.session()
    try:
        return notes.for_case(session, find_case(session, reference))
    except CaseNotFound as err:
        _refuse(err)


@bp.route("/cases/<reference>/notes", methods=["POST"])
@bp.doc(security=SECURITY)
@bp.arguments(NoteInSchema)
@bp.response(201, NoteOutSchema)
def add_note(body: dict[str, Any], reference: str) -> Any:
    """Add a note to the case (on its timeline too); 422 for an empty one."""
    try:
        return notes.add(
            storage.session(), reference, body["text"], user=api_user(), now=processes.clock.now()
        )
    except (consents.Invalid, CaseNotFound) as err:
        _refuse(err)


@bp.route("/cases/<reference>/contacts", methods=["GET"])
@bp.doc(security=SECURITY)
@bp.response(200, ContactOutSchema(many=True))
def list_contacts(reference: str) -> Any:
    """The case's contact records, newest first."""
    session = storage.session()
    try:
        return contacts.for_case(session, find_case(session, reference))
    except CaseNotFound as err:
        _refuse(err)


@bp.route("/cases/<reference>/contacts", methods=["POST"])
@bp.doc(security=SECURITY)
@bp.arguments(ContactInSchema)
@bp.response(201, ContactOutSchema)
def record_contact(body: dict[str, Any], reference: str) -> Any:
    """Record a contact made in any stage. A contact with the victim (or someone named in words)
    restarts the contact cadence of an open case; 422 with field errors."""
    data = contacts.ContactInput(**body)
    try:
        return contacts.record(storage.session(), reference, data, user=api_user(), now=processes.clock.now())
    except (consents.Invalid, CaseNotFound) as err:
        _refuse(err)
