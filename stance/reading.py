"""What the rest of claimtrack asks of the stance classifier, in texts and ids only.

    reading = read_document(title=..., text=...)
    ids = <full-text search for reading.search_words()>
    stances = reading.stances_towards({claim_id: claim_text, ...})

A document is analysed once and compared with every candidate claim. Without a model file (or when
it cannot be used), a claim is kept when most of its words are in the document, with no stance: a
journalist gives it when reviewing.
"""

import functools
import re
from collections import Counter

from claimtrack.lib import arabic

from .classifier import (
    ARABIC_STOP_WORDS,
    STOP_WORDS,
    StanceModel,
    StanceResult,
    content_terms,
    load_model,
    split_sentences,
    stem,
    tokenize,
)

# Distinctive words of the document to search candidate claims with.
SEARCH_WORDS = 20
# Without a model: the share of a claim's words the document must contain to be kept.
FALLBACK_MIN_OVERLAP = 0.5
FALLBACK_MIN_SHARED_TERMS = 3
# A sentence speaks to a claim when it shares this many of the claim's content words (or all of a
# shorter claim's).
PASSAGE_MIN_SHARED_TERMS = 2
# Times and dates a page prints about itself ("Updated 10:32", "2026-12-03T10:32Z", "3 December
# 2026", "10.32 GMT", "posted 5 minutes ago"): not what it says about a claim, so a page that
# changes them on every fetch keeps the same passage and quote.
_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?"
    r"|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\b\.?"
)
_TIME_OR_DATE = re.compile(
    r"\b\d{4}-\d{2}-\d{2}(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?\b"
    r"|\b\d{1,2}:\d{2}(?::\d{2})?(?:\s*[ap]\.?m\b\.?)?(?:\s*(?:gmt|utc|[a-z]{2,4}t)\b)?"
    r"|\b\d{1,2}\.\d{2}\s*(?:[ap]\.?m\b\.?|(?:gmt|utc|[a-z]{2,4}t)\b)(?:\s*(?:gmt|utc|[a-z]{2,4}t)\b)?"
    r"|\b\d{1,2}/\d{1,2}/\d{2,4}\b"
    rf"|\b\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTH}(?:,?\s+\d{{4}})?\b"
    # Month first: "May 2" alone is too often the verb ("may 2 units…"), so May needs its year.
    rf"|\b(?!may\b){_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s+\d{{4}})?\b"
    r"|\bmay\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4}\b"
    r"|\b(?:\d+|an?|one)\s+(?:second|sec|minute|min|hour|hr|day|week|month)s?\s+ago\b",
    re.IGNORECASE,
)


def _searchable(word: str) -> str:
    if not arabic.is_arabic_script(word):
        return word
    return arabic.stem(arabic.normalise(word))


@functools.lru_cache(maxsize=4096)
def _analysed_claim(model: StanceModel, claim_text: str):
    """A claim as the model reads it, kept: the same tracked claims are candidates for document
    after document (a few KB each; a reloaded model is another key)."""
    return model.analyse(claim_text)


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
        # Arabic function words ("التي", "الذي", "على") are frequent and tell nothing: never searched.
        for word in [w for w in counts if arabic.is_arabic_script(w) and arabic.normalise(w) in ARABIC_STOP_WORDS]:
            del counts[word]
        if model is None:
            ranked = sorted(counts, key=lambda w: (-counts[w], w))
        else:
            top_idf = float(model.idf.max()) if len(model.idf) else 1.0

            def weight(word):
                i = model.vocabulary.get(stem(word))
                return (1.0 + counts[word] ** 0.5) * (model.idf[i] if i is not None else top_idf)

            ranked = sorted(counts, key=lambda w: (-weight(w), w))
        # Arabic-script words as claims' search_text stores them: normalised, prefixes off.
        return list(dict.fromkeys(_searchable(word) for word in ranked[:limit]))

    def stance_on(self, claim_text: str) -> StanceResult | None:
        """The document's stance towards a claim it is known to speak to (an accepted appearance
        re-checked after a rewrite): the likeliest of asserts, denies and reports, with its evidence
        sentence. None when no model is installed."""
        if self.model is None:
            return None
        (result,) = self.model.classify_pairs([(self.model.analyse(claim_text), self.analysis)], assume_related=True)
        return result

    def stances_towards(self, claim_texts: dict[int, str]) -> dict[int, StanceResult | None]:
        """The claims (by id) the document speaks to, with its stance towards each, most confident
        first; the stance is None when no model is installed."""
        if self.model is None:
            return self._claims_sharing_most_words(claim_texts)
        ids = list(claim_texts)
        results = self.model.classify_pairs([(_analysed_claim(self.model, claim_texts[i]), self.analysis) for i in ids])
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


def passage_about(claim_text: str, *, title: str, text: str) -> str:
    """What a document says about a claim: its sentences (the title first) that share the claim's
    content words, in order, lower-cased, with times and dates taken out. Two revisions with the same
    passage say the same thing about the claim, whatever else on the page changed."""
    claim_terms = set(content_terms(tokenize(claim_text)))
    needed = min(PASSAGE_MIN_SHARED_TERMS, len(claim_terms))
    if not needed:
        return ""
    sentences = ([title.strip()] if title and title.strip() else []) + split_sentences(text)
    kept = []
    for sentence in sentences:
        words = tokenize(_TIME_OR_DATE.sub(" ", sentence))
        if len(claim_terms.intersection(content_terms(words))) >= needed:
            kept.append(" ".join(words))
    return "\n".join(kept)


def says_still(quote: str, *, title: str, text: str) -> bool:
    """Whether the document contains the quoted words (spacing, case, punctuation, and times and
    dates it prints about itself aside)."""
    quoted = " ".join(tokenize(_TIME_OR_DATE.sub(" ", quote)))
    return not quoted or quoted in " ".join(tokenize(_TIME_OR_DATE.sub(" ", f"{title}\n{text}")))
