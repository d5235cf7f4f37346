"""Text messages behind one small interface: GOV.UK Notify when an API key is configured
(``NOTIFY_API_KEY`` and the id of a Notify text template whose whole content is
``((message))``, ``NOTIFY_SMS_TEMPLATE_ID``), otherwise only a line in the log. Texts are outbox
messages of kind ``sms`` (queued in the case step, delivered and retried like email)."""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from db.models import OutboxMessage

log = logging.getLogger(__name__)
KIND = "sms"


class LogSms:
    """No provider configured: the text is logged (without the number or the words) instead."""

    def send(self, message: OutboxMessage) -> None:
        log.info(
            "text message %s not sent (no NOTIFY_API_KEY): to a number ending %s",
            message.id,
            message.recipient[-3:],
        )


@dataclass(frozen=True)
class NotifySms:
    api_key: str
    template_id: str

    def send(self, message: OutboxMessage) -> None:
        from notifications_python_client.errors import APIError
        from notifications_python_client.notifications import NotificationsAPIClient

        client = NotificationsAPIClient(self.api_key)
        try:
            client.send_sms_notification(
                phone_number=message.recipient,
                template_id=self.template_id,
                personalisation={"message": message.body},
                reference=f"outbox-{message.id}",
            )
        except APIError as err:  # the outbox retries an OSError with backoff
            raise OSError(f"GOV.UK Notify refused the text: {err}") from err


def _setting(config: Mapping[str, Any], name: str) -> str:
    return str(config.get(name) or os.environ.get(name) or "")


def sender_from_config(config: Mapping[str, Any]) -> LogSms | NotifySms:
    key, template = _setting(config, "NOTIFY_API_KEY"), _setting(config, "NOTIFY_SMS_TEMPLATE_ID")
    if key and template:
        return NotifySms(key, template)
    return LogSms()
