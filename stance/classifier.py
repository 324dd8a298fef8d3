"""The stance classifier: (claim text, document text) → unrelated / asserts / denies / reports, with a
confidence and the sentence of the document that best supports it.

Hand-crafted features in the manner of the strong feature-based FNC-1 systems (TF-IDF and SVD
similarity of claim and document, word overlap, refuting / hedging / confirming cue words near the
sentences that speak to the claim) fed to a LightGBM model. Everything the features need (vocabulary,
IDF, SVD basis) and the LightGBM model itself are files in the repository written by
`manage.py train_stance`: numpy arrays loaded without pickle, LightGBM's own text format and JSON.
Nothing is downloaded at run time. Without the files, `load_model()` returns None and callers fall
back to suggesting matches with no stance ("needs review").

The same `StanceModel.features` is used to train and to classify, so evaluate_stance measures exactly
what the product runs.
"""

import json
import logging
import math
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
from django.conf import settings

logger = logging.getLogger(__name__)

UNRELATED = "unrelated"
LABELS = (UNRELATED, "asserts", "denies", "reports")
# FNC-1's names for the same four classes, in the same order.
FNC_LABELS = ("unrelated", "agree", "disagree", "discuss")
FNC_TO_LABEL = dict(zip(FNC_LABELS, LABELS, strict=True))
LABEL_TO_FNC = dict(zip(LABELS, FNC_LABELS, strict=True))

MODEL_FORMAT = 1
BOOSTERS = ("related", "stance_long", "stance_short")
# Documents of at most this many tokens (log1p) use the short-document stance model.
SHORT_DOCUMENT_TOKENS = 50
SHORT_DOCUMENT_LOG_TOKENS = math.log1p(SHORT_DOCUMENT_TOKENS)
EVIDENCE_MAX_CHARS = 1000


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


STOP_WORDS = _words(
    """a about above after again against all am an and any are as at be because been before being below
    between both but by can could did do does doing down during each few for from further had has have
    having he her here hers herself him himself his how i if in into is it its itself just me more most
    my myself of off on once only or other our ours ourselves out over own same she should so some such
    than that the their theirs them themselves then there these they this those through to too under
    until up very was we were what when where which while who whom why will with would you your yours
    yourself yourselves also s t re ve ll d m o y new one two us"""
)
# Cue words, matched on lower-cased tokens (not stemmed).
REFUTING = _words(
    """fake fraud hoax hoaxes false falsely deny denies denied denying denial not despite nope doubt doubts
    bogus debunk debunked debunks debunking prank pranks retract retracted retraction fabricated
    fabrication untrue rumor rumors rumour rumours myth satire satirical never incorrect misleading
    baseless unfounded dismissed dismisses refuted refutes refute rejects rejected contrary wrong lie
    lies lied however nonsense photoshopped doctored scam"""
)
HEDGING = _words(
    """reportedly allegedly alleged according claim claims claimed report reports reported said says say
    may might could apparently unconfirmed purportedly purported suggests suggested believed appears
    appeared possibly possible rumoured rumored supposedly unverified unclear whether likely speculation
    speculated sources source if would seems seem"""
)
CONFIRMING = _words(
    """confirmed confirms confirm indeed officially announced announces revealed reveals shows showed proof
    proves proved true actually verified evidence footage video photos witnesses finally"""
)
NEGATING = _words("not no never none nobody nothing neither nor without cannot")
# Single cue words strong enough to be features of their own.
KEY_CUES = (
    "fake",
    "hoax",
    "false",
    "not",
    "no",
    "denied",
    "denies",
    "fabricated",
    "rumors",
    "reportedly",
    "allegedly",
    "according",
    "claims",
    "confirmed",
    "unconfirmed",
    "report",
    "says",
    "said",
    "may",
    "could",
    "might",
    "apparently",
    "rumor",
    "video",
    "photos",
)

_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"”’')\]]*\s+|\n+")


def tokenize(text: str) -> list[str]:
    return _TOKEN.findall(text.lower().replace("n't", " not").replace("n’t", " not"))


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """A deliberately light stemmer: enough to meet plurals and tenses, cheap enough for every word."""
    if len(word) > 5 and word.endswith("ing"):
        return word[:-3]
    if len(word) > 4 and word.endswith("ed"):
        return word[:-2]
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def content_terms(tokens: list[str]) -> list[str]:
    return [stem(t) for t in tokens if t not in STOP_WORDS and (len(t) > 1 or t.isdigit())]


def split_sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(text or "") if s and s.strip()]


@dataclass
class SparseVector:
    """An L2-normalised TF-IDF vector as parallel arrays plus a dict for fast dot products."""

    weights: dict[int, float]
    indices: np.ndarray
    values: np.ndarray

    def dot(self, other: "SparseVector") -> float:
        small, large = (self, other) if len(self.weights) <= len(other.weights) else (other, self)
        return sum(w * large.weights.get(i, 0.0) for i, w in small.weights.items())


@dataclass
class TextAnalysis:
    """What the features need of one text, computed once per text (a document is analysed once and
    compared with every candidate claim)."""

    tokens: list[str]
    terms: set[str]
    bigrams: set[tuple[str, str]]
    vector: SparseVector
    topics: np.ndarray
    sentences: list[str]
    sentence_tokens: list[list[str]]
    sentence_vectors: list[SparseVector]
    cue_counts: np.ndarray  # refuting, hedging, confirming, negating, key cues…


@dataclass(frozen=True)
class StanceResult:
    label: str  # one of LABELS
    confidence: float
    evidence: str
    probabilities: tuple[float, ...]

    @property
    def is_related(self) -> bool:
        return self.label != UNRELATED


def _cue_counts(tokens: list[str]) -> np.ndarray:
    counts = Counter(tokens)
    refuting = sum(n for t, n in counts.items() if t in REFUTING)
    hedging = sum(n for t, n in counts.items() if t in HEDGING)
    confirming = sum(n for t, n in counts.items() if t in CONFIRMING)
    negating = sum(n for t, n in counts.items() if t in NEGATING)
    return np.array([refuting, hedging, confirming, negating, *(counts[c] for c in KEY_CUES)], dtype=np.float32)


CUE_NAMES = ("refuting", "hedging", "confirming", "negating", *KEY_CUES)


def feature_names(lead_vocabulary=()) -> list[str]:
    names = [
        "tfidf_cosine",
        "topic_cosine",
        "claim_terms_in_document",
        "claim_bigrams_in_document",
        "best_sentence_cosine",
        "top3_sentence_cosine",
        "first_sentence_cosine",
        "best_sentence_position",
        "sentences_over_0_2",
        "claim_length",
        "document_length_log",
        "document_sentences_log",
        "claim_question",
        "claim_quoted",
        "lead_question",
        "lead_quoted",
        "lead_colon",
        "document_questions_per_sentence",
    ]
    names += [f"claim_{c}" for c in CUE_NAMES]
    names += [f"document_{c}_rate" for c in CUE_NAMES]
    names += [f"near_{c}" for c in CUE_NAMES]
    names += [f"lead_{c}" for c in CUE_NAMES]
    names += [f"lead_minus_claim_{c}" for c in CUE_NAMES]
    names += ["negation_parity_claim_vs_near"]
    names += [f"lead_word_{w}" for w in lead_vocabulary]
    return names


SHORT_COLUMN = feature_names().index("document_length_log")


class StanceModel:
    """Vocabulary, IDF, SVD basis and three LightGBM boosters, loaded from a model folder.

    Two stages, as in most strong FNC-1 systems: `related` (is the document about the claim at all?)
    then a three-way stance model given that it is. Short documents (a headline, a post, a two-line
    statement) get their own stance model, trained mostly on Emergent's headline pairs, because what
    signals stance in a headline ("reportedly", a question mark) differs from an article body."""

    def __init__(
        self,
        *,
        vocabulary: list[str],
        idf: np.ndarray,
        topic_basis: np.ndarray,
        lead_vocabulary: list[str] = (),
        boosters: dict | None = None,
        meta=None,
    ):
        self.vocabulary = {term: i for i, term in enumerate(vocabulary)}
        # Words of the document's first sentence (a headline, a post) that are features of their own.
        self.lead_vocabulary = list(lead_vocabulary)
        self.lead_index = {word: i for i, word in enumerate(self.lead_vocabulary)}
        self.idf = idf.astype(np.float32)
        self.topic_basis = topic_basis.astype(np.float32)  # (terms, topics)
        self.boosters = boosters or {}
        self.meta = meta or {}

    # --- text analysis -------------------------------------------------------------------------

    def vectorize(self, terms: list[str]) -> SparseVector:
        counts = Counter(self.vocabulary[t] for t in terms if t in self.vocabulary)
        if not counts:
            return SparseVector({}, np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32))
        indices = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
        tf = np.fromiter(counts.values(), dtype=np.float32, count=len(counts))
        values = (1.0 + np.log(tf)) * self.idf[indices]
        values /= float(np.linalg.norm(values)) or 1.0
        return SparseVector(dict(zip(indices.tolist(), values.tolist(), strict=True)), indices, values)

    def topics(self, vector: SparseVector) -> np.ndarray:
        if not len(vector.indices):
            return np.zeros(self.topic_basis.shape[1], dtype=np.float32)
        projected = vector.values @ self.topic_basis[vector.indices]
        norm = float(np.linalg.norm(projected))
        return projected / norm if norm else projected

    def analyse(self, text: str, *, title: str = "") -> TextAnalysis:
        sentences = ([title.strip()] if title and title.strip() else []) + split_sentences(text)
        if not sentences:
            sentences = [""]
        sentence_tokens = [tokenize(s) for s in sentences]
        tokens = [t for st in sentence_tokens for t in st]
        terms = content_terms(tokens)
        vector = self.vectorize(terms)
        return TextAnalysis(
            tokens=tokens,
            terms=set(terms),
            bigrams=set(zip(terms, terms[1:], strict=False)),
            vector=vector,
            topics=self.topics(vector),
            sentences=sentences,
            sentence_tokens=sentence_tokens,
            sentence_vectors=[self.vectorize(content_terms(st)) for st in sentence_tokens],
            cue_counts=_cue_counts(tokens),
        )

    # --- features ------------------------------------------------------------------------------

    def sentence_similarities(self, claim: TextAnalysis, document: TextAnalysis) -> np.ndarray:
        return np.array([claim.vector.dot(sv) for sv in document.sentence_vectors], dtype=np.float32)

    def features(self, claim: TextAnalysis, document: TextAnalysis) -> np.ndarray:
        similarities = self.sentence_similarities(claim, document)
        order = np.argsort(-similarities, kind="stable")
        top = order[:3]
        near_tokens = [t for i in top for t in document.sentence_tokens[i]]
        lead_tokens = [t for st in document.sentence_tokens[:2] for t in st]
        near_cues = _cue_counts(near_tokens)
        lead_cues = _cue_counts(lead_tokens)
        n_tokens = max(len(document.tokens), 1)
        lead = " ".join(document.sentences[:2])
        claim_terms = claim.terms or {""}
        values = [
            claim.vector.dot(document.vector),
            float(claim.topics @ document.topics),
            len(claim.terms & document.terms) / len(claim_terms),
            len(claim.bigrams & document.bigrams) / max(len(claim.bigrams), 1),
            float(similarities[order[0]]),
            float(similarities[top].mean()),
            float(similarities[0]),
            float(order[0]) / len(similarities),
            float((similarities > 0.2).sum()),
            float(len(claim.tokens)),
            math.log1p(len(document.tokens)),
            math.log1p(len(document.sentences)),
            float("?" in " ".join(claim.sentences)),
            float(any(q in " ".join(claim.sentences) for q in "'\"‘“")),
            float("?" in lead),
            float(any(q in lead for q in "'\"‘“")),
            float(":" in lead),
            sum(s.count("?") for s in document.sentences) / len(document.sentences),
        ]
        negation_parity = float((claim.cue_counts[3] + near_cues[3]) % 2)
        return np.concatenate(
            [
                np.array(values, dtype=np.float32),
                claim.cue_counts,
                document.cue_counts * (100.0 / n_tokens),
                near_cues,
                lead_cues,
                # Cue words the document uses and the claim does not: "fake" in an article about a
                # claim that says nothing of fakes is a denial; in a claim that calls it fake, not.
                lead_cues - claim.cue_counts,
                np.array([negation_parity], dtype=np.float32),
                self.lead_words(document),
            ]
        )

    def lead_words(self, document: TextAnalysis) -> np.ndarray:
        counts = np.zeros(len(self.lead_vocabulary), dtype=np.float32)
        for token in document.sentence_tokens[0]:
            i = self.lead_index.get(token)
            if i is not None:
                counts[i] += 1
        return counts

    # --- classification ------------------------------------------------------------------------

    def predict_probabilities(self, rows: np.ndarray) -> np.ndarray:
        """P(unrelated), P(asserts), P(denies), P(reports) for each feature row."""
        if not len(rows):
            return np.zeros((0, len(LABELS)))
        related = self.boosters["related"].predict(rows, num_threads=1)
        short = rows[:, SHORT_COLUMN] <= SHORT_DOCUMENT_LOG_TOKENS
        stance = np.zeros((len(rows), len(LABELS) - 1))
        for name, which in (("stance_short", short), ("stance_long", ~short)):
            if which.any():
                stance[which] = self.boosters[name].predict(rows[which], num_threads=1)
        return np.column_stack([1.0 - related, related[:, None] * stance])

    def evidence_sentence(self, claim: TextAnalysis, document: TextAnalysis, label: str) -> str:
        """The sentence that speaks to the claim most, preferring one carrying the label's cue words."""
        similarities = self.sentence_similarities(claim, document)
        cues = {"denies": REFUTING, "reports": HEDGING, "asserts": CONFIRMING}.get(label, frozenset())
        best, best_score = 0, -1.0
        for i, tokens in enumerate(document.sentence_tokens):
            score = float(similarities[i]) + (0.15 if cues and cues.intersection(tokens) else 0.0)
            if score > best_score:
                best, best_score = i, score
        return document.sentences[best][:EVIDENCE_MAX_CHARS]

    def classify_pairs(
        self, pairs: list[tuple[TextAnalysis, TextAnalysis]], *, assume_related: bool = False
    ) -> list[StanceResult]:
        """With assume_related, the answer is the likeliest of asserts / denies / reports (for pairs
        known to be about the claim); the confidence stays the model's probability of it."""
        if not pairs:
            return []
        rows = np.vstack([self.features(c, d) for c, d in pairs])
        probabilities = self.predict_probabilities(rows)
        results = []
        for (claim, document), p in zip(pairs, probabilities, strict=True):
            best = 1 + int(np.argmax(p[1:])) if assume_related else int(np.argmax(p))
            label = LABELS[best]
            evidence = self.evidence_sentence(claim, document, label) if label != UNRELATED else ""
            results.append(StanceResult(label, float(p[best]), evidence, tuple(float(x) for x in p)))
        return results

    # --- storage -------------------------------------------------------------------------------

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        vocabulary = sorted(self.vocabulary, key=self.vocabulary.get)
        _write_npz(
            folder / "vectors.npz",
            vocabulary=np.array(vocabulary, dtype=str),
            idf=self.idf,
            topic_basis=self.topic_basis.astype(np.float16),
            lead_vocabulary=np.array(self.lead_vocabulary, dtype=str),
        )
        for name in BOOSTERS:
            (folder / f"{name}.txt").write_text(self.boosters[name].model_to_string())
        meta = {
            **self.meta,
            "format": MODEL_FORMAT,
            "labels": list(LABELS),
            "features": feature_names(self.lead_vocabulary),
        }
        (folder / "meta.json").write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n")

    @classmethod
    def load(cls, folder: Path) -> "StanceModel | None":
        """The model in `folder`, or None when there is none (the product then suggests matches with
        no stance). Arrays are read with allow_pickle=False: a model file can never run code."""
        import lightgbm

        paths = [folder / "vectors.npz", folder / "meta.json"] + [folder / f"{name}.txt" for name in BOOSTERS]
        if not all(p.exists() for p in paths):
            return None
        meta = json.loads(paths[1].read_text())
        with np.load(paths[0], allow_pickle=False) as arrays:
            vocabulary = arrays["vocabulary"].tolist()
            lead_vocabulary = arrays["lead_vocabulary"].tolist()
            idf, topic_basis = arrays["idf"], arrays["topic_basis"]
        if meta.get("format") != MODEL_FORMAT or meta.get("features") != feature_names(lead_vocabulary):
            raise ValueError(f"The stance model in {folder} was made by another version; run manage.py train_stance.")
        boosters = {name: lightgbm.Booster(model_str=(folder / f"{name}.txt").read_text()) for name in BOOSTERS}
        return cls(
            vocabulary=vocabulary,
            idf=idf,
            topic_basis=topic_basis,
            lead_vocabulary=lead_vocabulary,
            boosters=boosters,
            meta=meta,
        )


def _write_npz(path: Path, **arrays) -> None:
    """Like numpy.savez_compressed, but byte-for-byte reproducible (fixed timestamps in the zip)."""
    import zipfile

    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, array in arrays.items():
            info = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            with archive.open(info, "w", force_zip64=True) as f:
                np.lib.format.write_array(f, np.asanyarray(array), allow_pickle=False)


def model_folder() -> Path:
    return Path(settings.CLAIMTRACK_STANCE_MODEL_DIR)


@lru_cache(maxsize=4)
def _load_cached(folder: str, stamp: float) -> StanceModel | None:
    try:
        return StanceModel.load(Path(folder))
    except (OSError, ImportError, ValueError, KeyError) as error:
        # A broken or outdated model (or a missing OpenMP runtime) must not stop ingestion: matches
        # are then suggested without a stance, as with no model at all.
        logger.error("The stance model in %s cannot be used (%s); suggesting matches without stance.", folder, error)
        return None


def load_model() -> StanceModel | None:
    """The installed model (cached per process, reloaded when train_stance rewrites it), or None
    when there is none or it cannot be used (logged)."""
    folder = model_folder()
    meta = folder / "meta.json"
    stamp = meta.stat().st_mtime if meta.exists() else 0.0
    return _load_cached(str(folder), stamp)
