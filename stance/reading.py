"""What the rest of claimtrack asks of the stance classifier, in texts and ids only.

    reading = read_document(title=..., text=...)
    ids = <full-text search for reading.search_words()>
    stances = reading.stances_towards({claim_id: claim_text, ...})

A document is analysed once and compared with every candidate claim. Without a model file (or when
it cannot be used), a claim is kept when most of its words are in the document, with no stance: a
journalist gives it when reviewing.
"""

from collections import Counter

from .classifier import STOP_WORDS, StanceModel, StanceResult, content_terms, load_model, stem, tokenize

# Distinctive words of the document to search candidate claims with.
SEARCH_WORDS = 20
# Without a model: the share of a claim's words the document must contain to be kept.
FALLBACK_MIN_OVERLAP = 0.5
FALLBACK_MIN_SHARED_TERMS = 3


def read_document(*, title: str, text: str) -> "DocumentReading":
    return DocumentReading(title=title, text=text, model=load_model())


def word_stems(text: str) -> set[str]:
    """The stemmed words of a text, as the classifier sees them (for a search without the database's)."""
    return {stem(t) for t in tokenize(text)}


class DocumentReading:
    """One document as the classifier reads it (the installed model, or word overlap without one)."""

    def __init__(self, *, title: str, text: str, model: StanceModel | None):
        self.model = model
        self.analysis = model.analyse(text, title=title) if model is not None else None
        self.tokens = self.analysis.tokens if self.analysis is not None else tokenize(f"{title}\n{text}")

    def search_words(self, limit: int = SEARCH_WORDS) -> list[str]:
        """The document's most distinctive words: frequent in it, rare in general (IDF from the model;
        without one, words never seen in training count as rare, which favours names and places)."""
        model = self.model
        counts = Counter(t for t in self.tokens if t not in STOP_WORDS and len(t) > 2 and not t.isdigit())
        if model is None:
            ranked = sorted(counts, key=lambda w: (-counts[w], w))
        else:
            top_idf = float(model.idf.max()) if len(model.idf) else 1.0

            def weight(word):
                i = model.vocabulary.get(stem(word))
                return (1.0 + counts[word] ** 0.5) * (model.idf[i] if i is not None else top_idf)

            ranked = sorted(counts, key=lambda w: (-weight(w), w))
        return ranked[:limit]

    def stances_towards(self, claim_texts: dict[int, str]) -> dict[int, StanceResult | None]:
        """The claims (by id) the document speaks to, with its stance towards each, most confident
        first; the stance is None when no model is installed."""
        if self.model is None:
            return self._claims_sharing_most_words(claim_texts)
        ids = list(claim_texts)
        results = self.model.classify_pairs([(self.model.analyse(claim_texts[i]), self.analysis) for i in ids])
        related = [(i, r) for i, r in zip(ids, results, strict=True) if r.is_related]
        return dict(sorted(related, key=lambda pair: (-pair[1].confidence, pair[0])))

    def _claims_sharing_most_words(self, claim_texts: dict[int, str]) -> dict[int, None]:
        document_terms = set(content_terms(self.tokens))
        kept = {}
        for claim_id, claim_text in sorted(claim_texts.items()):
            claim_terms = set(content_terms(tokenize(claim_text)))
            shared = len(claim_terms & document_terms)
            if shared >= min(FALLBACK_MIN_SHARED_TERMS, len(claim_terms)) and shared >= FALLBACK_MIN_OVERLAP * len(
                claim_terms
            ):
                kept[claim_id] = None
        return kept
