"""Outside channels. Each is a small class with `send(recipient, title, body, url)`; settings choose which run.

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
from django.core.mail import send_mail
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

    def send(self, *, recipient, title: str, body: str, url: str) -> None:
        logger.info("[notification → %s] %s — %s %s", recipient, title, body, url)


class EmailChannel:
    name = "email"

    def send(self, *, recipient, title: str, body: str, url: str) -> None:
        if not recipient.email:
            raise ChannelUnavailable("no e-mail address")
        send_mail(title, f"{body}\n\n{absolute_url(url)}", None, [recipient.email])


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

    def send(self, *, recipient, title: str, body: str, url: str) -> None:
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


# --- SMS senders (also used for one-time codes) -------------------------------


class ConsoleSmsSender:
    """Writes the text message to the server log instead of sending it: the demo and tests. The text (with any
    one-time code, which the demo needs to sign in) is shown; the phone number is masked."""

    sent: list[tuple[str, str]] = []  # the last messages, kept in memory for tests

    def send(self, *, phone: str, text: str) -> None:
        ConsoleSmsSender.sent.append((phone, text))
        del ConsoleSmsSender.sent[:-50]
        logger.info("[SMS to %s] %s", mask_phone(phone), text)


class HttpSmsSender:
    """Posts {"phone": ..., "text": ...} to the SMS gateway at JIATI_SMS_GATEWAY_URL."""

    def send(self, *, phone: str, text: str) -> None:
        _post_json(settings.JIATI_SMS_GATEWAY_URL, {"phone": phone, "text": text})


def get_sms_sender():

    return import_string(settings.JIATI_SMS_SENDER)()
