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
    claim_texts = dict(Claim.objects.filter(pk__in=candidate_ids).values_list("id", "text"))
    return [Match(claim_id, stance) for claim_id, stance in reading.stances_towards(claim_texts).items()]
