"""API pagination (kept apart from core.api: DRF imports it while loading its own views)."""

from rest_framework.pagination import CursorPagination


class KeysetPagination(CursorPagination):
    """Cursor (keyset) pagination: no COUNT(*) and no OFFSET, so page 10,000 costs what page 1 costs."""

    ordering = "-id"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
