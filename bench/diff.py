"""Benchmark of the document page's word diff (sources.diff.word_diff) on large revisions.

    python bench/diff.py [--words 30000] [--before]

Builds revision pairs of --words words each, in paragraphs of about 60 words from a small
vocabulary (many repeated words: the matcher's hard case), and times word_diff on: a small edit
(one word changed in the middle), a rewrite (every paragraph changed), an unrelated text, and one
paragraph of --words words with one changed word. --before also times difflib on the whole word
lists, as the page did before the bound (minutes at 30,000 words: start with --words 5000).
"""

import argparse
import difflib
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sources.diff import word_diff  # noqa: E402  (needs the project on the path; no Django setup)

PHRASES = [
    "police units withdrew from their posts in the city ahead of an expected attack citing residents",
    "and photographs shared on social media the ministry called the reports fabricated and said no",
    "withdrawal had taken place adding that units remained at their positions across the province",
]
VOCABULARY = " ".join(PHRASES).split()


def paragraphs(rng, words, size=60):
    text = [rng.choice(VOCABULARY) for _ in range(words)]
    return [text[i : i + size] for i in range(0, words, size)]


def as_text(paragraph_list):
    return "\n\n".join(" ".join(p) for p in paragraph_list)


def cases(words):
    rng = random.Random(14)
    original = paragraphs(rng, words)
    edited = [list(p) for p in original]
    edited[len(edited) // 2][10] = "denied"
    rewritten = [p[:5] + ["reportedly"] + p[5:] for p in original]
    single = " ".join(rng.choice(VOCABULARY) for _ in range(words))
    middle = words // 2
    single_edited = single.split()
    single_edited[middle] = "denied"
    return {
        "one word changed": (as_text(original), as_text(edited)),
        "every paragraph changed": (as_text(original), as_text(rewritten)),
        "unrelated text": (as_text(original), as_text(paragraphs(rng, words))),
        "one paragraph, one word changed": (single, " ".join(single_edited)),
    }


def whole_text_diff(old, new):
    return difflib.SequenceMatcher(None, old.split(), new.split(), autojunk=False).get_opcodes()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--words", type=int, default=30_000)
    parser.add_argument("--before", action="store_true", help="also time the unbounded whole-text diff")
    args = parser.parse_args()
    print(f"revisions of {args.words} words")
    for name, (old, new) in cases(args.words).items():
        started = time.perf_counter()
        diff = word_diff(old, new)
        elapsed = time.perf_counter() - started
        line = f"{name:34} bounded: {elapsed:7.3f} s ({diff.words_compared} words compared"
        line += ", some paragraphs whole)" if diff.by_paragraph else ")"
        if args.before:
            started = time.perf_counter()
            whole_text_diff(old, new)
            line += f"   before: {time.perf_counter() - started:7.3f} s"
        print(line, flush=True)


if __name__ == "__main__":
    main()
