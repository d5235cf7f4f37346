"""The outbox: messages to the outside world, queued in the case step's transaction and
delivered afterwards with retries and backoff, so none is lost if a mail server or the queue
is down."""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Any, Protocol

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, sessionmaker

from casework import sms, steps
from db import queue
from db.models import OutboxMessage

log = logging.getLogger(__name__)
MAX_BACKOFF = timedelta(hours=1)
REQUEUE_AFTER = timedelta(minutes=2)


class Sender(Protocol):
    def send(self, message: OutboxMessage) -> None: ...


@dataclass(frozen=True)
class SmtpSender:
    host: str
    port: int
    sender: str
    timeout: float = 10.0

    def send(self, message: OutboxMessage) -> None:
        email = EmailMessage()
        email["From"] = self.sender
        email["To"] = message.recipient
        email["Subject"] = message.subject
        email.set_content(message.body)
        letter = message.document
        if letter is not None and letter.pdf:
            email.add_attachment(
                letter.pdf, maintype="application", subtype="pdf", filename=f"{_file_name(letter.title)}.pdf"
            )
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
            smtp.send_message(email)


def _file_name(title: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in title).strip("-").lower()[:80] or "letter"


class LogSender:
    """Demo mode without a mail server: the message is written to the log instead."""

    def send(self, message: OutboxMessage) -> None:
        log.info("email (not sent, no SMTP_HOST): to=%s subject=%s", message.recipient, message.subject)


# Kinds whose body holds a secret the recipient needs once (a tracking code): blanked once sent.
BLANK_ONCE_SENT = {
    "tracking_code": "[removed once sent: it held the reporter's tracking code]",
    "closure_survey": "[removed once sent: it held the victim's private survey link]",
}


@dataclass(frozen=True)
class ByKind:
    """Texts (kind ``sms``) to the text sender, everything else to the mail sender."""

    mail: Sender
    texts: Sender

    def send(self, message: OutboxMessage) -> None:
        (self.texts if message.kind == sms.KIND else self.mail).send(message)


def sender_from_config(config: Mapping[str, Any]) -> Sender:
    """Mail and texts: see ``mail_sender_from_config`` and ``casework.sms``."""
    return ByKind(mail_sender_from_config(config), sms.sender_from_config(config))


def mail_sender_from_config(config: Mapping[str, Any]) -> Sender:
    """SMTP when ``SMTP_HOST`` is set, otherwise the log (demo mode)."""
    if config.get("SMTP_HOST"):
        return SmtpSender(
            str(config["SMTP_HOST"]),
            int(config.get("SMTP_PORT") or 25),
            str(config.get("MAIL_FROM") or "case-system@localhost"),
        )
    return LogSender()


def claim_pending(sessions: sessionmaker[Session], now: datetime, batch: int = 500) -> list[int]:
    """Mark up to ``batch`` messages due for an attempt as queued; return their ids."""
    with steps.own_session(sessions, now=now) as step:
        ids = queue.claim(
            step.session,
            OutboxMessage,
            due=OutboxMessage.delivered_at.is_(None)
            & (OutboxMessage.next_attempt_at <= now)
            & or_(OutboxMessage.queued_at.is_(None), OutboxMessage.queued_at <= now - REQUEUE_AFTER),
            order_by=OutboxMessage.next_attempt_at,
            batch=batch,
            at=now,
            returning=OutboxMessage.id,
        )
    return sorted(ids)


def deliver(sessions: sessionmaker[Session], message_id: int, sender: Sender, now: datetime) -> bool:
    """Try to send one message; on failure schedule the next attempt with exponential backoff."""
    with steps.own_session(sessions, now=now) as step:
        message = step.session.scalar(
            select(OutboxMessage).where(OutboxMessage.id == message_id).with_for_update(skip_locked=True)
        )
        if message is None or message.delivered_at is not None:
            return False
        message.attempts += 1
        try:
            sender.send(message)
        except (OSError, smtplib.SMTPException) as err:
            message.last_error = f"{type(err).__name__}: {err}"[:2000]
            message.next_attempt_at = now + min(MAX_BACKOFF, timedelta(seconds=5 * 2**message.attempts))
            message.queued_at = None
            log.warning(
                "outbox message %s not delivered (attempt %s): %s",
                message_id,
                message.attempts,
                message.last_error,
            )
            return False
        message.delivered_at = now
        message.last_error = None
        message.body = BLANK_ONCE_SENT.get(message.kind, message.body)
        return True


def drain(sessions: sessionmaker[Session], sender: Sender, now: datetime) -> int:
    """Deliver, in this process, everything due (the embedded mode); returns how many were sent."""
    return sum(deliver(sessions, message_id, sender, now) for message_id in claim_pending(sessions, now))
