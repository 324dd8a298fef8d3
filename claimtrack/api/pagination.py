from django.conf import settings
from rest_framework import exceptions
from rest_framework.pagination import CursorPagination

from .filters import MAX_ID

# A cursor that points at most this many rows past its position (DRF's offset_cutoff is 1000).
MAX_CURSOR_OFFSET = 1000


class StableCursorPagination(CursorPagination):
    """Cursor pagination on the primary key, newest first: ids never change, so a page never
    skips or repeats an item while partners page through, and the order uses the primary key
    index. Views that feed incremental sync order ascending (see status-changes)."""

    ordering = "-id"
    page_size = settings.API_PAGE_SIZE
    max_page_size = settings.API_MAX_PAGE_SIZE
    page_size_query_param = "page_size"
    offset_cutoff = MAX_CURSOR_OFFSET

    def decode_cursor(self, request):
        """The cursor, checked: DRF decodes it but passes its position (an id, as text) straight to
        the query, so a made-up cursor could crash it (a word, a number past 64 bits). Any cursor
        this API did not give out is a 400 naming the parameter."""
        try:
            cursor = super().decode_cursor(request)
        except (exceptions.NotFound, UnicodeError, ValueError):
            raise self._invalid() from None
        if cursor is None or cursor.position is None:
            return cursor
        position = cursor.position
        if not (position.isascii() and position.isdigit() and 1 <= len(position) <= 19 and int(position) <= MAX_ID):
            raise self._invalid()
        return cursor

    def _invalid(self):
        return exceptions.ValidationError({self.cursor_query_param: [self.invalid_cursor_message]})


class AscendingCursorPagination(StableCursorPagination):
    ordering = "id"
