from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from . import ingestion, selectors
from .forms import AddFeedForm

SOURCE_APPEARANCES_SHOWN = 500


def _render_source(request, source, add_feed_form, status=200):
    appearances = list(selectors.source_appearances(source)[:SOURCE_APPEARANCES_SHOWN])
    return render(
        request,
        "sources/source_detail.html",
        {
            "source": source,
            "appearances": appearances,
            "ratings": selectors.assertion_ratings(appearances),
            "feeds": selectors.source_feeds(source),
            "add_feed_form": add_feed_form,
        },
        status=status,
    )


@login_required
@permission_required("sources.view_source", raise_exception=True)
@require_GET
def source_detail(request, pk):
    return _render_source(request, get_object_or_404(selectors.source_list(), pk=pk), AddFeedForm())


@login_required
@permission_required("sources.add_feed", raise_exception=True)
@require_POST
def add_feed(request, pk):
    source = get_object_or_404(selectors.source_list(), pk=pk)
    form = AddFeedForm(request.POST)
    if form.is_valid():
        try:
            feed = ingestion.add_feed(url=form.cleaned_data["url"], source=source)
        except ValidationError as error:
            form.add_error("url", error.message_dict.get("url", error.messages))
        else:
            messages.success(request, _("Feed added: %(url)s (%(kind)s)") % {"url": feed.url, "kind": feed.kind})
            return redirect(source)
    return _render_source(request, source, form, status=400)


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
