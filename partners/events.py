"""Claim events that partners' webhooks receive, built from the status change or verdict that
claims announced (see receivers.py)."""

from claims.models import StatusChange, Verdict

STATUS_CHANGED = "claim.status_changed"
VERDICT_PUBLISHED = "claim.verdict_published"


def build_event(event_type: str, object_id: int) -> dict | None:
    """The JSON event for a status change or verdict; its id is stable, so a retried fan-out or a
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
    raise ValueError(f"Unknown event type {event_type!r}")
