"""A real OpenID Connect provider for the single sign-on tests: ``provider.js`` (the certified
``oidc-provider`` package from npm) run with Node on a free loopback port. Its packages are
installed from the lock file by ``scripts/ensure-oidc-provider.sh`` (``make test`` runs it)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import requests

HERE = Path(__file__).resolve().parent
CLIENT_ID, CLIENT_SECRET = "hate-cases", "a-test-client-secret-of-some-length"
OFFICER = {
    "sub": "entra-0001",
    "email": "priya.patel@landlord.example",
    "name": "Priya Patel",
    "groups": ["HC-Officers"],
}
GROUP_MAP = {
    "HC-Officers": {"role": "officer", "teams": ["community-safety"]},
    "HC-Supervisors": {"role": "supervisor", "teams": ["supervisors", "community-safety"]},
}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Provider:
    redirect_uris: list[str]
    logout_uris: list[str]
    accounts: list[dict[str, Any]] = field(default_factory=lambda: [OFFICER])
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[str] | None = None

    @property
    def issuer(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def settings(self, **more: Any) -> dict[str, Any]:
        """The app's settings for this provider."""
        return {
            "OIDC_ISSUER": self.issuer,
            "OIDC_CLIENT_ID": CLIENT_ID,
            "OIDC_CLIENT_SECRET": CLIENT_SECRET,
            "OIDC_NAME": "Landlord Account",
            "OIDC_GROUPS_CLAIM": "groups",
            "OIDC_GROUP_MAP": GROUP_MAP,
            **more,
        }

    def start(self) -> Provider:
        if not (HERE / "node_modules" / "oidc-provider").is_dir():
            raise RuntimeError("The test OIDC provider is not installed: run scripts/ensure-oidc-provider.sh")
        env = {
            **os.environ,
            "PORT": str(self.port),
            "ISSUER": self.issuer,
            "CLIENT_ID": CLIENT_ID,
            "CLIENT_SECRET": CLIENT_SECRET,
            "REDIRECT_URIS": json.dumps(self.redirect_uris),
            "LOGOUT_URIS": json.dumps(self.logout_uris),
            "ACCOUNTS": json.dumps(self.accounts),
        }
        self.process = subprocess.Popen(
            ["node", "provider.js"],
            cwd=HERE,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if requests.get(f"{self.issuer}/.well-known/openid-configuration", timeout=2).ok:
                    return self
            except requests.ConnectionError:
                if self.process.poll() is not None:
                    raise RuntimeError(
                        f"The test OIDC provider stopped: {self.process.stdout.read()}"
                    ) from None  # type: ignore[union-attr]
                time.sleep(0.2)
        raise RuntimeError("The test OIDC provider did not start in 60 seconds")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            if self.process.stdout:
                self.process.stdout.close()

    def tamper(self, mode: str) -> None:
        """Make the token endpoint hand out a bad ID token (``forged``, ``expired``, ``audience``,
        ``issuer``), or good ones again (``none``)."""
        requests.post(f"{self.issuer}/__test/tamper", params={"mode": mode}, timeout=5).raise_for_status()

    def sign_in(self, authorize_url: str, email: str, until: str) -> str:
        """As a browser would: from the app's redirect to the provider, sign in as ``email`` and
        follow the redirects until one goes to an address starting with ``until``; returns it."""
        browser = requests.Session()
        url = authorize_url
        for _ in range(12):
            if url.startswith(until):
                return url
            answer = browser.get(url, allow_redirects=False)
            if answer.status_code == 200 and "/interaction/" in url:  # the provider's sign-in page
                answer = browser.post(url, data={"email": email}, allow_redirects=False)
            assert answer.status_code in (302, 303), answer.text
            url = urljoin(url, answer.headers["Location"])
        raise AssertionError(f"Never came back to {until}")
