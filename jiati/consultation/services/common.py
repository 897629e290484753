"""Helpers the consultation services share."""

from __future__ import annotations

import logging

from django.db import transaction

from jiati.core.errors import refuse
from jiati.notifications.channels import get_sms_sender

logger = logging.getLogger("jiati.consultation")

SMS_PREFIX = "【加梯】"


def text_or_refuse(value: str | None, message, *, field: str, code: str = "required") -> str:

    text = (value or "").strip()
    if not text:
        raise refuse(message, code=code, field=field)
    return text


def sms_after_commit(phone: str, text: str) -> None:
    """Text a resident (residents are not users) once the change is committed; a failing gateway is logged."""
    if not phone:
        return

    def send():
        try:
            get_sms_sender().send(phone=phone, text=SMS_PREFIX + text)
        except Exception:
            logger.exception("SMS to a resident failed")

    transaction.on_commit(send)
