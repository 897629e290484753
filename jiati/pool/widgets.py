"""The start page: the pool's coverage of the user's area, each figure a link to its list."""

from __future__ import annotations

from django.utils.translation import gettext as _

from jiati.pool import permissions, selectors
from jiati.pool.views import pool_link


def start_page_widgets(*, user) -> list[dict]:
    if not permissions.can_read(user):
        return []
    c = selectors.coverage(user=user)
    return [
        {
            "order": 25,
            "template": "core/_widget_counts.html",
            "title": _("Retrofit pool"),
            "items": [
                {"label": _("In the pool"), "value": c.pool, "url": pool_link(None, "pool")},
                {"label": _("Feasible"), "value": c.feasible, "url": pool_link(None, "feasible")},
                {
                    "label": _("Willing and feasible"),
                    "value": c.willing_feasible,
                    "url": pool_link(None, "willing_feasible"),
                },
                {
                    "label": _("愿装尽装 rate"),
                    "value": selectors.rate_text(c.willing_rate),
                    "url": pool_link(None, "willing_feasible_done"),
                },
            ],
        }
    ]
