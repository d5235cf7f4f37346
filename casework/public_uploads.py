"""Photos and documents a member of the public sends with a report or a diary entry. They become
evidence on the case through ``casework.evidence`` (content type by the file's first bytes,
thumbnail, virus scan, evidence store), sent by the reporter, with the public's own limits: at
most ``MAX_FILES`` at a time, a smaller size, photos, PDF and Word only.

A refused file never costs the reporter their report or diary entry: the report (or entry) is
saved first, each file is then added in a step of its own, and what was refused comes back as a
list of (file name, reason) for the page to show. The reasons are fixed sentences (translated on
the page); the size limit is their only value.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

import filetype
from sqlalchemy.orm import Session

from casework import audit, consents, evidence
from casework.evidence_store import EvidenceStore
from casework.reporter_requests import BY

log = logging.getLogger(__name__)
MAX_FILES = 5
PUBLIC_TYPES = frozenset(
    {
        "image/jpeg",
        "image/png",
        "image/gif",
        "image/webp",
        "image/heic",
        "application/pdf",
        "application/msword",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    }
)
TOO_MANY = (
    "We take at most 5 files at a time. You can send this one with a diary entry from your tracking page."
)
TOO_BIG = "It is larger than %(limit)s, the most we take for one file."
EMPTY = "The file is empty."
NOT_TAKEN = "It is not a photo, a PDF or a Word document. We check what is inside a file, not its name."
NOT_KEPT = "We could not check it safely, so we did not keep it."


@dataclass(frozen=True)
class File:
    filename: str
    data: bytes  # at most one byte over the limit is read: enough to know it is too large


@dataclass(frozen=True)
class Refused:
    filename: str
    reason: str  # one of the fixed sentences above


def problem(file: File, index: int, max_bytes: int) -> str | None:
    """Why ``file`` (the ``index``-th sent) cannot be taken, or None."""
    if index >= MAX_FILES:
        return TOO_MANY
    if not file.data:
        return EMPTY
    if len(file.data) > max_bytes:
        return TOO_BIG
    if filetype.guess_mime(file.data[:8192]) not in PUBLIC_TYPES:
        return NOT_TAKEN
    return None


def attach(
    session: Session,
    reference: str,
    files: list[File],
    *,
    description: str,
    store: EvidenceStore,
    limits: evidence.Limits,
    ip: str | None,
    now: datetime,
) -> list[Refused]:
    """Add each acceptable file to the case ``reference`` as evidence sent by the reporter; the
    files not taken, with why."""
    refused: list[Refused] = []
    for index, file in enumerate(files):
        reason = problem(file, index, limits.max_bytes)
        if reason is None:
            reason = _add(session, reference, file, description, store, limits, ip, now)
        if reason is not None:
            refused.append(Refused(evidence.file_name(file.filename), reason))
    return refused


def _add(
    session: Session,
    reference: str,
    file: File,
    description: str,
    store: EvidenceStore,
    limits: evidence.Limits,
    ip: str | None,
    now: datetime,
) -> str | None:
    upload = evidence.Upload(file.filename, file.data, description, None)
    try:
        evidence.add(
            session,
            reference,
            upload,
            store=store,
            limits=limits,
            user=None,
            by=BY,
            actor=audit.Actor(None, None, ip),
            now=now,
        )
    except consents.Invalid:  # unreadable photo, a virus, no scanner: the page says so
        return NOT_KEPT
    except Exception:  # the report is already saved: a file that cannot be stored must not lose it
        log.exception("A file sent by a reporter could not be stored")
        return NOT_KEPT
    return None
