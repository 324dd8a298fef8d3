"""Read queries of the sources domain."""

from django.db.models import QuerySet

from claims.models import Appearance

from .models import Source


def source_list() -> QuerySet[Source]:
    return Source.objects.order_by("name")


def source_appearances(source: Source) -> QuerySet[Appearance]:
    return Appearance.objects.filter(source=source).select_related("claim", "document").order_by("-seen_at", "-id")
