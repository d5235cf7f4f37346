"""The evidence store is chosen by URL: the same three operations on a folder and on another
fsspec filesystem (here fsspec's in-memory one, standing in for s3:// or az://); keys that could
leave the store's root are refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from casework.evidence_store import open_store


@pytest.mark.parametrize("kind", ["folder", "memory"])
def test_put_open_delete_by_url(kind: str, tmp_path: Path) -> None:
    url = (tmp_path / "evidence").as_uri() if kind == "folder" else "memory://evidence-test"
    store = open_store(url)
    store.put("7/abc", b"\x00photo bytes\xff")
    with store.open("7/abc") as handle:
        assert handle.read() == b"\x00photo bytes\xff"
    if kind == "folder":
        assert (tmp_path / "evidence" / "7" / "abc").read_bytes() == b"\x00photo bytes\xff"
    store.delete("7/abc")
    assert not store.exists("7/abc")
    store.delete("7/abc")  # already gone: a repeated retention run is not an error


@pytest.mark.parametrize("key", ["../outside", "7/../../outside", "/etc/passwd", ""])
def test_keys_leaving_the_root_are_refused(key: str, tmp_path: Path) -> None:
    store = open_store((tmp_path / "evidence").as_uri())
    with pytest.raises(ValueError):
        store.put(key, b"x")
