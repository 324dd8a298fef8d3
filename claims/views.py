"""Newsroom pages of the claims domain. Each view checks the user's permission on the server,
validates a form, calls one service and renders or redirects."""

import hashlib
from datetime import datetime, time, timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponseNotModified, HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import patch_vary_headers
from django.utils.functional import cached_property
from django.utils.http import parse_etags, quote_etag, url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from claimtrack.lib.languages import primary_language
from claimtrack.lib.submissions import submission_key
from sources import ingestion as source_ingestion
from sources import selectors as source_selectors
from sources.forms import AddFeedForm, SourceFilterForm
from sources.models import Source

from . import bundle, charts, forms, notifications, selectors, services
from .claimreview import claimreview_url
from .models import (
    Appearance,
    Assignment,
    Claim,
    ClaimWording,
    Evidence,
    Follow,
    MergeProposal,
    Note,
    Notification,
    StatusProposal,
    Tag,
)
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
    return claim.get_absolute_url() + selectors.permalink_suffix(kind, pk)


def _start_of_day(day) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_current_timezone())


@login_required
@permission_required("claims.view_claim", raise_exception=True)
@require_GET
def claim_list(request):
    filter_form = forms.ClaimFilterForm(
        request.GET or None,
        tag_names=Tag.objects.values_list("name", flat=True),
        languages=selectors.claim_languages(),
    )
    claims = selectors.claim_list()
    searched = False
    if filter_form.is_bound and filter_form.is_valid():
        data = filter_form.cleaned_data
        searched = bool(data["q"])
        claims = selectors.filtered_claim_list(
            query=data["q"],
            status=data["status"],
            tag=data["tag"],
            source_id=data["source"],
            seen_from=_start_of_day(data["seen_from"]) if data["seen_from"] else None,
            seen_until=_start_of_day(data["seen_until"] + timedelta(days=1)) if data["seen_until"] else None,
            language=data["language"],
        )
    paginator = BoundedCountPaginator(claims, CLAIMS_PER_PAGE) if searched else Paginator(claims, CLAIMS_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
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


SEARCH_RESULTS_COUNTED = 1_000


class BoundedCountPaginator(Paginator):
    """Counts at most SEARCH_RESULTS_COUNTED rows. A word found in most of the archive's claims
    would otherwise cost a COUNT over tens of thousands of matches on every search (600 ms with
    100,000 claims, against 20 ms bounded); past the bound the page says "more than" and offers
    the first pages, newest activity first: narrowing the search reaches the rest."""

    @property
    def bound(self) -> int:
        return SEARCH_RESULTS_COUNTED

    @cached_property
    def count(self):
        return self.object_list[: self.bound + 1].count()

    @property
    def count_is_bounded(self) -> bool:
        return self.count > self.bound


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


def _merged_claim_redirect(request, claim_id: int, route: str):
    """A claim merged into another: 301 to the same page of the claim that stands for it, with the
    query string (GET); after a refused form, back to that claim with the reason shown."""
    survivor_id = selectors.final_survivor_id(claim_id)
    if survivor_id is None:
        raise Http404
    url = reverse(route, args=[survivor_id])
    if request.method != "GET":
        messages.error(
            request,
            _("Claim %(claim)s was merged into claim %(survivor)s: nothing was saved on it.")
            % {"claim": claim_id, "survivor": survivor_id},
        )
        return redirect(url)
    query = request.META.get("QUERY_STRING", "")
    return HttpResponsePermanentRedirect(f"{url}?{query}" if query else url)


def _live_etag(request, state: tuple, unread: int, timeline_query: dict) -> str:
    """The live fragment's ETag: the claim's live state (selectors.claim_live_state) and the user's
    unread notifications (the header's count), for this user (what they may retract) in this
    language, of this part of the timeline."""
    seen = repr((request.user.pk, get_language(), state, unread, sorted(timeline_query.items())))
    return hashlib.sha256(seen.encode()).hexdigest()[:32]


def _claim_or_404(claim_id: int) -> Claim:
    try:
        return selectors.claim_with_related(claim_id)
    except Claim.DoesNotExist:
        raise Http404 from None


def _timeline_query(request) -> dict:
    """Which part of a long timeline the page (and its live fragment, which keeps the same
    address query) shows: `?timeline=all`, or `?event=<anchor>` from a permalink."""
    query = {}
    if request.GET.get("timeline") == "all":
        query["timeline"] = "all"
    event = request.GET.get("event", "")
    if event and len(event) <= 40:
        query["event"] = event
    return query


def _live_context(request, claim: Claim) -> dict:
    """What the claim page and its live fragment both draw: the status line, the stance counts,
    the chart and the timeline (claims/_timeline.html), with the newsroom's notes and assignments;
    of a long timeline the newest appearances and every official statement (the rest on demand)."""
    timeline_query = _timeline_query(request)
    window = selectors.claim_page_timeline(
        claim, show_all=timeline_query.get("timeline") == "all", event=timeline_query.get("event", "")
    )
    timeline = window.events
    unread = selectors.unread_notification_count(request.user)
    status_changes = [event.item for event in timeline if event.kind == "status_change"]
    return {
        # The header's count (instead of the context processor's), live with the rest.
        "unread_notification_count": unread,
        "claim": claim,
        "timeline": timeline,
        "timeline_window": window,
        "timeline_query": urlencode(timeline_query),
        "assignments": selectors.current_assignments(timeline),
        "current_verdict": selectors.current_verdict(claim),
        "chart": charts.stance_chart(selectors.stance_chart_rows(claim), status_changes, now=timezone.now()),
        "live_etag": _live_etag(request, selectors.live_state_of(claim), unread, timeline_query),
    }


def _claim_page(request, claim_id: int, *, status: int = 200, **bound_forms):
    claim = _claim_or_404(claim_id)
    if claim.merged_into_id is not None:
        return _merged_claim_redirect(request, claim.pk, "claims:detail")
    context = _live_context(request, claim)
    context.update(
        can_rule=can_rule(request.user),
        following=selectors.is_following(claim, request.user),
        **selectors.claim_page_extras(claim),
    )
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
    if user.has_perm("claims.add_note"):
        context["note_form"] = bound_forms.get("note_form") or forms.NoteForm()
    if user.has_perm("claims.change_claim") and claim.merged_into_id is None:
        context["wording_form"] = bound_forms.get("wording_form") or forms.WordingForm()
    if user.has_perm("claims.add_assignment"):
        context["assign_form"] = bound_forms.get("assign_form") or forms.AssignForm(users=selectors.newsroom_users())
        context["assigned_to_me"] = any(a.user_id == user.pk for a in context["assignments"])
    context["merge_proposals"] = selectors.claim_merge_proposals(claim)
    context["can_merge"] = user.has_perm("claims.merge_claims")
    if user.has_perm("claims.add_mergeproposal") or context["can_merge"]:
        context["merge_form"] = bound_forms.get("merge_form") or forms.MergeForm()
        context["merge_candidates"] = selectors.similar_claims(claim.text, exclude_id=claim.pk)
    return render(request, "claims/claim_detail.html", context, status=status)


@login_required
@permission_required("claims.view_claim", raise_exception=True)
@require_http_methods(["GET", "POST"])
def claim_detail(request, pk):
    """The claim page. Its forms post here too, naming their `action` (CLAIM_PAGE_ACTIONS), so a
    refused form is shown again, with its errors, at the claim's own address, where a reload or a
    bookmark works (not at a POST-only address answering 405). Each action is the view that has
    its own address as well, with its own permission check."""
    if request.method == "POST":
        action = CLAIM_PAGE_ACTIONS.get(request.POST.get("action", ""))
        if action is None:
            messages.error(request, _("That form is not known here; nothing was saved."))
            return _claim_page(request, pk, status=400)
        return action(request, pk)
    return _claim_page(request, pk)


def _renews_no_session(response):
    response.renews_session = False  # claimtrack.sessions.SessionMiddleware
    return response


@login_required
@permission_required("claims.view_claim", raise_exception=True)
@require_GET
def claim_live(request, pk):
    """What changes on an open claim page, for its script to swap in (static/js/claim-live.js): the
    status line, the stance counts, the chart and the timeline. Polled with If-None-Match: 304 when
    nothing changed, from one query on the claim row. A poll does not renew the session (an
    abandoned page must still time out), and is never cached without asking."""
    state = selectors.claim_live_state(pk)
    if state is None:
        raise Http404
    if state[selectors.LIVE_STATE_FIELDS.index("merged_into_id")] is not None:
        # Merged away: the script reloads the page, which redirects to the survivor.
        return _renews_no_session(_merged_claim_redirect(request, pk, "claims:detail"))
    etag = _live_etag(request, state, selectors.unread_notification_count(request.user), _timeline_query(request))
    if quote_etag(etag) in parse_etags(request.headers.get("If-None-Match", "")):
        response = HttpResponseNotModified()
    else:
        context = _live_context(request, _claim_or_404(pk))
        response = render(request, "claims/claim_live.html", context)
        etag = context["live_etag"]
    response["ETag"] = quote_etag(etag)
    response["Cache-Control"] = "private, no-cache"
    patch_vary_headers(response, ("Cookie",))
    return _renews_no_session(response)


@login_required
@permission_required("claims.change_claim", raise_exception=True)
def claim_edit(request, pk):
    claim = get_object_or_404(Claim.objects.prefetch_related("tags"), pk=pk)
    if claim.merged_into_id is not None:
        messages.error(request, _("This claim was merged into another: edit that one instead."))
        return redirect("claims:detail", pk=claim.merged_into_id)
    tag_names = sorted(tag.name for tag in claim.tags.all())
    status = 200
    if request.method == "POST":
        form = forms.ClaimEditForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                edit = services.update_claim(
                    claim_id=claim.pk,
                    edited_by=request.user,
                    text=data["text"],
                    summary=data["summary"],
                    tags=forms.split_list(data["tags"]),
                    places=forms.split_lines(data["places"]),
                    language=data["language"],
                    first_seen_at=_first_seen_if_changed(claim, data["first_seen_at"]),
                    submission_key=_submission_key(request, form),
                )
            except services.AlreadySubmitted:
                return _already_saved(request, claim.get_absolute_url())
            except services.MergedAway as merged:
                form.add_error(None, merged)
                status = 409
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                if edit is None:
                    messages.info(request, _("Nothing was changed."))
                    return redirect(claim)
                messages.success(request, _("Claim updated."))
                return redirect(_on_claim_page(claim, "edit", edit.pk))
    else:
        form = forms.ClaimEditForm.for_claim(claim, tag_names)
    if form.errors and status == 200:
        status = 400
    return render(request, "claims/claim_edit.html", {"claim": claim, "form": form}, status=status)


def _first_seen_if_changed(claim, first_seen_at):
    """The form shows first seen to the minute: the same minute sent back is no change (its
    seconds are kept), nor is an emptied field."""
    if first_seen_at is None:
        return None
    shown = timezone.localtime(claim.first_seen_at).replace(second=0, microsecond=0)
    return None if timezone.localtime(first_seen_at) == shown else first_seen_at


@require_GET
def fact_check(request, pk):
    """The public page of a published verdict, where ClaimReview's `url` points: no login. It shows
    only what partners see (the current verdict and the published appearances), never rationales,
    pending or rejected appearances, retracted items or who in the newsroom did what. No verdict: 404."""
    claim = selectors.published_claim(pk)
    if claim is None:
        if selectors.final_survivor_id(pk) is not None:
            return _merged_claim_redirect(request, pk, "claims:fact-check")
        raise Http404
    verdict = selectors.current_verdict(claim)
    show_all = request.GET.get("appearances") == "all"
    appearances, appearances_total = selectors.fact_check_appearances(claim, show_all=show_all)
    context = {
        "claim": claim,
        "current_verdict": verdict,
        # The claim was edited after the verdict was published: the page says so, with the date.
        "updated_at": selectors.edited_since(claim, verdict.published_at),
        "appearances": appearances,
        "appearances_total": appearances_total,
        "wordings": selectors.claim_wordings(claim),
        "organisation": settings.CLAIMTRACK_ORGANISATION,
        # This page, or the newsroom's own article when it publishes there (one ClaimReview, one
        # canonical address for search engines).
        "canonical_url": claimreview_url(claim, request),
    }
    language = _interface_language_of(claim.language)
    if language is None:
        return render(request, "claims/fact_check.html", context)
    # Written for the claim's readers: the page speaks the claim's language when the interface does.
    with translation.override(language):
        response = render(request, "claims/fact_check.html", context)
    response.headers["Content-Language"] = language
    return response


def _interface_language_of(tag: str) -> str | None:
    """The interface language of a claim's BCP 47 language tag ("ar-IQ" → "ar"), None when the
    interface does not speak its primary language."""
    primary = primary_language(tag)
    return primary if primary in dict(settings.LANGUAGES) else None


@login_required
@permission_required("claims.add_appearance", raise_exception=True)
def appearance_create(request, pk):
    claim = get_object_or_404(Claim, pk=pk)
    if request.method != "POST":
        if claim.merged_into_id is not None:
            return _merged_claim_redirect(request, claim.pk, "claims:appearance-create")
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
    return _retract_from_page(
        request,
        get_object_or_404(Appearance, pk=pk),
        kind="appearance",
        retract=lambda item, **kw: services.retract_appearance(appearance=item, **kw),
        done=_("Appearance retracted."),
        missing_reason=_("Say why the appearance is retracted."),
    )


def _retract_from_page(request, item, *, kind: str, retract, done: str, missing_reason: str):
    """Retract an appearance, evidence, note or wording from the claim page, if claims.permissions allows
    this user (403 otherwise), and go back to it there with what happened."""
    if not may_retract(request.user, item):
        raise PermissionDenied
    form = forms.ReasonForm(request.POST)
    if form.is_valid():
        try:
            retract(item, retracted_by=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, done)
    else:
        messages.error(request, missing_reason)
    return redirect(_on_claim_page(item.claim, kind, item.pk))


@login_required
@permission_required("claims.change_evidence", raise_exception=True)
@require_POST
def evidence_retract(request, pk):
    return _retract_from_page(
        request,
        get_object_or_404(Evidence, pk=pk),
        kind="evidence",
        retract=lambda item, **kw: services.retract_evidence(evidence=item, **kw),
        done=_("Evidence retracted."),
        missing_reason=_("Say why the evidence is retracted."),
    )


# Notes and assignments ------------------------------------------------------------------------


@login_required
@permission_required("claims.add_note", raise_exception=True)
@require_POST
def note_create(request, pk):
    claim = get_object_or_404(Claim, pk=pk)
    form = forms.NoteForm(request.POST)
    if form.is_valid():
        try:
            note = services.add_note(
                claim_id=claim.pk,
                author=request.user,
                text=form.cleaned_data["text"],
                submission_key=_submission_key(request, form),
            )
        except services.AlreadySubmitted as repeat:
            return _already_saved(request, _on_claim_page(claim, "note", repeat.existing.pk))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Note added."))
            return redirect(_on_claim_page(claim, "note", note.pk))
    return _claim_page(request, claim.pk, status=400, note_form=form)


@login_required
@permission_required("claims.add_note", raise_exception=True)
@require_POST
def note_retract(request, pk):
    return _retract_from_page(
        request,
        get_object_or_404(Note, pk=pk),
        kind="note",
        retract=lambda item, **kw: services.retract_note(note=item, **kw),
        done=_("Note retracted."),
        missing_reason=_("Say why the note is retracted."),
    )


# Wordings --------------------------------------------------------------------------------------


@login_required
@permission_required("claims.change_claim", raise_exception=True)
@require_POST
def wording_create(request, pk):
    claim = get_object_or_404(Claim, pk=pk)
    form = forms.WordingForm(request.POST)
    if form.is_valid():
        try:
            wording = services.add_claim_wording(
                claim_id=claim.pk,
                text=form.cleaned_data["text"],
                language=form.cleaned_data["language"],
                is_translation=form.cleaned_data["is_translation"],
                added_by=request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Wording added: search and matching use it now."))
            return redirect(_on_claim_page(claim, "wording", wording.pk))
    return _claim_page(request, claim.pk, status=400, wording_form=form)


@login_required
@permission_required("claims.change_claim", raise_exception=True)
@require_POST
def wording_retract(request, pk):
    return _retract_from_page(
        request,
        get_object_or_404(ClaimWording, pk=pk),
        kind="wording",
        retract=lambda item, **kw: services.retract_claim_wording(wording=item, **kw),
        done=_("Wording retracted."),
        missing_reason=_("Say why the wording is retracted."),
    )


@login_required
@permission_required("claims.add_assignment", raise_exception=True)
@require_POST
def assignment_create(request, pk):
    claim = get_object_or_404(Claim, pk=pk)
    form = forms.AssignForm(request.POST, users=selectors.newsroom_users())
    if form.is_valid():
        assignee = form.cleaned_data["user"]
        try:
            assignment = services.assign_claim(claim_id=claim.pk, user=assignee, assigned_by=request.user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if assignment is None:
                messages.info(request, _("%(name)s is already on this claim.") % {"name": assignee.get_username()})
            else:
                messages.success(request, _("Assigned to %(name)s.") % {"name": assignee.get_username()})
            return redirect(_on_claim_page(claim, "assignment", assignment.pk) if assignment else claim)
    return _claim_page(request, claim.pk, status=400, assign_form=form)


@login_required
@permission_required("claims.add_assignment", raise_exception=True)
@require_POST
def assignment_end(request, pk):
    assignment = get_object_or_404(Assignment.objects.select_related("claim", "user"), pk=pk)
    try:
        services.unassign_claim(claim_id=assignment.claim_id, user=assignment.user, unassigned_by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("%(name)s is off this claim.") % {"name": assignment.user.get_username()})
    return redirect(assignment.claim)


@login_required
@permission_required("claims.view_claim", raise_exception=True)
@require_GET
def my_claims(request):
    """The claims I am assigned to or follow, newest activity first."""
    page = Paginator(selectors.my_claims(request.user), CLAIMS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "claims/my_claims.html", {"page": page})


# Merging duplicate claims ---------------------------------------------------------------------


@login_required
@permission_required("claims.add_mergeproposal", raise_exception=True)
@require_POST
def claim_merge(request, pk):
    """This claim is a duplicate of another: an editor merges it into that one, a journalist
    proposes the merge to the editors."""
    claim = get_object_or_404(Claim, pk=pk)
    form = forms.MergeForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        may_merge = request.user.has_perm("claims.merge_claims")
        try:
            if may_merge:
                merge = services.merge_claims(
                    absorbed=claim.pk,
                    into=data["into"],
                    merged_by=request.user,
                    reason=data["reason"],
                    keep_verdict_of=data["keep_verdict_of"] or None,
                    submission_key=_submission_key(request, form),
                )
            else:
                services.propose_merge(
                    absorbed=claim.pk,
                    into=data["into"],
                    proposed_by=request.user,
                    reason=data["reason"],
                    submission_key=_submission_key(request, form),
                )
        except services.AlreadySubmitted as repeat:
            url = repeat.existing.into.get_absolute_url() if may_merge else claim.get_absolute_url()
            return _already_saved(request, url)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if not may_merge:
                messages.success(request, _("Merge proposed; an editor will decide."))
                return redirect(f"{claim.get_absolute_url()}#merge-claim")
            messages.success(
                request,
                _("Claim %(absorbed)s was merged into this claim.") % {"absorbed": claim.pk},
            )
            return redirect(merge.into)
    return _claim_page(request, claim.pk, status=400, merge_form=form)


@login_required
@permission_required("claims.merge_claims", raise_exception=True)
@require_POST
def merge_proposal_decide(request, pk, decision):
    proposal = get_object_or_404(MergeProposal, pk=pk)
    form = forms.MergeDecisionForm(request.POST)
    next_url = request.POST.get("next")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = proposal.absorbed.get_absolute_url()
    if not form.is_valid():
        messages.error(request, " ".join(error for errors in form.errors.values() for error in errors))
        return redirect(next_url)
    try:
        decided = services.decide_merge_proposal(
            proposal=proposal,
            decided_by=request.user,
            merge=decision == "merge",
            decision_note=form.cleaned_data["decision_note"],
            keep_verdict_of=form.cleaned_data["keep_verdict_of"] or None,
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(next_url)
    if decided.state == MergeProposal.State.MERGED:
        messages.success(
            request, _("Claim %(absorbed)s was merged into this claim.") % {"absorbed": decided.absorbed_id}
        )
        return redirect(decided.into)
    messages.success(request, _("Merge proposal rejected."))
    return redirect(next_url)


# The forms of the claim page post to the page itself (claim_detail), naming one of these.
# Other parts of the page that show a form again on refusal register theirs here.
CLAIM_PAGE_ACTIONS = {
    "appearance": appearance_create,
    "evidence": evidence_create,
    "status": status_change,
    "verdict": verdict_publish,
    "proposal": proposal_create,
    "note": note_create,
    "wording": wording_create,
    "assignment": assignment_create,
    "merge": claim_merge,
}


# Review queue and desk ------------------------------------------------------------------------


@login_required
@permission_required("claims.review_appearance", raise_exception=True)
@require_GET
def review_queue(request):
    filter_form = forms.ReviewFilterForm(request.GET or None, languages=selectors.pending_languages())
    language = filter_form.cleaned_data["language"] if filter_form.is_bound and filter_form.is_valid() else ""
    page = Paginator(selectors.pending_appearances(language=language), CLAIMS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    query_without_page = request.GET.copy()
    query_without_page.pop("page", None)
    return render(
        request,
        "claims/review_queue.html",
        {"page": page, "filter_form": filter_form, "query_without_page": query_without_page.urlencode()},
    )


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
            "unassigned_claims": list(selectors.unassigned_claims_with_new_activity()[:DESK_ROWS]),
            "proposals": list(selectors.pending_proposals()[:DESK_ROWS]),
            "merge_proposals": list(selectors.pending_merge_proposals()[:DESK_ROWS]),
            "pending_appearances": list(selectors.pending_appearances()[:DESK_ROWS]),
            "pending_count": selectors.pending_appearances().count(),
            "official_statements": selectors.official_statements(DESK_ROWS),
        },
    )


# Source pages ---------------------------------------------------------------------------------
# A source's page is drawn here, above sources, because it shows what the source said about
# claims and how those claims were rated.

SOURCE_APPEARANCES_PER_PAGE = 50
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
    # A source can have tens of thousands of appearances: a page of them, newest first; the
    # ratings summary is counted in SQL over all of them.
    page = Paginator(selectors.source_appearances(source), SOURCE_APPEARANCES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    context = {
        "source": source,
        "page": page,
        "appearances": page.object_list,
        "ratings": selectors.assertion_ratings(source),
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


# Follows and notifications (claims/notifications.py) ---------------------------------------------

NOTIFICATIONS_PER_PAGE = 50


@login_required
@permission_required("claims.view_claim", raise_exception=True)
@require_POST
def claim_follow(request, pk, follow):
    """The follow / unfollow button of the claim page."""
    claim = get_object_or_404(Claim, pk=pk)
    if claim.merged_into_id is not None:  # nothing happens on it any more: follow the survivor
        return _merged_claim_redirect(request, claim.pk, "claims:detail")
    if follow:
        notifications.follow_claim(claim_id=claim.pk, user=request.user, reason=Follow.Reason.CHOSE)
        messages.success(request, _("You follow this claim: you will be told what happens on it."))
    else:
        notifications.unfollow_claim(claim_id=claim.pk, user=request.user)
        messages.success(request, _("You no longer follow this claim."))
    return redirect(claim)


@login_required
@permission_required("claims.view_claim", raise_exception=True)
@require_GET
def notification_list(request):
    page = Paginator(selectors.user_notifications(request.user), NOTIFICATIONS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "claims/notifications.html",
        {"page": page, "rows": [(n, notifications.claim_link(n, absolute=False)) for n in page.object_list]},
    )


def _back_to_notifications(request):
    if url_has_allowed_host_and_scheme(request.POST.get("next"), allowed_hosts={request.get_host()}):
        return redirect(request.POST["next"])
    return redirect("claims:notifications")


@login_required
@permission_required("claims.view_claim", raise_exception=True)
@require_POST
def notification_read(request, pk):
    # Only the user's own: someone else's notification is not found.
    notifications.mark_read(notification=get_object_or_404(Notification, pk=pk, recipient=request.user))
    return _back_to_notifications(request)


@login_required
@permission_required("claims.view_claim", raise_exception=True)
@require_POST
def notifications_read_all(request):
    notifications.mark_all_read(user=request.user)
    messages.success(request, _("All notifications marked read."))
    return _back_to_notifications(request)


@login_required
@permission_required("claims.view_claim", raise_exception=True)
def notification_settings(request):
    if request.method == "POST":
        form = forms.NotificationSettingsForm(request.POST)
        if form.is_valid():
            try:
                notifications.update_notification_settings(user=request.user, email=form.cleaned_data["email"])
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Your email settings are saved."))
                return redirect("claims:notification-settings")
    else:
        form = forms.NotificationSettingsForm(initial={"email": selectors.notification_email_choice(request.user)})
    return render(request, "claims/notification_settings.html", {"form": form}, status=400 if form.errors else 200)


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


@login_required
@permission_required("claims.view_claim", raise_exception=True)
@require_GET
def claim_bundle(request, pk):
    """Editors download what the claim's record rests on as one WARC file (claims.bundle)."""
    if not can_rule(request.user):
        raise PermissionDenied
    claim = get_object_or_404(Claim, pk=pk)
    try:
        handle = bundle.build_bundle(claim=claim, claim_url=claimreview_url(claim, request))
    except bundle.BundleRefused as error:
        messages.error(request, _("The bundle cannot be made: %(reason)s") % {"reason": error.reason})
        return redirect(claim)
    response = FileResponse(
        handle, as_attachment=True, filename=f"claim-{claim.pk}-bundle.warc.gz", content_type="application/gzip"
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
