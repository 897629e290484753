"""Site-check findings of a region for the dashboard (hook `figures.region_figures`): open and overdue
rectifications, each linking to the list behind it."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q
from django.db.models.functions import TruncMonth
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from jiati.accounts.permissions import has_role
from jiati.organisation.selectors import counts_per_child, per_child_chart
from jiati.supervision.models import OPEN_RECTIFICATION, Rectification
from jiati.supervision.permissions import SUPERVISORS
from jiati.supervision.selectors import month_bounds, months_back, rectification_state_q


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


def _list_url(region_id, state: str, month=None, since=None) -> str:
    params = {"state": state}
    if region_id is not None:
        params["region"] = region_id
    if month is not None:
        params["month"] = f"{month:%Y-%m}"
    if since is not None:
        params["since"] = f"{since:%Y-%m}"
    return reverse("supervision:rectification-list") + "?" + urlencode(params)


FINDING_MONTHS = 6


def region_charts(*, user, region, children) -> list[dict]:
    """Two charts, each figure linking to the rectification list filtered to it: open rectifications (not yet
    due / overdue) per child region, and the findings of the last six months by what became of them (closed /
    open, not yet due / overdue). One grouped query each."""
    if not has_role(user, SUPERVISORS):
        return []
    rows = Rectification.objects.visible_to(user)
    if region is not None:
        rows = rows.filter(project__community__path__startswith=region.path)
    today = timezone.localdate()
    own = region.pk if region is not None else None
    open_states = ("on_time", "overdue")
    counts = {s: Count("id", filter=rectification_state_q(s, today=today)) for s in open_states}
    per_child = counts_per_child(rows, children, path_field="project__community__path", counts=counts)
    open_labels = {"on_time": _("Open, not yet due"), "overdue": _("Overdue")}
    by_area = per_child_chart(
        key="rectifications_by_area",
        title=_("Open rectifications by area"),
        order=70,
        series=[(s, open_labels[s]) for s in open_states],
        children=children,
        per_child=per_child,
        url_for=_list_url,
        own=own,
    )
    months = months_back(today, FINDING_MONTHS)
    since, _end = month_bounds(months[0])
    found_states = ("closed", "on_time", "overdue")
    found = {s: Count("id", filter=rectification_state_q(s, today=today)) for s in found_states}
    per_month = {}
    for row in (
        rows.filter(opened_at__gte=since)
        .annotate(month=TruncMonth("opened_at"))
        .values("month")
        .annotate(**found)
        .order_by()
    ):
        month = row.pop("month")
        per_month[month.date() if isinstance(month, dt.datetime) else month] = row
    found_labels = {"closed": _("Closed after re-check"), **open_labels}
    by_month = {
        "key": "findings_by_month",
        "title": _("Site-check findings per month"),
        "order": 71,
        "series": [{"key": s, "label": found_labels[s]} for s in found_states],
        "rows": [
            {
                "label": f"{m:%Y-%m}",
                "region_id": None,
                "values": [per_month.get(m, {}).get(s, 0) for s in found_states],
                "urls": [_list_url(own, s, m) for s in found_states],
            }
            for m in months
        ],
    }
    by_month["total"] = {
        "values": [sum(r["values"][i] for r in by_month["rows"]) for i in range(len(found_states))],
        "urls": [_list_url(own, s, since=months[0]) for s in found_states],
    }
    return [by_area, by_month]
