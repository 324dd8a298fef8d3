"""Training and evaluating the stance classifier on public data (FNC-1, Emergent) and on the review
decisions journalists made in this installation (handed in as plain texts: claims' train_stance
command reads them with claims.selectors.reviewed_suggestions).

The held-apart split is a pure function of the text: a headline (FNC-1) or a claim (Emergent) is
held apart when the SHA-256 of its text falls in the first HELD_APART_PERCENT of the range, so the
split is the same on every machine without storing it. train_stance never trains on the held-apart
part (unless told --all-data); split_stance_data writes it out in FNC-1's format for evaluate_stance.

Arabic (ANS, arabic-ans/): a headline s1 of stance_train.csv is held apart by the same rule, and the
rows of stance_dev.csv with a held-apart headline are left out. The Arabic model's settings were
chosen on dev with the model trained on the rest of stance_train.csv; the product's model is then
trained on both (never on the held-apart part, unless --all-data).
"""

import csv
import hashlib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .classifier import (
    ARABIC_DENSE_FEATURES,
    ARABIC_LABELS,
    FNC_LABELS,
    FNC_TO_LABEL,
    LABEL_TO_FNC,
    LABELS,
    ArabicPairModel,
    ArabicSentence,
    StanceModel,
    analyse_arabic,
    arabic_content_stems,
    arabic_pair_terms,
    content_terms,
    read_arabic,
    split_sentences,
    tokenize,
)

HELD_APART_PERCENT = 20
SEED = 20170601
MAX_TERMS = 40_000
TOPICS = 64
LEAD_WORDS = 300
_COMMON_PARAMS = {
    "learning_rate": 0.05,
    "num_leaves": 31,
    "min_data_in_leaf": 20,
    "feature_fraction": 0.8,
    "bagging_fraction": 0.8,
    "bagging_freq": 1,
    "lambda_l2": 1.0,
    "seed": SEED,
    "deterministic": True,
    "force_row_wise": True,
    "num_threads": 2,
    "verbose": -1,
}
RELATED_PARAMS = {**_COMMON_PARAMS, "objective": "binary", "rounds": 300}
STANCE_PARAMS = {**_COMMON_PARAMS, "objective": "multiclass", "num_class": 3, "rounds": 300}
SHORT_STANCE_PARAMS = {**STANCE_PARAMS, "num_leaves": 15, "rounds": 200}
# Weights of training examples by origin. Emergent's headline pairs are few beside FNC-1's article
# bodies, yet they are the only short documents (posts, headlines) the model sees; the short-document
# stance model gives FNC-1 little weight. Journalists' reviews are this newsroom's own data.
EMERGENT_WEIGHT = 5.0
SHORT_MODEL_FNC_WEIGHT = 0.3
# Denials are rare in FNC-1 (one related pair in eight) and the most valuable suggestion to a fact
# checker: the stance models count them more (chosen on a validation part of the training data).
DENIES_WEIGHT = {"stance_long": 3.0, "stance_short": 2.0}
REVIEW_WEIGHT = 5.0


@dataclass(frozen=True)
class Pair:
    """One (claim, document) pair with its gold label in FNC-1's vocabulary."""

    headline: str
    body_id: str
    stance: str


def read_fnc_stances(path: Path, *, require_stance: bool = True) -> list[Pair]:
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        missing = {"Headline", "Body ID"} - set(reader.fieldnames or [])
        if missing or (require_stance and "Stance" not in (reader.fieldnames or [])):
            raise ValueError(f"{path}: expected the columns Headline, Body ID, Stance (FNC-1 format)")
        pairs = []
        for line, row in enumerate(reader, start=2):
            stance = (row.get("Stance") or "").strip().lower()
            if require_stance and stance not in FNC_LABELS:
                raise ValueError(f"{path}, line {line}: unknown stance {row.get('Stance')!r}")
            pairs.append(Pair(row["Headline"], row["Body ID"].strip(), stance))
        return pairs


def read_fnc_bodies(path: Path) -> dict[str, str]:
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        if {"Body ID", "articleBody"} - set(reader.fieldnames or []):
            raise ValueError(f"{path}: expected the columns Body ID, articleBody (FNC-1 format)")
        return {row["Body ID"].strip(): row["articleBody"] for row in reader}


EMERGENT_TO_FNC = {"for": "agree", "against": "disagree", "observing": "discuss"}


def read_emergent(path: Path) -> tuple[list[Pair], dict[str, str], dict[str, str]]:
    """Emergent as FNC-1 pairs: the claim headline is the claim, the article headline the document.
    Returns the pairs, the 'bodies' (article headlines by article id) and each pair's claim id."""
    pairs, bodies, claim_ids = [], {}, {}
    with open(path, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            pair = Pair(row["claimHeadline"], row["articleId"], EMERGENT_TO_FNC[row["articleHeadlineStance"]])
            pairs.append(pair)
            bodies[row["articleId"]] = row["articleHeadline"]
            claim_ids[row["claimHeadline"]] = row["claimId"]
    return pairs, bodies, claim_ids


def is_held_apart(key: str) -> bool:
    digest = hashlib.sha256(key.strip().lower().encode()).digest()
    return int.from_bytes(digest[:4], "big") % 100 < HELD_APART_PERCENT


def split_fnc(pairs: list[Pair], *, also_held_apart: set[str] = frozenset()) -> tuple[list[Pair], list[Pair]]:
    """By headline: every pair of a headline goes to the same part. Headlines in also_held_apart (the
    article headlines of held-apart Emergent claims, which FNC-1 shares) are held apart too."""
    held = {p.headline for p in pairs if is_held_apart(p.headline) or p.headline.strip() in also_held_apart}
    return [p for p in pairs if p.headline not in held], [p for p in pairs if p.headline in held]


def split_emergent(pairs: list[Pair], claim_ids: dict[str, str]) -> tuple[list[Pair], list[Pair]]:
    """By claim: all the article headlines of one claim go to the same part."""
    held = [p for p in pairs if is_held_apart(claim_ids[p.headline])]
    return [p for p in pairs if not is_held_apart(claim_ids[p.headline])], held


@dataclass
class Datasets:
    fnc_train: list[Pair]
    fnc_held_apart: list[Pair]
    fnc_bodies: dict[str, str]
    emergent_train: list[Pair]
    emergent_held_apart: list[Pair]
    emergent_bodies: dict[str, str]


def load_datasets(data_dir: Path) -> Datasets:
    fnc_pairs = read_fnc_stances(data_dir / "fnc1" / "train_stances.csv")
    fnc_bodies = read_fnc_bodies(data_dir / "fnc1" / "train_bodies.csv")
    emergent_file = data_dir / "emergent" / "url-versions-2015-06-14-clean-train.csv"
    emergent_pairs, emergent_bodies, claim_ids = read_emergent(emergent_file)
    emergent_train, emergent_held = split_emergent(emergent_pairs, claim_ids)
    held_article_headlines = {emergent_bodies[p.body_id].strip() for p in emergent_held}
    fnc_train, fnc_held = split_fnc(fnc_pairs, also_held_apart=held_article_headlines)
    return Datasets(fnc_train, fnc_held, fnc_bodies, emergent_train, emergent_held, emergent_bodies)


def write_fnc_files(pairs: list[Pair], bodies: dict[str, str], stances_path: Path, bodies_path: Path) -> None:
    stances_path.parent.mkdir(parents=True, exist_ok=True)
    with open(stances_path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["Headline", "Body ID", "Stance"])
        writer.writerows([p.headline, p.body_id, p.stance] for p in pairs)
    used = sorted({p.body_id for p in pairs})
    with open(bodies_path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["Body ID", "articleBody"])
        writer.writerows([body_id, bodies[body_id]] for body_id in used)


# --- fitting -----------------------------------------------------------------------------------


def fit_vectors(texts: list[str]) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Vocabulary (terms in at least two texts, most frequent first), smoothed IDF and an SVD topic
    basis of the texts' TF-IDF matrix (randomised SVD with a fixed seed, so it is reproducible)."""
    from scipy import sparse

    term_lists = [content_terms(tokenize(t)) for t in texts]
    document_frequency = Counter(term for terms in term_lists for term in set(terms))
    kept = sorted((t for t, df in document_frequency.items() if df >= 2), key=lambda t: (-document_frequency[t], t))
    vocabulary = kept[:MAX_TERMS]
    n = len(texts)
    idf = np.array([np.log((1 + n) / (1 + document_frequency[t])) + 1.0 for t in vocabulary], dtype=np.float32)

    model = StanceModel(vocabulary=vocabulary, idf=idf, topic_basis=np.zeros((len(vocabulary), 1)))
    rows, cols, values = [], [], []
    for row, terms in enumerate(term_lists):
        vector = model.vectorize(terms)
        rows += [row] * len(vector.indices)
        cols += vector.indices.tolist()
        values += vector.values.tolist()
    matrix = sparse.csr_matrix((values, (rows, cols)), shape=(n, len(vocabulary)), dtype=np.float64)
    return vocabulary, idf, _randomised_svd_basis(matrix, min(TOPICS, *matrix.shape))


def _randomised_svd_basis(matrix, rank: int, oversample: int = 10, power_iterations: int = 4) -> np.ndarray:
    """The top right singular vectors of `matrix` as a (terms × rank) array (Halko et al. 2011)."""
    generator = np.random.default_rng(SEED)
    sketch = matrix.T @ (matrix @ generator.standard_normal((matrix.shape[1], min(rank + oversample, *matrix.shape))))
    for _ in range(power_iterations):
        sketch, _r = np.linalg.qr(sketch)
        sketch = matrix.T @ (matrix @ sketch)
    basis, _r = np.linalg.qr(sketch)
    # Project, then take the exact SVD of the small matrix.
    small = matrix @ basis
    _u, _s, vt = np.linalg.svd(small, full_matrices=False)
    components = basis @ vt.T[:, :rank]
    # Fix each component's sign so that reruns agree exactly.
    signs = np.sign(components[np.abs(components).argmax(axis=0), range(rank)])
    return (components * signs).astype(np.float32)


def lead_vocabulary(documents: list[str]) -> list[str]:
    """The words most often found in documents' first sentences (in a headline, "reportedly", "not",
    "claims" and a question mark's words carry much of the stance)."""
    counts = Counter()
    for document in documents:
        sentences = split_sentences(document)
        counts.update(set(tokenize(sentences[0])) if sentences else ())
    return sorted(counts, key=lambda w: (-counts[w], w))[:LEAD_WORDS]


def feature_rows(model: StanceModel, examples: list[tuple[str, str, str]], progress=None) -> np.ndarray:
    """Feature rows for (claim text, document text, document title) triples, analysing each distinct
    text once."""
    analyses: dict[tuple[str, str], object] = {}

    def analysed(text, title=""):
        key = (title, text)
        if key not in analyses:
            analyses[key] = model.analyse(text, title=title)
        return analyses[key]

    rows = []
    for claim, document, title in examples:
        rows.append(model.features(analysed(claim), analysed(document, title)))
        if progress is not None:
            progress.update(1)
    return np.vstack(rows) if rows else np.zeros((0, 0), dtype=np.float32)


@dataclass
class TrainingSet:
    examples: list[tuple[str, str, str]]  # claim text, document text, document title
    labels: list[str]  # claimtrack labels (LABELS)
    weights: list[float]
    sources_per_example: list[str]  # "fnc", "emergent" or "review"
    sources: Counter


def training_set(datasets: Datasets, *, all_data: bool, reviews: list[tuple[str, str, str, str]] = ()) -> TrainingSet:
    fnc = datasets.fnc_train + (datasets.fnc_held_apart if all_data else [])
    emergent = datasets.emergent_train + (datasets.emergent_held_apart if all_data else [])
    examples = [(p.headline, datasets.fnc_bodies[p.body_id], "") for p in fnc]
    labels = [FNC_TO_LABEL[p.stance] for p in fnc]
    examples += [(p.headline, datasets.emergent_bodies[p.body_id], "") for p in emergent]
    labels += [FNC_TO_LABEL[p.stance] for p in emergent]
    weights = [1.0] * len(fnc) + [EMERGENT_WEIGHT] * len(emergent)
    for claim_text, document_text, title, label in reviews:
        examples.append((claim_text, document_text, title))
        labels.append(label)
        weights.append(REVIEW_WEIGHT)
    sources = ["fnc"] * len(fnc) + ["emergent"] * len(emergent) + ["review"] * len(reviews)
    return TrainingSet(
        examples, labels, weights, sources, Counter(fnc=len(fnc), emergent=len(emergent), reviews=len(reviews))
    )


def _boost(params: dict, rows: np.ndarray, targets: np.ndarray, weights: np.ndarray):
    import lightgbm

    params = dict(params)
    rounds = params.pop("rounds")
    dataset = lightgbm.Dataset(rows, label=targets, weight=weights, params={"verbose": -1, "seed": SEED})
    return lightgbm.train(params, dataset, num_boost_round=rounds)


def train_model(training: TrainingSet, *, progress=None, meta: dict | None = None) -> StanceModel:
    texts = sorted({e[0] for e in training.examples} | {e[2] + "\n" + e[1] for e in training.examples})
    vocabulary, idf, topic_basis = fit_vectors(texts)
    model = StanceModel(
        vocabulary=vocabulary,
        idf=idf,
        topic_basis=topic_basis,
        lead_vocabulary=lead_vocabulary(sorted({e[2] + "\n" + e[1] for e in training.examples})),
    )
    rows = feature_rows(model, training.examples, progress=progress)
    targets = np.array([LABELS.index(label) for label in training.labels])
    weights = np.array(training.weights)
    related = targets > 0
    # The short-document stance model leans on Emergent's headline pairs: FNC-1's article bodies
    # count for little there.
    origin = np.array(training.sources_per_example)
    short_weights = np.where(origin == "fnc", SHORT_MODEL_FNC_WEIGHT, np.where(origin == "emergent", 1.0, weights))
    denies = targets == LABELS.index("denies")
    long_weights = weights * np.where(denies, DENIES_WEIGHT["stance_long"], 1.0)
    short_weights = short_weights * np.where(denies, DENIES_WEIGHT["stance_short"], 1.0)
    model.boosters = {
        "related": _boost(RELATED_PARAMS, rows, related.astype(int), weights),
        "stance_long": _boost(STANCE_PARAMS, rows[related], targets[related] - 1, long_weights[related]),
        "stance_short": _boost(SHORT_STANCE_PARAMS, rows[related], targets[related] - 1, short_weights[related]),
    }
    model.meta = {
        **(meta or {}),
        "trained_on": dict(training.sources),
        "label_counts": dict(Counter(training.labels)),
        "seed": SEED,
    }
    return model


# --- Arabic (ANS) ------------------------------------------------------------------------------

ANS_FOLDER = "arabic-ans"
ANS_TO_LABEL = {"agree": "asserts", "disagree": "denies", "other": "unrelated"}
ANS_TO_FNC = {"agree": "agree", "disagree": "disagree", "other": "unrelated"}
FNC_TO_ANS = {**{fnc: ans for ans, fnc in ANS_TO_FNC.items()}, "discuss": "discuss"}
# Chosen on ANS dev (stance_dev.csv) with the model trained on the training part of stance_train.csv
# (see docs/performance.md): the L2 penalty and the weights of the classes ("other" is rare).
ARABIC_L2 = 0.1
ARABIC_CLASS_WEIGHTS = {"unrelated": 3.0, "asserts": 1.5, "denies": 1.0}
ARABIC_MIN_PAIRS_PER_TERM = 2
ARABIC_MAX_ITERATIONS = 500
# Synthetic unrelated pairs, for training only (ANS has few "other" pairs; its authors made theirs the
# same way): a training headline with the rewrite of another one, per headline this many picked at
# random and this many sharing a content word (a name, a place) with it, as real "other" pairs often
# do; each with this weight. Also chosen on dev.
ARABIC_SYNTHETIC_RANDOM = 0.5
ARABIC_SYNTHETIC_HARD = 0.5
ARABIC_SYNTHETIC_WEIGHT = 1.0
# Whether a synthetic pair's words are features too, or only its dense features.
ARABIC_SYNTHETIC_TERMS = False
# Added to the unrelated class's bias after training (a decision threshold, chosen on dev).
ARABIC_UNRELATED_OFFSET = 0.0
# A headline and another's rewrite that share this much of the headline's content words are likely the
# same story told twice: not used as an unrelated pair.
ARABIC_SYNTHETIC_MAX_SHARED = 0.5


@dataclass(frozen=True)
class AnsPair:
    """One ANS row: a headline (the claim), its rewritten headline (the document), claimtrack's label."""

    claim: str
    document: str
    label: str


def read_ans(path: Path) -> list[AnsPair]:
    """ANS's s1, s2, stance (agree / disagree / other) as claimtrack labels (asserts / denies /
    unrelated)."""
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        if {"s1", "s2", "stance"} - set(reader.fieldnames or []):
            raise ValueError(f"{path}: expected the columns s1, s2, stance (ANS format)")
        pairs = []
        for line, row in enumerate(reader, start=2):
            stance = (row["stance"] or "").strip().lower()
            if stance not in ANS_TO_LABEL:
                raise ValueError(f"{path}, line {line}: unknown stance {row['stance']!r} (agree, disagree or other)")
            pairs.append(AnsPair(row["s1"] or "", row["s2"] or "", ANS_TO_LABEL[stance]))
        return pairs


def split_ans(pairs: list[AnsPair]) -> tuple[list[AnsPair], list[AnsPair]]:
    """By headline (s1), with the same SHA-256 rule as FNC-1: all the rewrites of one headline go to the
    same part."""
    return [p for p in pairs if not is_held_apart(p.claim)], [p for p in pairs if is_held_apart(p.claim)]


@dataclass
class ArabicDatasets:
    train: list[AnsPair]  # stance_train.csv less its held-apart part
    held_apart: list[AnsPair]  # the evaluation part: never trained on (unless --all-data), never tuned on
    dev: list[AnsPair]  # stance_dev.csv less the headlines of the held-apart part: what is tuned on


def load_arabic_datasets(data_dir: Path) -> ArabicDatasets | None:
    """ANS from data_dir/arabic-ans/, or None when it is not there."""
    folder = data_dir / ANS_FOLDER
    if not (folder / "stance_train.csv").is_file() or not (folder / "stance_dev.csv").is_file():
        return None
    train, held_apart = split_ans(read_ans(folder / "stance_train.csv"))
    held_headlines = {p.claim for p in held_apart}
    # A few headlines are in both of ANS's files: their dev rows would leak the evaluation part.
    dev = [p for p in read_ans(folder / "stance_dev.csv") if p.claim not in held_headlines]
    return ArabicDatasets(train, held_apart, dev)


def arabic_training_pairs(datasets: ArabicDatasets, *, all_data: bool) -> list[AnsPair]:
    """What the product's Arabic model learns from: the training part and dev (after tuning on it), and
    the held-apart part only with --all-data."""
    return datasets.train + datasets.dev + (datasets.held_apart if all_data else [])


def ans_as_fnc(pairs: list[AnsPair]) -> tuple[list[Pair], dict[str, str]]:
    """ANS pairs in FNC-1's shape: each distinct rewritten headline is a body (ids ans-1, ans-2, … in
    order of first appearance)."""
    body_ids: dict[str, str] = {}
    for pair in pairs:
        body_ids.setdefault(pair.document, f"ans-{len(body_ids) + 1}")
    fnc_pairs = [Pair(p.claim, body_ids[p.document], LABEL_TO_FNC[p.label]) for p in pairs]
    return fnc_pairs, {body_id: text for text, body_id in body_ids.items()}


def arabic_sentence_pairs(pairs: list[AnsPair]) -> list[tuple[ArabicSentence, ArabicSentence]]:
    """Both headlines of each pair, read as the product reads a claim and a short document (whole)."""
    cache: dict[str, ArabicSentence] = {}

    def read(text):
        if text not in cache:
            cache[text] = analyse_arabic(split_sentences(text) or [""], short=True).whole
        return cache[text]

    return [(read(p.claim), read(p.document)) for p in pairs]


def synthetic_unrelated_pairs(
    pairs: list[AnsPair], *, random_per_headline: float, hard_per_headline: float, seed: int = SEED
) -> list[AnsPair]:
    """Unrelated pairs made from the pairs' own texts (deterministic for a seed): each headline with the
    rewrite of another headline, random ones and "hard" ones sharing a content word with it. A rewrite
    of the same headline, of a headline telling much the same story, or one sharing more than
    ARABIC_SYNTHETIC_MAX_SHARED of the headline's content words is never used."""
    headlines = sorted({p.claim for p in pairs})
    if len(headlines) < 2:
        return []
    rewrites = sorted({(p.document, p.claim) for p in pairs})
    content = {}
    for text in {*headlines, *(d for d, _ in rewrites)}:
        content[text] = set(arabic_content_stems(read_arabic(text)))
    by_stem: dict[str, list[int]] = {}
    for index, (document, _) in enumerate(rewrites):
        for stem in sorted(content[document]):
            by_stem.setdefault(stem, []).append(index)
    existing = {(p.claim, p.document) for p in pairs}

    def share(headline, text):
        return len(content[headline] & content[text]) / max(len(content[headline]), 1)

    def usable(headline, index):
        document, own = rewrites[index]
        return (
            own != headline
            and (headline, document) not in existing
            and share(headline, document) <= ARABIC_SYNTHETIC_MAX_SHARED
            and share(headline, own) <= ARABIC_SYNTHETIC_MAX_SHARED
        )

    rng = np.random.default_rng(seed)
    made: dict[tuple[str, str], None] = {}

    def order(per_headline):
        count = round(per_headline * len(headlines))
        rounds = -(-count // len(headlines))
        return [int(i) for _ in range(rounds) for i in rng.permutation(len(headlines))][:count]

    for i in order(random_per_headline):
        for _ in range(20):
            index = int(rng.integers(len(rewrites)))
            if usable(headlines[i], index) and (headlines[i], rewrites[index][0]) not in made:
                made[(headlines[i], rewrites[index][0])] = None
                break
    for i in order(hard_per_headline):
        headline = headlines[i]
        candidates = sorted({j for stem in content[headline] for j in by_stem.get(stem, [])})
        candidates = [j for j in candidates if usable(headline, j) and (headline, rewrites[j][0]) not in made]
        if candidates:
            made[(headline, rewrites[candidates[int(rng.integers(len(candidates)))]][0])] = None
    return [AnsPair(claim, document, "unrelated") for claim, document in made]


def train_arabic_model(
    pairs: list[AnsPair],
    *,
    l2: float = ARABIC_L2,
    class_weights: dict | None = None,
    synthetic_random: float = ARABIC_SYNTHETIC_RANDOM,
    synthetic_hard: float = ARABIC_SYNTHETIC_HARD,
    synthetic_weight: float = ARABIC_SYNTHETIC_WEIGHT,
    synthetic_terms: bool = ARABIC_SYNTHETIC_TERMS,
    unrelated_offset: float = ARABIC_UNRELATED_OFFSET,
    meta: dict | None = None,
) -> ArabicPairModel:
    """Fit the Arabic pair model (L-BFGS from zeros: deterministic) on the pairs and synthetic unrelated
    pairs made from them. The vocabulary comes from the real pairs only."""
    from scipy import optimize

    class_weights = class_weights or ARABIC_CLASS_WEIGHTS
    synthetic = synthetic_unrelated_pairs(pairs, random_per_headline=synthetic_random, hard_per_headline=synthetic_hard)
    real = len(pairs)
    pairs = pairs + synthetic
    sentence_pairs = arabic_sentence_pairs(pairs)
    term_lists, dense = zip(*(arabic_pair_terms(c, d) for c, d in sentence_pairs), strict=True)
    pair_frequency = Counter(term for terms in term_lists[:real] for term in set(terms))
    vocabulary = sorted(t for t, n in pair_frequency.items() if n >= ARABIC_MIN_PAIRS_PER_TERM)
    dense = np.vstack(dense)
    model = ArabicPairModel(
        vocabulary=vocabulary,
        weights=np.zeros((len(vocabulary) + len(ARABIC_DENSE_FEATURES) + 1, len(ARABIC_LABELS))),
        dense_mean=dense.mean(axis=0),
        dense_scale=dense.std(axis=0) + 1e-6,
    )
    rows = model.rows(sentence_pairs)
    if synthetic and not synthetic_terms:
        # A synthetic pair teaches only through the dense features (how much the two share): its
        # words would teach that the words of real rewrites mean "unrelated".
        from scipy import sparse

        keep = np.ones(rows.shape[1])
        keep[: len(vocabulary)] = 0.0
        rows = sparse.vstack([rows[:real], rows[real:] @ sparse.diags(keep)]).tocsr()
    targets = np.array([ARABIC_LABELS.index(p.label) for p in pairs])
    weights = np.array([class_weights[p.label] for p in pairs[:real]] + [synthetic_weight] * len(synthetic))
    one_hot = np.eye(len(ARABIC_LABELS))[targets]
    shape = model.weights.shape

    def loss_and_gradient(flat):
        w = flat.reshape(shape)
        scores = rows @ w
        scores -= scores.max(axis=1, keepdims=True)
        p = np.exp(scores)
        p /= p.sum(axis=1, keepdims=True)
        loss = -(weights * np.log(p[np.arange(len(targets)), targets] + 1e-12)).sum() + 0.5 * l2 * (w[:-1] ** 2).sum()
        gradient = rows.T @ ((p - one_hot) * weights[:, None])
        gradient[:-1] += l2 * w[:-1]  # the bias is not penalised
        return loss, gradient.ravel()

    result = optimize.minimize(
        loss_and_gradient,
        np.zeros(model.weights.size),
        jac=True,
        method="L-BFGS-B",
        options={"maxiter": ARABIC_MAX_ITERATIONS},
    )
    model.weights = result.x.reshape(shape)
    model.weights[-1, ARABIC_LABELS.index("unrelated")] += unrelated_offset
    model.meta = {
        **(meta or {}),
        "trained_on": {"ans": real, "synthetic_unrelated": len(synthetic)},
        "label_counts": dict(sorted(Counter(p.label for p in pairs[:real]).items())),
        "l2": l2,
        "class_weights": dict(sorted(class_weights.items())),
        "synthetic": {
            "random": synthetic_random,
            "hard": synthetic_hard,
            "weight": synthetic_weight,
            "terms": synthetic_terms,
        },
        "unrelated_offset": unrelated_offset,
    }
    return model


def arabic_predictions(model: ArabicPairModel, pairs: list[AnsPair]) -> list[str]:
    """The Arabic model's label for each pair (for tuning and tests)."""
    probabilities = model.probabilities(arabic_sentence_pairs(pairs))
    return [LABELS[int(np.argmax(p))] for p in probabilities]


# --- scoring -----------------------------------------------------------------------------------


def fnc_score(gold: list[str], predicted: list[str]) -> tuple[float, float]:
    """FNC-1's weighted score (FNC labels) and its maximum for this gold standard."""
    score = maximum = 0.0
    for g, p in zip(gold, predicted, strict=True):
        maximum += 0.25 if g == "unrelated" else 1.0
        if g == p:
            score += 0.25
            if g != "unrelated":
                score += 0.5
        if g != "unrelated" and p != "unrelated":
            score += 0.25
    return score, maximum


def confusion_matrix(gold: list[str], predicted: list[str], labels) -> list[list[int]]:
    index = {label: i for i, label in enumerate(labels)}
    matrix = [[0] * len(labels) for _ in labels]
    for g, p in zip(gold, predicted, strict=True):
        matrix[index[g]][index[p]] += 1
    return matrix


def macro_f1(gold: list[str], predicted: list[str], labels) -> float:
    scores = []
    for label in labels:
        tp = sum(1 for g, p in zip(gold, predicted, strict=True) if g == label and p == label)
        fp = sum(1 for g, p in zip(gold, predicted, strict=True) if g != label and p == label)
        fn = sum(1 for g, p in zip(gold, predicted, strict=True) if g == label and p != label)
        scores.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return sum(scores) / len(scores)
