"""Signing residents in without telling a stranger whether a phone number owns a home (issue 19).

A known and an unknown number get the same answer and pass the same limits; only a number on an owner record is
sent a code. Limits live in the shared cache (core.ratelimit, the same counters as the elevator's fault report):
per phone, per network address and overall, each per hour; the day's text-message volume raises an alarm
(residents.otp).
"""

from __future__ import annotations

import contextlib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from jiati.core.errors import refuse
from jiati.core.ratelimit import limit_hit
from jiati.housing.models import Owner
from jiati.housing.services import phone_clean
from jiati.residents import otp

LOGIN_PURPOSE = "portal-login"


def _too_many():
    return _(
        "Too many codes were asked for just now. Please try again in an hour, or bring your property certificate "
        "to the service window."
    )


def signin_code_request(*, phone: str, address: str | None) -> str:
    """Send a sign-in code if `phone` is on an owner record; answer the same either way. Returns the clean phone.

    Raises ValidationError only for a malformed number or a limit reached — both independent of the register.
    """
    phone = phone_clean(phone)
    limit_hit(f"signin-phone-{phone}", settings.JIATI_SIGNIN_CODES_PER_PHONE_HOUR, field="phone", message=_too_many())
    if address:
        limit_hit(
            f"signin-address-{address}",
            settings.JIATI_SIGNIN_CODES_PER_ADDRESS_HOUR,
            field="phone",
            message=_too_many(),
        )
    limit_hit("signin-all", settings.JIATI_SIGNIN_CODES_PER_HOUR, field="phone", message=_too_many())
    if Owner.objects.filter(phone=phone).exists():
        # "Too soon" or "too many" for a known number only: saying so would tell who owns a home.
        with contextlib.suppress(ValidationError):
            otp.otp_send(phone=phone, purpose=LOGIN_PURPOSE)
    else:
        otp.otp_decoy()
    return phone


def signin_code_verify(*, phone: str, code: str) -> Owner:
    """The owner this code signs in (the first owner record of the phone), or one plain refusal for every failure.

    Wrong, expired, used, locked, or never sent (an unknown number) read alike, so the code step cannot be used
    to probe the register either.
    """
    try:
        otp.otp_verify(phone=phone, purpose=LOGIN_PURPOSE, code=code)
    except ValidationError:
        raise refuse(
            _("This code is not right or no longer valid. Check the text message, or ask for a new code."),
            code="otp_invalid",
            field="code",
        ) from None
    owner = Owner.objects.filter(phone=phone).order_by("id").first()
    if owner is None:  # the record was changed after the code was sent
        raise refuse(_("This number is no longer on an owner record."), code="otp_invalid", field="code")
    return owner
