"""One-time codes: send a six-digit code to a phone, verify it once, within 10 minutes, in at most 5 tries.

Codes are stored hashed; sending is rate-limited per phone (one a minute, ten an hour). Every code sent counts
towards the day's text-message volume; above settings.JIATI_SMS_ALARM_PER_DAY the platform administrators are told
(once a day) and a warning is logged, so code pumping at the district's cost is noticed.
The SMS sender is pluggable (settings.JIATI_SMS_SENDER); the demo prints codes to the console.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from jiati.core.errors import refuse
from jiati.core.ratelimit import count_hit
from jiati.notifications.channels import get_sms_sender
from jiati.residents.models import OneTimeCode

CODE_TTL = dt.timedelta(minutes=10)
MAX_ATTEMPTS = 5
RESEND_AFTER = dt.timedelta(seconds=60)
MAX_PER_HOUR = 10

logger = logging.getLogger("jiati.residents")


def otp_send(*, phone: str, purpose: str, text: str | None = None) -> OneTimeCode:
    """Send a new code for this purpose to this phone (earlier unused codes for it stop working)."""
    now = timezone.now()
    recent = OneTimeCode.objects.filter(phone=phone, created_at__gte=now - dt.timedelta(hours=1))
    if recent.filter(created_at__gte=now - RESEND_AFTER, purpose=purpose).exists():
        raise refuse(
            _("A code was sent less than a minute ago; please wait before asking again."),
            code="otp_too_soon",
            field="phone",
        )
    if recent.count() >= MAX_PER_HOUR:
        raise refuse(
            _("Too many codes were sent to this phone; try again in an hour."), code="otp_rate_limited", field="phone"
        )
    code = f"{secrets.randbelow(1_000_000):06d}"
    with transaction.atomic():
        OneTimeCode.objects.filter(phone=phone, purpose=purpose, used_at__isnull=True).update(used_at=now)
        otp = OneTimeCode.objects.create(
            phone=phone, purpose=purpose, code_hash=make_password(code), expires_at=now + CODE_TTL
        )
    message = (text or _("Your Jiati verification code is %(code)s. It is valid for 10 minutes.")) % {"code": code}
    get_sms_sender().send(phone=phone, text=message)
    sms_volume_count()
    return otp


def sms_volume_count() -> int:
    """Count one text message in today's volume; raise the alarm when the volume is abnormal (returns the count)."""
    today = timezone.localdate()
    sent = count_hit(f"sms-day-{today.isoformat()}", window_seconds=2 * 24 * 3600)
    if sent == settings.JIATI_SMS_ALARM_PER_DAY + 1:
        _sms_alarm(day=today, sent=sent)
    return sent


def _sms_alarm(*, day: dt.date, sent: int) -> None:
    from jiati.accounts.models import Role, User
    from jiati.core.stored_text import Message
    from jiati.notifications.services import notify

    logger.warning("Text-message volume is abnormal: %s one-time codes sent on %s", sent, day)
    notify(
        recipients=User.objects.filter(is_active=True, role=Role.PLATFORM_ADMIN),
        kind="sms_volume",
        title=Message(
            gettext_noop("More than %(limit)s one-time codes were sent today: check for code pumping."),
            limit=settings.JIATI_SMS_ALARM_PER_DAY,
        ),
        dedupe_key=f"sms-volume-{day.isoformat()}",
    )


def otp_decoy() -> None:
    """Hash a code nobody is sent: where no real code is made or checked (a number not on record), the answer
    still takes as long as where one is, so the time it takes does not tell who owns a home (issue 19)."""
    make_password(f"{secrets.randbelow(1_000_000):06d}")


def otp_verify(*, phone: str, purpose: str, code: str) -> None:
    """Accept the code once, or say why not (wrong, expired, too many tries). Raises ValidationError."""
    with transaction.atomic():
        otp = (
            OneTimeCode.objects.select_for_update()
            .filter(phone=phone, purpose=purpose, used_at__isnull=True)
            .order_by("-id")
            .first()
        )
        now = timezone.now()
        if otp is None:
            otp_decoy()
            raise refuse(_("Ask for a code first."), code="otp_missing", field="code")
        if otp.expires_at < now:
            otp_decoy()
            raise refuse(_("The code has expired; ask for a new one."), code="otp_expired", field="code")
        if otp.attempts >= MAX_ATTEMPTS:
            otp_decoy()
            raise refuse(_("Too many wrong codes; ask for a new one."), code="otp_locked", field="code")
        if not check_password((code or "").strip(), otp.code_hash):
            otp.attempts += 1
            otp.save(update_fields=["attempts"])
            left = MAX_ATTEMPTS - otp.attempts
            # The failed attempt must be counted even though we refuse: leave the atomic block normally.
            error = (
                refuse(_("The code is wrong (%(left)s tries left).") % {"left": left}, code="otp_wrong", field="code")
                if left
                else refuse(_("Too many wrong codes; ask for a new one."), code="otp_locked", field="code")
            )
        else:
            otp.used_at = now
            otp.save(update_fields=["used_at"])
            return
    raise error
