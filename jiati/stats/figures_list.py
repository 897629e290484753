"""The named figures as rows {key, label, value, url}: what the dashboard cards, the API and the hook share."""

from __future__ import annotations

from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from jiati.projects.models import ScheduleState, Stage
from jiati.stats.selectors import Figures


def _projects(region, **params) -> str:
    if region is not None:
        params["region"] = region.pk
    return reverse("projects:list") + ("?" + urlencode(params) if params else "")


def named(f: Figures) -> list[dict]:
    r = f.region
    return [
        {"key": "projects", "label": _("Projects"), "value": f.total, "url": _projects(r)},
        {"key": "under_way", "label": _("Under way"), "value": f.under_way, "url": _projects(r, status="active")},
        {
            "key": "in_service",
            "label": _("In service"),
            "value": f.in_service,
            "url": _projects(r, stage=Stage.IN_SERVICE),
        },
        {
            "key": "overdue",
            "label": _("Overdue"),
            "value": f.overdue,
            "url": _projects(r, schedule=ScheduleState.OVERDUE),
        },
        {"key": "blocked", "label": _("Blocked"), "value": f.blocked, "url": _projects(r, blocked="true")},
        {"key": "suspended", "label": _("Suspended"), "value": f.suspended, "url": _projects(r, status="suspended")},
        {"key": "withdrawn", "label": _("Withdrawn"), "value": f.withdrawn, "url": _projects(r, status="withdrawn")},
        {"key": "votes_passed", "label": _("Votes passed"), "value": f.votes_passed, "url": None},
        {
            "key": "subsidy_paid",
            "label": _("Subsidy paid (yuan)"),
            "value": f.subsidy_paid,
            "url": reverse("subsidies:home"),
        },
        {
            "key": "subsidy_due",
            "label": _("Subsidy due, unpaid (yuan)"),
            "value": f.subsidy_due,
            "url": reverse("subsidies:home"),
        },
    ]
