"""Outside channels. Each is a small class with `send(recipient, title, body, url, key)`; settings choose which run.

`key` is the delivery's idempotency key, the same for every attempt of one delivery: the channel hands it on where
the other side can use it. `idempotent` says whether the other side deduplicates on it, so that a delivery whose
worker died in the send may be sent again safely (`services.delivery_attempt`); a channel that cannot says False
and such a delivery is sent at most once.

- console: logs the message (the demo; personal data is redacted by the log filter)
- email: Django's mail backend, to the recipient's e-mail address
- sms: an SMS gateway over HTTP (JIATI_SMS_GATEWAY_URL), to the recipient's phone
- wecom: a WeCom/WeChat Work group robot webhook: the recipient's own service group's robot
  (`ServiceGroup.wecom_webhook_url`), else the deployment's (JIATI_WECOM_WEBHOOK_URL)
"""

from __future__ import annotations

import json
import logging
import urllib.request

from django.conf import settings
from django.core.mail import EmailMessage
from django.db.models.functions import Length
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from jiati.core.personal_data import mask_phone
from jiati.core.site import absolute_url
from jiati.organisation.models import ServiceGroup

logger = logging.getLogger("jiati.notifications")


class ChannelUnavailable(Exception):
    """The recipient cannot be reached on this channel (no address); not worth retrying."""


class ConsoleChannel:
    name = "console"
    idempotent = True  # a log line twice harms no one

    def send(self, *, recipient, title: str, body: str, url: str, key: str = "") -> None:
        logger.info("[notification → %s] %s — %s %s (%s)", recipient, title, body, url, key)


def message_id(key: str) -> str:
    """The e-mail's Message-ID for a delivery key: the same for every attempt, so mail systems and readers that
    thread or deduplicate on it see one message."""
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2] or "jiati"
    return f"<{key}@{domain}>"


class EmailChannel:
    name = "email"
    # The key is the Message-ID, but an SMTP relay does not drop a second message with the same one.
    idempotent = False

    def send(self, *, recipient, title: str, body: str, url: str, key: str = "") -> None:
        if not recipient.email:
            raise ChannelUnavailable("no e-mail address")
        headers = {"Message-ID": message_id(key)} if key else None
        EmailMessage(title, f"{body}\n\n{absolute_url(url)}", None, [recipient.email], headers=headers).send()


def _post_json(url: str, payload: dict, *, headers: dict | None = None) -> None:
    if not url.startswith(("https://", "http://")):
        raise ChannelUnavailable("gateway not configured")
    request = urllib.request.Request(  # noqa: S310 - scheme checked above
        url,
        data=json.dumps(payload).encode(),
        method="POST",
        headers={"Content-Type": "application/json", **(headers or {})},
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - configured gateway URL
        if response.status >= 300:
            raise RuntimeError(f"gateway answered {response.status}")


class SmsChannel:
    name = "sms"

    @property
    def idempotent(self) -> bool:
        """As the configured sender says (the console sender is; the HTTP gateway when the deployment says so)."""
        return bool(getattr(get_sms_sender(), "idempotent", False))

    def send(self, *, recipient, title: str, body: str, url: str, key: str = "") -> None:
        if not recipient.phone:
            raise ChannelUnavailable("no phone number")
        get_sms_sender().send(phone=recipient.phone, text=f"【加梯】{title}", key=key)


def wecom_webhook_for(recipient) -> str:
    """The group robot a notice for this person goes to: the narrowest service group they belong to that has one,
    else a group of their own unit (region or property office) with one, else the deployment's shared robot."""

    with_robot = ServiceGroup.objects.exclude(wecom_webhook_url="").order_by(Length("region__path").desc(), "id")
    url = with_robot.filter(memberships__user=recipient).values_list("wecom_webhook_url", flat=True).first()
    if not url and (recipient.region_id or recipient.property_office_id):
        own_unit = (
            with_robot.filter(property_office_id=recipient.property_office_id)
            if recipient.property_office_id
            else with_robot.filter(region_id=recipient.region_id, property_office__isnull=True)
        )
        url = own_unit.values_list("wecom_webhook_url", flat=True).first()
    return url or settings.JIATI_WECOM_WEBHOOK_URL


class WeComChannel:
    name = "wecom"
    # A group robot's webhook takes no message id and posts whatever it is given: a message is posted at most once.
    idempotent = False

    def send(self, *, recipient, title: str, body: str, url: str, key: str = "") -> None:
        webhook = wecom_webhook_for(recipient)
        if not webhook:
            raise ChannelUnavailable("no WeCom group robot for this recipient")
        link = absolute_url(url)
        addressed = _("For %(name)s") % {"name": recipient}
        _post_json(
            webhook,
            {"msgtype": "markdown", "markdown": {"content": f"**{title}**\n{addressed}\n{body}\n[{link}]({link})"}},
        )


CHANNELS = {c.name: c for c in (ConsoleChannel(), EmailChannel(), SmsChannel(), WeComChannel())}


def channel_is_idempotent(name: str) -> bool:
    """Whether a message sent again over this channel with the same key reaches its reader once."""
    return bool(getattr(CHANNELS[name], "idempotent", False))


# --- SMS senders (also used for one-time codes) -------------------------------


class ConsoleSmsSender:
    """Writes the text message to the server log instead of sending it: the demo and tests. The text (with any
    one-time code, which the demo needs to sign in) is shown; the phone number is masked."""

    sent: list[tuple[str, str]] = []  # the last messages, kept in memory for tests
    idempotent = True

    def send(self, *, phone: str, text: str, key: str = "") -> None:
        ConsoleSmsSender.sent.append((phone, text))
        del ConsoleSmsSender.sent[:-50]
        logger.info("[SMS to %s] %s", mask_phone(phone), text)


class HttpSmsSender:
    """Posts {"phone": ..., "text": ..., "idempotency_key": ...} to the SMS gateway at JIATI_SMS_GATEWAY_URL, the key
    also as the `Idempotency-Key` header (a notification's delivery key; one-time codes have none). The gateway
    deduplicates on it only if the deployment says so (JIATI_SMS_GATEWAY_DEDUPLICATES; docs/deployment.md)."""

    @property
    def idempotent(self) -> bool:
        return bool(settings.JIATI_SMS_GATEWAY_DEDUPLICATES)

    def send(self, *, phone: str, text: str, key: str = "") -> None:
        payload = {"phone": phone, "text": text}
        if key:
            payload["idempotency_key"] = key
        _post_json(settings.JIATI_SMS_GATEWAY_URL, payload, headers={"Idempotency-Key": key} if key else None)


def get_sms_sender():

    return import_string(settings.JIATI_SMS_SENDER)()
