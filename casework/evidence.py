"""Evidence files on a case: documents, photos, audio and video, with a description and the date
taken. The type is found from the file's content (its first bytes), never from its name; the size
is checked against the configured maximum; a configured virus scanner sees every file first. The
file goes to the evidence store (``casework.evidence_store``), a photo's thumbnail with it, and
the row and its timeline line are one case step: if the step fails, the stored files are removed.
"""

from __future__ import annotations

import hashlib
import io
import uuid
import warnings
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import PurePosixPath, PureWindowsPath

import filetype
from PIL import Image, UnidentifiedImageError
from sqlalchemy import select
from sqlalchemy.orm import Session

from casework import audit, steps
from casework.casefile import find_case
from casework.consents import Invalid
from casework.evidence_store import EvidenceStore
from casework.notes import writable_case
from casework.virus_scan import ScannerUnavailable, scan
from db.models import Case, Evidence, User
from db.timeline import EvidenceAdded

KIND_LABELS = {"photo": "Photo", "document": "Document", "audio": "Audio recording", "video": "Video"}
ACCEPTED: dict[str, str] = {
    "image/jpeg": "photo",
    "image/png": "photo",
    "image/gif": "photo",
    "image/webp": "photo",
    "image/heic": "photo",
    "application/pdf": "document",
    "application/msword": "document",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "document",
    "application/vnd.oasis.opendocument.text": "document",
    "application/rtf": "document",
    "audio/mpeg": "audio",
    "audio/mp4": "audio",
    "audio/x-wav": "audio",
    "audio/ogg": "audio",
    "audio/amr": "audio",
    "audio/aac": "audio",
    "audio/x-flac": "audio",
    "video/mp4": "video",
    "video/quicktime": "video",
    "video/webm": "video",
    "video/x-msvideo": "video",
    "video/x-matroska": "video",
    "video/3gpp": "video",
}
THUMBNAILED = {"image/jpeg", "image/png", "image/gif", "image/webp"}
THUMBNAIL_SIZE = (320, 320)
DESCRIPTION_MAX = 2000
PROGRAMS = ("application/x-executable", "application/x-msdownload", "application/x-mach-binary")
UNSCANNED = "The virus scanner could not check the file, so it was not stored. Try again in a few minutes."
WHAT_WE_TAKE = "photos (JPEG, PNG, GIF, WebP, HEIC), documents (PDF, Word, OpenDocument, RTF), audio or video"


@dataclass(frozen=True)
class Upload:
    filename: str
    data: bytes
    description: object
    taken_on: object


@dataclass(frozen=True)
class Limits:
    max_bytes: int
    scanner: str | None = None


def megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB" if size >= 1024 * 1024 else f"{max(1, size // 1024)} KB"


def _taken_on(value: object, today: date, errors: dict[str, str]) -> date | None:
    if value in (None, ""):
        return None
    try:
        found = date.fromisoformat(str(value).strip())
    except ValueError:
        errors["taken_on"] = "Enter the date taken as a real date, for example 27 11 2026."
        return None
    if found > today:
        errors["taken_on"] = "The date taken cannot be in the future."
    return found


def _media_type(data: bytes, errors: dict[str, str]) -> str | None:
    found = filetype.guess_mime(data[:8192]) if data else None
    if found in ACCEPTED:
        return found
    if found in PROGRAMS:
        errors["file"] = (
            "The file is a program, whatever its name says; programs are never accepted. "
            f"Choose {WHAT_WE_TAKE}."
        )
    else:
        errors["file"] = (
            f"The file's content is not a type we accept, whatever its name says. Choose {WHAT_WE_TAKE}."
        )
    return None


def check(upload: Upload, limits: Limits, *, today: date) -> tuple[str, str, date | None]:
    """(media type, description, date taken), or ``Invalid`` with a message for each field."""
    errors: dict[str, str] = {}
    description = str(upload.description or "").strip()
    if not description:
        errors["description"] = "Describe what the file shows or records."
    elif len(description) > DESCRIPTION_MAX:
        errors["description"] = f"The description can be at most {DESCRIPTION_MAX:,} characters."
    taken = _taken_on(upload.taken_on, today, errors)
    media_type = None
    if not upload.filename and not upload.data:
        errors["file"] = "Choose the file to upload."
    elif not upload.data:
        errors["file"] = "The file is empty."
    elif len(upload.data) > limits.max_bytes:
        errors["file"] = (
            f"The file is {megabytes(len(upload.data))}; files can be at most {megabytes(limits.max_bytes)}."
        )
    else:
        media_type = _media_type(upload.data, errors)
    if errors or media_type is None:
        raise Invalid(errors)
    return media_type, description, taken


def thumbnail(data: bytes) -> bytes:
    """A JPEG no larger than ``THUMBNAIL_SIZE``; ``Invalid`` for an image that cannot be read."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                image.load()
                picture = image.convert("RGB")
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
        Image.DecompressionBombWarning,
        Image.DecompressionBombError,
    ) as err:
        raise Invalid(
            {"file": "The photo could not be read: the file is damaged or not really a photo."}
        ) from err
    picture.thumbnail(THUMBNAIL_SIZE)
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=80)
    return out.getvalue()


def file_name(filename: str) -> str:
    """The uploaded file's own name, without any folder a browser sent."""
    name = PureWindowsPath(PurePosixPath(filename or "").name).name.strip()
    return (name or "upload")[:255]


def add(
    session: Session,
    reference: str,
    upload: Upload,
    *,
    store: EvidenceStore,
    limits: Limits,
    user: User | None,
    actor: audit.Actor,
    now: datetime,
    by: str | None = None,
) -> Evidence:
    """Check, scan and store the file, and add it to the case ``reference`` (``Invalid`` lists
    what to correct; a virus found is refused and recorded in the audit log). ``by``: who sent it
    when no one signed in did (the reporter, from the public pages)."""
    case = writable_case(session, reference)
    media_type, description, taken = check(upload, limits, today=now.date())
    small = thumbnail(upload.data) if media_type in THUMBNAILED else None
    _scan(session, case, upload, limits, actor, now)
    key = f"{case.id}/{uuid.uuid4().hex}"
    stored = [key]
    store.put(key, upload.data)
    try:
        if small is not None:
            stored.append(key + ".thumb.jpg")
            store.put(stored[-1], small)
        with steps.case_step(session, now=now, user=user, actor=actor, by=by, case=case) as step:
            item = Evidence(
                case_id=case.id,
                kind=ACCEPTED[media_type],
                description=description,
                taken_on=taken,
                filename=file_name(upload.filename),
                media_type=media_type,
                size=len(upload.data),
                sha256=hashlib.sha256(upload.data).hexdigest(),
                storage_key=key,
                thumbnail_key=key + ".thumb.jpg" if small is not None else None,
                scan_status=_scan_status(limits),
                uploaded_at=now,
                uploaded_by=step.by,
            )
            session.add(item)
            step.audit(
                "edit", subject_type="case", subject=case.reference, detail=f"evidence added: {item.filename}"
            )
            step.record(EvidenceAdded(f"{KIND_LABELS[item.kind]}: {description}"))
    except BaseException:
        for written in stored:
            store.delete(written)
        raise
    return item


def _scan_status(limits: Limits) -> str:
    return "clean" if limits.scanner else "not_scanned"


def _scan(
    session: Session, case: Case, upload: Upload, limits: Limits, actor: audit.Actor, now: datetime
) -> None:
    try:
        result = scan(limits.scanner, upload.data)
    except ScannerUnavailable as err:
        raise Invalid({"file": UNSCANNED}) from err
    if result.status != "infected":
        return
    with steps.unit_of_work(session, now=now, actor=actor) as step:
        step.audit(
            "upload-refused",
            subject_type="case",
            subject=case.reference,
            detail=f"virus {result.signature} in {file_name(upload.filename)}",
            outcome="refused",
        )
    raise Invalid(
        {"file": f"The virus scanner found a virus ({result.signature}) in the file, so it was not stored."}
    )


def for_case(session: Session, case: Case) -> list[Evidence]:
    """The case's evidence, newest first."""
    return list(
        session.scalars(
            select(Evidence)
            .where(Evidence.case_id == case.id)
            .order_by(Evidence.uploaded_at.desc(), Evidence.id.desc())
        )
    )


def find(session: Session, reference: str, evidence_id: int) -> Evidence | None:
    """The evidence ``evidence_id`` of the case ``reference``, or None."""
    case = find_case(session, reference)
    item = session.get(Evidence, evidence_id)
    return item if item is not None and item.case_id == case.id else None
