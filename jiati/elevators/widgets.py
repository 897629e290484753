"""Start-page card: elevators in service that need attention, for the maintainer, the community and the district."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from jiati.accounts.models import Role

ROLES = frozenset({Role.MAINTAINER, Role.COMMUNITY, Role.SUBDISTRICT, Role.DISTRICT_OFFICE, Role.PLATFORM_ADMIN})


def start_page_widgets(*, user) -> list[dict]:
    if user.role not in ROLES and not user.is_superuser:
        return []
    from jiati.elevators.models import OPEN_FAULT_STATUSES, Elevator, FaultReport
    from jiati.elevators.services import alert_filters

    elevators = Elevator.objects.visible_to(user)
    filters = alert_filters()
    url = reverse("elevators:list")
    items = [
        {
            "label": _("Visit overdue"),
            "value": elevators.filter(filters["visit_overdue"]).count(),
            "url": f"{url}?alert=visit_overdue",
        },
        {
            "label": _("Inspection due"),
            "value": elevators.filter(filters["inspection_due"]).count(),
            "url": f"{url}?alert=inspection_due",
        },
        {
            "label": _("Contract expired"),
            "value": elevators.filter(filters["contract_expired"]).count(),
            "url": f"{url}?alert=contract_expired",
        },
        {
            "label": _("Open faults"),
            "value": FaultReport.objects.visible_to(user).filter(status__in=OPEN_FAULT_STATUSES).count(),
            "url": reverse("elevators:faults"),
        },
    ]
    return [{"order": 15, "template": "core/_widget_counts.html", "title": _("Elevators in service"), "items": items}]
