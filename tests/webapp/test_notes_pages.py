"""Notes and contacts on the case page and through the API: saved, on the timeline, a contact with
the victim restarting the contact cadence; every bad input refused with a plain message and what
was typed kept; an unknown case is 404."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from db.models import AuditEvent, CaseNote, ContactRecord, TimelineEvent
from tests.consent_cases import party, report_case
from tests.webapp.test_api import token
from tests.webapp.test_supervision_pages import section, sign_in, text


@pytest.fixture
def web(app: Flask) -> FlaskClient:
    app.config["WTF_CSRF_ENABLED"] = False
    return app.test_client()


@pytest.fixture
def case(app: Flask) -> str:
    return report_case(app.extensions["database"])


def _rows(app: Flask, model: type) -> list:
    with app.extensions["database"].session() as session:
        return list(session.scalars(select(model)))


def _timeline(app: Flask, kind: str) -> list[str]:
    with app.extensions["database"].session() as session:
        return list(session.scalars(select(TimelineEvent.summary).where(TimelineEvent.kind == kind)))


def test_a_note_is_saved_shown_and_on_the_timeline(app, web, case):
    sign_in(web, "officer")
    answer = web.post(f"/cases/{case}/notes", data={"note-text": "  Rang the housing office about CCTV  "})
    assert answer.status_code == 303 and answer.headers["Location"].endswith(f"/cases/{case}#notes")
    page = web.get(f"/cases/{case}").get_data(as_text=True)
    assert "Rang the housing office about CCTV Olivia Officer" in text(section(page, "notes"))
    assert "Note: Rang the housing office about CCTV" in text(section(page, "timeline"))
    [note] = _rows(app, CaseNote)
    assert note.text == "Rang the housing office about CCTV" and note.created_by == "Olivia Officer"
    edits = [e for e in _rows(app, AuditEvent) if e.action == "edit" and e.subject == case]
    assert [e.detail for e in edits] == [f"POST /cases/{case}/notes"]


def test_an_empty_note_is_refused_with_a_message(app, web, case):
    sign_in(web, "officer")
    answer = web.post(f"/cases/{case}/notes", data={"note-text": "   \n  "})
    assert answer.status_code == 422
    part = section(answer.get_data(as_text=True), "notes")
    assert "There is a problem" in part
    assert '<a href="#note-text">Write the note before saving it.</a>' in part
    assert 'aria-invalid="true"' in part
    assert _rows(app, CaseNote) == []
    assert [e for e in _rows(app, AuditEvent) if e.action == "edit"] == []


def test_a_too_long_note_comes_back_with_what_was_typed(app, web, case):
    sign_in(web, "officer")
    typed = "Long account. " * 800  # 11,200 characters
    answer = web.post(f"/cases/{case}/notes", data={"note-text": typed})
    assert answer.status_code == 422
    part = section(answer.get_data(as_text=True), "notes")
    assert "it can be at most 10,000" in text(part)
    assert typed.strip() in text(part)
    assert _rows(app, CaseNote) == []


def test_a_note_on_an_unknown_case_is_not_found(app, web, case):
    sign_in(web, "officer")
    assert web.post("/cases/HC-1999-99999/notes", data={"note-text": "Hello"}).status_code == 404
    headers = token(web)
    answer = web.post("/api/cases/HC-1999-99999/notes", json={"text": "Hello"}, headers=headers)
    assert answer.status_code == 404 and "There is no case" in answer.json["message"]
    assert web.get("/api/cases/HC-1999-99999/contacts", headers=headers).status_code == 404


def test_a_contact_with_the_victim_is_recorded_and_on_the_timeline(app, web, case):
    sign_in(web, "officer")
    victim = party(app.extensions["database"], case, "victim")
    answer = web.post(
        f"/cases/{case}/contacts",
        data={
            "contact-method": "visit",
            "contact-party_id": str(victim),
            "contact-outcome": "Victim feels safer since the CCTV went up",
            "contact-next_contact_on": "2099-01-05",
        },
    )
    assert answer.status_code == 303 and answer.headers["Location"].endswith("#contacts")
    page = web.get(f"/cases/{case}").get_data(as_text=True)
    part = text(section(page, "contacts"))
    assert "Home visit with Amira Khan (victim)" in part and "next contact planned for 5 January 2099" in part
    [line] = _timeline(app, "contact")
    assert line == (
        "Contact with the victim: Home visit with Amira Khan (victim). Outcome: Victim feels safer "
        "since the CCTV went up Next contact planned for 5 January 2099."
    )
    [row] = _rows(app, ContactRecord)
    assert row.party_id == victim and row.method == "visit"


def test_a_contact_with_the_alleged_perpetrator_does_not_count_as_victim_contact(app, web, case):
    sign_in(web, "officer")
    perpetrator = party(app.extensions["database"], case, "alleged_perpetrator")
    web.post(
        f"/cases/{case}/contacts",
        data={"contact-method": "letter", "contact-party_id": str(perpetrator), "contact-outcome": "Warned"},
    )
    assert _timeline(app, "contact") == []
    assert _timeline(app, "contact_other") == [
        "Contact: Letter with Carl Price (alleged perpetrator). Outcome: Warned"
    ]
    [row] = _rows(app, ContactRecord)
    assert row.restarted_cadence is False


def test_a_contact_form_with_errors_keeps_what_was_typed(app, web, case):
    sign_in(web, "officer")
    answer = web.post(
        f"/cases/{case}/contacts",
        data={
            "contact-party_id": "",
            "contact-with_whom": "",
            "contact-outcome": "Left a voicemail for her",
            "contact-next_contact_on": "2020-02-30",
        },
    )
    assert answer.status_code == 422
    part = section(answer.get_data(as_text=True), "contacts")
    words = text(part)
    assert "Choose how the contact was made." in words
    assert "Choose the person contacted, or name them." in words
    assert "Enter the next contact date as a real date" in words
    assert "Left a voicemail for her</textarea>" in part
    assert 'value="2020-02-30"' in part
    assert 'id="contact-form-details" open' in part
    assert _rows(app, ContactRecord) == []


def test_a_contact_with_a_person_of_another_case_is_refused(app, web, case):
    other = report_case(app.extensions["database"])
    sign_in(web, "officer")
    stranger = party(app.extensions["database"], other, "victim")
    answer = web.post(
        f"/cases/{case}/contacts",
        data={"contact-method": "phone", "contact-party_id": str(stranger), "contact-outcome": "Spoke"},
    )
    assert answer.status_code == 422
    assert "Choose one of the people on this case." in text(
        section(answer.get_data(as_text=True), "contacts")
    )


def test_the_api_adds_and_lists_notes_and_refuses_an_empty_one(app, web, case):
    headers = token(web)
    empty = web.post(f"/api/cases/{case}/notes", json={"text": "  "}, headers=headers)
    assert empty.status_code == 422
    assert empty.json["errors"] == {"text": "Write the note before saving it."}
    missing = web.post(f"/api/cases/{case}/notes", json={}, headers=headers)
    assert missing.status_code == 422 and "Write the note before saving it." in str(missing.json)
    added = web.post(f"/api/cases/{case}/notes", json={"text": "Spoke to the caretaker"}, headers=headers)
    assert added.status_code == 201 and added.json["created_by"] == "Olivia Officer"
    listed = web.get(f"/api/cases/{case}/notes", headers=headers)
    assert [n["text"] for n in listed.json] == ["Spoke to the caretaker"]
    assert _timeline(app, "note") == ["Note: Spoke to the caretaker"]


def test_the_api_records_and_lists_contacts(app, web, case):
    headers = token(web)
    url = f"/api/cases/{case}/contacts"
    bad = web.post(url, json={"method": "pigeon", "outcome": "x"}, headers=headers)
    assert bad.status_code == 422 and "Choose how the contact was made." in str(bad.json)
    nobody = web.post(
        f"/api/cases/{case}/contacts", json={"method": "phone", "outcome": "x"}, headers=headers
    )
    assert nobody.status_code == 422
    assert nobody.json["errors"] == {"party_id": "Choose the person contacted, or name them."}
    added = web.post(
        f"/api/cases/{case}/contacts",
        json={"method": "phone", "with_whom": "Her son, Omar", "outcome": "Passed on the update"},
        headers=headers,
    )
    assert added.status_code == 201 and added.json["method_label"] == "Phone call"
    listed = web.get(f"/api/cases/{case}/contacts", headers=headers).json
    assert [(c["with_whom"], c["outcome"]) for c in listed] == [("Her son, Omar", "Passed on the update")]
    assert _timeline(app, "contact") == [
        "Contact with the victim: Phone call with Her son, Omar. Outcome: Passed on the update"
    ]


def test_intake_staff_may_read_but_not_add_notes(app, web, case):
    headers = token(web, "intake")
    answer = web.post(f"/api/cases/{case}/notes", json={"text": "Hello"}, headers=headers)
    assert answer.status_code == 403
    assert _rows(app, CaseNote) == []
