"""Filters shared by list pages and the API (django-filter). The area filter is `organisation.filters.RegionFilter`."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class YesNoWidget(django_filters.widgets.BooleanWidget):
    """A yes/no select whose empty choice reads "—" (any), not "unknown"."""

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = [("", "—"), ("true", _("Yes")), ("false", _("No"))]


class YesNoFilter(django_filters.BooleanFilter):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", YesNoWidget())
        super().__init__(*args, **kwargs)


class MineFilter(django_filters.BooleanFilter):
    """“Mine”: what the signed-in user answers for (分片包干 / 专人包栋). `lookups` are OR-ed user fields."""

    def __init__(self, *args, lookups: tuple[str, ...], **kwargs):
        self.lookups = lookups
        kwargs.setdefault("label", _("Only mine"))
        kwargs.setdefault("widget", django_filters.widgets.BooleanWidget())
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        request = getattr(self.parent, "request", None)
        if not value or request is None:
            return qs
        condition = Q()
        for lookup in self.lookups:
            condition |= Q(**{lookup: request.user})
        return qs.filter(condition)
