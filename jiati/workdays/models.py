"""The working-day calendar: public holidays and the weekend days officially made working days (调休).

Schedules (倒排工期), public-notice periods and deadlines count working days through
`jiati.workdays.services`; the district office keeps this table for each year.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CalendarDay(models.Model):
    date = models.DateField(_("date"), unique=True)
    is_working_day = models.BooleanField(
        _("working day"), help_text=_("Off for a public holiday; on for a weekend day made a working day.")
    )
    name = models.CharField(_("name"), max_length=60, blank=True)

    class Meta:
        verbose_name = _("calendar exception")
        verbose_name_plural = _("calendar exceptions")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.name}"
