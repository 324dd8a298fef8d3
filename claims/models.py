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
    # Distinct sources per stance among accepted, unretracted appearances; recomputed by a task.
    asserts_count = models.PositiveIntegerField(default=0, editable=False)
    denies_count = models.PositiveIntegerField(default=0, editable=False)
    reports_count = models.PositiveIntegerField(default=0, editable=False)
    is_archived = models.BooleanField(default=False, help_text=_("Archived claims are no longer matched"))
    # claimtrack.lib.submissions.submission_key of the form token or Idempotency-Key that created it.
    submission_key = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)

    history = HistoricalRecords(bases=[AuditFields])

    class Meta:
        ordering = ["-last_activity_at", "-id"]
        permissions = [
            ("change_claim_status", "Can change a claim's verification status"),
            ("propose_status_change", "Can propose a status change for an editor to rule on"),
            ("publish_verdict", "Can publish a verdict"),
            ("review_appearance", "Can accept or reject a pending appearance (suggested or submitted by a partner)"),
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
                if not f.primary_key and f.attname not in {"status", "status_changed_at"}
            ]
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("claims:detail", args=[self.pk])


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

    class ReviewState(models.TextChoices):
        PENDING = "pending", _("Pending review")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Rejected")

    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="appearances")
    source = models.ForeignKey("sources.Source", on_delete=models.PROTECT, related_name="appearances")
    document = models.ForeignKey(
        "sources.Document", on_delete=models.PROTECT, null=True, blank=True, related_name="appearances"
    )
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
        indexes = [models.Index(fields=["claim", "seen_at"], name="appearance_claim_time_idx")]
        constraints = [
            # Matching proposes a (claim, document) pair at most once: a rejected suggestion stays
            # rejected. (The service also skips pairs that have a manual appearance.)
            models.UniqueConstraint(
                fields=["claim", "document"],
                condition=models.Q(origin="suggested"),
                name="appearance_one_suggestion_per_claim_document",
            ),
            models.CheckConstraint(
                condition=~models.Q(stance="") | (models.Q(origin="suggested") & ~models.Q(review_state="accepted")),
                name="appearance_stance_unless_unreviewed_suggestion",
            ),
        ]

    def __str__(self):
        return f"{self.source} {self.stance or 'needs review'} claim {self.claim_id}"

    @property
    def needs_stance(self):
        """A suggestion whose stance the classifier could not give: the reviewer must choose one."""
        return self.stance == ""

    @property
    def is_official(self):
        return self.source.kind == "official_body" or (
            self.document_id is not None and self.document.kind == "official_statement"
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
