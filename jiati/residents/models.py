"""One-time codes sent by SMS: how residents sign in to the portal and confirm an online vote."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class OneTimeCode(models.Model):
    """A hashed six-digit code for one phone and one purpose (portal sign-in, online vote), used at most once."""

    phone = models.CharField(_("phone"), max_length=20, db_index=True)
    purpose = models.CharField(_("purpose"), max_length=60)
    code_hash = models.CharField(_("code (hashed)"), max_length=128)
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    used_at = models.DateTimeField(_("used"), null=True, blank=True)

    class Meta:
        verbose_name = _("one-time code")
        verbose_name_plural = _("one-time codes")
        ordering = ["-id"]
        # The table keeps the name it had when the model lived in the portal app (moved by state only).
        db_table = "portal_onetimecode"
        indexes = [models.Index(fields=["phone", "purpose", "-id"], name="otp_lookup")]

    def __str__(self) -> str:
        return f"{self.purpose} {self.created_at:%Y-%m-%d %H:%M}"
