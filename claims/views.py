"""Newsroom pages of the claims domain. Each view checks the user's permission on the server,
validates a form, calls one service and renders or redirects."""

from datetime import datetime, time, timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from claimtrack.lib.submissions import submission_key
from sources import ingestion as source_ingestion
from sources import selectors as source_selectors
from sources.forms import AddFeedForm, SourceFilterForm
from sources.models import Source

from . import charts, forms, selectors, services
from .claimreview import claimreview_url
from .models import Appearance, Claim, Evidence, StatusProposal, Tag
from .permissions import can_rule, may_retract

CLAIMS_PER_PAGE = 50


def add_service_errors(form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: on the named field when the form has it."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _submission_key(request, form) -> str | None:
    """The key of this form's one-time token, for this user (claimtrack.lib.submissions)."""
    return submission_key(f"user:{request.user.pk}", form.cleaned_data.get("submission_token"))


def _already_saved(request, url: str):
    """The same form came twice (a double click): show what the first one saved."""
    messages.info(request, _("That was already saved: nothing was saved twice."))
    return redirect(url)


def _on_claim_page(claim, kind: str, pk: int) -> str:
    """Where an item of the claim is shown: the claim page at the item's anchor."""
    return f"{claim.get_absolute_url()}#{selectors.anchor(kind, pk)}"


def _start_of_day(day) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_current_timezone())


@login_required
@permission_required("claims.view_claim", raise_exception=True)
@require_GET
def claim_list(request):
    filter_form = forms.ClaimFilterForm(request.GET or None, tag_names=Tag.objects.values_list("name", flat=True))
    claims = selectors.claim_list()
    if filter_form.is_bound and filter_form.is_valid():
        data = filter_form.cleaned_data
        claims = selectors.filtered_claim_list(
            query=data["q"],
            status=data["status"],
            tag=data["tag"],
            source_id=data["source"],
            seen_from=_start_of_day(data["seen_from"]) if data["seen_from"] else None,
            seen_until=_start_of_day(data["seen_until"] + timedelta(days=1)) if data["seen_until"] else None,
        )
    page = Paginator(claims, CLAIMS_PER_PAGE).get_page(request.GET.get("page"))
    query_without_page = request.GET.copy()
    query_without_page.pop("page", None)
    return render(
        request,
        "claims/claim_list.html",
        {
            "page": page,
            "filter_form": filter_form,
            "filtered": any(v for k, v in request.GET.items() if k != "page"),
            "query_without_page": query_without_page.urlencode(),
        },
    )


@login_required
@permission_required("claims.add_claim", raise_exception=True)
def claim_create(request):
    similar = []
    if request.method == "POST":
        form = forms.ClaimForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            similar = selectors.similar_claims(data["text"])
            if similar and not data["confirm_new"]:
                # Show the similar claims first; the journalist confirms to save a new one anyway.
                form = forms.ClaimForm(initial={**data, "confirm_new": True})
                return render(request, "claims/claim_form.html", {"form": form, "similar": similar, "checked": True})
            try:
                claim = services.create_claim(
                    text=data["text"],
                    summary=data["summary"],
                    tags=forms.split_list(data["tags"]),
                    places=forms.split_list(data["places"]),
                    language=data["language"],
                    first_seen_at=data["first_seen_at"],
                    created_by=request.user,
                    submission_key=_submission_key(request, form),
                )
            except services.AlreadySubmitted as repeat:
                return _already_saved(request, repeat.existing.get_absolute_url())
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Claim logged."))
                return redirect(claim)
    else:
        form = forms.ClaimForm()
    return render(
        request, "claims/claim_form.html", {"form": form, "similar": similar}, status=400 if form.errors else 200
    )


@login_required
@permission_required("claims.add_claim", raise_exception=True)
@require_GET
def similar_claims(request):
    """HTMX fragment for the new-claim form: similar claims as the journalist types."""
    similar = selectors.similar_claims(request.GET.get("text", ""))
    return render(request, "claims/_similar_claims.html", {"similar": similar})


def _claim_page(request, claim_id: int, *, status: int = 200, **bound_forms):
    try:
        claim = selectors.claim_with_related(claim_id)
    except Claim.DoesNotExist:
        raise Http404 from None
    timeline = selectors.claim_timeline(claim)
    context = {
        "claim": claim,
        "timeline": timeline,
        "current_verdict": selectors.current_verdict(claim),
        "chart": charts.stance_chart(timeline, now=timezone.now()),
        "can_rule": can_rule(request.user),
        **selectors.claim_page_extras(claim),
    }
    user = request.user
    if user.has_perm("claims.add_appearance"):
        context["appearance_form"] = bound_forms.get("appearance_form") or forms.AppearanceForm()
    if user.has_perm("claims.add_evidence"):
        context["evidence_form"] = bound_forms.get("evidence_form") or forms.EvidenceForm()
    if can_rule(user):
        context["audit_trail"] = selectors.claim_audit_trail(claim)
        context["status_form"] = bound_forms.get("status_form") or forms.StatusChangeForm(
            initial={"expected_status": claim.status}
        )
    elif user.has_perm("claims.propose_status_change"):
        context["proposal_form"] = bound_forms.get("proposal_form") or forms.ProposalForm()
    if user.has_perm("claims.publish_verdict"):
        context["verdict_form"] = bound_forms.get("verdict_form") or forms.VerdictForm()
    return render(request, "claims/claim_detail.html", context, status=status)


@login_required
@permission_required("claims.view_claim", raise_exception=True)
@require_GET
def claim_detail(request, pk):
    return _claim_page(request, pk)


@require_GET
def fact_check(request, pk):
    """The public page of a published verdict, where ClaimReview's `url` points: no login. It shows
    only what partners see (the current verdict and the published appearances), never rationales,
    pending or rejected appearances, retracted items or who in the newsroom did what. No verdict: 404."""
    claim = get_object_or_404(selectors.published_claimreviews(), pk=pk)
    context = {
        "claim": claim,
        "current_verdict": selectors.current_verdict(claim),
        "appearances": claim.published_appearances,
        "organisation": settings.CLAIMTRACK_ORGANISATION,
        # This page, or the newsroom's own article when it publishes there (one ClaimReview, one
        # canonical address for search engines).
        "canonical_url": claimreview_url(claim, request),
    }
    return render(request, "claims/fact_check.html", context)


@login_required
@permission_required("claims.add_appearance", raise_exception=True)
def appearance_create(request, pk):
    claim = get_object_or_404(Claim, pk=pk)
    if request.method != "POST":
        return render(request, "claims/appearance_form.html", {"claim": claim, "form": forms.AppearanceForm()})
    form = forms.AppearanceForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        try:
            appearance = services.record_appearance_with_source(
                claim=claim,
                recorded_by=request.user,
                stance=data["stance"],
                quote=data["quote"],
                seen_at=data["seen_at"],
                source=data["source"],
                new_source_name=data["new_source_name"],
                new_source_kind=data["new_source_kind"] or Source.Kind.NEWS_OUTLET,
                document_url=data["document_url"],
                document_kind=data["document_kind"] or "article",
                evidence_files=data["evidence"],
                evidence_caption=data["evidence_caption"],
                submission_key=_submission_key(request, form),
            )
        except services.AlreadySubmitted as repeat:
            return _already_saved(request, _on_claim_page(claim, "appearance", repeat.existing.pk))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Appearance recorded."))
            return redirect(_on_claim_page(claim, "appearance", appearance.pk))
    return _claim_page(request, claim.pk, status=400, appearance_form=form)


@login_required
@permission_required("claims.add_evidence", raise_exception=True)
@require_POST
def evidence_create(request, pk):
    claim = get_object_or_404(Claim, pk=pk)
    form = forms.EvidenceForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            evidence = services.upload_evidence(
                uploaded_file=form.cleaned_data["file"],
                uploaded_by=request.user,
                claim=claim,
                caption=form.cleaned_data["caption"],
                submission_key=_submission_key(request, form),
            )
        except services.AlreadySubmitted as repeat:
            return _already_saved(request, _on_claim_page(claim, "evidence", repeat.existing.pk))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Evidence attached. SHA-256: %(sha)s") % {"sha": evidence.sha256})
            return redirect(_on_claim_page(claim, "evidence", evidence.pk))
    return _claim_page(request, claim.pk, status=400, evidence_form=form)


@login_required
@permission_required("claims.view_evidence", raise_exception=True)
@require_GET
def evidence_file(request, pk):
    """Evidence is served to signed-in users only, with the type recognised at upload."""
    evidence = get_object_or_404(Evidence, pk=pk)
    response = FileResponse(evidence.file.open("rb"), content_type=evidence.content_type)
    response["Content-Disposition"] = f'inline; filename="{evidence.sha256}"'
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@login_required
@permission_required("claims.change_claim_status", raise_exception=True)
@require_POST
def status_change(request, pk):
    claim = get_object_or_404(Claim, pk=pk)
    form = forms.StatusChangeForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            change = services.change_status(
                claim=claim,
                to_status=data["to_status"],
                rationale=data["rationale"],
                changed_by=request.user,
                expected_status=data["expected_status"],
            )
        except services.StatusConflict as conflict:
            # Keep the editor's rationale, but make them decide again on the current status.
            current = Claim.objects.values_list("status", flat=True).get(pk=claim.pk)
            form = forms.StatusChangeForm(
                initial={"to_status": data["to_status"], "rationale": data["rationale"], "expected_status": current}
            )
            messages.error(request, " ".join(conflict.messages))
            return _claim_page(request, claim.pk, status=409, status_form=form)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Status changed to %(status)s.") % {"status": change.get_to_status_display()})
            return redirect(_on_claim_page(claim, "status_change", change.pk))
    return _claim_page(request, claim.pk, status=400, status_form=form)


@login_required
@permission_required("claims.publish_verdict", raise_exception=True)
@require_POST
def verdict_publish(request, pk):
    claim = get_object_or_404(Claim, pk=pk)
    form = forms.VerdictForm(request.POST)
    if form.is_valid():
        try:
            verdict = services.publish_verdict(
                claim=claim,
                rating_name=form.cleaned_data["rating"],
                summary=form.cleaned_data["summary"],
                author=request.user,
                submission_key=_submission_key(request, form),
            )
        except services.AlreadySubmitted as repeat:
            return _already_saved(request, _on_claim_page(claim, "verdict", repeat.existing.pk))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Verdict published: %(rating)s.") % {"rating": verdict.rating_name})
            return redirect(_on_claim_page(claim, "verdict", verdict.pk))
    return _claim_page(request, claim.pk, status=400, verdict_form=form)


@login_required
@permission_required("claims.propose_status_change", raise_exception=True)
@require_POST
def proposal_create(request, pk):
    claim = get_object_or_404(Claim, pk=pk)
    form = forms.ProposalForm(request.POST)
    if form.is_valid():
        try:
            services.propose_status_change(
                claim=claim,
                to_status=form.cleaned_data["to_status"],
                rationale=form.cleaned_data["rationale"],
                proposed_by=request.user,
                submission_key=_submission_key(request, form),
            )
        except services.AlreadySubmitted:
            return _already_saved(request, claim.get_absolute_url())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Proposal sent to the editors."))
            return redirect(claim)
    return _claim_page(request, claim.pk, status=400, proposal_form=form)


@login_required
@permission_required("claims.change_claim_status", raise_exception=True)
@require_POST
def proposal_decide(request, pk, decision):
    proposal = get_object_or_404(StatusProposal, pk=pk)
    form = forms.DecisionForm(request.POST)
    if not form.is_valid():  # a decision note too long: refused, not silently dropped
        messages.error(request, " ".join(error for errors in form.errors.values() for error in errors))
        return redirect(proposal.claim)
    decision_note = form.cleaned_data["decision_note"]
    try:
        if decision == "approve":
            services.approve_status_proposal(proposal=proposal, decided_by=request.user, decision_note=decision_note)
            messages.success(request, _("Proposal approved; the status is changed."))
        else:
            services.reject_status_proposal(proposal=proposal, decided_by=request.user, decision_note=decision_note)
            messages.success(request, _("Proposal rejected."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    if url_has_allowed_host_and_scheme(request.POST.get("next"), allowed_hosts={request.get_host()}):
        return redirect(request.POST["next"])
    return redirect(proposal.claim)


@login_required
@permission_required("claims.change_appearance", raise_exception=True)
@require_POST
def appearance_retract(request, pk):
    appearance = get_object_or_404(Appearance, pk=pk)
    if not may_retract(request.user, appearance):
        raise PermissionDenied
    form = forms.ReasonForm(request.POST)
    if form.is_valid():
        try:
            services.retract_appearance(
                appearance=appearance, retracted_by=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Appearance retracted."))
    else:
        messages.error(request, _("Say why the appearance is retracted."))
    return redirect(_on_claim_page(appearance.claim, "appearance", appearance.pk))


@login_required
@permission_required("claims.change_evidence", raise_exception=True)
@require_POST
def evidence_retract(request, pk):
    evidence = get_object_or_404(Evidence, pk=pk)
    if not may_retract(request.user, evidence):
        raise PermissionDenied
    form = forms.ReasonForm(request.POST)
    if form.is_valid():
        try:
            services.retract_evidence(evidence=evidence, retracted_by=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Evidence retracted."))
    else:
        messages.error(request, _("Say why the evidence is retracted."))
    return redirect(_on_claim_page(evidence.claim, "evidence", evidence.pk))


# Review queue and desk ------------------------------------------------------------------------


@login_required
@permission_required("claims.review_appearance", raise_exception=True)
@require_GET
def review_queue(request):
    page = Paginator(selectors.pending_appearances(), CLAIMS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "claims/review_queue.html", {"page": page})


def _pending_appearance(pk) -> Appearance:
    return get_object_or_404(
        Appearance.objects.select_related("claim", "source", "document"),
        pk=pk,
        origin__in=selectors.REVIEWED_ORIGINS,
    )


@login_required
@permission_required("claims.review_appearance", raise_exception=True)
@require_POST
def pending_appearance_decide(request, pk, decision):
    appearance = _pending_appearance(pk)
    try:
        if decision == "accept":
            services.accept_pending_appearance(appearance=appearance, reviewed_by=request.user)
            messages.success(request, _("Appearance accepted."))
        else:
            services.reject_pending_appearance(appearance=appearance, reviewed_by=request.user)
            messages.success(request, _("Appearance rejected; it will not be proposed again."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("claims:review")


@login_required
@permission_required("claims.review_appearance", raise_exception=True)
def pending_appearance_edit(request, pk):
    """Correct a pending appearance (stance, quote, time) and accept it."""
    appearance = _pending_appearance(pk)
    if request.method == "POST":
        form = forms.PendingAppearanceEditForm(request.POST)
        if form.is_valid():
            try:
                services.accept_pending_appearance(appearance=appearance, reviewed_by=request.user, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Appearance corrected and accepted."))
                return redirect("claims:review")
    else:
        form = forms.PendingAppearanceEditForm(
            initial={"stance": appearance.stance, "quote": appearance.quote, "seen_at": appearance.seen_at}
        )
    return render(
        request,
        "claims/pending_appearance_edit.html",
        {"appearance": appearance, "form": form},
        status=400 if form.errors else 200,
    )


DESK_ROWS = 20


@login_required
@permission_required("claims.change_claim_status", raise_exception=True)
@require_GET
def desk(request):
    return render(
        request,
        "claims/desk.html",
        {
            "active_claims": list(selectors.claims_with_new_activity()[:DESK_ROWS]),
            "proposals": list(selectors.pending_proposals()[:DESK_ROWS]),
            "pending_appearances": list(selectors.pending_appearances()[:DESK_ROWS]),
            "pending_count": selectors.pending_appearances().count(),
            "official_statements": list(selectors.official_statements()[:DESK_ROWS]),
        },
    )


# Source pages ---------------------------------------------------------------------------------
# A source's page is drawn here, above sources, because it shows what the source said about
# claims and how those claims were rated.

SOURCE_APPEARANCES_SHOWN = 500
SOURCES_PER_PAGE = 50


@login_required
@permission_required("sources.view_source", raise_exception=True)
@require_GET
def source_list(request):
    """The sources directory: search by name, filter by kind, country and language; each source
    with its appearances and the claims it asserted that were rated false."""
    filter_form = SourceFilterForm(request.GET or None)
    filters = filter_form.cleaned_data if filter_form.is_bound and filter_form.is_valid() else {}
    sources = source_selectors.source_directory(
        query=filters.get("q", ""),
        kind=filters.get("kind", ""),
        country=filters.get("country", ""),
        language=filters.get("language", ""),
    )
    page = Paginator(sources, SOURCES_PER_PAGE).get_page(request.GET.get("page"))
    page.object_list = selectors.with_source_counts(list(page.object_list))
    query_without_page = request.GET.copy()
    query_without_page.pop("page", None)
    return render(
        request,
        "claims/source_list.html",
        {
            "page": page,
            "filter_form": filter_form,
            "filtered": any(v for k, v in request.GET.items() if k != "page"),
            "query_without_page": query_without_page.urlencode(),
        },
        status=400 if filter_form.errors else 200,
    )


def _source_page(request, source, *, add_feed_form=None, merge_form=None, status=200):
    appearances = list(selectors.source_appearances(source)[:SOURCE_APPEARANCES_SHOWN])
    context = {
        "source": source,
        "appearances": appearances,
        "ratings": selectors.assertion_ratings(appearances),
        "feeds": source_selectors.source_feeds(source),
        "add_feed_form": add_feed_form or AddFeedForm(),
        "merged_in": list(source.absorbed_sources.order_by("name").only("pk", "name")),
    }
    if request.user.has_perm("sources.merge_sources"):
        context["merge_form"] = merge_form or forms.SourceMergeForm()
    return render(request, "claims/source_detail.html", context, status=status)


def _redirect_if_merged(source: Source):
    """A merged source's page answers 301 with the page of the source it was merged into."""
    if source.merged_into_id is None:
        return None
    return HttpResponsePermanentRedirect(reverse("claims:source-detail", args=[source.merged_into_id]))


@login_required
@permission_required("sources.view_source", raise_exception=True)
@require_GET
def source_detail(request, pk):
    source = get_object_or_404(source_selectors.source_list(), pk=pk)
    return _redirect_if_merged(source) or _source_page(request, source)


@login_required
@permission_required("sources.add_feed", raise_exception=True)
@require_POST
def source_feed_add(request, pk):
    source = get_object_or_404(source_selectors.source_list(), pk=pk)
    if source.merged_into_id is not None:  # feeds go to the source it was merged into
        messages.error(request, _("This source was merged into another: add the feed there."))
        return _redirect_if_merged(source)
    form = AddFeedForm(request.POST)
    if form.is_valid():
        try:
            feed = source_ingestion.add_feed(url=form.cleaned_data["url"], source=source)
        except ValidationError as error:
            form.add_error("url", error.message_dict.get("url", error.messages))
        else:
            messages.success(request, _("Feed added: %(url)s (%(kind)s)") % {"url": feed.url, "kind": feed.kind})
            return redirect(source)
    return _source_page(request, source, add_feed_form=form, status=400)


@login_required
@permission_required("sources.merge_sources", raise_exception=True)
@require_POST
def source_merge(request, pk):
    """Merge this source (a duplicate) into the one the editor picked by name. Without JavaScript,
    "Find" re-draws the form with the sources matching the name typed."""
    source = get_object_or_404(source_selectors.source_list(), pk=pk)
    if "find" in request.POST and source.merged_into_id is None:  # no JavaScript: the matches, no merge
        name = request.POST.get("into_name", "")[:200]
        form = forms.SourceMergeForm(initial={"into_name": name, "reason": request.POST.get("reason", "")[:2000]})
        form.matches = [match for match in source_selectors.source_name_matches(name) if match.pk != source.pk]
        return _source_page(request, source, merge_form=form)
    form = forms.SourceMergeForm(request.POST)
    if not form.is_valid():
        return _merge_refused(request, source, form)
    into = form.cleaned_data["into"]
    try:
        merge = services.merge_sources(
            absorbed=source,
            into=into,
            merged_by=request.user,
            reason=form.cleaned_data["reason"],
            submission_key=_submission_key(request, form),
        )
    except services.AlreadySubmitted as repeat:
        return _already_saved(request, reverse("claims:source-detail", args=[repeat.existing.into_id]))
    except ValidationError as error:
        add_service_errors(form, error)
        source.refresh_from_db(fields=["merged_into"])
        return _merge_refused(request, source, form)
    messages.success(
        request,
        _("“%(absorbed)s” was merged into “%(into)s”: %(appearances)s appearances, %(documents)s documents moved.")
        % {
            "absorbed": source.name,
            "into": into.name,
            "appearances": len(merge.moved["appearances"]),
            "documents": len(merge.moved["documents"]),
        },
    )
    return redirect(into)


def _merge_refused(request, source, form):
    """The merge form again with its errors; for a source merged meanwhile (another editor, an old
    page), the errors as a message on the page of the source it was merged into."""
    if source.merged_into_id is None:
        return _source_page(request, source, merge_form=form, status=400)
    messages.error(request, " ".join(error for errors in form.errors.values() for error in errors))
    return redirect("claims:source-detail", source.merged_into_id)
