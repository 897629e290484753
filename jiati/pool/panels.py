"""A card on the housing stairwell page pointing to its place in the pool."""

from __future__ import annotations

from jiati.pool import permissions
from jiati.pool.models import Assessment, Survey


def stairwell_panels(*, request, stairwell) -> list[dict]:
    if not permissions.can_read(request.user):
        return []
    return [
        {
            "order": 20,
            "template": "pool/_stairwell_panel.html",
            "stairwell": stairwell,
            "assessment": Assessment.objects.filter(stairwell=stairwell, is_current=True).first(),
            "survey": Survey.objects.filter(stairwell=stairwell, is_current=True).first(),
        }
    ]
