"""Serializers of the claims API. Read serializers declare their fields (that is what the OpenAPI
schema shows) and build their output by hand: lists of 50 claims are the hot path."""

from django.urls import reverse
from rest_framework import serializers

from claims import selectors
from claims.models import CLOCK_FIELDS, MAX_PLACES, PLACE_NAME_MAX_LENGTH, Appearance, ClaimStatus, Stance
from claims.ratings import rating_names
from claimtrack.api.fields import iso
from claimtrack.api.filters import MAX_ID
from claimtrack.validators import HttpURLSerializerField, SeenTimeSerializerField
from sources.api.serializers import SourceRefSerializer
from sources.models import Document, DocumentAvailabilityChange


class VerdictSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="Webhook events about this verdict have the id `verdict-<id>`.")
    rating_value = serializers.IntegerField()
    rating_name = serializers.CharField(help_text="The rating's name; ClaimReview alternateName.")
    best_rating = serializers.IntegerField()
    worst_rating = serializers.IntegerField()
    summary = serializers.CharField(allow_blank=True)
    published_at = serializers.DateTimeField()

    def to_representation(self, verdict):
        return verdict_data({field: getattr(verdict, field) for field in selectors.VERDICT_ROW_FIELDS})


def verdict_data(verdict: dict | None) -> dict | None:
    """A verdict row (see selectors.VERDICT_ROW_FIELDS) as the API shows it."""
    if verdict is None:
        return None
    return {**verdict, "published_at": iso(verdict["published_at"])}


class ClaimURLs:
    """The API and page addresses of claims, built by formatting (reverse() per row is slow)."""

    def __init__(self, request):
        self.api = request.build_absolute_uri(reverse("api:claim-list"))
        self.page = request.build_absolute_uri(reverse("claims:list"))

    def data(self, claim_id: int) -> dict:
        return {"url": f"{self.api}{claim_id}/", "page_url": f"{self.page}{claim_id}/"}


def claim_data(row: dict, urls: ClaimURLs) -> dict:
    """A claim row (selectors.CLAIM_ROW_FIELDS plus tags and verdict) as the API shows it."""
    return {
        "id": row["id"],
        **urls.data(row["id"]),
        "slug": row["slug"],
        "text": row["text"],
        "summary": row["summary"],
        "status": row["status"],
        "status_changed_at": iso(row["status_changed_at"]),
        "first_seen_at": iso(row["first_seen_at"]),
        "last_activity_at": iso(row["last_activity_at"]),
        "updated_at": iso(row["updated_at"]),
        "language": row["language"],
        "tags": row["tags"],
        "wordings": [
            {"language": w["language"], "text": w["text"], "is_translation": w["is_translation"]}
            for w in row["wordings"]
        ],
        "places": list(row["places"] or []),
        "stance_counts": {
            "asserts": row["asserts_count"],
            "denies": row["denies_count"],
            "reports": row["reports_count"],
        },
        "verdict": verdict_data(row["verdict"]),
        "is_archived": row["is_archived"],
    }


def claim_row(claim) -> dict:
    """The row of a claim loaded as a model by selectors.published_claims()."""
    row = {field: getattr(claim, field) for field in selectors.CLAIM_ROW_FIELDS}
    verdict = selectors.current_verdict(claim)
    row["tags"] = sorted(tag.name for tag in claim.tags.all())
    row["wordings"] = [
        {"language": w.language, "text": w.text, "is_translation": w.is_translation}
        for w in claim.wordings.filter(retracted_at__isnull=True).order_by("created_at", "id")
    ]
    row["verdict"] = None if verdict is None else {f: getattr(verdict, f) for f in selectors.VERDICT_ROW_FIELDS}
    return row


class StanceCountsSerializer(serializers.Serializer):
    asserts = serializers.IntegerField(help_text="Distinct sources asserting the claim.")
    denies = serializers.IntegerField()
    reports = serializers.IntegerField()


class WordingSerializer(serializers.Serializer):
    language = serializers.CharField(help_text="BCP 47 language tag of this wording.")
    text = serializers.CharField()
    is_translation = serializers.BooleanField(
        help_text="The newsroom's own translation (false: the words a source used in that language)."
    )


class ClaimSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    url = serializers.URLField(help_text="This claim in the API.")
    page_url = serializers.URLField(help_text="The claim's page on the newsroom site.")
    slug = serializers.CharField()
    text = serializers.CharField()
    summary = serializers.CharField(allow_blank=True)
    status = serializers.ChoiceField(choices=ClaimStatus.choices)
    status_changed_at = serializers.DateTimeField()
    first_seen_at = serializers.DateTimeField()
    last_activity_at = serializers.DateTimeField(
        help_text="Moves forward with every event of the claim, an edit of the claim itself included "
        "(what `updated_since` filters on)."
    )
    updated_at = serializers.DateTimeField(
        help_text="When the claim's own fields (text, summary, tags, places, language, first seen) last "
        "changed: its creation, or its latest edit."
    )
    language = serializers.CharField(allow_blank=True)
    tags = serializers.ListField(child=serializers.CharField())
    wordings = WordingSerializer(
        many=True, help_text="The same claim in other languages (or as sources worded it), oldest first."
    )
    places = serializers.ListField(child=serializers.CharField())
    stance_counts = StanceCountsSerializer()
    verdict = VerdictSerializer(allow_null=True, help_text="The current verdict: the newest published.")
    is_archived = serializers.BooleanField()

    def to_representation(self, claim):
        return claim_data(claim_row(claim), ClaimURLs(self.context["request"]))


class DocumentRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    url = serializers.URLField()
    title = serializers.CharField(allow_blank=True)
    kind = serializers.ChoiceField(choices=Document.Kind.choices)
    published_at = serializers.DateTimeField(allow_null=True)


class AppearanceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    claim = serializers.IntegerField(help_text="The claim's id.")
    source = SourceRefSerializer()
    document = DocumentRefSerializer(allow_null=True)
    stance = serializers.ChoiceField(choices=Stance.choices)
    quote = serializers.CharField(allow_blank=True)
    seen_at = serializers.DateTimeField()
    origin = serializers.ChoiceField(choices=Appearance.Origin.choices)
    review_state = serializers.ChoiceField(
        choices=Appearance.ReviewState.choices,
        help_text="Always accepted in lists; a partner's submission starts pending until a journalist reviews it.",
    )
    retracted = serializers.BooleanField()
    retracted_at = serializers.DateTimeField(allow_null=True)
    retraction_reason = serializers.CharField(allow_blank=True)
    supersedes = serializers.IntegerField(
        allow_null=True,
        help_text="A story change (origin revision): the appearance of the same source in the same document that "
        "it replaced after the document was rewritten.",
    )
    superseded = serializers.BooleanField(
        help_text="Replaced by a later appearance after the document was rewritten (see `supersedes` there): "
        "kept as what the source said then, no longer counted."
    )
    superseded_at = serializers.DateTimeField(allow_null=True)

    def to_representation(self, appearance):
        return appearance_data(appearance_row(appearance))


def appearance_row(appearance) -> dict:
    """The row (selectors.APPEARANCE_ROW_FIELDS) of an appearance loaded with its source and document."""
    source, document = appearance.source, appearance.document
    return {
        "id": appearance.pk,
        "claim_id": appearance.claim_id,
        "stance": appearance.stance,
        "quote": appearance.quote,
        "seen_at": appearance.seen_at,
        "origin": appearance.origin,
        "review_state": appearance.review_state,
        "retracted_at": appearance.retracted_at,
        "retraction_reason": appearance.retraction_reason,
        "supersedes_id": appearance.supersedes_id,
        "superseded_at": appearance.superseded_at,
        "source_id": source.pk,
        "source__name": source.name,
        "source__kind": source.kind,
        "document_id": None if document is None else document.pk,
        "document__url": None if document is None else document.url,
        "document__title": None if document is None else document.title,
        "document__kind": None if document is None else document.kind,
        "document__published_at": None if document is None else document.published_at,
    }


def appearance_data(row: dict) -> dict:
    """An appearance row (selectors.APPEARANCE_ROW_FIELDS) as the API shows it."""
    return {
        "id": row["id"],
        "claim": row["claim_id"],
        "source": {"id": row["source_id"], "name": row["source__name"], "kind": row["source__kind"]},
        "document": None
        if row["document_id"] is None
        else {
            "id": row["document_id"],
            "url": row["document__url"],
            "title": row["document__title"],
            "kind": row["document__kind"],
            "published_at": iso(row["document__published_at"]),
        },
        "stance": row["stance"],
        "quote": row["quote"],
        "seen_at": iso(row["seen_at"]),
        "origin": row["origin"],
        "review_state": row["review_state"],
        "retracted": row["retracted_at"] is not None,
        "retracted_at": iso(row["retracted_at"]),
        "retraction_reason": row["retraction_reason"] if row["retracted_at"] else "",
        "supersedes": row["supersedes_id"],
        "superseded": row["superseded_at"] is not None,
        "superseded_at": iso(row["superseded_at"]),
    }


class StatusChangeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    claim = serializers.IntegerField(help_text="The claim's id.")
    from_status = serializers.CharField(allow_blank=True, help_text="Empty for a claim's first status.")
    to_status = serializers.ChoiceField(choices=ClaimStatus.choices)
    rationale = serializers.CharField()
    changed_at = serializers.DateTimeField()

    def to_representation(self, change):
        return status_change_data({field: getattr(change, field) for field in selectors.STATUS_CHANGE_ROW_FIELDS})


def status_change_data(row: dict) -> dict:
    """A status change row (selectors.STATUS_CHANGE_ROW_FIELDS) as the API shows it."""
    return {
        "id": row["id"],
        "claim": row["claim_id"],
        "from_status": row["from_status"],
        "to_status": row["to_status"],
        "rationale": row["rationale"],
        "changed_at": iso(row["changed_at"]),
    }


class ClaimClockSerializer(serializers.Serializer):
    first_appearance_at = serializers.DateTimeField(
        allow_null=True, help_text="The first accepted, unretracted appearance (a superseded one included)."
    )
    first_denial_at = serializers.DateTimeField(allow_null=True, help_text="The first such appearance that denies.")
    first_official_at = serializers.DateTimeField(
        allow_null=True, help_text="The first by an official body or in an official statement."
    )
    first_status_change_at = serializers.DateTimeField(
        allow_null=True, help_text="The first status change after the claim was logged."
    )
    first_verdict_at = serializers.DateTimeField(allow_null=True, help_text="The first published verdict.")
    time_to_first_denial_seconds = serializers.IntegerField(
        allow_null=True, help_text="first_denial_at - first_appearance_at, in seconds; null when either is missing."
    )
    time_to_verdict_seconds = serializers.IntegerField(
        allow_null=True, help_text="first_verdict_at - first_appearance_at, in seconds; null when either is missing."
    )


def clock_data(clock: dict) -> dict:
    """A claim's clock (its CLOCK_FIELDS) as the API shows it (ClaimClockSerializer)."""

    def since_first_appearance(field):
        if clock[field] is None or clock["first_appearance_at"] is None:
            return None
        return int((clock[field] - clock["first_appearance_at"]).total_seconds())

    return {
        **{field: iso(clock[field]) for field in CLOCK_FIELDS},
        "time_to_first_denial_seconds": since_first_appearance("first_denial_at"),
        "time_to_verdict_seconds": since_first_appearance("first_verdict_at"),
    }


class ClaimDetailSerializer(ClaimSerializer):
    appearances = AppearanceSerializer(many=True, help_text="Published appearances, in time order.")
    status_history = StatusChangeSerializer(many=True, help_text="Every status the claim had, in time order.")
    clock = ClaimClockSerializer(help_text="The claim's clock: its first moments, and the times to them.")

    def to_representation(self, claim):
        data = super().to_representation(claim)
        data["appearances"] = [AppearanceSerializer().to_representation(a) for a in claim.published_appearances]
        data["status_history"] = [StatusChangeSerializer().to_representation(s) for s in claim.status_history]
        data["clock"] = clock_data({field: getattr(claim, field) for field in CLOCK_FIELDS})
        return data


def claim_detail_data(row: dict, urls: ClaimURLs) -> dict:
    """A row from selectors.published_claim_detail_row as the API shows it (ClaimDetailSerializer)."""
    data = claim_data(row, urls)
    data["appearances"] = [appearance_data(appearance) for appearance in row["appearances"]]
    data["status_history"] = [status_change_data(change) for change in row["status_history"]]
    data["clock"] = clock_data(row["clock"])
    return data


class RevisionSerializer(serializers.Serializer):
    document = serializers.IntegerField()
    title = serializers.CharField(allow_blank=True)


class MergedFromSerializer(serializers.Serializer):
    absorbed = serializers.IntegerField(help_text="The id of the duplicate claim merged into this one.")
    absorbed_text = serializers.CharField()
    merged_at = serializers.DateTimeField()


class ClaimEditSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    fields = serializers.ListField(
        child=serializers.CharField(),
        help_text="The fields the edit changed: text, summary, tags, places, language, first_seen_at.",
    )
    changes = serializers.DictField(
        child=serializers.ListField(), help_text="Each changed field's [old, new] value (times as ISO strings)."
    )

    def to_representation(self, edit):
        return {"id": edit.pk, "fields": sorted(edit.changes), "changes": edit.changes}


class AvailabilitySerializer(serializers.Serializer):
    document = serializers.IntegerField(help_text="The document's id.")
    state = serializers.ChoiceField(choices=DocumentAvailabilityChange.State.choices)
    http_status = serializers.IntegerField(allow_null=True, help_text="404 or 410 for a removed page.")
    location = serializers.CharField(allow_blank=True, help_text="Where the address now leads, for a move.")


class TimelineEventSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=selectors.PARTNER_TIMELINE_EVENT_KINDS)
    at = serializers.DateTimeField()
    anchor = serializers.CharField(help_text="Fragment of the event's permalink on the claim page.")
    appearance = AppearanceSerializer(allow_null=True)
    status_change = StatusChangeSerializer(allow_null=True)
    verdict = VerdictSerializer(allow_null=True)
    revision = RevisionSerializer(allow_null=True, help_text="A document citing the claim was rewritten.")
    merged_from = MergedFromSerializer(
        allow_null=True,
        help_text="A duplicate claim was merged into this one; its status changes follow as "
        "`merged_status_change` events (their `status_change.claim` is the duplicate).",
    )
    edit = ClaimEditSerializer(allow_null=True, help_text="The claim itself was edited (e.g. reworded).")
    availability = AvailabilitySerializer(
        allow_null=True, help_text="A document citing the claim was taken down (removed), moved, or came back."
    )

    def to_representation(self, event):
        data = {
            "kind": event.kind,
            "at": iso(event.at),
            "anchor": event.anchor,
            "appearance": None,
            "status_change": None,
            "verdict": None,
            "revision": None,
            "merged_from": None,
            "edit": None,
            "availability": None,
        }
        if event.kind == "appearance":
            data["appearance"] = AppearanceSerializer().to_representation(event.item)
        elif event.kind in ("status_change", "merged_status_change"):
            data["status_change"] = StatusChangeSerializer().to_representation(event.item)
        elif event.kind == "verdict":
            data["verdict"] = VerdictSerializer().to_representation(event.item)
        elif event.kind == "merged_from":
            data["merged_from"] = {
                "absorbed": event.item.absorbed_id,
                "absorbed_text": event.item.absorbed.text,
                "merged_at": iso(event.item.merged_at),
            }
        elif event.kind == "edit":
            data["edit"] = ClaimEditSerializer().to_representation(event.item)
        elif event.kind == "availability":
            change = event.item
            data["availability"] = {
                "document": change.document_id,
                "state": change.state,
                "http_status": change.http_status,
                "location": change.location,
            }
        else:
            data["revision"] = {"document": event.item.document_id, "title": event.item.title}
        return data


# Writes -------------------------------------------------------------------------------------


class ClaimCreateSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=2000)
    summary = serializers.CharField(max_length=5000, required=False, default="", allow_blank=True)
    tags = serializers.ListField(
        child=serializers.CharField(max_length=64), required=False, default=list, max_length=20
    )
    places = serializers.ListField(
        child=serializers.CharField(max_length=PLACE_NAME_MAX_LENGTH),
        required=False,
        default=list,
        max_length=MAX_PLACES,
    )
    language = serializers.CharField(max_length=16, required=False, default="", allow_blank=True)
    first_seen_at = SeenTimeSerializerField(required=False, allow_null=True, default=None)


class AppearanceCreateSerializer(serializers.Serializer):
    claim = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    source = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, help_text="The id of a source (see /api/v1/sources/)."
    )
    stance = serializers.ChoiceField(choices=Stance.choices)
    quote = serializers.CharField(max_length=5000, required=False, default="", allow_blank=True)
    seen_at = SeenTimeSerializerField(required=False, allow_null=True, default=None)
    # No default: an empty default is not a URI, which would make the OpenAPI document invalid.
    document_url = HttpURLSerializerField(
        max_length=2000,
        required=False,
        allow_blank=True,
        help_text="Where the source said it.",
    )
    document_title = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")


class StatusChangeCreateSerializer(serializers.Serializer):
    to_status = serializers.ChoiceField(choices=ClaimStatus.choices)
    rationale = serializers.CharField(max_length=5000)
    expected_status = serializers.ChoiceField(
        choices=ClaimStatus.choices,
        required=False,
        allow_null=True,
        default=None,
        help_text="The status you saw; if it changed meanwhile the request fails with 409.",
    )


class VerdictCreateSerializer(serializers.Serializer):
    rating = serializers.ChoiceField(choices=[(name, name) for name in rating_names()])
    summary = serializers.CharField(max_length=5000, required=False, default="", allow_blank=True)
