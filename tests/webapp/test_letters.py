"""Letters through the case page: a template filled from the case, previewed and edited, saved as
a PDF (its text read back with pypdf), emailed through the outbox with the PDF attached (to a real
local SMTP server) or recorded as posted; bad input refused with what was typed kept; process
owners' template edits, a template with an unknown field or a syntax error refused."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from pypdf import PdfReader
from sqlalchemy import select

from casework import outbox
from db.models import CaseDocument, LetterTemplate, OutboxMessage, TimelineEvent
from processes.clock import frozen_at
from tests.conftest import T0
from tests.consent_cases import report_case
from tests.jobs.services import Mailbox
from tests.webapp.test_supervision_pages import section, sign_in, text

NOW = T0 + timedelta(hours=1)


@pytest.fixture
def web(app: Flask) -> FlaskClient:
    app.config["WTF_CSRF_ENABLED"] = False
    return app.test_client()


@pytest.fixture
def case(app: Flask) -> str:
    return report_case(app.extensions["database"])


def _pdf_text(data: bytes) -> str:
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages).split())


def _letters(app: Flask) -> list[CaseDocument]:
    with app.extensions["database"].session() as session:
        return list(session.scalars(select(CaseDocument).order_by(CaseDocument.id)))


def _save(web: FlaskClient, case: str, template: str, title: str, body: str, do: str = "save"):
    return web.post(
        f"/cases/{case}/letters/new",
        data={"template": template, "letter-title": title, "letter-text": body, "do": do},
    )


def test_a_letter_is_filled_previewed_edited_saved_as_pdf_and_downloaded(app, web, case):
    sign_in(web, "officer")
    with frozen_at(NOW):
        choose = web.get(f"/cases/{case}/letters/new").get_data(as_text=True)
        for title in (
            "We have received your report",
            "Warning about your behaviour",
            "Good neighbour agreement",
        ):
            assert title in choose
        page = web.get(f"/cases/{case}/letters/new?template=acknowledgement").get_data(as_text=True)
        assert "To the reporter: Amira Khan (amira@example.org)" in text(page)
        assert "Dear Amira Khan," in page and f"Your report {case}" in page and "Olivia Officer" in page
        filled = page.split('id="letter-text"', 1)[1].split(">", 1)[1].split("</textarea>", 1)[0]
        edited = filled.replace("Thank you for telling us", "Thank you, Ms Khan, for telling us")
        preview = _save(web, case, "acknowledgement", "Your report", edited, do="preview")
        assert preview.status_code == 200
        assert "Thank you, Ms Khan, for telling us" in text(
            section(preview.get_data(as_text=True), "letter-preview")
        )
        assert _letters(app) == []  # a preview saves nothing
        saved = _save(web, case, "acknowledgement", "Your report", edited)
        assert saved.status_code == 303 and saved.headers["Location"].endswith(f"/cases/{case}#letters")
    [letter] = _letters(app)
    assert letter.recipient == "reporter" and letter.pdf is not None
    with frozen_at(NOW):
        page = web.get(f"/cases/{case}").get_data(as_text=True)
        assert "Your report" in text(section(page, "letters"))
        assert "Letter written: Your report" in text(section(page, "timeline"))
        download = web.get(f"/cases/{case}/letters/{letter.id}/pdf")
    assert download.status_code == 200 and download.mimetype == "application/pdf"
    assert download.headers["Content-Disposition"].startswith("attachment;")
    words = _pdf_text(download.data)
    assert "Dear Amira Khan" in words and "Thank you, Ms Khan, for telling us" in words and case in words


def test_bad_letter_input_is_refused_and_what_was_typed_is_kept(app, web, case):
    sign_in(web, "officer")
    with frozen_at(NOW):
        answer = _save(web, case, "warning", "  ", "My edited text")
        assert answer.status_code == 422
        page = answer.get_data(as_text=True)
        assert "Give the letter a title." in text(page) and 'href="#letter-title"' in page
        assert "My edited text</textarea>" in page
        answer = _save(web, case, "warning", "Kept title", "   ")
        assert answer.status_code == 422 and 'value="Kept title"' in answer.get_data(as_text=True)
        assert "The letter is empty" in text(answer.get_data(as_text=True))
        answer = _save(web, case, "warning", "Kept title", "x" * 20_001)
        assert answer.status_code == 422 and "Keep the letter to 20,000 characters" in text(
            answer.get_data(as_text=True)
        )
        assert _save(web, case, "no_such_letter", "T", "Text").status_code == 404
        assert web.get(f"/cases/{case}/letters/new?template=../../etc").status_code == 404
        assert web.get("/cases/HC-2026-999999/letters/new?template=warning").status_code == 404
        assert web.get(f"/cases/{case}/letters/12345/pdf").status_code == 404
    assert _letters(app) == []


def test_a_letter_is_emailed_with_its_pdf_or_recorded_as_posted(app, web, case):
    sign_in(web, "officer")
    with frozen_at(NOW):
        _save(web, case, "acknowledgement", "Your report", "Dear Amira Khan,\n\nThank you.")
        _save(web, case, "warning", "Warning", "Dear Carl Price,\n\nStop.")
    to_reporter, to_perpetrator = _letters(app)
    with frozen_at(NOW):
        sent = web.post(
            f"/cases/{case}/letters/{to_reporter.id}/send", data={"how": "email"}, follow_redirects=True
        )
        assert "Letter emailed to the reporter: Your report." in text(sent.get_data(as_text=True))
        # No email address is recorded for the alleged perpetrator: print and post it.
        page = web.get(f"/cases/{case}").get_data(as_text=True)
        assert "Email it to the alleged perpetrator" not in page
        refused = web.post(
            f"/cases/{case}/letters/{to_perpetrator.id}/send", data={"how": "email"}, follow_redirects=True
        )
        assert "No email address is recorded for the alleged perpetrator" in text(
            refused.get_data(as_text=True)
        )
        posted = web.post(
            f"/cases/{case}/letters/{to_perpetrator.id}/send", data={"how": "post"}, follow_redirects=True
        )
        assert "Letter printed to post to the alleged perpetrator: Warning." in text(
            posted.get_data(as_text=True)
        )
        odd = web.post(
            f"/cases/{case}/letters/{to_perpetrator.id}/send", data={"how": "pigeon"}, follow_redirects=True
        )
        assert "Choose whether to email the letter or print it." in text(odd.get_data(as_text=True))
    database = app.extensions["database"]
    with database.session() as session:
        [mail] = session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "letter")).all()
        assert mail.recipient == "amira@example.org" and mail.document_id == to_reporter.id
        sent_lines = session.scalars(
            select(TimelineEvent.summary).where(TimelineEvent.kind == "letter_sent")
        ).all()
    assert sorted(sent_lines) == [
        "Letter emailed to the reporter: Your report",
        "Letter printed to post to the alleged perpetrator: Warning",
    ]
    with Mailbox() as mailbox:
        sender = outbox.SmtpSender("127.0.0.1", mailbox.port, "cases@example.org")
        assert outbox.deliver(database.sessions, mail.id, sender, NOW) is True
    [message] = mailbox.messages
    [attachment] = [part for part in message.walk() if part.get_content_type() == "application/pdf"]
    assert attachment.get_filename() == "your-report.pdf"
    assert "Dear Amira Khan" in _pdf_text(attachment.get_payload(decode=True))


def test_process_owners_edit_templates_and_a_broken_one_is_refused(app, web, case):
    sign_in(web, "owner")
    listing = web.get("/letters/templates").get_data(as_text=True)
    assert "Good neighbour agreement" in listing and "as supplied" in listing
    form = web.get("/letters/templates/warning").get_data(as_text=True)
    assert "{{ perpetrator_name }}" in form and "The alleged perpetrator&#39;s name" in form
    unknown = web.post(
        "/letters/templates/warning", data={"title": "Warning", "body": "Dear {{ nickname }},"}
    )
    assert unknown.status_code == 422
    assert "“nickname”, which is not a field letters can use" in text(unknown.get_data(as_text=True))
    assert "Dear {{ nickname }},</textarea>" in unknown.get_data(as_text=True)
    broken = web.post("/letters/templates/warning", data={"title": "Warning", "body": "Dear {{ addressee ,"})
    assert broken.status_code == 422 and "The template has a mistake on line 1" in text(
        broken.get_data(as_text=True)
    )
    sneaky = web.post(
        "/letters/templates/warning",
        data={"title": "Warning", "body": "{{ addressee.__class__.__mro__[1].__subclasses__() }}"},
    )
    assert sneaky.status_code == 422
    with app.extensions["database"].session() as session:
        assert session.scalars(select(LetterTemplate)).all() == []
    saved = web.post(
        "/letters/templates/warning",
        data={
            "title": "Final warning",
            "body": "Dear {{ addressee }},\n\nCase {{ reference }}: this is your final warning.",
        },
    )
    assert saved.status_code == 303
    assert "last changed by Oscar Owner" in web.get("/letters/templates").get_data(as_text=True)
    sign_in(web, "officer")
    assert web.get("/letters/templates").status_code == 403
    page = web.get(f"/cases/{case}/letters/new?template=warning").get_data(as_text=True)
    assert (
        "Final warning" in page
        and f"Case {case}: this is your final warning." in page
        and "Dear Carl Price," in page
    )
