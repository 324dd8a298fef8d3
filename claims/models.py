"""What is said, and what we know about it.

Writes go through claims.services; in particular a claim's status is only ever written by
services.change_status, which also appends the StatusChange row.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from audit.models import AuditFields
from claimtrack.lib.arabic import searchable_text

from .permalinks import permalink_suffix


class ClaimStatus(models.TextChoices):
    # Codes are fixed (partners and archives depend on them); labels may be translated.
    UNVERIFIED = "unverified", _("Unverified")
    UNDER_REVIEW = "under_review", _("Under review")
    DISPUTED = "disputed", _("Disputed")
    CONFIRMED = "confirmed", _("Confirmed")
    FALSE = "false", _("False")
    MISLEADING = "misleading", _("Misleading")
    UNPROVEN = "unproven", _("Unproven")


class Stance(models.TextChoices):
    ASSERTS = "asserts", _("Asserts")
    DENIES = "denies", _("Denies")
    REPORTS = "reports", _("Reports")


class Tag(models.Model):
    name = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


# A claim's places: what every path (pages, API, admin, import) accepts.
MAX_PLACES = 20
PLACE_NAME_MAX_LENGTH = 200


def validate_place_names(value):
    """A claim's places are a list of at most MAX_PLACES place names: trimmed strings of 1 to
    PLACE_NAME_MAX_LENGTH characters with at least one letter (so not a number, and not JSON pasted
    into a form). Named by migration 0008: keep its name and module."""
    if not isinstance(value, list) or not all(isinstance(place, str) and place.strip() for place in value):
        raise ValidationError(_("Places must be a list of place names."), code="invalid_places")
    if len(value) > MAX_PLACES:
        raise ValidationError(
            _("A claim has at most %(limit)d places."), code="too_many_places", params={"limit": MAX_PLACES}
        )
    for place in value:
        if len(place) > PLACE_NAME_MAX_LENGTH:
            raise ValidationError(
                _("A place name has at most %(limit)d characters."),
                code="place_too_long",
                params={"limit": PLACE_NAME_MAX_LENGTH},
            )
        if not any(ch.isalpha() for ch in place) or any(ch in place for ch in '[]{}"'):
            raise ValidationError(
                _("“%(place)s” is not a place name: one place name each, without brackets or quotes."),
                code="invalid_place",
                params={"place": place},
            )


# The claim's clock: denormalised columns written only by claims.services (_recompute_clocks), never
# by Claim.save(), so a stale instance saved by another write cannot put an old clock back.
CLOCK_FIELDS = (
    "first_appearance_at",
    "first_denial_at",
    "first_official_at",
    "first_status_change_at",
    "first_verdict_at",
)


class Claim(models.Model):
    text = models.TextField(max_length=2000)
    slug = models.SlugField(max_length=120, unique=True, allow_unicode=True)
    summary = models.TextField(max_length=5000, blank=True)
    tags = models.ManyToManyField(Tag, blank=True, related_name="claims")
    places = models.JSONField(
        default=list, blank=True, validators=[validate_place_names], help_text=_("Place names the claim is about")
    )
    language = models.CharField(max_length=16, blank=True)
    first_seen_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    # Set when a partner newsroom submitted the claim through the API (created_by is then empty).
    submitted_by_partner = models.ForeignKey(
        "partners.Partner", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Denormalised from the latest StatusChange; written only by services.change_status.
    status = models.CharField(
        max_length=32, choices=ClaimStatus.choices, default=ClaimStatus.UNVERIFIED, editable=False, db_index=True
    )
    status_changed_at = models.DateTimeField(default=timezone.now, editable=False)
    # Bumped by every service that adds something to the claim's timeline; the list sorts by it.
    last_activity_at = models.DateTimeField(default=timezone.now, db_index=True, editable=False)
    # Distinct sources per stance among accepted, unretracted appearances; recomputed inside every
    # write that changes them (services.recompute_stance_counts).
    asserts_count = models.PositiveIntegerField(default=0, editable=False)
    denies_count = models.PositiveIntegerField(default=0, editable=False)
    reports_count = models.PositiveIntegerField(default=0, editable=False)
    is_archived = models.BooleanField(default=False, help_text=_("Archived claims are no longer matched"))
    # claimtrack.lib.submissions.submission_key of the form token or Idempotency-Key that created it.
    submission_key = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)
    # When the claim's own fields (text, summary, tags, places, language, first seen) last changed;
    # written by services.update_claim (and creation).
    updated_at = models.DateTimeField(default=timezone.now, editable=False)
    # Set by services.merge_claims on the absorbed claim: its rows stay, its pages redirect here.
    merged_into = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="absorbed_claims", editable=False
    )
    # Moves on with every write that changes what the claim page shows (services._touch, update_claim):
    # the live page's ETag. Also for events dated in the past, which leave last_activity_at as it is.
    # Not in the audit trail: it says nothing a person did.
    timeline_version = models.PositiveBigIntegerField(default=0, editable=False)
    # The claim's clock (CLOCK_FIELDS), recomputed from scratch in the writing transaction by
    # services.recompute_stance_counts (appearances), change_status and _save_verdict: the first
    # accepted, unretracted appearance (a superseded one still counts: the source said it then), the
    # first denial, the first official statement (OFFICIAL_APPEARANCES), the first status change
    # after the claim was logged and the first published verdict. Derived: not in the audit trail.
    first_appearance_at = models.DateTimeField(null=True, blank=True, editable=False)
    first_denial_at = models.DateTimeField(null=True, blank=True, editable=False)
    first_official_at = models.DateTimeField(null=True, blank=True, editable=False)
    first_status_change_at = models.DateTimeField(null=True, blank=True, editable=False)
    first_verdict_at = models.DateTimeField(null=True, blank=True, editable=False, db_index=True)
    # What search, the similar-claims warning and matching read: the text, summary and every standing
    # wording, normalised (claimtrack.lib.arabic.searchable_text), written by save() and by the
    # wording services. Derived: not in the audit trail. PostgreSQL indexes it (migration 0024).
    search_text = models.TextField(blank=True, default="", db_default="", editable=False)

    history = HistoricalRecords(bases=[AuditFields], excluded_fields=["timeline_version", "search_text", *CLOCK_FIELDS])

    class Meta:
        ordering = ["-last_activity_at", "-id"]
        permissions = [
            ("change_claim_status", "Can change a claim's verification status"),
            ("propose_status_change", "Can propose a status change for an editor to rule on"),
            ("publish_verdict", "Can publish a verdict"),
            ("review_appearance", "Can accept or reject a pending appearance (suggested or submitted by a partner)"),
            ("merge_claims", "Can merge a duplicate claim into another"),
        ]

    def __str__(self):
        return self.text[:80]

    def save(self, *args, **kwargs):
        # An existing claim's status is never written by save(): only change_status may write
        # it, together with its StatusChange row.
        if self.pk is not None and not self._state.adding and kwargs.get("update_fields") is None:
            kwargs["update_fields"] = [
                f.attname
                for f in self._meta.concrete_fields
                if not f.primary_key and f.attname not in {"status", "status_changed_at", *CLOCK_FIELDS}
            ]
        update_fields = kwargs.get("update_fields")
        if update_fields is None or {"text", "summary"} & set(update_fields):
            self.search_text = self.searchable_text()
            if update_fields is not None and "search_text" not in update_fields:
                kwargs["update_fields"] = [*update_fields, "search_text"]
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("claims:detail", args=[self.pk])

    def searchable_text(self) -> str:
        """The claim's search_text as it should be now: its text, summary and standing wordings."""
        wordings = []
        if self.pk is not None and not self._state.adding:
            wordings = list(
                ClaimWording.objects.filter(claim_id=self.pk, retracted_at__isnull=True)
                .order_by("id")
                .values_list("text", flat=True)
            )
        return searchable_text(self.text, self.summary, *wordings)

    @property
    def time_to_first_denial(self):
        """first_denial_at - first_appearance_at, or None when either is missing."""
        if self.first_denial_at is None or self.first_appearance_at is None:
            return None
        return self.first_denial_at - self.first_appearance_at

    @property
    def time_to_verdict(self):
        """first_verdict_at - first_appearance_at, or None when either is missing."""
        if self.first_verdict_at is None or self.first_appearance_at is None:
            return None
        return self.first_verdict_at - self.first_appearance_at


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError(f"{self.model.__name__} rows are append-only")

    def delete(self):
        raise PermissionError(f"{self.model.__name__} rows are append-only")


class StatusChange(models.Model):
    """One step of a claim's verification timeline. Append-only."""

    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="status_changes")
    from_status = models.CharField(max_length=32, choices=ClaimStatus.choices, blank=True)
    to_status = models.CharField(max_length=32, choices=ClaimStatus.choices)
    rationale = models.TextField(max_length=5000)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now, db_index=True)

    objects = AppendOnlyQuerySet.as_manager()

    history = HistoricalRecords(bases=[AuditFields])

    class Meta:
        ordering = ["claim", "changed_at", "id"]
        indexes = [models.Index(fields=["claim", "changed_at"], name="statuschange_claim_time_idx")]

    def __str__(self):
        return f"{self.claim_id}: {self.from_status or '∅'} → {self.to_status}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError("StatusChange rows are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("StatusChange rows are append-only")


class Appearance(models.Model):
    """A source speaking to a claim, once, somewhere, with a stance."""

    class Origin(models.TextChoices):
        MANUAL = "manual", _("Recorded by a journalist")
        SUGGESTED = "suggested", _("Suggested by ingestion")
        PARTNER = "partner", _("Submitted by a partner")
        # A re-check of a rewritten document found that it no longer says what an accepted
        # appearance recorded ("story changed"): it waits for review, and accepting it supersedes
        # that appearance.
        REVISION = "revision", _("Story changed")

    class ReviewState(models.TextChoices):
        PENDING = "pending", _("Pending review")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Rejected")

    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="appearances")
    source = models.ForeignKey("sources.Source", on_delete=models.PROTECT, related_name="appearances")
    document = models.ForeignKey(
        "sources.Document", on_delete=models.PROTECT, null=True, blank=True, related_name="appearances"
    )
    # The revision of the document the appearance was judged on (suggestions and story changes).
    revision = models.ForeignKey(
        "sources.DocumentRevision", on_delete=models.PROTECT, null=True, blank=True, related_name="appearances"
    )
    # A story change: the accepted appearance this one replaces once accepted. The earlier one is
    # never edited: it only gets superseded_at, and stops being counted.
    supersedes = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="superseding", editable=False
    )
    superseded_at = models.DateTimeField(null=True, blank=True, editable=False)
    # A story change: the SHA-256 of what its revision says about the claim (the sentences that
    # share its words), so the same passage is never raised twice for one appearance, whatever
    # else on the page (a timestamp, a sidebar) changed.
    passage_sha256 = models.CharField(max_length=64, blank=True, editable=False)
    # Blank only on a suggestion the classifier could not give a stance ("needs review": no model
    # installed); a journalist sets it when accepting.
    stance = models.CharField(max_length=16, choices=Stance.choices, blank=True)
    # For a suggestion: the sentence of the document that best supports the suggested stance.
    quote = models.TextField(max_length=5000, blank=True)
    seen_at = models.DateTimeField(default=timezone.now, db_index=True)
    origin = models.CharField(max_length=16, choices=Origin.choices, default=Origin.MANUAL)
    review_state = models.CharField(
        max_length=16, choices=ReviewState.choices, default=ReviewState.ACCEPTED, db_index=True
    )
    confidence = models.FloatField(null=True, blank=True, help_text=_("Classifier confidence, suggestions only"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)
    # The partner newsroom that submitted it, when origin is "partner".
    submitted_by_partner = models.ForeignKey(
        "partners.Partner", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The document address and title a partner gave, kept here as the partner's word: no document
    # is created from them until a journalist accepts the submission (document stays empty until
    # then, unless the address was already known).
    submitted_document_url = models.CharField(max_length=2000, blank=True)
    submitted_document_title = models.CharField(max_length=1000, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    retracted_at = models.DateTimeField(null=True, blank=True)
    retracted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    retraction_reason = models.TextField(max_length=2000, blank=True)
    # claimtrack.lib.submissions.submission_key of the form token or Idempotency-Key that created it.
    submission_key = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)

    history = HistoricalRecords(bases=[AuditFields])

    class Meta:
        ordering = ["claim", "seen_at", "id"]
        indexes = [
            models.Index(fields=["claim", "seen_at"], name="appearance_claim_time_idx"),
            # A source's page: its appearances newest first, and their count, from the index alone.
            models.Index(fields=["source", "-seen_at", "-id"], include=["claim"], name="appearance_by_source_newest"),
            # The review queue and the desk: what waits for review, newest first.
            models.Index(
                fields=["-seen_at", "-id"],
                include=["claim", "origin"],
                condition=models.Q(review_state="pending"),
                name="appearance_pending_newest",
            ),
            # The sources directory's counts (selectors.with_source_counts), from the index alone.
            models.Index(
                fields=["source", "claim"],
                include=["stance"],
                condition=models.Q(review_state="accepted", retracted_at__isnull=True, superseded_at__isnull=True),
                name="appearance_counted_by_source",
            ),
            # The sources report (claims.reports.sources_rated_false): counted assertions, grouped by
            # source from the index alone (an index-only scan: ~110 ms instead of 240-450 ms over
            # 1,000,000 appearances, docs/performance.md).
            models.Index(
                fields=["source", "claim"],
                condition=models.Q(
                    stance="asserts", review_state="accepted", retracted_at__isnull=True, superseded_at__isnull=True
                ),
                name="appearance_counted_assertions",
            ),
            # The corrections report (claims.reports.corrections_after_denial): accepted story changes,
            # few among the appearances, without reading the others.
            models.Index(
                fields=["source", "seen_at"],
                condition=models.Q(origin="revision", review_state="accepted"),
                name="appearance_accepted_revision",
            ),
        ]
        constraints = [
            # Matching proposes a (claim, document) pair at most once: a rejected suggestion stays
            # rejected. (The service also skips pairs that have a manual appearance.)
            models.UniqueConstraint(
                fields=["claim", "document"],
                condition=models.Q(origin="suggested"),
                name="appearance_one_suggestion_per_claim_document",
            ),
            # A story change is raised once per passage of the appearance it would replace: a
            # rejected one stays rejected through later re-checks.
            models.UniqueConstraint(
                fields=["supersedes", "passage_sha256"],
                condition=models.Q(origin="revision"),
                name="appearance_one_story_change_per_passage",
            ),
            models.CheckConstraint(
                condition=~models.Q(stance="")
                | (models.Q(origin__in=["suggested", "revision"]) & ~models.Q(review_state="accepted")),
                name="appearance_stance_unless_unreviewed_suggestion",
            ),
        ]

    def __str__(self):
        return f"{self.source} {self.stance or 'needs review'} claim {self.claim_id}"

    def get_absolute_url(self):
        """Its permalink on the claim page, which includes it however long the timeline."""
        return reverse("claims:detail", args=[self.claim_id]) + permalink_suffix("appearance", self.pk)

    @property
    def needs_stance(self):
        """A suggestion whose stance the classifier could not give: the reviewer must choose one."""
        return self.stance == ""

    @property
    def is_official(self):
        return self.source.kind == "official_body" or (
            self.document_id is not None and self.document.kind == "official_statement"
        )


# An official statement: by an official body, or in a document that is one (Appearance.is_official).
BY_OFFICIAL_BODY = models.Q(source__kind="official_body")
IN_OFFICIAL_STATEMENT = models.Q(document__kind="official_statement")
OFFICIAL_APPEARANCES = BY_OFFICIAL_BODY | IN_OFFICIAL_STATEMENT

# What a claim's stance counts count: accepted appearances neither retracted nor superseded by a
# story change (a superseded one stays on the timeline as what the source said then).
COUNTED_APPEARANCES = models.Q(
    review_state=Appearance.ReviewState.ACCEPTED, retracted_at__isnull=True, superseded_at__isnull=True
)


class Verdict(models.Model):
    """A published rating, exported as a schema.org ClaimReview. The latest one is current."""

    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="verdicts")
    rating_value = models.IntegerField()
    rating_name = models.CharField(max_length=64)
    best_rating = models.IntegerField()
    worst_rating = models.IntegerField()
    summary = models.TextField(max_length=5000, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    published_at = models.DateTimeField(default=timezone.now, db_index=True)
    # claimtrack.lib.submissions.submission_key of the form token or Idempotency-Key that created it.
    submission_key = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)

    history = HistoricalRecords(bases=[AuditFields])

    class Meta:
        ordering = ["claim", "published_at", "id"]
        get_latest_by = "published_at"

    def __str__(self):
        return f"{self.rating_name} ({self.claim_id})"


def evidence_upload_to(instance, filename):
    # Content-addressed: the stored name never comes from the uploader. Named by migration 0001: keep
    # its name and module.
    extension = {"image/png": "png", "image/jpeg": "jpg", "image/gif": "gif", "image/webp": "webp"}.get(
        instance.content_type, "pdf" if instance.content_type == "application/pdf" else "bin"
    )
    return f"evidence/{instance.sha256[:2]}/{instance.sha256}.{extension}"


class Evidence(models.Model):
    """A file (screenshot, photo, PDF) kept as evidence, with its SHA-256."""

    file = models.FileField(upload_to=evidence_upload_to, max_length=300)
    sha256 = models.CharField(max_length=64, db_index=True)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    original_name = models.CharField(max_length=255, blank=True)
    caption = models.TextField(max_length=2000, blank=True)
    captured_at = models.DateTimeField(null=True, blank=True)
    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, null=True, blank=True, related_name="evidence")
    appearance = models.ForeignKey(Appearance, on_delete=models.PROTECT, null=True, blank=True, related_name="evidence")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now, editable=False)
    retracted_at = models.DateTimeField(null=True, blank=True)
    retracted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    retraction_reason = models.TextField(max_length=2000, blank=True)
    # claimtrack.lib.submissions.submission_key of the form token or Idempotency-Key that created it.
    submission_key = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)

    history = HistoricalRecords(bases=[AuditFields])

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name_plural = "evidence"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(claim__isnull=False) | models.Q(appearance__isnull=False),
                name="evidence_linked_to_claim_or_appearance",
            )
        ]

    def __str__(self):
        return self.caption or self.sha256[:12]

    def clean(self):
        if self.claim_id is None and self.appearance_id is None:
            raise ValidationError(_("Evidence must belong to a claim or an appearance."))


class StatusProposal(models.Model):
    """A journalist's proposal to change a claim's status; an editor approves or rejects it.
    Approving applies it through services.change_status, so the StatusChange is the editor's."""

    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="status_proposals")
    # The status the journalist saw; approving fails with a conflict if it has changed since.
    from_status = models.CharField(max_length=32, choices=ClaimStatus.choices)
    to_status = models.CharField(max_length=32, choices=ClaimStatus.choices)
    rationale = models.TextField(max_length=5000)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField(default=timezone.now, editable=False)
    state = models.CharField(max_length=16, choices=State.choices, default=State.PENDING, db_index=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(max_length=2000, blank=True)
    status_change = models.OneToOneField(
        StatusChange, on_delete=models.PROTECT, null=True, blank=True, related_name="proposal"
    )
    # claimtrack.lib.submissions.submission_key of the form token or Idempotency-Key that created it.
    submission_key = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)

    class Meta:
        ordering = ["proposed_at", "id"]

    def __str__(self):
        return f"{self.claim_id}: propose {self.to_status} ({self.state})"


class ClaimEdit(models.Model):
    """One edit of a claim's own fields, written by services.update_claim. Append-only. `changes`
    maps each changed field to [old, new] (tags as sorted name lists, times as ISO strings)."""

    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="edits")
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    edited_at = models.DateTimeField(default=timezone.now, db_index=True)
    changes = models.JSONField()
    # claimtrack.lib.submissions.submission_key of the edit form's token: a double click edits once.
    submission_key = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["claim", "edited_at", "id"]

    def __str__(self):
        return f"{self.claim_id}: edit of {', '.join(sorted(self.changes))}"


class ClaimMerge(models.Model):
    """A duplicate claim absorbed into another by services.merge_claims. Append-only. A claim is
    absorbed at most once (the one-to-one), and the survivor is never itself merged away."""

    absorbed = models.OneToOneField(Claim, on_delete=models.PROTECT, related_name="merge_record")
    into = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="merges_in")
    merged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    merged_at = models.DateTimeField(default=timezone.now, db_index=True)
    reason = models.TextField(max_length=2000)
    # Which verdict stands when both claims had one: "into" or "absorbed"; blank otherwise.
    kept_verdict_of = models.CharField(max_length=16, blank=True)
    # The ids of the rows that moved, per kind, so the record says exactly what the merge did.
    moved = models.JSONField(default=dict)
    # claimtrack.lib.submissions.submission_key of the form token that made the merge.
    submission_key = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["merged_at", "id"]

    def __str__(self):
        return f"{self.absorbed_id} merged into {self.into_id}"


class MergeProposal(models.Model):
    """A journalist's proposal that one claim duplicates another; an editor merges or rejects."""

    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        MERGED = "merged", _("Merged")
        REJECTED = "rejected", _("Rejected")

    absorbed = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="merge_proposals_out")
    into = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="merge_proposals_in")
    reason = models.TextField(max_length=2000)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField(default=timezone.now, editable=False)
    state = models.CharField(max_length=16, choices=State.choices, default=State.PENDING, db_index=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(max_length=2000, blank=True)
    merge = models.OneToOneField(ClaimMerge, on_delete=models.PROTECT, null=True, blank=True, related_name="proposal")
    submission_key = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)

    class Meta:
        ordering = ["proposed_at", "id"]

    def __str__(self):
        return f"merge {self.absorbed_id} into {self.into_id} ({self.state})"


# A note's text: long enough for a call log, short enough to read on a timeline.
NOTE_MAX_LENGTH = 5000


class Note(models.Model):
    """The newsroom's internal discussion of a claim. Append-only: retracted, never edited or
    deleted. Never shown to partners, on the public page or in ClaimReview."""

    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(max_length=NOTE_MAX_LENGTH)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    mentions = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    retracted_at = models.DateTimeField(null=True, blank=True)
    retracted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    retraction_reason = models.TextField(max_length=2000, blank=True)
    submission_key = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)

    history = HistoricalRecords(bases=[AuditFields])

    class Meta:
        ordering = ["claim", "created_at", "id"]
        indexes = [models.Index(fields=["claim", "created_at"], name="note_claim_time_idx")]

    def __str__(self):
        return f"note {self.pk} on claim {self.claim_id}"


WORDING_MAX_LENGTH = 2000


class ClaimWording(models.Model):
    """The same claim worded in another language (or as it circulates in another form): "the same
    claim in Arabic". Search, the similar-claims warning and matching use every standing wording
    (through Claim.search_text); the API, ClaimReview and the public page carry them. Retracted,
    never edited or deleted."""

    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="wordings")
    text = models.TextField(max_length=WORDING_MAX_LENGTH)
    language = models.CharField(max_length=16, help_text=_("BCP 47 language tag, e.g. ar, ckb, en"))
    # The newsroom's own translation, as against a wording found in circulation (a post, a headline).
    is_translation = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    retracted_at = models.DateTimeField(null=True, blank=True)
    retracted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    retraction_reason = models.TextField(max_length=2000, blank=True)

    history = HistoricalRecords(bases=[AuditFields])

    class Meta:
        ordering = ["claim", "created_at", "id"]
        constraints = [
            # A double click, or two journalists adding the same words, make one wording.
            models.UniqueConstraint(
                fields=["claim", "language", "text"],
                condition=models.Q(retracted_at__isnull=True),
                name="one_standing_wording_per_text",
            )
        ]

    def __str__(self):
        return f"{self.language} wording of claim {self.claim_id}"


class Assignment(models.Model):
    """A newsroom user working a claim. Ended (unassigned_at), never deleted, so the timeline keeps
    who was on it when."""

    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="assignments")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="claim_assignments")
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    assigned_at = models.DateTimeField(default=timezone.now, db_index=True)
    unassigned_at = models.DateTimeField(null=True, blank=True)
    unassigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    history = HistoricalRecords(bases=[AuditFields])

    class Meta:
        ordering = ["claim", "assigned_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["claim", "user"],
                condition=models.Q(unassigned_at__isnull=True),
                name="assignment_one_current_per_claim_user",
            )
        ]

    def __str__(self):
        return f"{self.user} on claim {self.claim_id}"


class Follow(models.Model):
    """A user following a claim, to be notified of what happens on it. One row per (claim, user):
    unfollowing clears `active`, so an automatic follow later does not undo an explicit unfollow
    unless the user is assigned or mentioned."""

    class Reason(models.TextChoices):
        LOGGED = "logged", _("Logged the claim")
        RECORDED = "recorded", _("Recorded on the claim")
        ASSIGNED = "assigned", _("Assigned to the claim")
        MENTIONED = "mentioned", _("Mentioned on the claim")
        CHOSE = "chose", _("Chose to follow")

    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="follows")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="claim_follows")
    reason = models.CharField(max_length=16, choices=Reason.choices)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["claim", "user"]
        constraints = [models.UniqueConstraint(fields=["claim", "user"], name="follow_one_per_claim_user")]
        indexes = [models.Index(fields=["user", "active"], name="follow_user_active_idx")]

    def __str__(self):
        return f"{self.user} follows claim {self.claim_id}"


class Notification(models.Model):
    """Something a user should know about a claim. Shown in the page (unread until read_at) and
    emailed according to the user's NotificationSettings, by the worker, never in a request."""

    class Kind(models.TextChoices):
        ASSIGNED = "assigned", _("Assigned to you")
        MENTIONED = "mentioned", _("Mentioned you")
        DENIAL = "denial", _("Denial recorded")
        OFFICIAL_STATEMENT = "official_statement", _("Official statement recorded")
        STATUS_CHANGED = "status_changed", _("Status changed")
        VERDICT_PUBLISHED = "verdict_published", _("Verdict published")
        SUGGESTION = "suggestion", _("Suggestion waiting")

    class EmailState(models.TextChoices):
        PENDING = "pending", _("To be emailed")
        SENT = "sent", _("Emailed")
        DIGEST = "digest", _("Waiting for the daily digest")
        NOT_SENT = "not_sent", _("Not emailed")

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="notifications")
    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="notifications")
    kind = models.CharField(max_length=32, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # What it is about; at most one is set, per kind.
    appearance = models.ForeignKey(Appearance, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    note = models.ForeignKey(Note, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    status_change = models.ForeignKey(StatusChange, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    verdict = models.ForeignKey(Verdict, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    assignment = models.ForeignKey(Assignment, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)
    email_state = models.CharField(max_length=16, choices=EmailState.choices, default=EmailState.PENDING)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notification_unread_idx"),
            models.Index(fields=["email_state", "recipient"], name="notification_email_idx"),
        ]
        # A recipient is told of one event once, however often its task runs (claims.notifications).
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "kind", target],
                condition=models.Q(**{f"{target}__isnull": False}),
                name=f"notification_once_per_{target}",
            )
            for target in ("appearance", "note", "status_change", "verdict", "assignment")
        ]

    def __str__(self):
        return f"{self.kind} for {self.recipient} on claim {self.claim_id}"


class NotificationSettings(models.Model):
    """How a user wants to be emailed. A user without a row gets immediate email."""

    class Email(models.TextChoices):
        IMMEDIATELY = "immediately", _("Immediately")
        DAILY = "daily", _("Daily digest")
        NEVER = "never", _("Never")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="notification_settings"
    )
    email = models.CharField(max_length=16, choices=Email.choices, default=Email.IMMEDIATELY)
    last_digest_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"{self.user}: email {self.email}"


class StoredReport(models.Model):
    """A report too costly to compute on every request at archive scale, kept as computed: the
    sources that most often asserted claims later rated false read every counted assertion (a
    second at a million appearances). The beat refreshes it (claims.tasks.refresh_stored_reports);
    the page says when. Derived from the record, not part of it (the archive leaves it out)."""

    name = models.CharField(max_length=64, unique=True)
    computed_at = models.DateTimeField()
    rows = models.JSONField(default=list)

    def __str__(self):
        return f"{self.name} @ {self.computed_at:%Y-%m-%d %H:%M}"
