"""The single sign-on settings (OpenID Connect), read from the environment and checked at
start-up so that a mistake stops the app with a message naming the variable.

``OIDC_GROUP_MAP`` (JSON) or ``OIDC_GROUP_MAP_FILE`` (a JSON file) maps each provider group to a
role and teams, e.g. ``{"HateCrime-Officers": {"role": "officer", "teams": ["community-safety"]}}``.
A person in several mapped groups gets the most powerful of their roles and every team."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from casework.permissions import Role

LOOPBACK = ("127.0.0.1", "localhost", "::1")


class SsoConfigError(RuntimeError):
    pass


def from_environment() -> dict[str, Any]:
    return {
        "OIDC_ISSUER": (os.environ.get("OIDC_ISSUER") or "").rstrip("/"),
        "OIDC_CLIENT_ID": os.environ.get("OIDC_CLIENT_ID") or "",
        "OIDC_CLIENT_SECRET": os.environ.get("OIDC_CLIENT_SECRET") or "",
        # Shown on the button: "Sign in with <name>".
        "OIDC_NAME": os.environ.get("OIDC_NAME") or "your organisation's account",
        "OIDC_GROUPS_CLAIM": os.environ.get("OIDC_GROUPS_CLAIM") or "groups",
        "OIDC_GROUP_MAP": _group_map(),
    }


def _group_map() -> dict[str, Any]:
    path = os.environ.get("OIDC_GROUP_MAP_FILE")
    name, raw = ("OIDC_GROUP_MAP", os.environ.get("OIDC_GROUP_MAP") or "")
    if path:
        name = "OIDC_GROUP_MAP_FILE"
        try:
            raw = Path(path).read_text(encoding="utf-8")
        except OSError as error:
            raise SsoConfigError(f"OIDC_GROUP_MAP_FILE cannot be read: {error.strerror} ({path}).") from None
    if not raw.strip():
        return {}
    try:
        value = json.loads(raw)
    except ValueError:
        raise SsoConfigError(f"{name} must be JSON, like {_EXAMPLE}.") from None
    if not isinstance(value, dict):
        raise SsoConfigError(f"{name} must be a JSON object, like {_EXAMPLE}.")
    return value


_EXAMPLE = '{"Officers": {"role": "officer", "teams": ["community-safety"]}}'


def enabled(config: dict[str, Any]) -> bool:
    return bool(config.get("OIDC_ISSUER"))


def check(config: dict[str, Any]) -> None:
    """Stop start-up on a half-made or wrong single sign-on configuration."""
    named = [n for n in ("OIDC_ISSUER", "OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET") if config.get(n)]
    if not named:
        return
    missing = [n for n in ("OIDC_ISSUER", "OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET") if not config.get(n)]
    if missing:
        raise SsoConfigError(f"Single sign-on needs {' and '.join(missing)} as well as {', '.join(named)}.")
    issuer = urlsplit(str(config["OIDC_ISSUER"]))
    if not (issuer.scheme == "https" or (issuer.scheme == "http" and issuer.hostname in LOOPBACK)):
        raise SsoConfigError("OIDC_ISSUER must be an https:// address (the provider's issuer).")
    group_map = config.get("OIDC_GROUP_MAP") or {}
    if not group_map:
        raise SsoConfigError(
            "Single sign-on needs OIDC_GROUP_MAP (or OIDC_GROUP_MAP_FILE): which provider groups "
            f"give which role and teams, like {_EXAMPLE}."
        )
    roles = ", ".join(r.value for r in Role)
    for group, entry in group_map.items():
        if not isinstance(entry, dict) or entry.get("role") not in {r.value for r in Role}:
            raise SsoConfigError(f"OIDC_GROUP_MAP: group {group!r} needs a role, one of {roles}.")
        teams = entry.get("teams", [])
        if not isinstance(teams, list) or not all(isinstance(t, str) and t for t in teams):
            raise SsoConfigError(
                f"OIDC_GROUP_MAP: the teams of group {group!r} must be a list of team names."
            )
