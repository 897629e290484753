"""Start-page card: today's site checks and what is behind."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from jiati.supervision import permissions, selectors


def start_page_widgets(*, user) -> list[dict]:
    if not permissions.can_check(user):
        return []
    sites = selectors.sites_today(user=user)
    home = reverse("supervision:home")
    return [
        {
            "order": 15,
            "template": "core/_widget_counts.html",
            "title": _("Site checks today"),
            "items": [
                {"label": _("Sites under construction"), "value": len(sites), "url": home},
                {"label": _("Still to check"), "value": sum(1 for s in sites if s["due"]), "url": home},
                {
                    "label": _("Rectifications overdue"),
                    "value": selectors.rectifications_overdue(user=user).count(),
                    "url": reverse("supervision:rectification-list") + "?state=overdue",
                },
            ],
        }
    ]
