"""The Celery application, configured from the same environment variables as the web app."""

from __future__ import annotations

from typing import Any

from celery import Celery
from celery.signals import worker_process_init

from casework.settings import check_consistency, from_environment
from db import Database

SWEEP_SECONDS = 1.0
RETENTION_SECONDS = 24 * 60 * 60.0


def _make() -> Celery:
    config = from_environment()
    check_consistency({**config, "TIMERS": "celery"} if config["REDIS_URL"] else config)
    app = Celery(
        "hatecases", broker=config["REDIS_URL"] or "redis://127.0.0.1:6379/0", include=["jobs.tasks"]
    )
    app.conf.update(
        task_ignore_result=True,
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=8,
        broker_connection_retry_on_startup=True,
        broker_transport_options={"visibility_timeout": 300},
        beat_schedule={
            "sweep-timers": {"task": "jobs.tasks.sweep_timers", "schedule": SWEEP_SECONDS},
            "drain-outbox": {"task": "jobs.tasks.drain_outbox", "schedule": 2.0},
            "anonymise-expired-cases": {
                "task": "jobs.tasks.anonymise_expired",
                "schedule": RETENTION_SECONDS,
            },
        },
        timezone="UTC",
    )
    app.conf.hatecases = config
    return app


celery = _make()
_database: Database | None = None


def database() -> Database:
    """This worker process's database (created after the fork, never shared across processes)."""
    global _database
    if _database is None:
        _database = Database(celery.conf.hatecases["DATABASE_URL"])
    return _database


@worker_process_init.connect
def _fresh_connections(**_: Any) -> None:
    global _database
    if _database is not None:
        _database.dispose()
    _database = None
