"""Named coverage figures of a region for dashboards (hook contract in common.md), each linking to its list."""

from __future__ import annotations

from django.utils.translation import gettext as _

from jiati.pool import permissions, selectors


def region_figures(*, user, region) -> list[dict]:
    """The pool's figures for a region in the user's scope: one aggregate query. Rates are exact fractions rendered
    to one decimal place (rounded down); their `value` is the text shown."""
    if not permissions.can_read(user):
        return []
    from jiati.organisation.models import Region

    if region is not None and not Region.objects.visible_to(user).filter(pk=region.pk).exists():
        return []
    from jiati.pool.views import pool_link

    c = selectors.coverage(user=user, region=region)
    return [
        {
            "key": "pool_candidates",
            "label": _("In the pool"),
            "value": c.pool,
            "url": pool_link(region, "pool"),
            "order": 60,
        },
        {
            "key": "pool_feasible",
            "label": _("Feasible"),
            "value": c.feasible,
            "url": pool_link(region, "feasible"),
            "order": 61,
        },
        {
            "key": "pool_willing_feasible",
            "label": _("Willing and feasible"),
            "value": c.willing_feasible,
            "url": pool_link(region, "willing_feasible"),
            "order": 62,
        },
        {
            "key": "pool_started",
            "label": _("Started"),
            "value": c.started,
            "url": pool_link(region, "started"),
            "order": 63,
        },
        {
            "key": "pool_in_service",
            "label": _("In service"),
            "value": c.in_service,
            "url": pool_link(region, "in_service"),
            "order": 64,
        },
        {
            "key": "pool_willing_rate",
            "label": _("愿装尽装 rate"),
            "value": selectors.rate_text(c.willing_rate),
            "url": pool_link(region, "willing_feasible_done"),
            "order": 65,
        },
        {
            "key": "pool_feasible_rate",
            "label": _("可装尽装 rate"),
            "value": selectors.rate_text(c.feasible_rate),
            "url": pool_link(region, "feasible_done"),
            "order": 66,
        },
    ]
