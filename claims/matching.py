"""Which tracked claims does a document speak to, and with what stance?

Two steps: the database's full-text search proposes a few candidate claims sharing the document's
most distinctive words (claims.search), then the stance classifier (the stance app, given only the
document and the candidates' texts by id) decides for each candidate whether the document is about
it at all and, if so, its stance and evidence sentence (or, with no model installed, keeps the claims
most of whose words the document contains, with no stance).

Read-only: claims.services.suggest_appearances_for_revision turns matches into suggestions.
"""

from dataclasses import dataclass

from django.conf import settings
from django.db.models import FilteredRelation, Q

from claimtrack.lib import arabic
from stance.classifier import StanceResult
from stance.reading import read_document

from . import search
from .models import Claim


@dataclass(frozen=True)
class Match:
    claim_id: int
    stance: StanceResult | None  # None: no model installed, the stance needs review


def match_document(*, title: str, text: str, exclude_claim_ids=()) -> list[Match]:
    """Tracked claims the document speaks to, most confident first."""
    reading = read_document(title=title, text=text)
    candidate_ids = search.candidate_claim_ids(
        reading.search_words(), limit=settings.CLAIMTRACK_MATCH_CANDIDATES + len(exclude_claim_ids)
    )
    excluded = set(exclude_claim_ids)
    candidate_ids = [i for i in candidate_ids if i not in excluded][: settings.CLAIMTRACK_MATCH_CANDIDATES]
    if not candidate_ids:
        return []
    claim_texts = _closest_wordings(candidate_ids, f"{title}\n{text}")
    return [Match(claim_id, stance) for claim_id, stance in reading.stances_towards(claim_texts).items()]


def _closest_wordings(claim_ids: list[int], document_text: str) -> dict[int, str]:
    """Each claim's text, or the standing wording (another language, say) sharing the most words
    with the document: an Arabic article is compared with a claim's Arabic wording. One query."""
    texts: dict[int, list[str]] = {}
    # One query: each claim's text, with one row per standing wording (a claim without any: one row).
    standing = FilteredRelation("wordings", condition=Q(wordings__retracted_at__isnull=True))
    rows = (
        Claim.objects.filter(pk__in=claim_ids)
        .annotate(standing=standing)
        .order_by("id", "standing__id")
        .values_list("id", "text", "standing__text")
    )
    for claim_id, claim_text, wording in rows:
        texts.setdefault(claim_id, [claim_text])
        if wording is not None:
            texts[claim_id].append(wording)
    if all(len(candidates) == 1 for candidates in texts.values()):
        return {claim_id: candidates[0] for claim_id, candidates in texts.items()}  # no wordings: nothing to choose
    document_terms = set(arabic.search_terms(document_text))

    def shared(candidate: str) -> int:
        return len(document_terms.intersection(arabic.search_terms(candidate)))

    # max() keeps the first of equals: the claim's own text unless a wording shares more.
    return {claim_id: max(candidates, key=shared) for claim_id, candidates in texts.items() if candidates}
