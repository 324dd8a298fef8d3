"""Read queries of the sources domain."""

from collections import Counter

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, QuerySet

from claims.models import Appearance, Stance, Verdict

from .models import Document, Source
from .services import canonicalize_url


def source_list() -> QuerySet[Source]:
    return Source.objects.order_by("name")


def source_appearances(source: Source) -> QuerySet[Appearance]:
    """The source's appearances, newest first, each with its claim's current status and verdicts
    (newest first) for the "how were its assertions rated" view. Two queries."""
    return (
        Appearance.objects.filter(source=source)
        .select_related("claim", "document")
        .prefetch_related(
            Prefetch(
                "claim__verdicts",
                queryset=Verdict.objects.order_by("-published_at", "-id"),
                to_attr="verdicts_newest_first",
            )
        )
        .order_by("-seen_at", "-id")
    )


def assertion_ratings(appearances) -> dict:
    """How the claims this source asserted were rated: counts by the claim's current verdict and
    status, counting each claim once. Works on already fetched appearances (no queries)."""
    asserted = {}
    for appearance in appearances:
        if (
            appearance.stance == Stance.ASSERTS
            and appearance.retracted_at is None
            and appearance.review_state == "accepted"
        ):
            asserted[appearance.claim_id] = appearance.claim
    by_verdict = Counter(
        claim.verdicts_newest_first[0].rating_name if claim.verdicts_newest_first else None
        for claim in asserted.values()
    )
    by_status = Counter(claim.get_status_display() for claim in asserted.values())
    return {
        "claims_asserted": len(asserted),
        "by_verdict": sorted(((name, n) for name, n in by_verdict.items() if name), key=lambda item: -item[1]),
        "unrated": by_verdict.get(None, 0),
        "by_status": sorted(by_status.items(), key=lambda item: -item[1]),
    }


def document_for_url(url: str) -> Document | None:
    """The known document at this address (after canonicalisation), with its source."""
    try:
        canonical = canonicalize_url(url)
    except ValidationError:  # an unparsable address is simply not known
        return None
    return Document.objects.select_related("source").filter(canonical_url=canonical).first()
