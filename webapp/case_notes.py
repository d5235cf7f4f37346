"""Notes and contact records on the case page. A form with something to correct shows the case
page again with the messages next to the fields and what was typed kept (status 422)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, g, redirect, request, url_for
from werkzeug.wrappers import Response

import processes
from casework import consents, contacts, notes
from casework.casefile import CaseNotFound
from casework.vocabulary import CONTACT_METHODS
from db.models import Case, CaseNote, ContactRecord
from webapp import cases, storage
from webapp.auth import current_row

bp = Blueprint("notes", __name__)
Page = str | Response | tuple[str, int]


@bp.app_template_global("case_notes")
def _case_notes(case: Case) -> list[CaseNote]:
    return notes.for_case(storage.session(), case)


@bp.app_template_global("case_contacts")
def _case_contacts(case: Case) -> list[ContactRecord]:
    return contacts.for_case(storage.session(), case)


@bp.app_template_global("notes_form")
def _notes_form() -> dict[str, Any]:
    """The note, contact or evidence form being shown again with errors: its name, errors, values."""
    return g.get("notes_form") or {"form": None, "errors": {}, "values": {}}


@bp.app_context_processor
def _vocabulary() -> dict[str, Any]:
    return {"contact_methods": CONTACT_METHODS}


def fields(form: str) -> dict[str, str]:
    """The form's fields without their prefix (each field's name is its id: ``note-text``)."""
    prefix = form + "-"
    return {key.removeprefix(prefix): value for key, value in request.form.items() if key.startswith(prefix)}


def again(reference: str, form: str, err: consents.Invalid) -> Page:
    """The case page again, with the form's messages and what was typed."""
    g.notes_form = {"form": form, "errors": err.errors, "values": request.form.to_dict()}
    return cases.show(reference), 422


@bp.route("/cases/<reference>/notes", methods=["POST"])
def add_note(reference: str) -> Page:
    try:
        notes.add(
            storage.session(),
            reference,
            fields("note").get("text"),
            user=current_row(),
            now=processes.clock.now(),
        )
    except consents.Invalid as err:
        return again(reference, "note", err)
    except CaseNotFound:
        abort(404)
    flash("The note is saved.", "success")
    return redirect(url_for("cases.show", reference=reference, _anchor="notes"), 303)


@bp.route("/cases/<reference>/contacts", methods=["POST"])
def record_contact(reference: str) -> Page:
    form = fields("contact")
    data = contacts.ContactInput(
        method=form.get("method"),
        outcome=form.get("outcome"),
        party_id=form.get("party_id"),
        with_whom=form.get("with_whom"),
        next_contact_on=form.get("next_contact_on"),
    )
    try:
        contact = contacts.record(
            storage.session(), reference, data, user=current_row(), now=processes.clock.now()
        )
    except consents.Invalid as err:
        return again(reference, "contact", err)
    except CaseNotFound:
        abort(404)
    if contact.restarted_cadence:
        flash(
            "The contact is recorded; the next contact with the victim is now counted from today.", "success"
        )
    else:
        flash("The contact is recorded.", "success")
    return redirect(url_for("cases.show", reference=reference, _anchor="contacts"), 303)
