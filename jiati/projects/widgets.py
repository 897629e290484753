"""The start page: the projects I answer for."""

from django.urls import reverse
from django.utils.translation import gettext as _

from jiati.accounts.models import COMPANY_ROLES, STAFF_ROLES
from jiati.projects import selectors


def start_page_widgets(*, user) -> list[dict]:
    if user.role not in STAFF_ROLES and user.role not in COMPANY_ROLES:
        return []
    summary = selectors.my_projects_summary(user=user)
    area = selectors.area_projects_summary(user=user)
    url = reverse("projects:list")
    return [
        {
            "order": 20,
            "template": "core/_widget_counts.html",
            "title": _("Elevator projects in my area"),
            "items": [
                {"label": _("Under way"), "value": area["live"], "url": f"{url}?status=active"},
                {"label": _("In service"), "value": area["in_service"], "url": f"{url}?stage=in_service"},
                {"label": _("Overdue"), "value": area["overdue"], "url": f"{url}?schedule=overdue&status=active"},
                {"label": _("Blocked"), "value": area["blocked"], "url": f"{url}?blocked=true&status=active"},
            ],
        },
        {
            "order": 10,
            "template": "core/_widget_counts.html",
            "title": summary["title"],
            "items": [
                {"label": _("Mine"), "value": summary["mine"], "url": f"{url}?mine=true&status=active"},
                {"label": _("Overdue"), "value": summary["overdue"], "url": f"{url}?mine=true&schedule=overdue"},
                {"label": _("Blocked"), "value": summary["blocked"], "url": f"{url}?mine=true&blocked=true"},
            ],
        },
    ]
