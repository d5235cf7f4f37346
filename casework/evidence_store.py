"""Where evidence files are kept: outside the database, behind three operations (put, open,
delete) on keys the app chooses ("<case id>/<random>"), never the uploaded names.

One implementation on fsspec serves every backend by its URL: a folder (``file:///srv/evidence``,
the default is ``evidence/`` in the instance folder), S3 (``s3://bucket/evidence``, with the
``s3fs`` package) or Azure Blob (``az://container/evidence``, with ``adlfs``); credentials come
from the backend's usual environment variables, never from this app's settings.
"""

from __future__ import annotations

import os
from typing import IO, Any, Protocol, cast

import fsspec

from casework.settings import INSTANCE


class EvidenceStore(Protocol):
    def put(self, key: str, data: bytes) -> None: ...

    def open(self, key: str) -> IO[bytes]: ...

    def delete(self, key: str) -> None: ...


class FsspecStore:
    """An evidence store on any fsspec filesystem, under the root its URL names."""

    def __init__(self, url: str) -> None:
        fs, root = fsspec.core.url_to_fs(url)
        self.fs: Any = fs
        self.root = str(root).rstrip("/")
        self.url = url

    def _path(self, key: str) -> str:
        if not key or key.startswith("/") or ".." in key.split("/"):
            raise ValueError(f"not an evidence key: {key!r}")
        return f"{self.root}/{key}"

    def put(self, key: str, data: bytes) -> None:
        path = self._path(key)
        self.fs.makedirs(path.rsplit("/", 1)[0], exist_ok=True)
        with self.fs.open(path, "wb") as handle:
            handle.write(data)

    def open(self, key: str) -> IO[bytes]:
        return cast(IO[bytes], self.fs.open(self._path(key), "rb"))

    def delete(self, key: str) -> None:
        """Remove the file; one already gone is not an error (a retried retention run)."""
        path = self._path(key)
        if self.fs.exists(path):
            self.fs.rm(path)

    def exists(self, key: str) -> bool:
        return bool(self.fs.exists(self._path(key)))


def default_url() -> str:
    """``EVIDENCE_STORE_URL``, or the ``evidence`` folder in the instance folder."""
    return os.environ.get("EVIDENCE_STORE_URL") or (INSTANCE / "evidence").resolve().as_uri()


def open_store(url: str | None = None) -> FsspecStore:
    return FsspecStore(url or default_url())
