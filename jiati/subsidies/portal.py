"""The resident portal's subsidy section: the lead owner's project files (status, amount, what is still needed),
each opening the page where he fills it in and submits it (`resident_views`)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from jiati.subsidies import rules, selectors
from jiati.subsidies.models import NOT_APPLIED
from jiati.subsidies.resident_views import led_files, resident_user


def portal_sections(*, request, owner) -> list[dict]:
    user = resident_user(request, owner)
    if user is None:
        return []
    files = list(led_files(user)[:10])
    if not files:
        return []
    items = [
        {
            "application": application,
            "holder": selectors.holder_label(application),
            "missing": rules.missing_documents(application) if application.status in NOT_APPLIED else [],
        }
        for application in files
    ]
    return [{"order": 40, "template": "subsidies/portal/_section.html", "files": items}]


def portal_matters(*, request, owner) -> list[dict]:
    """The lead owner's subsidy files, with their status; a file still to send in comes first."""
    user = resident_user(request, owner)
    if user is None:
        return []
    return [
        {
            "title": _("Subsidy file: %(place)s")
            % {
                "place": f"{application.project.estate.name} {application.project.stairwell.building.number} "
                f"{application.project.stairwell.number}"
            },
            "status": application.get_status_display(),
            "url": reverse("subsidies:portal-file", args=[application.pk]),
            "urgent": application.status in NOT_APPLIED,
            "order": 55,
        }
        for application in led_files(user)[:10]
    ]
