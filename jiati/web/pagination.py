"""API pagination (kept apart from the API base: DRF imports it while loading its own views)."""

from django.db.models import F
from rest_framework.exceptions import NotFound
from rest_framework.pagination import CursorPagination

from jiati.accounts.scoping import has_narrow_scope

# The largest id a 64-bit integer column holds (SQLite refuses to bind a larger Python int: a 500).
MAX_ID = 2**63 - 1


class KeysetPagination(CursorPagination):
    """Cursor (keyset) pagination: no COUNT(*) and no OFFSET, so page 10,000 costs what page 1 costs."""

    ordering = "-id"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500

    def decode_cursor(self, request):
        """A cursor is signed by nothing, so a client can craft one (`?cursor=` base64 of `p=abc`): its position
        must be an id, or the cursor is refused as DRF refuses a malformed one (404 "Invalid cursor")."""
        cursor = super().decode_cursor(request)
        if cursor is not None and cursor.position is not None:
            position = str(cursor.position)
            if not position.isdigit() or len(position) > 19 or int(position) > MAX_ID:
                raise NotFound(self.invalid_cursor_message)
        return cursor

    def paginate_queryset(self, queryset, request, view=None):
        if has_narrow_scope(request.user):
            # A district's rows among a nation's: sort them, rather than walk the whole id index (web.lists).
            queryset = queryset.annotate(sort_id=F("id") + 0)
            self.ordering = "-sort_id"
        return super().paginate_queryset(queryset, request, view)
