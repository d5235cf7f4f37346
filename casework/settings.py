"""Settings: defaults, then the environment, then a test's overrides. Bad values stop start-up
with a message that names the variable.

Read by the web app (``webapp.create_app``), its command line (``flask …``) and the Celery worker
(``jobs.celery_app``), so that a worker does not load the web package to learn its settings. The
Flask-only keys (cookies, request size, CSRF) are added by ``webapp``."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from casework import sso_settings
from casework.permissions import Role

DEFAULT_SECRET = "dev-only-secret-change-me"
# The public reporting limits (webapp/flood.py): a genuine reporter on a shared address (a
# library, a support worker's office) fills the form in minutes, so several in 10 minutes.
REPORT_LIMIT_PER_ADDRESS = "5 per 10 minutes; 30 per day"
REPORT_LIMIT_OVERALL = "60 per hour; 300 per day"
ACKNOWLEDGEMENTS_PER_ADDRESS = 3
INSTANCE = Path(os.environ.get("HATECASES_INSTANCE", Path.cwd() / "instance"))


class ConfigError(RuntimeError):
    pass


def _int(name: str, default: int, low: int, high: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, not {raw!r}.") from None
    if not low <= value <= high:
        raise ConfigError(f"{name} must be between {low} and {high}, not {value}.")
    return value


def _choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    value = os.environ.get(name) or default
    if value not in choices:
        raise ConfigError(f"{name} must be one of {', '.join(choices)}, not {value!r}.")
    return value


def _limits(name: str, default: str) -> str:
    """Rate limits in Flask-Limiter's notation, e.g. ``5 per 10 minutes; 30 per day``."""
    value = os.environ.get(name) or default
    check_limits(name, value)
    return value


def check_limits(name: str, value: str) -> None:
    from limits import parse_many

    try:
        parse_many(value)
    except ValueError:
        raise ConfigError(
            f"{name} must be limits like '5 per 10 minutes; 30 per day', not {value!r}."
        ) from None


def from_environment() -> dict[str, Any]:
    database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{INSTANCE / 'hatecases.db'}"
    if database_url.startswith("postgres://"):
        database_url = "postgresql+psycopg://" + database_url.removeprefix("postgres://")
    elif database_url.startswith("postgresql://"):
        database_url = "postgresql+psycopg://" + database_url.removeprefix("postgresql://")
    if not database_url.startswith(("sqlite", "postgresql")):
        raise ConfigError("DATABASE_URL must be a sqlite:/// or postgresql:// URL.")
    env = _choice("HATECASES_ENV", "demo", ("demo", "production"))
    return {
        "HATECASES_ENV": env,
        # Roles that must sign in with a second factor (casework.two_factor): names with commas
        # between, "all" for everyone, empty for none.
        "TWO_FACTOR_REQUIRED_ROLES": os.environ.get(
            "TWO_FACTOR_REQUIRED_ROLES", "admin,manager" if env == "production" else ""
        ),
        "SECRET_KEY": os.environ.get("SECRET_KEY") or DEFAULT_SECRET,
        "DATABASE_URL": database_url,
        "TIMERS": _choice(
            "TIMERS", "celery" if os.environ.get("REDIS_URL") else "embedded", ("embedded", "celery", "off")
        ),
        "REDIS_URL": os.environ.get("REDIS_URL") or "",
        "SMTP_HOST": os.environ.get("SMTP_HOST") or "",
        "SMTP_PORT": _int("SMTP_PORT", 25, 1, 65535),
        "MAIL_FROM": os.environ.get("MAIL_FROM") or "case-system@localhost",
        "TIMER_INTERVAL_SECONDS": _int("TIMER_INTERVAL_SECONDS", 5, 1, 3600),
        "TIMER_REQUEUE_SECONDS": _int("TIMER_REQUEUE_SECONDS", 30, 1, 86400),
        # Cases whose due timers a worker fires in one transaction (1: each case on its own).
        "TIMER_BATCH": _int("TIMER_BATCH", 20, 1, 500),
        # Homes the landlord owns, for the regulator's measures per 1,000 homes (NM01).
        "HOMES": _int("HOMES", 10000, 1, 10_000_000),
        # Days after closure that a case keeps its personal data (policy 9); then the retention
        # job anonymises it. Six years by default; under 30 days is refused as a typo.
        "RETENTION_DAYS": _int("RETENTION_DAYS", 2190, 30, 36500),
        # Reverse proxies in front of the app whose X-Forwarded-For is trusted (sign-in throttling
        # and the audit log need the client's own address).
        # Minutes without a request after which a page session ends (sign in again).
        "IDLE_MINUTES": _int("IDLE_MINUTES", 30, 1, 1440),
        # Seconds a checked API token is remembered in each web process (casework.token_cache); a
        # change in another process reaches this one within that time. 0 looks every token up.
        "TOKEN_CACHE_SECONDS": _int("TOKEN_CACHE_SECONDS", 2, 0, 60),
        "PROXY_HOPS": _int("PROXY_HOPS", 0, 0, 5),
        # The public form and POST /api/reports: per client address, and for everyone together a
        # ceiling that keeps a flood from burying the caseload.
        "REPORT_LIMIT_PER_ADDRESS": _limits("REPORT_LIMIT_PER_ADDRESS", REPORT_LIMIT_PER_ADDRESS),
        "REPORT_LIMIT_OVERALL": _limits("REPORT_LIMIT_OVERALL", REPORT_LIMIT_OVERALL),
        # Acknowledgement emails to one address in 24 hours; past it the report is still taken.
        "ACKNOWLEDGEMENTS_PER_ADDRESS": _int(
            "ACKNOWLEDGEMENTS_PER_ADDRESS", ACKNOWLEDGEMENTS_PER_ADDRESS, 0, 1_000_000
        ),
        # Where a refused or held report sends people (policy 1.4's contact numbers).
        "PHONE_OFFICE_HOURS": os.environ.get("PHONE_OFFICE_HOURS") or "0300 111 0000",
        "PHONE_OUT_OF_HOURS": os.environ.get("PHONE_OUT_OF_HOURS") or "0800 633 5500",
        # Evidence files (casework.evidence): where they are kept (a folder, or s3:// / az:// with
        # s3fs / adlfs installed), the largest accepted, and the ClamAV daemon that scans them
        # (unix:/path or tcp:host:port; empty: files are stored as not scanned).
        "EVIDENCE_STORE_URL": os.environ.get("EVIDENCE_STORE_URL")
        or (INSTANCE / "evidence").resolve().as_uri(),
        "EVIDENCE_MAX_BYTES": _int("EVIDENCE_MAX_MB", 50, 1, 4096) * 1024 * 1024,
        "PUBLIC_UPLOAD_MAX_BYTES": _int("PUBLIC_UPLOAD_MAX_MB", 10, 1, 100) * 1024 * 1024,
        "CLAMD_ADDRESS": os.environ.get("CLAMD_ADDRESS") or "",
        # A repeat victim (casework.matching), flagged on the case page: this many incidents (cases
        # and further incidents) reported by the same victim within this many days.
        "REPEAT_VICTIM_INCIDENTS": _int("REPEAT_VICTIM_INCIDENTS", 3, 2, 100),
        "REPEAT_VICTIM_DAYS": _int("REPEAT_VICTIM_DAYS", 91, 1, 3650),
        "BPMN_DIR": os.environ.get("BPMN_DIR") or str(Path(__file__).resolve().parent.parent / "bpmn"),
        **_sso(),
    }


def _sso() -> dict[str, Any]:
    try:
        return sso_settings.from_environment()
    except sso_settings.SsoConfigError as error:
        raise ConfigError(str(error)) from None


def check_consistency(config: dict[str, Any]) -> None:
    if config["TIMERS"] == "celery" and not config.get("REDIS_URL"):
        raise ConfigError("TIMERS=celery needs REDIS_URL (e.g. redis://127.0.0.1:6379/0).")
    if config.get("REDIS_URL") and not str(config["REDIS_URL"]).startswith(("redis://", "rediss://")):
        raise ConfigError("REDIS_URL must start with redis:// or rediss://.")
    for name in ("REPORT_LIMIT_PER_ADDRESS", "REPORT_LIMIT_OVERALL"):
        check_limits(name, str(config[name]))
    try:
        sso_settings.check(config)
    except sso_settings.SsoConfigError as error:
        raise ConfigError(str(error)) from None
    required = {p.strip().lower() for p in str(config.get("TWO_FACTOR_REQUIRED_ROLES", "")).split(",")}
    unknown = sorted(required - {"", "all", *Role})
    if unknown:
        raise ConfigError(
            f"TWO_FACTOR_REQUIRED_ROLES names roles that do not exist: {', '.join(unknown)}. "
            f"Use 'all', or some of: {', '.join(Role)}."
        )


def check_production(config: dict[str, Any], demo_users: bool) -> None:
    if config["HATECASES_ENV"] != "production":
        return
    if config["SECRET_KEY"] == DEFAULT_SECRET or len(config["SECRET_KEY"]) < 32:
        raise ConfigError("Production mode needs SECRET_KEY set to a random value of 32+ characters.")
    if demo_users:
        raise ConfigError("Production mode refuses to start while demo users exist; remove them.")
