"""Two-factor sign-in with django-otp: a TOTP device (an authenticator app) and single-use recovery codes.

Setting up creates an unconfirmed TOTP device; the first correct code confirms it and issues ten recovery codes,
shown once (stored as django-otp static tokens, each usable once). An administrator who may manage the account can
remove a lost second factor; the person then sets up a new one at the next sign-in. Every change is audited.
"""

from __future__ import annotations

import secrets

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp import user_has_device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from jiati.administration.permissions import can_manage_user
from jiati.audit.models import AuditAction
from jiati.audit.services import audit_record
from jiati.core.errors import refuse

RECOVERY_CODES = 10


def has_second_factor(user) -> bool:
    return user_has_device(user, confirmed=True)


@transaction.atomic
def totp_device_start(*, user) -> TOTPDevice:
    """An unconfirmed device for the authenticator app (replacing an earlier unconfirmed one)."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)


@transaction.atomic
def totp_device_confirm(*, user, device: TOTPDevice, token: str) -> list[str]:
    """Confirm the device with its first code; returns the recovery codes (shown once)."""
    device = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=user, confirmed=False)
    if not device.verify_token((token or "").strip()):
        raise refuse(_("The code is not right. Check the time on your phone and try again."), code="bad_code",
                     field="token")  # fmt: skip
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    codes = recovery_codes_issue(user=user)
    audit_record(actor=user, instance=user, action=AuditAction.EVENT, message="second factor set up")
    return codes


@transaction.atomic
def recovery_codes_issue(*, user) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name="recovery codes", confirmed=True)
    codes = ["-".join((secrets.token_hex(2), secrets.token_hex(2))) for _i in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


@transaction.atomic
def second_factor_reset(*, actor, user) -> None:
    """An administrator removes a lost second factor (the person sets up a new one at the next sign-in)."""
    if actor is not None and not can_manage_user(actor, user):
        raise PermissionDenied
    removed = TOTPDevice.objects.filter(user=user).delete()[0] + StaticDevice.objects.filter(user=user).delete()[0]
    audit_record(
        actor=actor, instance=user, action=AuditAction.EVENT, message=f"second factor reset ({removed} devices)"
    )
