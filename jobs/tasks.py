"""Celery tasks: beat sweeps due timers and pending mail; workers fire timers and send mail;
once a day the retention job anonymises the cases closed longer ago than the retention period."""

from __future__ import annotations

import logging
from datetime import timedelta

from celery import shared_task

import processes
from casework import outbox, retention, timers
from jobs.celery_app import celery, database

log = logging.getLogger(__name__)


@shared_task(name="jobs.tasks.sweep_timers", ignore_result=True)
def sweep_timers() -> int:
    """Queue every due timer's case, in batches of cases that a worker fires together (only due
    rows are read, through the due-time index)."""
    config = celery.conf.hatecases
    requeue_after = timedelta(seconds=config["TIMER_REQUEUE_SECONDS"])
    case_ids = timers.claim_due(database().sessions, processes.clock.now(), requeue_after=requeue_after)
    for batch in timers.batches(case_ids, config["TIMER_BATCH"]):
        fire_timers.delay(batch)
    return len(case_ids)


@shared_task(name="jobs.tasks.fire_timers", ignore_result=True)
def fire_timers(case_ids: list[int] | int) -> int:
    """Fire a batch of cases' due timers in one transaction, or one by one if one of them fails;
    a case another worker holds is skipped (it fires there). A bare case id is a message queued
    before batches, when each task fired one case."""
    batch = [case_ids] if isinstance(case_ids, int) else case_ids
    return timers.fire_batch(database().sessions, batch).fired


@shared_task(name="jobs.tasks.drain_outbox", ignore_result=True)
def drain_outbox() -> int:
    message_ids = outbox.claim_pending(database().sessions, processes.clock.now())
    for message_id in message_ids:
        deliver_message.delay(message_id)
    return len(message_ids)


@shared_task(name="jobs.tasks.deliver_message", ignore_result=True)
def deliver_message(message_id: int) -> bool:
    """Send one outbox message; on failure the outbox schedules a retry with backoff."""
    sender = outbox.sender_from_config(celery.conf.hatecases)
    return outbox.deliver(database().sessions, message_id, sender, processes.clock.now())


@shared_task(name="jobs.tasks.anonymise_expired", ignore_result=True)
def anonymise_expired() -> int:
    """Anonymise the closed cases past ``RETENTION_DAYS`` (batches, one transaction each)."""
    days = celery.conf.hatecases["RETENTION_DAYS"]
    with database().session() as session:
        return retention.anonymise_expired(session, now=processes.clock.now(), retention=timedelta(days=days))
