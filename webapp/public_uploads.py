"""The files input of the public report form and of the tracking page's diary: read the files
sent (each only up to one byte past the public limit), add them to the case after the report or
entry is saved, and word what was refused in the reporter's language."""

from __future__ import annotations

import logging

from flask import current_app, render_template, request
from flask_babel import gettext

import processes
from casework import evidence, public_uploads
from webapp import storage
from webapp.evidence import store

log = logging.getLogger(__name__)
FIELD = "files"
ENDPOINTS = ("public.report", "public.step", "tracking.act")
# The form's other fields; and room for every file at the limit plus one far over it, so that a
# file too large gets a message on the next page rather than a bare "too large" error.
HEADROOM = 1024 * 1024


def max_content_length() -> int:
    return (public_uploads.MAX_FILES + 2) * current_app.config["PUBLIC_UPLOAD_MAX_BYTES"] + HEADROOM


def limit() -> str:
    return evidence.megabytes(current_app.config["PUBLIC_UPLOAD_MAX_BYTES"])


def sent() -> list[public_uploads.File]:
    """The files chosen (an empty input sends a part with no name and no content: not a file)."""
    most = current_app.config["PUBLIC_UPLOAD_MAX_BYTES"]
    files = []
    for item in request.files.getlist(FIELD):
        data = item.stream.read(most + 1)
        if item.filename or data:
            files.append(public_uploads.File(item.filename or "", data))
    return files


def attach(reference: str, files: list[public_uploads.File], description: str) -> list[dict[str, str]]:
    """Add ``files`` to the case; the refused ones as {"name", "reason"} in the current language
    (plain data: it may be kept in the session for the next page)."""
    if not files:
        return []
    try:
        refused = public_uploads.attach(
            storage.session(),
            reference,
            files,
            description=description,
            store=store(),
            limits=evidence.Limits(
                current_app.config["PUBLIC_UPLOAD_MAX_BYTES"], current_app.config["CLAMD_ADDRESS"] or None
            ),
            ip=request.remote_addr,
            now=processes.clock.now(),
        )
    except Exception:  # e.g. the evidence store cannot be opened: the report is saved all the same
        log.exception("Files sent by a reporter could not be stored")
        refused = [
            public_uploads.Refused(evidence.file_name(f.filename), public_uploads.NOT_KEPT) for f in files
        ]
    return [{"name": item.filename, "reason": gettext(item.reason, limit=limit())} for item in refused]


def allow_uploads() -> None:
    """The before-request hook (before any hook reads the form): the public pages that take files
    may be larger than other requests."""
    if request.endpoint in ENDPOINTS and request.method == "POST":
        request.max_content_length = max_content_length()


def too_large() -> tuple[str, int]:
    """The page for a request over the limit on a public page (its form could not be read)."""
    page = render_template(
        "public/too_large.html", report=request.endpoint in ("public.report", "public.step"), limit=limit()
    )
    return page, 413
