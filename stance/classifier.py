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

Arabic: a pair whose claim and document are both mostly in Arabic script goes to a model of its own
(`ArabicPairModel`, file `arabic.npz`), trained on ANS headline pairs: a logistic regression over the
words and character n-grams that one text has and the other lacks (a changed fact, an antonym, a
negation) and a few overlap measures, on text normalised by `claimtrack.lib.arabic`. It knows
asserts, denies and unrelated (ANS has no "reports"). A long document is compared sentence by
sentence: the sentence (the title first) sharing most of the claim's words is the one classified.
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

from claimtrack.lib import arabic

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
    # The text as the Arabic model reads it, when it is mostly in Arabic script.
    arabic: "ArabicText | None" = None


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
        arabic: "ArabicPairModel | None" = None,
    ):
        self.vocabulary = {term: i for i, term in enumerate(vocabulary)}
        # Words of the document's first sentence (a headline, a post) that are features of their own.
        self.lead_vocabulary = list(lead_vocabulary)
        self.lead_index = {word: i for i, word in enumerate(self.lead_vocabulary)}
        self.idf = idf.astype(np.float32)
        self.topic_basis = topic_basis.astype(np.float32)  # (terms, topics)
        self.boosters = boosters or {}
        self.meta = meta or {}
        # The model for pairs in Arabic script (None: those pairs go to the models above).
        self.arabic = arabic

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
        is_arabic = self.arabic is not None and is_arabic_text(f"{title}\n{text}")
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
            arabic=analyse_arabic(sentences, short=len(tokens) <= SHORT_DOCUMENT_TOKENS) if is_arabic else None,
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
        in_arabic = [c.arabic is not None and d.arabic is not None for c, d in pairs]
        probabilities = np.zeros((len(pairs), len(LABELS)))
        evidence = [""] * len(pairs)
        english = [i for i, a in enumerate(in_arabic) if not a]
        if english:
            rows = np.vstack([self.features(*pairs[i]) for i in english])
            probabilities[english] = self.predict_probabilities(rows)
        arabic_pairs = [i for i, a in enumerate(in_arabic) if a]
        if arabic_pairs:
            # A short document (a headline, a post) is read whole, as in training; a longer one by the
            # sentence that speaks to the claim most.
            nearest = [ArabicPairModel.nearest_sentence(pairs[i][0].arabic, pairs[i][1].arabic) for i in arabic_pairs]
            read = [
                pairs[i][1].arabic.whole if pairs[i][1].arabic.short else pairs[i][1].arabic.sentences[s]
                for i, s in zip(arabic_pairs, nearest, strict=True)
            ]
            probabilities[arabic_pairs] = self.arabic.probabilities(
                [(pairs[i][0].arabic.whole, r) for i, r in zip(arabic_pairs, read, strict=True)]
            )
            for i, s in zip(arabic_pairs, nearest, strict=True):
                evidence[i] = pairs[i][1].sentences[s][:EVIDENCE_MAX_CHARS]
        results = []
        for i, ((claim, document), p) in enumerate(zip(pairs, probabilities, strict=True)):
            best = 1 + int(np.argmax(p[1:])) if assume_related else int(np.argmax(p))
            label = LABELS[best]
            if label == UNRELATED:
                sentence = ""
            elif in_arabic[i]:
                sentence = evidence[i]
            else:
                sentence = self.evidence_sentence(claim, document, label)
            results.append(StanceResult(label, float(p[best]), sentence, tuple(float(x) for x in p)))
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
        if self.arabic is not None:
            self.arabic.save(folder / ARABIC_MODEL_FILE)

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
        arabic_file = folder / ARABIC_MODEL_FILE
        return cls(
            vocabulary=vocabulary,
            idf=idf,
            topic_basis=topic_basis,
            lead_vocabulary=lead_vocabulary,
            boosters=boosters,
            meta=meta,
            arabic=ArabicPairModel.load(arabic_file) if arabic_file.exists() else None,
        )


# --- Arabic ----------------------------------------------------------------------------------------

ARABIC_MODEL_FILE = "arabic.npz"
ARABIC_MODEL_FORMAT = 3
# The Arabic model's classes, in the order of its probabilities.
ARABIC_LABELS = (UNRELATED, "asserts", "denies")
# A text is read as Arabic when at least this share of its letters are in Arabic script.
ARABIC_SCRIPT_SHARE = 0.5
# Words that negate, refuse, deny or say something failed or did not happen (normalised, as
# claimtrack.lib.arabic.words gives them): a denial often rewrites a claim with one of them.
ARABIC_NEGATING = frozenset(
    arabic.words(
        """لا لم لن ليس ليست ليسوا غير دون بدون عدم نفي ينفي تنفي نفت نفى ينفون يرفض ترفض رفض رفضت
        يرفضون يفشل تفشل فشل فشلت اخفاق رغم تتجاهل يتجاهل تجاهل ضد يستبعد تستبعد استبعد كذب تكذب
        يكذب شائعات شائعه زائف مزيف تراجع يتراجع توقف يتوقف تنكر ينكر"""
    )
)
# Function words (normalised): what is left of a headline without them is what it is about (names,
# places, what happened), and an unrelated rewrite shares little of that, a denial most of it.
ARABIC_STOP_WORDS = frozenset(
    arabic.words(
        """في من على الى إلى عن ان أن إن مع بعد قبل هذا هذه ذلك تلك التي الذي الذين ما ماذا من هل كيف
        لماذا متى اين أين او أو ثم حتى بين عند منذ خلال حول ضد كل بعض اي أي قد كان كانت يكون تكون
        هو هي هم نحن انا أنا له لها لهم به بها فيه فيها عليه عليها منه منها عنه عنها اليوم امس أمس
        غدا يوم عام الى و ف ب ل ك لـ بـ"""
    )
)
ARABIC_DENSE_FEATURES = (
    "stem_jaccard",
    "claim_stems_in_document",
    "document_stems_in_claim",
    "trigram_jaccard",
    "claim_trigrams_in_document",
    "claim_only_stems_log",
    "document_only_stems_log",
    "claim_numbers_not_in_document",
    "document_numbers_not_in_claim",
    "negating_document_minus_claim",
    "negation_parity",
    "claim_question",
    "document_question",
    "no_shared_stem",
    # What each headline is about (its stems less ARABIC_STOP_WORDS), and how much of it the other keeps:
    # an unrelated pair may share a name or a place, a denial keeps most of the story and its order.
    "claim_content_in_document",
    "document_content_in_claim",
    "shared_content_log",
    "longest_shared_run",
    "first_content_shared",
    "last_content_shared",
    "document_first_content_shared",
    "no_shared_content",
    # The words that differ (since format 3): a denial often swaps a word for its opposite (ارتفاع /
    # انخفاض), a number or a name; a paraphrase swaps a word for another form of it (يرتفع / ارتفاع).
    "antonym_swapped",
    "antonym_in_document_only",
    "differing_words_trigram_jaccard",
    "number_in_document_only",
    "claim_only_content_log",
    "document_only_content_log",
    "content_kept_times_negation_added",
    "antonym_in_differing_words",
)
# Common opposites in Arabic news headlines (normalised), a few forms of each side: a pair is
# "swapped" when a stem only one headline has is on one side and a stem only the other has is on the other.
ARABIC_ANTONYMS = (
    (
        "ارتفاع يرتفع ترتفع ارتفعت ارتفع زياده يزيد تزيد زاد زادت ازدياد صعود يصعد تصعد صعد ارتفاعا نمو ينمو اعلي"
        " اكبر اكثر مرتفع",
        "انخفاض ينخفض تنخفض انخفضت انخفض تراجع يتراجع تتراجع تراجعت نقص ينقص هبوط يهبط تهبط هبط تدهور يتدهور"
        " انكماش ادني اقل اصغر منخفض",
    ),
    ("فوز يفوز تفوز فاز فازت ينتصر انتصار انتصر يهزم هزم", "خساره يخسر تخسر خسر خسرت هزيمه ينهزم يتعادل تعادل"),
    ("قبول يقبل تقبل قبل قبلت يوافق توافق وافق وافقت موافقه", "رفض يرفض ترفض رفضت يرفضون"),
    ("فتح يفتح تفتح فتحت افتتاح", "اغلاق يغلق تغلق اغلق اغلقت"),
    (
        "بدء يبدا تبدا بدا بدات يباشر تباشر باشر انطلاق تنطلق ينطلق استئناف يستانف تستانف",
        "انتهاء ينتهي تنتهي انتهي انتهت توقف يتوقف تتوقف تاجيل يؤجل يوجل توجل تعليق يعلق تعلق الغاء يلغي تلغي الغت",
    ),
    ("يوكد توكد اكد اكدت تاكيد يعلن تعلن اعلن", "ينفي تنفي نفي نفت ينكر تنكر"),
    ("نجاح ينجح تنجح نجح نجحت", "فشل يفشل تفشل فشلت اخفاق"),
    ("سلام هدنه اتفاق يتفق اتفقت", "حرب خلاف يختلف اختلاف نزاع"),
    ("دعم يدعم تدعم دعمت يويد تويد تاييد", "معارضه يعارض تعارض عارض ينتقد تنتقد انتقاد"),
    ("اطلاق يطلق تطلق سراح افراج يفرج", "اعتقال يعتقل تعتقل اعتقلت احتجاز يحتجز سجن"),
    ("دخول يدخل تدخل", "خروج يخرج تخرج انسحاب ينسحب تنسحب"),
    ("حياه يعيش نجاه ينجو", "موت يموت مقتل يقتل وفاه"),
    ("شمال", "جنوب"),
    ("شرق", "غرب"),
    ("جديد جديده", "قديم قديمه"),
    ("اول", "اخر"),
    ("عوده يعود تعود", "رحيل يرحل"),
    ("ربح ارباح يربح", "خسائر"),
    ("رفع يرفع ترفع", "خفض يخفض تخفض"),
)
ARABIC_OPPOSITES = tuple(
    (frozenset(arabic.stem(w) for w in arabic.words(a)), frozenset(arabic.stem(w) for w in arabic.words(b)))
    for a, b in ARABIC_ANTONYMS
)
ARABIC_OPPOSITE_STEMS = frozenset().union(*(a | b for a, b in ARABIC_OPPOSITES))


def is_arabic_text(text: str) -> bool:
    """Whether most of the letters of the text are in Arabic script."""
    if not arabic.is_arabic_script(text):  # one regular-expression search: most texts stop here
        return False
    letters = [ch for ch in text if ch.isalpha()]
    return sum(1 for ch in letters if arabic.is_arabic_script(ch)) >= ARABIC_SCRIPT_SHARE * len(letters)


@dataclass(frozen=True)
class ArabicSentence:
    """One sentence (a headline, a claim) as the Arabic model reads it."""

    words: tuple[str, ...]  # normalised
    stems: frozenset[str]
    question: bool


def read_arabic(text: str) -> ArabicSentence:
    normalised_words = tuple(arabic.words(text))
    stems = frozenset(arabic.stem(w) for w in normalised_words)
    return ArabicSentence(normalised_words, stems, "?" in text or "؟" in text)


@dataclass(frozen=True)
class ArabicText:
    """A text as the Arabic model reads it: whole, and sentence by sentence (the title first)."""

    whole: ArabicSentence
    sentences: tuple[ArabicSentence, ...]
    short: bool  # a headline or a post (at most SHORT_DOCUMENT_TOKENS tokens): compared whole


def analyse_arabic(sentences: list[str], *, short: bool) -> ArabicText:
    return ArabicText(read_arabic("\n".join(sentences)), tuple(read_arabic(s) for s in sentences), short)


@lru_cache(maxsize=200_000)
def _char_grams(word: str, smallest: int, largest: int) -> tuple[str, ...]:
    marked = f"<{word}>"
    return tuple(marked[i : i + n] for n in range(smallest, largest + 1) for i in range(len(marked) - n + 1))


def arabic_pair_terms(claim: ArabicSentence, document: ArabicSentence) -> tuple[list[str], np.ndarray]:
    """The sparse terms and the dense features (ARABIC_DENSE_FEATURES) of one pair of sentences.

    Terms: the stems only the claim has ("a:"), only the document has ("b:"), and the character 2- to
    4-grams of those words that the other side's lack ("ga:", "gb:"), which meet a word's other forms
    (يرتفع, ارتفاع, ترتفع)."""
    parts = _pair_term_parts(claim, document)
    claim_only, document_only, claim_grams, document_grams = parts
    terms = [f"a:{w}" for w in claim_only] + [f"b:{w}" for w in document_only]
    terms += [f"ga:{g}" for g in sorted(claim_grams)]
    terms += [f"gb:{g}" for g in sorted(document_grams)]
    return terms, arabic_pair_dense(claim, document, claim_only, document_only)


def _pair_term_parts(claim: ArabicSentence, document: ArabicSentence):
    """The words and letter grams each side has and the other lacks (arabic_pair_terms' terms)."""
    claim_only, document_only = sorted(claim.stems - document.stems), sorted(document.stems - claim.stems)
    claim_grams = {g for w in claim_only for g in _char_grams(w, 2, 4)}
    document_grams = {g for w in document_only for g in _char_grams(w, 2, 4)}
    return claim_only, document_only, claim_grams - document_grams, document_grams - claim_grams


def arabic_pair_dense(
    claim: ArabicSentence, document: ArabicSentence, claim_only: list[str], document_only: list[str]
) -> np.ndarray:
    """The dense features (ARABIC_DENSE_FEATURES) of one pair of sentences."""
    shared = claim.stems & document.stems
    claim_trigrams = {g for w in claim.stems for g in _char_grams(w, 3, 3)}
    document_trigrams = {g for w in document.stems for g in _char_grams(w, 3, 3)}
    claim_numbers = {w for w in claim.words if w.isdigit()}
    document_numbers = {w for w in document.words if w.isdigit()}
    claim_negating = len(ARABIC_NEGATING.intersection(claim.words))
    document_negating = len(ARABIC_NEGATING.intersection(document.words))
    dense = [
        len(shared) / max(len(claim.stems | document.stems), 1),
        len(shared) / max(len(claim.stems), 1),
        len(shared) / max(len(document.stems), 1),
        len(claim_trigrams & document_trigrams) / max(len(claim_trigrams | document_trigrams), 1),
        len(claim_trigrams & document_trigrams) / max(len(claim_trigrams), 1),
        math.log1p(len(claim_only)),
        math.log1p(len(document_only)),
        float(bool(claim_numbers - document_numbers)),
        float(bool(document_numbers - claim_numbers)),
        float(document_negating - claim_negating),
        float((document_negating + claim_negating) % 2),
        float(claim.question),
        float(document.question),
        float(not shared),
    ]
    content = _content_overlap(claim, document)
    dense += content
    dense += _difference_features(claim, document, set(claim_only), set(document_only))
    dense.append(content[0] * (document_negating - claim_negating))
    dense.append(float(bool((set(claim_only) | set(document_only)) & ARABIC_OPPOSITE_STEMS)))
    return np.array(dense, dtype=np.float64)


def _difference_features(
    claim: ArabicSentence, document: ArabicSentence, claim_only: set[str], document_only: set[str]
) -> list[float]:
    """Of the words that differ: opposites swapped, an opposite added, how alike the two sides' words
    are (character trigrams), a number added, and how many content words each side alone has."""
    swapped = any(
        (claim_only & a and document_only & b) or (claim_only & b and document_only & a) for a, b in ARABIC_OPPOSITES
    )
    claim_grams = {g for w in claim_only for g in _char_grams(w, 3, 3)}
    document_grams = {g for w in document_only for g in _char_grams(w, 3, 3)}
    alike = (
        len(claim_grams & document_grams) / len(claim_grams | document_grams) if claim_grams and document_grams else 0.0
    )
    return [
        float(swapped),
        float(bool(document_only & ARABIC_OPPOSITE_STEMS)),
        alike,
        float(any(w.isdigit() and arabic.stem(w) in document_only for w in document.words)),
        math.log1p(sum(1 for s in arabic_content_stems(claim) if s in claim_only)),
        math.log1p(sum(1 for s in arabic_content_stems(document) if s in document_only)),
    ]


def arabic_content_stems(sentence: ArabicSentence) -> list[str]:
    """The stems of the sentence's words that are not function words, in order, each once."""
    stems = (arabic.stem(w) for w in sentence.words if w not in ARABIC_STOP_WORDS)
    return list(dict.fromkeys(s for s in stems if s not in ARABIC_STOP_WORDS))


def _longest_shared_run(first: list[str], second: list[str]) -> int:
    """The length of the longest run of stems that both sequences have, in the same order, together."""
    best, previous = 0, [0] * (len(second) + 1)
    for a in first:
        current = [0] * (len(second) + 1)
        for j, b in enumerate(second, start=1):
            if a == b:
                current[j] = previous[j - 1] + 1
                best = max(best, current[j])
        previous = current
    return best


def _content_overlap(claim: ArabicSentence, document: ArabicSentence) -> list[float]:
    """The content-word features of ARABIC_DENSE_FEATURES, in their order."""
    claim_content, document_content = arabic_content_stems(claim), arabic_content_stems(document)
    shared = set(claim_content) & set(document_content)
    shortest = max(min(len(claim_content), len(document_content)), 1)
    return [
        len(shared) / max(len(claim_content), 1),
        len(shared) / max(len(document_content), 1),
        math.log1p(len(shared)),
        _longest_shared_run(claim_content, document_content) / shortest,
        float(bool(claim_content) and claim_content[0] in shared),
        float(bool(claim_content) and claim_content[-1] in shared),
        float(bool(document_content) and document_content[0] in shared),
        float(not shared),
    ]


class ArabicPairModel:
    """A multinomial logistic regression over `arabic_pair_terms`: one weight per term and class,
    one per dense feature (standardised) and class, and a bias per class."""

    def __init__(
        self,
        *,
        vocabulary: list[str],
        weights: np.ndarray,
        dense_mean: np.ndarray,
        dense_scale: np.ndarray,
        meta: dict | None = None,
    ):
        self.vocabulary = {term: i for i, term in enumerate(vocabulary)}
        by_kind = {"a": {}, "b": {}, "ga": {}, "gb": {}}
        for term, i in self.vocabulary.items():
            kind, _colon, word = term.partition(":")
            by_kind.setdefault(kind, {})[word] = i
        self._terms_by_kind = (by_kind["a"], by_kind["b"], by_kind["ga"], by_kind["gb"])
        self.weights = weights.astype(np.float64)  # (terms + dense + 1, classes)
        self.dense_mean = dense_mean.astype(np.float64)
        self.dense_scale = dense_scale.astype(np.float64)
        self.meta = meta or {}

    def rows(self, pairs: list[tuple[ArabicSentence, ArabicSentence]]):
        """The design matrix of the pairs (scipy CSR): the terms (each pair's row of terms has unit
        length), the standardised dense features, and 1 for the bias."""
        from scipy import sparse

        rows, cols, values, dense = [], [], [], []
        for row, (claim, document) in enumerate(pairs):
            # arabic_pair_terms' terms looked up by kind, without writing each term out (the
            # letter grams of a long sentence are many, and most are not in the vocabulary).
            claim_only, document_only, claim_grams, document_grams = _pair_term_parts(claim, document)
            a, b, ga, gb = self._terms_by_kind
            found = {a[w] for w in claim_only if w in a} | {b[w] for w in document_only if w in b}
            found |= {ga[g] for g in claim_grams if g in ga} | {gb[g] for g in document_grams if g in gb}
            indices = sorted(found)
            features = arabic_pair_dense(claim, document, claim_only, document_only)
            rows += [row] * len(indices)
            cols += indices
            values += [1.0 / math.sqrt(len(indices))] * len(indices) if indices else []
            dense.append(features)
        terms = sparse.csr_matrix((values, (rows, cols)), shape=(len(pairs), len(self.vocabulary)))
        standardised = (np.vstack(dense) - self.dense_mean) / self.dense_scale
        bias = np.ones((len(pairs), 1))
        return sparse.hstack([terms, sparse.csr_matrix(standardised), sparse.csr_matrix(bias)]).tocsr()

    def probabilities(self, pairs: list[tuple[ArabicSentence, ArabicSentence]]) -> np.ndarray:
        """P(unrelated), P(asserts), P(denies), P(reports) (always 0: ANS has no such class)."""
        if not pairs:
            return np.zeros((0, len(LABELS)))
        scores = self.rows(pairs) @ self.weights
        scores -= scores.max(axis=1, keepdims=True)
        exponentials = np.exp(scores)
        p = exponentials / exponentials.sum(axis=1, keepdims=True)
        return np.column_stack([p, np.zeros(len(pairs))])

    @staticmethod
    def nearest_sentence(claim: ArabicText, document: ArabicText) -> int:
        """The document's sentence sharing the most of the claim's stems (the first of equals)."""
        claim_stems = claim.whole.stems
        if len(document.sentences) <= 1 or not claim_stems:
            return 0
        return int(np.argmax([len(claim_stems & s.stems) for s in document.sentences]))

    def save(self, path: Path) -> None:
        vocabulary = sorted(self.vocabulary, key=self.vocabulary.get)
        _write_npz(
            path,
            format=np.array(ARABIC_MODEL_FORMAT),
            vocabulary=np.array(vocabulary, dtype=str),
            dense_features=np.array(ARABIC_DENSE_FEATURES, dtype=str),
            labels=np.array(ARABIC_LABELS, dtype=str),
            weights=self.weights.astype(np.float32),
            dense_mean=self.dense_mean,
            dense_scale=self.dense_scale,
            meta=np.array(json.dumps(self.meta, sort_keys=True)),
        )

    @classmethod
    def load(cls, path: Path) -> "ArabicPairModel":
        with np.load(path, allow_pickle=False) as arrays:
            if (
                int(arrays["format"]) != ARABIC_MODEL_FORMAT
                or tuple(arrays["dense_features"].tolist()) != ARABIC_DENSE_FEATURES
                or tuple(arrays["labels"].tolist()) != ARABIC_LABELS
            ):
                raise ValueError(
                    f"The Arabic stance model {path} was made by another version; run manage.py train_stance."
                )
            return cls(
                vocabulary=arrays["vocabulary"].tolist(),
                weights=arrays["weights"],
                dense_mean=arrays["dense_mean"],
                dense_scale=arrays["dense_scale"],
                meta=json.loads(str(arrays["meta"])),
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
