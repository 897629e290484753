"""Petition deadlines of a region for the dashboard (hook `figures.region_figures`): open petitions due within
7 days and overdue ones, each linking to the petition list."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from jiati.consultation import permissions
from jiati.consultation.models import Petition

SOON_DAYS = 7


def region_figures(*, user, region) -> list[dict]:
    """Open petitions under `region` (the user's whole area when None) due within 7 days, and overdue: one query."""
    if not permissions.can_handle_petitions(user):
        return []
    rows = Petition.objects.visible_to(user).open()
    if region is not None:
        rows = rows.filter(community__path__startswith=region.path)
    today = timezone.localdate()
    counts = rows.aggregate(
        soon=Count("id", filter=Q(due_date__gte=today, due_date__lte=today + dt.timedelta(days=SOON_DAYS))),
        overdue=Count("id", filter=Q(due_date__lt=today)),
    )
    url = reverse("consultation:petition-list")
    return [
        {
            "key": "petitions_due_soon",
            "label": _("Petitions due within 7 days"),
            "value": counts["soon"],
            "url": url,
            "order": 80,
        },
        {
            "key": "petitions_overdue",
            "label": _("Overdue petitions"),
            "value": counts["overdue"],
            "url": url,
            "order": 81,
        },
    ]
