"""Who speaks, and what they published."""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from audit.models import AuditFields
from claimtrack.validators import validate_http_url


class Source(models.Model):
    class Kind(models.TextChoices):
        NEWS_OUTLET = "news_outlet", _("News outlet")
        OFFICIAL_BODY = "official_body", _("Official body")
        SOCIAL_ACCOUNT = "social_account", _("Social media account")
        INDIVIDUAL = "individual", _("Individual")
        ORGANISATION = "organisation", _("Organisation")

    kind = models.CharField(max_length=32, choices=Kind.choices, default=Kind.NEWS_OUTLET)
    name = models.CharField(max_length=200)
    homepage = models.URLField(max_length=500, validators=[validate_http_url], blank=True)
    country = models.CharField(max_length=2, blank=True, help_text=_("ISO 3166-1 alpha-2 code"))
    language = models.CharField(max_length=16, blank=True, help_text=_("BCP 47 language tag"))
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    # Set when the source was merged into another as a duplicate: its rows stay, its page redirects.
    merged_into = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="absorbed_sources", editable=False
    )

    history = HistoricalRecords(bases=[AuditFields])

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(Lower("name"), name="source_name_unique_ci")]
        permissions = [
            ("merge_sources", "Can merge a duplicate source into another"),
            ("change_source_kind", "Can change what kind of source a source is"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("claims:source-detail", args=[self.pk])


class SourceMerge(models.Model):
    """A duplicate source absorbed into another. Append-only; `moved` lists the ids that moved."""

    absorbed = models.OneToOneField(Source, on_delete=models.PROTECT, related_name="merge_record")
    into = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="merges_in")
    merged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    merged_at = models.DateTimeField(default=timezone.now, db_index=True)
    reason = models.TextField(max_length=2000)
    moved = models.JSONField(default=dict)
    # claimtrack.lib.submissions.submission_key of the merge form's token: a double click merges once.
    submission_key = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)

    class Meta:
        ordering = ["merged_at", "id"]

    def __str__(self):
        return f"{self.absorbed_id} merged into {self.into_id}"


class Feed(models.Model):
    class Kind(models.TextChoices):
        RSS = "rss", "RSS"
        ATOM = "atom", "Atom"
        SITEMAP = "sitemap", _("Sitemap")

    class PollStatus(models.TextChoices):
        NEW = "new", _("Not polled yet")
        OK = "ok", _("OK")
        NOT_MODIFIED = "not_modified", _("Not modified")
        MALFORMED = "malformed", _("Malformed, readable items kept")
        ERROR = "error", _("Error")

    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="feeds")
    url = models.URLField(max_length=1000, validators=[validate_http_url], unique=True)
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.RSS)
    poll_interval = models.DurationField(default=timedelta(minutes=15))
    etag = models.CharField(max_length=500, blank=True)
    last_modified = models.CharField(max_length=100, blank=True)
    next_fetch_at = models.DateTimeField(default=timezone.now, db_index=True)
    last_fetched_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    items_seen = models.PositiveIntegerField(default=0)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    last_status = models.CharField(max_length=16, choices=PollStatus.choices, default=PollStatus.NEW)
    # Set while a worker polls the feed (claimed with a conditional UPDATE); a lease left by a
    # worker that died expires, so the feed is polled again.
    lease_until = models.DateTimeField(null=True, blank=True)

    # A feed that failed this many times in a row is shown as unhealthy (it keeps being polled).
    UNHEALTHY_AFTER_FAILURES = 3

    # The audit trail keeps what people configure; polling state changes every few minutes.
    history = HistoricalRecords(
        bases=[AuditFields],
        excluded_fields=[
            "etag",
            "last_modified",
            "next_fetch_at",
            "last_fetched_at",
            "last_success_at",
            "consecutive_failures",
            "last_error",
            "items_seen",
            "last_status",
            "lease_until",
        ],
    )

    class Meta:
        ordering = ["source__name", "url"]

    def __str__(self):
        return self.url

    @property
    def is_healthy(self):
        return self.consecutive_failures < self.UNHEALTHY_AFTER_FAILURES


class Document(models.Model):
    class Kind(models.TextChoices):
        ARTICLE = "article", _("Article")
        OFFICIAL_STATEMENT = "official_statement", _("Official statement")
        SOCIAL_POST = "social_post", _("Social media post")
        PRESS_RELEASE = "press_release", _("Press release")

    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="documents")
    url = models.URLField(max_length=2000, validators=[validate_http_url])
    canonical_url = models.URLField(max_length=2000, validators=[validate_http_url], unique=True)
    title = models.CharField(max_length=1000, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    first_seen_at = models.DateTimeField(default=timezone.now)
    kind = models.CharField(max_length=32, choices=Kind.choices, default=Kind.ARTICLE)
    language = models.CharField(max_length=16, blank=True)
    author = models.CharField(max_length=300, blank=True)
    # Re-check schedule for catching rewrites; null when no more re-checks are due.
    next_check_at = models.DateTimeField(null=True, blank=True, db_index=True)
    checks_done = models.PositiveSmallIntegerField(default=0)
    last_checked_at = models.DateTimeField(null=True, blank=True)
    last_check_error = models.TextField(blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)  # held while a worker re-checks it
    # Cache validators of the last copy fetched, so a re-check can be a conditional GET (304).
    etag = models.CharField(max_length=500, blank=True)
    last_modified = models.CharField(max_length=100, blank=True)
    # A journalist's "preserve this page now" (sources.snapshots.request_snapshot): set while the
    # worker's fetch is pending; its outcome is `last_snapshot` or `snapshot_error`.
    snapshot_requested_at = models.DateTimeField(null=True, blank=True)
    snapshot_error = models.TextField(blank=True)
    last_snapshot = models.ForeignKey(
        "Snapshot", on_delete=models.PROTECT, null=True, blank=True, related_name="+", editable=False
    )

    history = HistoricalRecords(
        bases=[AuditFields],
        excluded_fields=[
            "next_check_at",
            "checks_done",
            "last_checked_at",
            "last_check_error",
            "lease_until",
            "etag",
            "last_modified",
            "snapshot_requested_at",
            "snapshot_error",
            "last_snapshot",
        ],
    )

    class Meta:
        ordering = ["-first_seen_at"]
        # The desk's official statements start from the few documents of that kind.
        indexes = [models.Index(fields=["kind"], name="document_kind_idx")]

    def __str__(self):
        return self.title or self.canonical_url

    def get_absolute_url(self):
        return reverse("sources:document-detail", args=[self.pk])


class Snapshot(models.Model):
    """The HTTP response of a fetched page (status line, headers and body as received), preserved
    as a gzipped WARC file holding one `response` record (sources.snapshots). One row per document
    and distinct body: the same body fetched again for it, for a revision or on demand, reuses the
    row. Never deleted."""

    file = models.FileField(upload_to="snapshots/", max_length=300, editable=False)
    sha256 = models.CharField(max_length=64, editable=False)  # of the stored WARC file
    payload_sha256 = models.CharField(max_length=64, editable=False)  # of the HTTP body
    size = models.PositiveBigIntegerField(editable=False)  # of the stored WARC file, in bytes
    url = models.CharField(max_length=2000, editable=False)  # WARC-Target-URI: after redirects
    status = models.PositiveSmallIntegerField(editable=False)
    content_type = models.CharField(max_length=200, blank=True, editable=False)
    fetched_at = models.DateTimeField(default=timezone.now, editable=False)  # WARC-Date
    # The document it was first preserved for (by ingestion, or on demand by `requested_by`).
    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="snapshots", editable=False)
    on_demand = models.BooleanField(default=False, editable=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", editable=False
    )

    class Meta:
        ordering = ["fetched_at", "id"]
        constraints = [
            # The same body fetched again for a document is one snapshot; another document serving
            # the same bytes keeps its own record (its own address and time).
            models.UniqueConstraint(fields=["document", "payload_sha256"], name="snapshot_one_per_document_body")
        ]

    def __str__(self):
        return f"{self.url} @ {self.fetched_at:%Y-%m-%d %H:%M} ({self.sha256[:12]})"


class DocumentRevision(models.Model):
    """One version of a document's content. A row is written only when the content changed."""

    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="revisions")
    fetched_at = models.DateTimeField(default=timezone.now)
    title = models.CharField(max_length=1000, blank=True)
    text = models.TextField(blank=True)
    content_sha256 = models.CharField(max_length=64)
    # BCP 47 primary subtag detected from the title and text (claimtrack.lib.languages), else the
    # language the page declared; blank when neither tells (revisions stored before 0012 too).
    language = models.CharField(max_length=16, blank=True)
    # The preserved HTTP response this revision was extracted from (none for revisions stored
    # before snapshots existed, or recorded without a fetch).
    snapshot = models.ForeignKey(Snapshot, on_delete=models.PROTECT, null=True, blank=True, related_name="revisions")

    class Meta:
        ordering = ["document", "fetched_at"]
        indexes = [models.Index(fields=["document", "-fetched_at"], name="revision_latest_idx")]
        get_latest_by = "fetched_at"

    def __str__(self):
        return f"{self.document} @ {self.fetched_at:%Y-%m-%d %H:%M}"


class FeedEntry(models.Model):
    """An item a feed listed: the unit of article-fetching work. Unique per feed and link, so
    polling a feed again never queues the same article twice."""

    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        DONE = "done", _("Stored")
        FAILED = "failed", _("Failed")

    feed = models.ForeignKey(Feed, on_delete=models.PROTECT, related_name="entries")
    url = models.URLField(max_length=2000, validators=[validate_http_url])
    title = models.CharField(max_length=1000, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    document = models.ForeignKey(Document, on_delete=models.PROTECT, null=True, blank=True, related_name="entries")
    state = models.CharField(max_length=16, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)  # held while a worker fetches it
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    # Transient failures are retried this many times before the entry is given up as failed.
    MAX_ATTEMPTS = 5

    class Meta:
        ordering = ["feed", "created_at", "id"]
        verbose_name_plural = "feed entries"
        constraints = [models.UniqueConstraint(fields=["feed", "url"], name="feed_entry_unique_url")]
        indexes = [models.Index(fields=["state", "lease_until"], name="feed_entry_state_idx")]

    def __str__(self):
        return self.url


class DocumentAvailabilityChange(models.Model):
    """A re-check found a document's page gone (HTTP 404 or 410), moved (its address now redirects to
    another page), or back at its address after that. Written only when the state changes;
    append-only: claims' timelines show these as "removed" and "moved"."""

    class State(models.TextChoices):
        REMOVED = "removed", _("Removed")
        MOVED = "moved", _("Moved")
        RESTORED = "restored", _("Back at its address")

    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="availability_changes")
    state = models.CharField(max_length=16, choices=State.choices)
    http_status = models.PositiveSmallIntegerField(null=True, blank=True)
    # Where the address now leads, for a move (after redirects).
    location = models.CharField(max_length=2000, blank=True)
    checked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["document", "checked_at", "id"]
        indexes = [models.Index(fields=["document", "-checked_at"], name="availability_latest_idx")]

    def __str__(self):
        return f"{self.document_id} {self.state} @ {self.checked_at:%Y-%m-%d %H:%M}"
