"""Pages of the sources domain: documents with their revisions, and feed health. The source page
itself is drawn by claims (claims.views.source_detail): it shows what the source said about claims."""

from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from . import selectors


@login_required
@permission_required("sources.change_feed", raise_exception=True)
@require_GET
def feed_health(request):
    return render(request, "sources/feed_health.html", {"feeds": selectors.feed_health_list()})


@login_required
@permission_required("sources.view_document", raise_exception=True)
@require_GET
def document_detail(request, pk):
    document = get_object_or_404(selectors.document_queryset(), pk=pk)
    return render(
        request,
        "sources/document_detail.html",
        {"document": document, "history": selectors.document_history(document)},
    )


@login_required
@permission_required("sources.view_document", raise_exception=True)
@require_GET
def document_lookup(request):
    """HTMX fragment for the appearance form: is this address already known, and whose is it?"""
    url = request.GET.get("document_url", "").strip()
    document = selectors.document_for_url(url) if url else None
    return render(request, "sources/_document_lookup.html", {"document": document, "url": url})
