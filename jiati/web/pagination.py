"""API pagination (kept apart from the API base: DRF imports it while loading its own views)."""

from django.db.models import F
from rest_framework.pagination import CursorPagination

from jiati.accounts.scoping import has_narrow_scope


class KeysetPagination(CursorPagination):
    """Cursor (keyset) pagination: no COUNT(*) and no OFFSET, so page 10,000 costs what page 1 costs."""

    ordering = "-id"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500

    def paginate_queryset(self, queryset, request, view=None):
        if has_narrow_scope(request.user):
            # A district's rows among a nation's: sort them, rather than walk the whole id index (web.lists).
            queryset = queryset.annotate(sort_id=F("id") + 0)
            self.ordering = "-sort_id"
        return super().paginate_queryset(queryset, request, view)
