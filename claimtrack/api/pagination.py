from django.conf import settings
from rest_framework.pagination import CursorPagination


class StableCursorPagination(CursorPagination):
    """Cursor pagination on the primary key, newest first: ids never change, so a page never
    skips or repeats an item while partners page through, and the order uses the primary key
    index. Views that feed incremental sync order ascending (see status-changes)."""

    ordering = "-id"
    page_size = settings.API_PAGE_SIZE
    max_page_size = settings.API_MAX_PAGE_SIZE
    page_size_query_param = "page_size"


class AscendingCursorPagination(StableCursorPagination):
    ordering = "id"
