"""Consents and disclosures on the case page: record a consent, withdraw one (after a
confirmation), record a disclosure outside the landlord. A form with something to correct shows
the case page again with the messages next to the fields and what was typed kept (status 422)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

import processes
from casework import audit, consents, disclosures
from casework.casefile import CaseNotFound
from db.models import Case
from webapp import cases, storage
from webapp.auth import current_row

bp = Blueprint("consent", __name__)
Page = str | Response | tuple[str, int]


@bp.app_template_global("case_consents")
def _case_consents(case: Case) -> list[consents.ConsentView]:
    return consents.for_case(storage.session(), case)


@bp.app_template_global("case_disclosures")
def _case_disclosures(case: Case) -> list[disclosures.DisclosureView]:
    return disclosures.for_case(storage.session(), case)


@bp.app_template_global("consent_form")
def _consent_form() -> dict[str, Any]:
    """The consent or disclosure form being shown again with errors: its name, errors, values."""
    return g.get("consent_form") or {"form": None, "errors": {}, "values": {}}


@bp.app_context_processor
def _vocabulary() -> dict[str, Any]:
    return {
        "consent_purposes": consents.PURPOSES,
        "disclosure_purposes": disclosures.DISCLOSURE_PURPOSES,
        "lawful_bases": disclosures.BASES,
    }


def _fields(form: str) -> dict[str, str]:
    """The form's fields without their prefix (each field's name is its id: ``consent-purpose``)."""
    prefix = form + "-"
    return {key.removeprefix(prefix): value for key, value in request.form.items() if key.startswith(prefix)}


def _again(reference: str, form: str, err: consents.Invalid) -> Page:
    g.consent_form = {"form": form, "errors": err.errors, "values": request.form.to_dict()}
    return cases.show(reference), 422


def _to_case(reference: str) -> Response:
    return redirect(url_for("cases.show", reference=reference, _anchor="consent"), 303)


def _refused(err: Exception) -> Page:
    if isinstance(err, consents.NotPermitted):
        return render_template("errors/error.html", code=403, message=str(err)), 403
    abort(404)


@bp.route("/cases/<reference>/consents", methods=["POST"])
def record_consent(reference: str) -> Page:
    form = _fields("consent")
    try:
        consents.record(
            storage.session(),
            reference,
            party_id=form.get("party_id"),
            purpose=form.get("purpose"),
            given=form.get("given"),
            note=form.get("note"),
            user=current_row(),
            now=processes.clock.now(),
        )
    except consents.Invalid as err:
        return _again(reference, "consent", err)
    except (consents.NotPermitted, CaseNotFound) as err:
        return _refused(err)
    flash("The consent is recorded.", "success")
    return _to_case(reference)


@bp.route("/cases/<reference>/consents/<consent_id>/withdraw", methods=["POST"])
def withdraw_consent(reference: str, consent_id: str) -> Page:
    try:
        result = consents.withdraw(
            storage.session(), reference, consent_id, user=current_row(), now=processes.clock.now()
        )
    except consents.Invalid as err:
        flash(" ".join(err.errors.values()), "error")
        return _to_case(reference)
    except processes.Conflict as err:
        flash(str(err), "error")
        return _to_case(reference)
    except (consents.NotPermitted, consents.NotFound, CaseNotFound) as err:
        return _refused(err)
    if result.step is not None:
        flash(
            "The consent is withdrawn. A task to stop sharing and tell the agencies is in the inbox.",
            "success",
        )
    else:
        flash("The consent is withdrawn. No task was started (see the timeline).", "success")
    return _to_case(reference)


@bp.route("/cases/<reference>/disclosures", methods=["POST"])
def disclose(reference: str) -> Page:
    form = _fields("disclosure")
    try:
        disclosures.record(
            storage.session(),
            reference,
            party_id=form.get("party_id"),
            recipient=form.get("recipient"),
            purpose=form.get("purpose"),
            information=form.get("information"),
            lawful_basis=form.get("lawful_basis"),
            reason=form.get("reason"),
            user=current_row(),
            actor=audit.Actor.of(current_row(), request.remote_addr),
            now=processes.clock.now(),
        )
    except consents.Invalid as err:
        return _again(reference, "disclosure", err)
    except (consents.NotPermitted, CaseNotFound) as err:
        return _refused(err)
    flash("The disclosure is recorded.", "success")
    return _to_case(reference)
