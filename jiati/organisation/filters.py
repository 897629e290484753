"""The area filter every list and API shares: everything under one region of the user's tree."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from jiati.organisation.models import Region


class RegionFilter(django_filters.NumberFilter):
    """Limit to everything under one region of the user's tree (subdistrict, community…), by its id.

    A region outside the user's scope simply matches nothing: the queryset is already scoped.
    """

    def __init__(self, *args, region_path: str = "community__path", **kwargs):
        self.region_path = region_path
        kwargs.setdefault("label", _("Area"))
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if value in (None, ""):
            return qs
        request = getattr(self.parent, "request", None)
        region = Region.objects.visible_to(request.user).filter(pk=value).only("path").first() if request else None
        if region is None:
            return qs.none()
        return qs.filter(**{f"{self.region_path}__startswith": region.path})

    def choices_for(self, user, limit: int = 400) -> list | None:
        """Subdistricts and communities the user may pick, or None when there are too many for a select."""
        regions = list(
            Region.objects.visible_to(user)
            .filter(level__in=["subdistrict", "community"])
            .only("id", "name", "level", "path")[: limit + 1]
        )
        return None if len(regions) > limit else regions
