"""Site-check findings of a region for the dashboard (hook `figures.region_figures`): open and overdue
rectifications, each linking to the list behind it."""

from __future__ import annotations

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from jiati.accounts.permissions import has_role
from jiati.supervision.models import OPEN_RECTIFICATION, Rectification
from jiati.supervision.permissions import SUPERVISORS


def region_figures(*, user, region) -> list[dict]:
    """Open and overdue rectifications under `region` (the user's whole area when None): one aggregate query."""
    if not has_role(user, SUPERVISORS):
        return []
    rows = Rectification.objects.visible_to(user)
    if region is not None:
        rows = rows.filter(project__community__path__startswith=region.path)
    counts = rows.aggregate(
        open=Count("id", filter=Q(status__in=OPEN_RECTIFICATION)),
        overdue=Count("id", filter=Q(status__in=OPEN_RECTIFICATION, due_date__lt=timezone.localdate())),
    )
    url = reverse("supervision:rectification-list")
    return [
        {
            "key": "rectifications_open",
            "label": _("Open rectifications"),
            "value": counts["open"],
            "url": url,
            "order": 70,
        },
        {
            "key": "rectifications_overdue",
            "label": _("Overdue rectifications"),
            "value": counts["overdue"],
            "url": url,
            "order": 71,
        },
    ]
