"""The start page: the housing stock of the user's area, and where elevators are still missing."""

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from jiati.accounts.models import STAFF_ROLES
from jiati.housing.models import Estate, Stairwell


def start_page_widgets(*, user) -> list[dict]:
    if user.role not in STAFF_ROLES:
        return []
    stairwells = Stairwell.objects.visible_to(user).aggregate(
        total=Count("id"), without=Count("id", filter=Q(has_elevator=False, storeys__gte=4))
    )
    estates = Estate.objects.visible_to(user).count()
    return [
        {
            "order": 30,
            "template": "core/_widget_counts.html",
            "title": _("Housing stock in my area"),
            "items": [
                {"label": _("Estates"), "value": estates, "url": reverse("housing:estate-list")},
                {"label": _("Stairwells"), "value": stairwells["total"], "url": reverse("housing:stairwell-list")},
                {
                    "label": _("4+ storeys, no elevator"),
                    "value": stairwells["without"],
                    "url": reverse("housing:stairwell-list") + "?has_elevator=false&min_storeys=4",
                },
            ],
        }
    ]
