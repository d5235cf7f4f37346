"""Embedded mode: a background thread fires due timers and sends queued email every few
seconds, in-process.

The scaled mode replaces it with Celery beat; both call ``processes.sweep``.
"""

from __future__ import annotations

import logging
import threading

from flask import Flask

import processes
from casework import outbox
from webapp import storage

log = logging.getLogger(__name__)


class TimerThread(threading.Thread):
    def __init__(self, app: Flask) -> None:
        super().__init__(name="timer-sweep", daemon=True)
        self.app = app
        self.interval = app.config["TIMER_INTERVAL_SECONDS"]
        self.stopped = threading.Event()

    def run(self) -> None:
        sessions = storage.database(self.app).sessions
        sender = outbox.sender_from_config(self.app.config)
        while not self.stopped.wait(self.interval):
            try:
                result = processes.sweep(sessions, processes.clock.now())
                if result.fired:
                    log.info("timers fired: %s", result)
                outbox.drain(sessions, sender, processes.clock.now())
            except Exception:  # keep sweeping; one bad sweep must not stop every later timer
                log.exception("timer sweep failed")

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
