"""Companies the programme works with: elevator makers (brands), construction
teams, maintainers. The red/black list (红黑榜) scores them later."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from jiati.accounts.scoping import Reach, ScopedQuerySet


class CompanyQuerySet(ScopedQuerySet):
    # Companies are public directory data for staff; a company's own staff see their company.
    reach = Reach(all_staff=True, contractor="pk", maintainer="pk")


class Company(models.Model):
    name = models.CharField(_("name"), max_length=160)
    credit_code = models.CharField(_("unified social credit code"), max_length=18, unique=True)
    brand = models.CharField(_("elevator brand"), max_length=80, blank=True)
    is_manufacturer = models.BooleanField(_("elevator maker"), default=False)
    is_contractor = models.BooleanField(_("construction team"), default=False)
    is_maintainer = models.BooleanField(_("maintainer"), default=False)
    contact_name = models.CharField(_("contact"), max_length=60, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=20, blank=True)
    address = models.CharField(_("address"), max_length=255, blank=True)

    objects = CompanyQuerySet.as_manager()

    class Meta:
        verbose_name = _("company")
        verbose_name_plural = _("companies")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
