"""Pages of the sources domain: documents with their revisions, feed health, editing a source and
the source pickers' search. The source page itself and the sources directory are drawn by claims
(claims.views): they show what the sources said about claims."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET, require_POST

from . import selectors, services, snapshots
from .forms import SourceEditForm
from .models import Document, Snapshot, Source

# A preserved page is shown inert: no script runs, nothing loads, not even from this site.
SNAPSHOT_CSP = "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:"


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
        {
            "document": document,
            "history": selectors.document_history(document),
            "on_demand_snapshots": selectors.on_demand_snapshots(document),
        },
    )


@login_required
@permission_required("sources.add_document", raise_exception=True)
@require_POST
def document_snapshot_request(request, pk):
    """Preserve the document's page now: the worker fetches it (sources.snapshots)."""
    document = get_object_or_404(Document, pk=pk)
    if snapshots.request_snapshot(document=document, requested_by=request.user):
        messages.success(request, _("The page is being preserved: reload this page in a moment to see the snapshot."))
    else:
        messages.info(request, _("Preserving this page was already requested; the worker has not answered yet."))
    return redirect(document)


def _preserved(snapshot: Snapshot) -> snapshots.PreservedResponse:
    try:
        return snapshots.read_response(snapshot)
    except snapshots.UnreadableSnapshot as error:
        raise Http404(_("The snapshot's WARC file cannot be read: %(reason)s") % {"reason": error}) from None


def _inert(response: HttpResponse) -> HttpResponse:
    response["Content-Security-Policy"] = SNAPSHOT_CSP
    response["X-Content-Type-Options"] = "nosniff"
    response["Referrer-Policy"] = "no-referrer"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@permission_required("sources.view_document", raise_exception=True)
@require_GET
@xframe_options_sameorigin
def snapshot_text(request, pk):
    """The preserved body as plain text (never as HTML), decoded with its own charset."""
    snapshot = get_object_or_404(Snapshot, pk=pk)
    preserved = _preserved(snapshot)
    if preserved.is_text:
        text = snapshots.body_text(preserved)
        if preserved.truncated:
            text += "\n\n" + _("[The body is longer: only its beginning is shown.]")
    else:
        text = _("The preserved body is %(type)s (%(size)s bytes), not text: download the WARC record to open it.") % {
            "type": preserved.content_type or _("of no stated type"),
            "size": len(preserved.body),
        }
    response = HttpResponse(text, content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="snapshot-{snapshot.pk}.txt"'
    return _inert(response)


@login_required
@permission_required("sources.view_document", raise_exception=True)
@require_GET
@xframe_options_sameorigin
def snapshot_html(request, pk):
    """The preserved page sanitised (sources.snapshots.sanitised_html), for the document page's
    sandboxed frame: no scripts, no remote loads, under a CSP sandbox."""
    snapshot = get_object_or_404(Snapshot, pk=pk)
    preserved = _preserved(snapshot)
    if preserved.is_html or not preserved.content_type:  # sanitised, no stated type is harmless too
        page = snapshots.sanitised_html(preserved)
    else:
        page = render(request, "sources/_snapshot_not_html.html", {"preserved": preserved}).content
    return _inert(HttpResponse(page, content_type="text/html; charset=utf-8"))


@login_required
@permission_required("sources.change_document", raise_exception=True)
@require_GET
def snapshot_warc(request, pk):
    """The snapshot's WARC file as stored (editors), for WARC tools."""
    snapshot = get_object_or_404(Snapshot, pk=pk)
    response = FileResponse(
        snapshot.file.open("rb"),
        as_attachment=True,
        filename=f"snapshot-{snapshot.pk}-{snapshot.payload_sha256[:12]}.warc.gz",
        content_type="application/gzip",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


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
