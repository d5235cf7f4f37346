"""Embedded mode: a background thread fires due timers and sends queued email every few
seconds, in-process, and runs the retention job at start-up and once a day.

The scaled mode replaces it with Celery beat; both call ``timers.sweep`` and
``casework.retention``.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta

from flask import Flask
from sqlalchemy.orm import Session, sessionmaker

import processes
from casework import evidence_store, outbox, retention, timers
from webapp import storage

log = logging.getLogger(__name__)
RETENTION_EVERY = timedelta(days=1)


class TimerThread(threading.Thread):
    def __init__(self, app: Flask) -> None:
        super().__init__(name="timer-sweep", daemon=True)
        self.app = app
        self.interval = app.config["TIMER_INTERVAL_SECONDS"]
        self.retention = timedelta(days=app.config["RETENTION_DAYS"])
        self.stopped = threading.Event()

    def run(self) -> None:
        sessions = storage.database(self.app).sessions
        sender = outbox.sender_from_config(self.app.config)
        retention_due = processes.clock.now()  # at start-up: one indexed query when nothing is due
        while True:
            retention_due = self.retain(sessions, retention_due)
            if self.stopped.wait(self.interval):
                return
            try:
                result = timers.sweep(
                    sessions, processes.clock.now(), cases_per_batch=self.app.config["TIMER_BATCH"]
                )
                if result.fired:
                    log.info("timers fired: %s", result)
                outbox.drain(sessions, sender, processes.clock.now())
            except Exception:  # keep sweeping; one bad sweep must not stop every later timer
                log.exception("timer sweep failed")

    def retain(self, sessions: sessionmaker[Session], due: datetime) -> datetime:
        """Run the retention job if it is due; returns when it is due next."""
        now = processes.clock.now()
        if now < due:
            return due
        try:
            with sessions() as session:
                count = retention.anonymise_expired(
                    session,
                    now=now,
                    retention=self.retention,
                    store=evidence_store.open_store(self.app.config["EVIDENCE_STORE_URL"]),
                )
            if count:
                log.info("retention: %s cases anonymised", count)
        except Exception:  # tried again tomorrow; the timers must keep firing meanwhile
            log.exception("retention job failed")
        return now + RETENTION_EVERY

    def stop(self) -> None:
        self.stopped.set()


def init_app(app: Flask) -> None:
    def start() -> TimerThread | None:
        if app.config["TIMERS"] != "embedded":
            return None
        thread = TimerThread(app)
        thread.start()
        app.extensions["timer_thread"] = thread
        return thread

    app.extensions["start_timers"] = start
