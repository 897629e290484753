"""Petition deadlines of a region for the dashboard (hooks `figures.region_figures` and `figures.region_charts`):
open petitions due within 7 days and overdue as cards; open petitions by deadline bucket per child region as a
chart, each figure linking to the petition list filtered to it."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from jiati.consultation import permissions
from jiati.consultation.models import Petition
from jiati.consultation.selectors import DEADLINE_BUCKETS, deadline_bucket_q
from jiati.organisation.selectors import counts_per_child, per_child_chart

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


def _list_url(region_id, bucket: str) -> str:
    params = {"deadline": bucket}
    if region_id is not None:
        params["region"] = region_id
    return reverse("consultation:petition-list") + "?" + urlencode(params)


def region_charts(*, user, region, children) -> list[dict]:
    """Open petitions by deadline bucket, per child region and for the region as a whole: one grouped query."""
    if not permissions.can_handle_petitions(user):
        return []
    rows = Petition.objects.visible_to(user)
    if region is not None:
        rows = rows.filter(community__path__startswith=region.path)
    today = timezone.localdate()
    counts = {b: Count("id", filter=deadline_bucket_q(b, today=today)) for b, _label in DEADLINE_BUCKETS}
    per_child = counts_per_child(rows, children, path_field="community__path", counts=counts)
    return [
        per_child_chart(
            key="petition_deadlines",
            title=_("Open petitions by deadline"),
            order=80,
            series=DEADLINE_BUCKETS,
            children=children,
            per_child=per_child,
            url_for=_list_url,
            own=region.pk if region is not None else None,
        )
    ]
