"""Virus scanning through a ClamAV daemon (clamd), when one is configured.

``CLAMD_ADDRESS`` names it: ``unix:/run/clamav/clamd.ctl`` or ``tcp:127.0.0.1:3310``. The file
is sent with clamd's INSTREAM command (length-prefixed chunks, a zero-length chunk to end) and
its one-line answer read: ``stream: OK`` or ``stream: <signature> FOUND``. Without an address
files are stored as "not scanned"; with one that cannot be reached, an upload is refused rather
than stored unscanned.
"""

from __future__ import annotations

import socket
import struct
from dataclasses import dataclass

CHUNK = 64 * 1024
TIMEOUT_SECONDS = 30.0


class ScannerUnavailable(RuntimeError):
    """The configured scanner did not answer."""


@dataclass(frozen=True)
class ScanResult:
    status: str  # "clean", "infected" or "not_scanned"
    signature: str | None = None


NOT_SCANNED = ScanResult("not_scanned")


def _connect(address: str) -> socket.socket:
    kind, _, rest = address.partition(":")
    if kind == "unix":
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(TIMEOUT_SECONDS)
        try:
            sock.connect(rest)
        except OSError:
            sock.close()
            raise
        return sock
    if kind == "tcp":
        host, _, port = rest.rpartition(":")
        return socket.create_connection((host, int(port)), timeout=TIMEOUT_SECONDS)
    raise ValueError(f"CLAMD_ADDRESS must start with unix: or tcp:, not {address!r}")


def scan(address: str | None, data: bytes) -> ScanResult:
    """Scan ``data`` with the clamd at ``address`` (None or empty: not scanned)."""
    if not address:
        return NOT_SCANNED
    try:
        with _connect(address) as sock:
            sock.sendall(b"zINSTREAM\0")
            for start in range(0, len(data), CHUNK):
                chunk = data[start : start + CHUNK]
                sock.sendall(struct.pack("!L", len(chunk)) + chunk)
            sock.sendall(struct.pack("!L", 0))
            answer = b""
            while not answer.endswith(b"\0"):
                part = sock.recv(4096)
                if not part:
                    break
                answer += part
    except OSError as err:
        raise ScannerUnavailable(str(err)) from err
    return _parse(answer.rstrip(b"\0").decode("utf-8", "replace").strip())


def _parse(answer: str) -> ScanResult:
    if answer.endswith("OK"):
        return ScanResult("clean")
    if answer.endswith("FOUND"):
        signature = answer.removeprefix("stream:").removesuffix("FOUND").strip()
        return ScanResult("infected", signature)
    raise ScannerUnavailable(f"the scanner answered {answer!r}")
