from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from . import selectors

SOURCE_APPEARANCES_SHOWN = 500


@login_required
@permission_required("sources.view_source", raise_exception=True)
@require_GET
def source_detail(request, pk):
    source = get_object_or_404(selectors.source_list(), pk=pk)
    appearances = list(selectors.source_appearances(source)[:SOURCE_APPEARANCES_SHOWN])
    return render(
        request,
        "sources/source_detail.html",
        {"source": source, "appearances": appearances, "ratings": selectors.assertion_ratings(appearances)},
    )


@login_required
@permission_required("sources.view_document", raise_exception=True)
@require_GET
def document_lookup(request):
    """HTMX fragment for the appearance form: is this address already known, and whose is it?"""
    url = request.GET.get("document_url", "").strip()
    document = selectors.document_for_url(url) if url else None
    return render(request, "sources/_document_lookup.html", {"document": document, "url": url})
