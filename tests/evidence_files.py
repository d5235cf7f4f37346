"""Real files for the evidence tests: a JPEG photo made with Pillow, a program (this machine's
own ELF executable), and a ClamAV daemon started on a private socket."""

from __future__ import annotations

import hashlib
import io
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from PIL import Image

CLAMD = shutil.which("clamd") or "/usr/sbin/clamd"


def photo(width: int = 800, height: int = 600, colour: tuple[int, int, int] = (200, 40, 40)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, "JPEG", quality=90)
    return out.getvalue()


def program() -> bytes:
    """An ELF executable (``/bin/true``), to be sent named ``.jpg``."""
    data = Path("/bin/true").read_bytes()
    assert data[:4] == b"\x7fELF"
    return data


@contextmanager
def clamd(folder: Path, infected: bytes, name: str = "Test.Photo.Virus") -> Iterator[str]:
    """A real clamd whose only signature is the MD5 of ``infected``; yields its CLAMD_ADDRESS."""
    (folder / "db").mkdir(parents=True)
    digest = hashlib.md5(infected).hexdigest()  # ClamAV's hash signatures (.hdb) are MD5
    (folder / "db" / "test.hdb").write_text(f"{digest}:{len(infected)}:{name}\n")
    socket_path = folder / "clamd.sock"
    (folder / "clamd.conf").write_text(
        f"LocalSocket {socket_path}\nDatabaseDirectory {folder / 'db'}\nForeground yes\n"
        f"LogFile {folder / 'clamd.log'}\n"
    )
    process = subprocess.Popen([CLAMD, "-c", str(folder / "clamd.conf")], stdout=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while not socket_path.exists():
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("clamd did not start: " + (folder / "clamd.log").read_text())
            time.sleep(0.1)
        yield f"unix:{socket_path}"
    finally:
        process.terminate()
        process.wait(timeout=30)
