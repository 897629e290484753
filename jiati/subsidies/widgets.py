"""Start-page cards: the 应发尽发 headline for district and finance staff; what waits for each reviewer."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from jiati.accounts.models import Role
from jiati.subsidies import rules, selectors
from jiati.subsidies.models import SubsidyApplication

HEADLINE_ROLES = frozenset({Role.DISTRICT_OFFICE, Role.DISTRICT_FINANCE, Role.PLATFORM_ADMIN})
WAITING_ROLES = frozenset({Role.COMMUNITY, Role.SUBDISTRICT, Role.DISTRICT_FINANCE})


def start_page_widgets(*, user) -> list[dict]:
    widgets = []
    home = reverse("subsidies:home")
    applications = reverse("subsidies:application-list")
    if user.role in HEADLINE_ROLES or user.is_superuser:
        figures = selectors.headline(user=user)
        widgets.append(
            {
                "order": 20,
                "template": "subsidies/_widget_headline.html",
                "title": _("Subsidies: every one due is paid"),
                "figures": figures,
                "paid": rules.yuan(figures["paid"]),
                "due": rules.yuan(figures["due_unpaid"]),
                "url": home,
            }
        )
    if user.role in WAITING_ROLES:
        waiting = selectors.waiting_for(user=user)
        widgets.append(
            {
                "order": 21,
                "template": "core/_widget_counts.html",
                "title": _("Subsidy files"),
                "items": [
                    {
                        "label": _("Waiting for me"),
                        "value": waiting.count(),
                        "url": f"{applications}?waiting_for_me=true",
                    },
                    {
                        "label": _("Past the deadline"),
                        "value": waiting.filter(pk__in=_late(user)).count(),
                        "url": f"{applications}?overdue=true",
                    },
                ],
            }
        )
    return widgets


def _late(user):

    return SubsidyApplication.objects.visible_to(user).filter(selectors.late_q()).values("pk")
