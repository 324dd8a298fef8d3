"""Matching + stance time per document with 10,000 tracked claims (or --claims N).

    DATABASE_URL=postgres://… python bench/matching.py [--claims 100000] [--arabic]    (or no DATABASE_URL: SQLite)

--arabic: claims of mixed languages (a third Arabic: the ANS headlines, then generated ones; the
rest English as below) and 1,000 Arabic documents, each five ANS rewritten headlines as paragraphs.

Claims: every distinct FNC-1 headline and Emergent claim (real claims, ~2,300) plus generated ones
up to 10,000 or --claims (fixed seed). Documents: 1,000 real FNC-1 article bodies. Everything is written inside
one transaction that is rolled back at the end, so the database is left as it was. Times cover what
claims.matching.match_document does for one stored article: analysing the text, the full-text
candidate query, the classifier on every candidate and the evidence sentences; not the fetch.
"""

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "claimtrack.settings")
os.environ.setdefault("DEBUG", "1")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from claims.matching import match_document  # noqa: E402
from claims.models import Claim  # noqa: E402
from claimtrack.lib.arabic import searchable_text  # noqa: E402
from claimtrack.lib.shared_data import shared_data_dir  # noqa: E402
from stance.classifier import load_model  # noqa: E402
from stance.training import read_emergent, read_fnc_bodies, read_fnc_stances  # noqa: E402

CLAIMS = 10_000
DOCUMENTS = 1_000
SEED = 7

PEOPLE = [
    "the president",
    "the health minister",
    "a senior general",
    "the mayor",
    "police",
    "the army",
    "a pop star",
    "the central bank",
    "rebels",
    "a tech billionaire",
    "the opposition leader",
    "a football club",
]
ACTIONS = [
    "resigned from",
    "was arrested in",
    "secretly visited",
    "banned protests in",
    "withdrew troops from",
    "announced a lockdown in",
    "closed the border with",
    "cut fuel prices in",
    "was sighted in",
    "sold land in",
    "evacuated hospitals in",
    "bought a stadium in",
]
PLACES = [
    "Kirkuk",
    "Mosul",
    "Lagos",
    "Manila",
    "Kyiv",
    "Caracas",
    "Dhaka",
    "Nairobi",
    "Lima",
    "Tbilisi",
    "Erbil",
    "Basra",
    "Aleppo",
    "Karachi",
    "Quito",
    "Accra",
    "Tunis",
    "Hanoi",
]
WHEN = ["", " last night", " ahead of the election", " after the floods", " despite the ceasefire", " on Friday"]
ARABIC_PEOPLE = ["الرئيس", "وزير الصحة", "جنرال كبير", "المحافظ", "الشرطة", "الجيش", "البنك المركزي", "المعارضة"]
ARABIC_ACTIONS = ["استقال من منصبه في", "اعتقل في", "زار سرا", "منع التظاهرات في", "سحب قواته من", "أغلق الحدود مع"]
ARABIC_PLACES = ["كركوك", "الموصل", "أربيل", "البصرة", "بغداد", "حلب", "دمشق", "بيروت", "عمّان", "القاهرة"]
ARABIC_WHEN = ["", " الليلة الماضية", " قبل الانتخابات", " بعد الفيضانات", " رغم وقف إطلاق النار", " يوم الجمعة"]


def generated_claims(real: list[str], count: int) -> list[str]:
    rng = random.Random(SEED)
    claims = list(dict.fromkeys(real))[:count]
    while len(claims) < count:
        claims.append(
            f"{rng.choice(PEOPLE).capitalize()} {rng.choice(ACTIONS)} {rng.choice(PLACES)}{rng.choice(WHEN)}"
            f" ({rng.randrange(10_000)})"
        )
    return claims


def arabic_texts(data: Path, count: int) -> tuple[list[str], list[str]]:
    """`count` Arabic claims (the ANS headlines, then generated ones) and 1,000 Arabic documents."""
    import csv

    rows = []
    for name in ("stance_train.csv", "stance_dev.csv"):
        with open(data / "arabic-ans" / name, newline="", encoding="utf-8") as f:
            rows.extend(csv.DictReader(f))
    rng = random.Random(SEED)
    claims = list(dict.fromkeys(r["s1"] for r in rows))[:count]
    while len(claims) < count:
        claims.append(
            f"{rng.choice(ARABIC_PEOPLE)} {rng.choice(ARABIC_ACTIONS)} {rng.choice(ARABIC_PLACES)}"
            f"{rng.choice(ARABIC_WHEN)} ({rng.randrange(10_000)})"
        )
    headlines = [r["s2"] for r in rows]
    rng.shuffle(headlines)
    documents = [".\n\n".join(headlines[i * 5 : i * 5 + 5]) for i in range(DOCUMENTS)]
    return claims, documents


class Rollback(Exception):
    pass


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=CLAIMS, help=f"tracked claims (default {CLAIMS:,})")
    parser.add_argument("--arabic", action="store_true", help="mixed-language claims, Arabic documents")
    arguments = parser.parse_args(argv)
    claims = arguments.claims
    if claims < 1:
        parser.error("--claims must be at least 1")
    data = shared_data_dir()
    stances = read_fnc_stances(data / "fnc1" / "train_stances.csv")
    bodies = read_fnc_bodies(data / "fnc1" / "train_bodies.csv")
    emergent, _bodies, _ids = read_emergent(data / "emergent" / "url-versions-2015-06-14-clean-train.csv")
    texts = generated_claims(sorted({p.headline for p in stances} | {p.headline for p in emergent}), claims)
    documents = [bodies[k] for k in sorted(bodies, key=int)][:DOCUMENTS]
    if arguments.arabic:
        arabic_claims, documents = arabic_texts(data, claims // 3)
        texts = arabic_claims + texts[: claims - len(arabic_claims)]
    model = load_model()
    print(
        f"database: {connection.vendor}; stance model: {'yes' if model else 'none (needs review)'}; "
        f"{'mixed languages, Arabic documents' if arguments.arabic else 'English'}"
    )
    call_command("migrate", verbosity=0)
    try:
        with transaction.atomic():
            now = timezone.now()
            Claim.objects.bulk_create(
                [
                    Claim(text=t, slug=f"bench-{i}", first_seen_at=now, search_text=searchable_text(t))
                    for i, t in enumerate(texts)
                ],
                batch_size=1000,
            )
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("ANALYZE claims_claim")
            tracked = Claim.objects.filter(is_archived=False).count()
            match_document(title="", text=documents[0])  # warm caches
            times, matched = [], 0
            for text in documents:
                started = time.perf_counter()
                matches = match_document(title="", text=text)
                times.append(time.perf_counter() - started)
                matched += len(matches)
            raise Rollback
    except Rollback:
        pass
    times_ms = sorted(t * 1000 for t in times)
    p95 = times_ms[int(0.95 * len(times_ms)) - 1]
    print(f"tracked claims: {tracked}; documents: {len(times_ms)}; matches: {matched}")
    print(f"matching + stance per document: median {statistics.median(times_ms):.1f} ms, p95 {p95:.1f} ms")


if __name__ == "__main__":
    main()
