"""Evidence uploads on the case page: a photo stored outside the database with its thumbnail and
downloaded back byte for byte (the download in the audit log); every bad upload (too large, a type
we do not take, a program named .jpg, no description, a date in the future, an unknown case)
refused with a plain message and the description and date kept; a virus found by a real ClamAV
daemon refused and audited."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image
from sqlalchemy import select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from db.models import AuditEvent, Evidence, TimelineEvent
from tests.consent_cases import report_case
from tests.evidence_files import CLAMD, clamd, photo, program
from tests.webapp.test_supervision_pages import section, sign_in, text

MAX = 200 * 1024


@pytest.fixture
def store(tmp_path: Path) -> Path:
    return tmp_path / "evidence-store"


@pytest.fixture
def web(app: Flask, store: Path) -> FlaskClient:
    app.config.update(WTF_CSRF_ENABLED=False, EVIDENCE_STORE_URL=store.as_uri(), EVIDENCE_MAX_BYTES=MAX)
    client = app.test_client()
    sign_in(client, "officer")
    return client


@pytest.fixture
def case(app: Flask) -> str:
    return report_case(app.extensions["database"])


def upload(web: FlaskClient, case: str, data: bytes, name: str, **form: str):
    fields = {"evidence-description": "Graffiti on the door", "evidence-taken_on": "2026-02-28", **form}
    return web.post(
        f"/cases/{case}/evidence",
        data={**fields, "evidence-file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def stored_files(store: Path) -> list[Path]:
    return sorted(p for p in store.rglob("*") if p.is_file()) if store.exists() else []


def evidence_rows(app: Flask) -> list[Evidence]:
    with app.extensions["database"].session() as session:
        return list(session.scalars(select(Evidence)))


def refused(answer, store: Path, app: Flask) -> str:
    """The upload came back (422) with its description and date kept, and nothing was stored."""
    assert answer.status_code == 422
    part = section(answer.get_data(as_text=True), "evidence")
    assert "There is a problem" in part and 'id="evidence-form-details" open' in part
    assert "Graffiti on the door</textarea>" in part and 'value="2026-02-28"' in part
    assert "Choose the file again." in part
    assert stored_files(store) == [] and evidence_rows(app) == []
    return text(part)


def test_a_photo_is_stored_with_a_thumbnail_and_downloaded_byte_for_byte(app, web, case, store):
    picture = photo()
    answer = upload(web, case, picture, "door.jpg")
    assert answer.status_code == 303 and answer.headers["Location"].endswith(f"/cases/{case}#evidence")
    [item] = evidence_rows(app)
    assert (item.kind, item.media_type, item.size) == ("photo", "image/jpeg", len(picture))
    assert item.sha256 == hashlib.sha256(picture).hexdigest() and item.scan_status == "not_scanned"
    assert (store / item.storage_key).read_bytes() == picture  # outside the database
    with Image.open(store / str(item.thumbnail_key)) as thumb:
        assert thumb.format == "JPEG" and max(thumb.size) == 320
    page = web.get(f"/cases/{case}").get_data(as_text=True)
    part = section(page, "evidence")
    assert 'alt="Photo: Graffiti on the door"' in part
    words = text(part)
    assert "Photo: Graffiti on the door taken 28 February 2026" in words
    assert "not checked for viruses" in words
    assert "Evidence added: Photo: Graffiti on the door" in text(section(page, "timeline"))
    thumbnail = web.get(f"/cases/{case}/evidence/{item.id}/thumbnail")
    assert thumbnail.status_code == 200 and thumbnail.mimetype == "image/jpeg"
    download = web.get(f"/cases/{case}/evidence/{item.id}")
    assert download.status_code == 200 and download.data == picture
    assert "attachment; filename=door.jpg" in download.headers["Content-Disposition"]
    with app.extensions["database"].session() as session:
        exports = list(session.scalars(select(AuditEvent).where(AuditEvent.action == "export")))
        edits = list(session.scalars(select(AuditEvent).where(AuditEvent.action == "edit")))
    assert [(e.username, e.subject, e.detail) for e in exports] == [
        ("officer", case, f"GET /cases/{case}/evidence/{item.id}")
    ]
    assert [e.detail for e in edits] == ["evidence added: door.jpg"]


def test_a_folder_sent_with_the_name_is_dropped(app, web, case, store):
    assert upload(web, case, photo(), "..\\..\\Users\\amira/../door.jpg").status_code == 303
    [item] = evidence_rows(app)
    assert item.filename == "door.jpg" and item.storage_key.startswith(f"{item.case_id}/")
    assert [p.parent for p in stored_files(store)] == [store / str(item.case_id)] * 2


def test_a_program_named_jpg_is_refused(app, web, case, store):
    words = refused(upload(web, case, program(), "holiday.jpg"), store, app)
    assert "The file is a program, whatever its name says; programs are never accepted." in words


def test_a_file_of_a_type_we_do_not_take_is_refused(app, web, case, store):
    words = refused(upload(web, case, b"just some words, not a PDF\n" * 20, "statement.pdf"), store, app)
    assert "The file's content is not a type we accept, whatever its name says." in words


def test_a_file_over_the_limit_is_refused_with_both_sizes(app, web, case, store):
    big = photo(2400, 2400) + b"\0" * MAX  # a real JPEG, padded well past the limit
    words = refused(upload(web, case, big, "big.jpg"), store, app)
    assert "files can be at most 200 KB" in words and f"The file is {len(big) // 1024} KB" in words


def test_a_file_far_over_the_limit_is_refused_by_the_request_limit(app, web, case, store):
    # Encoded here as bytes: the test client's own encoding spools a body this large to a temporary
    # file that it never closes when the app refuses to read it.
    huge = FileStorage(io.BytesIO(b"\xff\xd8\xff" + b"\0" * (3 * MAX + 1024 * 1024)), "huge.jpg")
    boundary, body = encode_multipart({"evidence-description": "Graffiti", "evidence-file": huge})
    answer = web.post(
        f"/cases/{case}/evidence", data=body, content_type=f"multipart/form-data; boundary={boundary}"
    )
    assert answer.status_code == 413
    assert "The upload is too large" in answer.get_data(as_text=True)
    assert stored_files(store) == []


def test_a_broken_photo_is_refused(app, web, case, store):
    words = refused(upload(web, case, photo()[:400], "cut.jpg"), store, app)
    assert "The photo could not be read" in words


def test_no_file_no_description_and_a_future_date_are_each_named(app, web, case, store):
    answer = web.post(
        f"/cases/{case}/evidence",
        data={"evidence-description": " ", "evidence-taken_on": "2999-01-01"},
        content_type="multipart/form-data",
    )
    assert answer.status_code == 422
    part = section(answer.get_data(as_text=True), "evidence")
    assert '<a href="#evidence-file">Choose the file to upload.</a>' in part
    assert '<a href="#evidence-description">Describe what the file shows or records.</a>' in part
    assert '<a href="#evidence-taken_on">The date taken cannot be in the future.</a>' in part
    assert 'value="2999-01-01"' in part and evidence_rows(app) == []


def test_an_upload_to_an_unknown_case_is_not_found(app, web, case, store):
    assert upload(web, "HC-1999-99999", photo(), "door.jpg").status_code == 404
    assert web.get("/cases/HC-1999-99999/evidence/1").status_code == 404
    assert web.get(f"/cases/{case}/evidence/999").status_code == 404
    assert stored_files(store) == []


def test_evidence_of_another_case_is_not_served_under_this_one(app, web, case, store):
    other = report_case(app.extensions["database"])
    assert upload(web, other, photo(), "door.jpg").status_code == 303
    [item] = evidence_rows(app)
    assert web.get(f"/cases/{case}/evidence/{item.id}").status_code == 404


@pytest.mark.skipif(not Path(CLAMD).exists(), reason="clamav-daemon is not installed")
def test_a_virus_found_by_clamav_is_refused_and_audited(app, web, case, store, tmp_path):
    infected, clean = photo(colour=(1, 2, 3)), photo(colour=(90, 200, 90))
    with clamd(tmp_path / "clamd", infected) as address:
        app.config["CLAMD_ADDRESS"] = address
        words = refused(upload(web, case, infected, "door.jpg"), store, app)
        assert "The virus scanner found a virus (Test.Photo.Virus.UNOFFICIAL) in the file" in words
        assert upload(web, case, clean, "clean.jpg").status_code == 303
    [item] = evidence_rows(app)
    assert item.scan_status == "clean" and item.filename == "clean.jpg"
    with app.extensions["database"].session() as session:
        [entry] = session.scalars(select(AuditEvent).where(AuditEvent.action == "upload-refused"))
        assert session.scalars(select(TimelineEvent).where(TimelineEvent.kind == "evidence")).all()
    assert (entry.username, entry.subject, entry.outcome) == ("officer", case, "refused")
    assert entry.detail == "virus Test.Photo.Virus.UNOFFICIAL in door.jpg"


def test_an_unreachable_scanner_refuses_rather_than_storing_unscanned(app, web, case, store, tmp_path):
    app.config["CLAMD_ADDRESS"] = f"unix:{tmp_path / 'no-such.sock'}"
    words = refused(upload(web, case, photo(), "door.jpg"), store, app)
    assert "The virus scanner could not check the file, so it was not stored." in words
