"""The start page: the projects I answer for."""

from django.urls import reverse
from django.utils.translation import gettext as _

from jiati.accounts.models import COMPANY_ROLES, STAFF_ROLES
from jiati.projects import selectors
from jiati.projects.models import sees_project_internals


def start_page_widgets(*, user) -> list[dict]:
    if user.role not in STAFF_ROLES and user.role not in COMPANY_ROLES:
        return []
    area = selectors.area_projects_summary(user=user)
    url = reverse("projects:list")
    items = [
        {"label": _("Under way"), "value": area["live"], "url": f"{url}?status=active"},
        {"label": _("In service"), "value": area["in_service"], "url": f"{url}?stage=in_service"},
        {"label": _("Overdue"), "value": area["overdue"], "url": f"{url}?schedule=overdue&status=active"},
    ]
    area_widget = {"order": 20, "template": "core/_widget_counts.html", "title": _("Elevator projects in my area")}
    if not sees_project_internals(user):  # companies: their sites, without the staff's blockers and assignments
        return [area_widget | {"items": items}]
    items.append({"label": _("Blocked"), "value": area["blocked"], "url": f"{url}?blocked=true&status=active"})
    summary = selectors.my_projects_summary(user=user)
    return [
        area_widget | {"items": items},
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
