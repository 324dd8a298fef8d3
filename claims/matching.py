"""Which tracked claims does a document speak to, and with what stance?

Two steps: the database's full-text search proposes a few candidate claims sharing the document's
most distinctive words (claims.search), then the stance classifier (claims.stance) decides for each
candidate whether the document is about it at all (`unrelated`) and, if so, its stance and evidence
sentence. Without a model file, a candidate is kept when most of the claim's words are in the
document, with no stance: a journalist gives it when reviewing.

Read-only: claims.services.suggest_appearances_for_revision turns matches into suggestions.
"""

from collections import Counter
from dataclasses import dataclass

from django.conf import settings

from . import search
from .models import Claim
from .stance import STOP_WORDS, StanceModel, StanceResult, content_terms, load_model, stem, tokenize

# Distinctive words of the document sent to the full-text search.
QUERY_WORDS = 20
# Without a model: the share of a claim's words the document must contain to be suggested.
FALLBACK_MIN_OVERLAP = 0.5
FALLBACK_MIN_SHARED_TERMS = 3


@dataclass(frozen=True)
class Match:
    claim_id: int
    stance: StanceResult | None  # None: no model installed, the stance needs review


def query_words(tokens: list[str], model: StanceModel | None, limit: int = QUERY_WORDS) -> list[str]:
    """The document's most distinctive words: frequent in it, rare in general (IDF from the model;
    without one, words never seen in training count as rare, which favours names and places)."""
    counts = Counter(t for t in tokens if t not in STOP_WORDS and len(t) > 2 and not t.isdigit())
    if model is None:
        ranked = sorted(counts, key=lambda w: (-counts[w], w))
    else:
        top_idf = float(model.idf.max()) if len(model.idf) else 1.0

        def weight(word):
            i = model.vocabulary.get(stem(word))
            return (1.0 + counts[word] ** 0.5) * (model.idf[i] if i is not None else top_idf)

        ranked = sorted(counts, key=lambda w: (-weight(w), w))
    return ranked[:limit]


def match_document(
    *, title: str, text: str, exclude_claim_ids=(), model: StanceModel | None = None, use_model: bool = True
) -> list[Match]:
    """Tracked claims the document speaks to, most confident first."""
    if use_model and model is None:
        model = load_model()
    document = model.analyse(text, title=title) if model is not None else None
    tokens = document.tokens if document is not None else tokenize(f"{title}\n{text}")
    candidate_ids = search.candidate_claim_ids(
        query_words(tokens, model), limit=settings.CLAIMTRACK_MATCH_CANDIDATES + len(exclude_claim_ids)
    )
    excluded = set(exclude_claim_ids)
    candidate_ids = [i for i in candidate_ids if i not in excluded][: settings.CLAIMTRACK_MATCH_CANDIDATES]
    if not candidate_ids:
        return []
    claims = dict(Claim.objects.filter(pk__in=candidate_ids).values_list("id", "text"))
    if model is None:
        return _matches_without_model(claims, tokens)
    ordered = [i for i in candidate_ids if i in claims]
    results = model.classify_pairs([(model.analyse(claims[i]), document) for i in ordered])
    matches = [Match(i, r) for i, r in zip(ordered, results, strict=True) if r.is_related]
    return sorted(matches, key=lambda m: (-m.stance.confidence, m.claim_id))


def _matches_without_model(claims: dict[int, str], document_tokens: list[str]) -> list[Match]:
    document_terms = set(content_terms(document_tokens))
    matches = []
    for claim_id, claim_text in sorted(claims.items()):
        claim_terms = set(content_terms(tokenize(claim_text)))
        shared = len(claim_terms & document_terms)
        if shared >= min(FALLBACK_MIN_SHARED_TERMS, len(claim_terms)) and shared >= FALLBACK_MIN_OVERLAP * len(
            claim_terms
        ):
            matches.append(Match(claim_id, None))
    return matches
