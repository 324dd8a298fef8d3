"""Pages of the sources domain: documents with their revisions, feed health, editing a source and
the source pickers' search. The source page itself and the sources directory are drawn by claims
(claims.views): they show what the sources said about claims."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.http import HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from . import selectors, services
from .forms import SourceEditForm
from .models import Source


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


@login_required
@permission_required("sources.view_source", raise_exception=True)
@require_GET
def source_search(request):
    """The source pickers' search as you type: at most SOURCE_SEARCH_LIMIT sources whose name
    contains `q` (or the value of the one input that asked: HTMX sends it under its own name), as
    the <option>s of a <datalist>, which HTMX swaps in."""
    query = (request.GET.get("q") or next(iter(request.GET.values()), ""))[:200]
    return render(request, "sources/_source_options.html", {"matches": selectors.source_name_matches(query)})


@login_required
@permission_required("sources.change_source", raise_exception=True)
def source_edit(request, pk):
    """Correct a source: name, home page, country, language; its kind too for editors."""
    source = get_object_or_404(Source, pk=pk)
    if source.merged_into_id is not None:
        return HttpResponsePermanentRedirect(reverse("sources:source-edit", args=[source.merged_into_id]))
    with_kind = request.user.has_perm("sources.change_source_kind")
    if request.method == "POST":
        form = SourceEditForm(request.POST, with_kind=with_kind)
        if form.is_valid():
            try:
                services.update_source(source=source, changed_by=request.user, **form.cleaned_data)
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(request, _("Source saved."))
                return redirect(source)
    else:
        initial = {field: getattr(source, field) for field in ("name", "homepage", "country", "language", "kind")}
        form = SourceEditForm(initial=initial, with_kind=with_kind)
    return render(
        request, "sources/source_edit.html", {"source": source, "form": form}, status=400 if form.errors else 200
    )


def _add_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)
