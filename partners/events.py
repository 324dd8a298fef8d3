"""Claim events that partners' webhooks receive, built from the status change, verdict, merge or
story change that claims announced (see receivers.py)."""

from django.urls import reverse

from claims.models import Appearance, ClaimMerge, StatusChange, Verdict

STATUS_CHANGED = "claim.status_changed"
VERDICT_PUBLISHED = "claim.verdict_published"
CLAIM_MERGED = "claim.merged"
APPEARANCE_REVISED = "appearance.revised"
EVENT_TYPES = (STATUS_CHANGED, VERDICT_PUBLISHED, CLAIM_MERGED, APPEARANCE_REVISED)


def build_event(event_type: str, object_id: int) -> dict | None:
    """The JSON event for a status change, verdict or merge; its id is stable, so a retried fan-out or a
    redelivered task never sends a second, different event."""
    if event_type == STATUS_CHANGED:
        change = StatusChange.objects.select_related("claim").filter(pk=object_id).first()
        if change is None:
            return None
        return {
            "id": f"status_change-{change.pk}",
            "type": STATUS_CHANGED,
            "created_at": change.changed_at.isoformat(),
            "claim": {"id": change.claim_id, "slug": change.claim.slug, "text": change.claim.text},
            "data": {
                "from_status": change.from_status,
                "to_status": change.to_status,
                "rationale": change.rationale,
                "changed_at": change.changed_at.isoformat(),
            },
        }
    if event_type == VERDICT_PUBLISHED:
        verdict = Verdict.objects.select_related("claim").filter(pk=object_id).first()
        if verdict is None:
            return None
        return {
            "id": f"verdict-{verdict.pk}",
            "type": VERDICT_PUBLISHED,
            "created_at": verdict.published_at.isoformat(),
            "claim": {"id": verdict.claim_id, "slug": verdict.claim.slug, "text": verdict.claim.text},
            "data": {
                "rating_value": verdict.rating_value,
                "rating_name": verdict.rating_name,
                "best_rating": verdict.best_rating,
                "worst_rating": verdict.worst_rating,
                "summary": verdict.summary,
                "published_at": verdict.published_at.isoformat(),
            },
        }
    if event_type == CLAIM_MERGED:
        return _merge_event(object_id)
    if event_type == APPEARANCE_REVISED:
        return _revision_event(object_id)
    raise ValueError(f"Unknown event type {event_type!r}")


def _merge_event(claim_merge_id: int) -> dict | None:
    """`claim` is the duplicate that was absorbed (its address now answers 301), `data.into` the
    claim that stands for both. The merge's reason is the newsroom's internal note and is not sent."""
    merge = ClaimMerge.objects.select_related("absorbed", "into").filter(pk=claim_merge_id).first()
    if merge is None:
        return None
    absorbed, into = merge.absorbed, merge.into
    return {
        "id": f"claim_merge-{merge.pk}",
        "type": CLAIM_MERGED,
        "created_at": merge.merged_at.isoformat(),
        "claim": {"id": absorbed.pk, "slug": absorbed.slug, "text": absorbed.text},
        "data": {
            "into": {
                "id": into.pk,
                "slug": into.slug,
                "text": into.text,
                "url": reverse("api:claim-detail", args=[into.pk]),
            },
            "merged_at": merge.merged_at.isoformat(),
        },
    }


def _revision_event(appearance_id: int) -> dict | None:
    """A source rewrote a document after an appearance was recorded, and a journalist accepted what it
    now says: `data.appearance` is the new appearance, `data.superseded` the one it replaced (kept,
    no longer counted). Both are in the API's appearance list (`?claim=`) with these ids."""
    appearance = (
        Appearance.objects.select_related("claim", "source", "document", "supersedes")
        .filter(pk=appearance_id, supersedes__isnull=False)
        .first()
    )
    if appearance is None:
        return None
    claim, replaced = appearance.claim, appearance.supersedes
    return {
        "id": f"appearance_revised-{appearance.pk}",
        "type": APPEARANCE_REVISED,
        "created_at": (appearance.reviewed_at or appearance.seen_at).isoformat(),
        "claim": {"id": claim.pk, "slug": claim.slug, "text": claim.text},
        "data": {
            "claim_url": reverse("api:claim-detail", args=[claim.pk]),
            "source": {"id": appearance.source_id, "name": appearance.source.name},
            "document": {"id": appearance.document_id, "url": appearance.document.url},
            "appearance": {
                "id": appearance.pk,
                "stance": appearance.stance,
                "quote": appearance.quote,
                "seen_at": appearance.seen_at.isoformat(),
            },
            "superseded": {"id": replaced.pk, "stance": replaced.stance, "quote": replaced.quote},
            "from_stance": replaced.stance,
            "to_stance": appearance.stance,
        },
    }
