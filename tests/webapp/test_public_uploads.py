"""Issue 19 points 1 and 2: photos and documents sent by the public with a report or a diary entry
become evidence on the case, sent by the reporter, and the officer downloads them byte for byte.
A refused file (too large, a program named .jpg, a type we do not take, more than five) costs the
reporter nothing: the report or entry is saved and the page names the file and says why."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from db.models import Case, Evidence
from tests.evidence_files import photo, program
from tests.webapp.test_reporters import REPORT, rows, track
from tests.webapp.test_supervision_pages import section, sign_in, text

MAX = 200 * 1024
# The smallest PDF filetype recognises: its first bytes are what count.
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture
def store(tmp_path: Path) -> Path:
    return tmp_path / "evidence-store"


@pytest.fixture
def web(app: Flask, store: Path) -> FlaskClient:
    app.config.update(WTF_CSRF_ENABLED=False, EVIDENCE_STORE_URL=store.as_uri(), PUBLIC_UPLOAD_MAX_BYTES=MAX)
    return app.test_client()


def report(web: FlaskClient, files: list[tuple[bytes, str]], **changes: Any) -> tuple[str, str, str]:
    """Send the form with ``files``; the reference, tracking code and the next page."""
    data: dict[str, Any] = {**REPORT, **changes, "files": [(io.BytesIO(d), name) for d, name in files]}
    answer = web.post("/report", data=data, content_type="multipart/form-data")
    assert answer.status_code == 303, answer.text
    page = web.get("/report/received").text
    reference = page.split('id="case-reference" class="panel__reference">')[1].split("<")[0]
    code = page.split('id="tracking-code" class="code">')[1].split("<")[0]
    return reference, code, page


def officer_sees(app: Flask, reference: str) -> tuple[FlaskClient, str]:
    officer = app.test_client()
    sign_in(officer, "officer")
    page = officer.get(f"/cases/{reference}")
    assert page.status_code == 200
    return officer, page.text


def test_a_photo_sent_with_a_report_is_evidence_the_officer_downloads_byte_for_byte(
    app: Flask, web: FlaskClient, store: Path
) -> None:
    picture = photo()
    reference, _code, page = report(web, [(picture, "door.jpg"), (PDF, "letter.pdf")])
    assert "were not accepted" not in page
    items = sorted(rows(app, Evidence), key=lambda item: item.filename)
    assert [(i.filename, i.kind, i.media_type) for i in items] == [
        ("door.jpg", "photo", "image/jpeg"),
        ("letter.pdf", "document", "application/pdf"),
    ]
    door = items[0]
    assert door.uploaded_by == "The reporter (online)" and door.sha256 == hashlib.sha256(picture).hexdigest()
    assert door.case_id == rows(app, Case, Case.reference == reference)[0].id
    officer, case_page = officer_sees(app, reference)
    words = text(section(case_page, "evidence"))
    assert "Photo: Sent by the reporter with their online report" in words
    download = officer.get(f"/cases/{reference}/evidence/{door.id}")
    assert download.status_code == 200 and download.data == picture
    assert officer.get(f"/cases/{reference}/evidence/{door.id}/thumbnail").mimetype == "image/jpeg"


def test_an_oversized_photo_and_a_program_named_jpg_are_refused_and_the_report_is_kept(
    app: Flask, web: FlaskClient, store: Path
) -> None:
    big = photo(2400, 2400) + b"\0" * MAX  # a real JPEG, padded past the limit
    reference, code, page = report(
        web, [(big, "big.jpg"), (program(), "holiday.jpg"), (photo(), "door.jpg")], location="Ash Walk"
    )
    part = page.split('id="files-not-accepted"')[1].split("</div>")[0]
    words = text(part)
    assert "big.jpg : It is larger than 200 KB, the most we take for one file." in words
    assert "holiday.jpg : It is not a photo, a PDF or a Word document." in words
    assert "door.jpg" not in words
    [case] = rows(app, Case, Case.reference == reference)
    assert case.location == "Ash Walk" and case.description == REPORT["description"]
    assert [item.filename for item in rows(app, Evidence)] == ["door.jpg"]
    stored = [p for p in store.rglob("*") if p.is_file()]
    assert len(stored) == 2  # the photo and its thumbnail, nothing of the refused ones
    assert code  # the way back is given as usual


def test_more_than_five_files_the_rest_are_named_and_a_file_in_polish(app: Flask, web: FlaskClient) -> None:
    web.get("/report?lang=pl")
    files = [(photo(colour=(i * 40, 0, 0)), f"p{i}.jpg") for i in range(6)]
    _reference, _code, page = report(web, files)
    assert len(rows(app, Evidence)) == 5
    assert "p5.jpg" in page and "Przyjmujemy najwyżej 5 plików naraz." in page


def test_a_form_with_errors_keeps_what_was_typed_and_asks_for_the_files_again(
    app: Flask, web: FlaskClient
) -> None:
    data = {**REPORT, "description": "short", "files": [(io.BytesIO(photo()), "door.jpg")]}
    answer = web.post("/report", data=data, content_type="multipart/form-data")
    assert answer.status_code == 422
    assert "Jo Bloggs" in answer.text and ">short</textarea>" in answer.text
    assert "If you chose files, choose them again" in answer.text
    assert rows(app, Case) == [] and rows(app, Evidence) == []


def test_the_form_is_multipart_with_a_labelled_files_input(web: FlaskClient) -> None:
    web.post("/report/start")
    page = web.get("/report/files").text
    assert 'enctype="multipart/form-data"' in page
    assert '<label class="label" for="files">Photos or documents (optional)</label>' in page
    assert 'type="file" id="files" name="files" multiple' in page


def test_a_diary_entry_with_a_photo_appears_on_the_case(app: Flask, web: FlaskClient) -> None:
    reference, code, _page = report(web, [])
    assert rows(app, Evidence) == []
    track(web, reference, code)
    picture = photo(colour=(10, 120, 10))
    entry = {
        "diary_day": "1",
        "diary_month": "12",
        "diary_year": "2026",
        "diary_time": "14:05",
        "diary_text": "They wrote on the door again.",
        "files": [(io.BytesIO(picture), "door-again.jpg"), (io.BytesIO(b"MZ" + b"\0" * 300), "note.doc")],
    }
    answer = web.post("/track/case/diary", data=entry, content_type="multipart/form-data")
    assert answer.status_code == 303
    status = web.get("/track/case").text
    assert "note.doc" in text(status.split('id="files-not-accepted"')[1].split("</div>")[0])
    assert "door-again.jpg" not in status.split('id="files-not-accepted"')[1].split("</div>")[0]
    [item] = rows(app, Evidence)
    assert item.filename == "door-again.jpg" and item.uploaded_by == "The reporter (online)"
    assert item.description == "Sent by the reporter with their diary entry of 1 December 2026, 14:05"
    officer, case_page = officer_sees(app, reference)
    timeline = text(section(case_page, "timeline"))
    assert "They wrote on the door again." in timeline
    assert "Evidence added: Photo: Sent by the reporter with their diary entry" in timeline
    assert officer.get(f"/cases/{reference}/evidence/{item.id}").data == picture
    assert "were not accepted" not in web.get("/track/case").text  # said once


def huge_report(web: FlaskClient) -> Any:
    # Encoded here as bytes: the test client's own encoding spools a body this large to a temporary
    # file that it never closes when the app refuses to read it.
    huge = FileStorage(io.BytesIO(b"\0" * (3 * 1024 * 1024)), "video.jpg")
    boundary, body = encode_multipart(
        {**{k: v for k, v in REPORT.items() if isinstance(v, str)}, "files": huge}
    )
    return web.post("/report", data=body, content_type=f"multipart/form-data; boundary={boundary}")


def test_files_far_too_large_together_get_a_page_that_says_what_to_do(app: Flask, web: FlaskClient) -> None:
    # The request limit is room for 7 files at the limit (200 KB here) and 1 MB for the fields.
    answer = huge_report(web)
    assert answer.status_code == 413
    words = text(answer.text)
    assert "Your report was not sent" in words and "too large all together, so nothing was sent" in words
    assert "Back button" in words and "each no larger than 200 KB" in words
    assert rows(app, Case) == []
    web.get("/report?lang=pl")
    polish = huge_report(web)
    assert polish.status_code == 413 and "Wybrane pliki były razem za duże" in polish.text


def test_an_evidence_store_that_cannot_be_opened_costs_the_report_nothing(
    app: Flask, web: FlaskClient
) -> None:
    app.config["EVIDENCE_STORE_URL"] = "nosuchscheme://nowhere"
    reference, code, page = report(web, [(photo(), "door.jpg")])
    assert rows(app, Case, Case.reference == reference) and code
    assert "door.jpg" in page and "We could not check it safely, so we did not keep it." in page
    assert rows(app, Evidence) == []
