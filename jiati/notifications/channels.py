"""Outside channels. Each is a small class with `send(recipient, title, body, url)`; settings choose which run.

- console: logs the message (the demo; personal data is redacted by the log filter)
- email: Django's mail backend, to the recipient's e-mail address
- sms: an SMS gateway over HTTP (JIATI_SMS_GATEWAY_URL), to the recipient's phone
- wecom: a WeCom/WeChat Work group robot webhook (JIATI_WECOM_WEBHOOK_URL)
"""

from __future__ import annotations

import json
import logging
import urllib.request

from django.conf import settings
from django.core.mail import send_mail

logger = logging.getLogger("jiati.notifications")


class ChannelUnavailable(Exception):
    """The recipient cannot be reached on this channel (no address); not worth retrying."""


class ConsoleChannel:
    name = "console"

    def send(self, *, recipient, title: str, body: str, url: str) -> None:
        logger.info("[notification → %s] %s — %s %s", recipient, title, body, url)


class EmailChannel:
    name = "email"

    def send(self, *, recipient, title: str, body: str, url: str) -> None:
        if not recipient.email:
            raise ChannelUnavailable("no e-mail address")
        send_mail(title, f"{body}\n\n{settings.SITE_URL}{url}", None, [recipient.email])


def _post_json(url: str, payload: dict) -> None:
    if not url.startswith(("https://", "http://")):
        raise ChannelUnavailable("gateway not configured")
    request = urllib.request.Request(  # noqa: S310 - scheme checked above
        url,
        data=json.dumps(payload).encode(),
        method="POST",
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - configured gateway URL
        if response.status >= 300:
            raise RuntimeError(f"gateway answered {response.status}")


class SmsChannel:
    name = "sms"

    def send(self, *, recipient, title: str, body: str, url: str) -> None:
        if not recipient.phone:
            raise ChannelUnavailable("no phone number")
        get_sms_sender().send(phone=recipient.phone, text=f"【加梯】{title}")


class WeComChannel:
    name = "wecom"

    def send(self, *, recipient, title: str, body: str, url: str) -> None:
        _post_json(
            settings.JIATI_WECOM_WEBHOOK_URL,
            {
                "msgtype": "markdown",
                "markdown": {"content": f"**{title}**\n{body}\n[{settings.SITE_URL}{url}]({settings.SITE_URL}{url})"},
            },
        )


CHANNELS = {c.name: c for c in (ConsoleChannel(), EmailChannel(), SmsChannel(), WeComChannel())}


# --- SMS senders (also used for one-time codes) -------------------------------


class ConsoleSmsSender:
    """Prints the text message to the console: the demo and tests (codes are visible in the server log)."""

    sent: list[tuple[str, str]] = []  # the last messages, for tests

    def send(self, *, phone: str, text: str) -> None:
        ConsoleSmsSender.sent.append((phone, text))
        del ConsoleSmsSender.sent[:-50]
        print(f"[SMS to {phone}] {text}", flush=True)


class HttpSmsSender:
    """Posts {"phone": ..., "text": ...} to the SMS gateway at JIATI_SMS_GATEWAY_URL."""

    def send(self, *, phone: str, text: str) -> None:
        _post_json(settings.JIATI_SMS_GATEWAY_URL, {"phone": phone, "text": text})


def get_sms_sender():
    from django.utils.module_loading import import_string

    return import_string(settings.JIATI_SMS_SENDER)()
