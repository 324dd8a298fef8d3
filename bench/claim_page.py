"""Timing of the newsroom's claim page and the public fact-check page on the benchmark database.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/ct_bench_x python bench/claim_page.py [--requests 30]

On a database loaded by bench/api.py (100,000 claims, 1,000,000 appearances), adds once (kept
between runs) a claim with 1,000 appearances (a few official statements, documents with
revisions, evidence, status changes and a verdict), a journalist and an editor; then prints the
median and p95 of `--requests` GETs, through django.test.Client and the whole stack, of: the claim
page of a small claim and of the large one (journalist, editor), the live fragment, and
/fact-checks/<id>/ of the large one; with the number of queries of each.
"""

import argparse
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import bench.environment  # noqa: E402, F401  (the bench database and settings, before Django)

BIG_CLAIM_TEXT = "Benchmark claim with a thousand appearances on the claim page (complete)"


def big_claim(journalist, editor):
    from django.db import transaction

    with transaction.atomic():
        return _big_claim(journalist, editor)


def _big_claim(journalist, editor):
    from claims import services
    from claims.models import Appearance, Claim, Evidence, Stance
    from sources.models import Document, DocumentRevision, Source

    claim = Claim.objects.filter(text=BIG_CLAIM_TEXT).first()
    if claim is not None:
        return claim
    start = datetime(2026, 1, 1, tzinfo=UTC)
    claim = services.create_claim(text=BIG_CLAIM_TEXT, created_by=journalist, first_seen_at=start)
    sources = list(Source.objects.order_by("pk")[:400])
    official, _ = Source.objects.get_or_create(name="Benchmark ministry", defaults={"kind": Source.Kind.OFFICIAL_BODY})
    rows = []
    for n in range(1000):
        source = official if n % 200 == 0 else sources[n % len(sources)]
        document = None
        if n % 50 == 1:
            document = Document.objects.create(
                source=source,
                url=f"https://bench.example/claim-page/c/{n}",
                canonical_url=f"https://bench.example/claim-page/c/{n}",
                title=f"Document {n}",
                kind=Document.Kind.OFFICIAL_STATEMENT if n % 100 == 1 else Document.Kind.ARTICLE,
            )
            for r in range(2):
                DocumentRevision.objects.create(
                    document=document,
                    title=f"Document {n} v{r}",
                    text="text",
                    content_sha256=str(r) * 64,
                    fetched_at=start + timedelta(hours=n, minutes=r),
                )
        rows.append(
            Appearance(
                claim=claim,
                source=source,
                document=document,
                stance=[Stance.ASSERTS, Stance.DENIES, Stance.REPORTS][n % 3],
                quote=f"Quote {n}",
                seen_at=start + timedelta(hours=n),
                recorded_by=journalist,
                review_state=Appearance.ReviewState.ACCEPTED,
            )
        )
    Appearance.objects.bulk_create(rows)
    for appearance in Appearance.objects.filter(claim=claim).order_by("pk")[:20]:
        Evidence.objects.create(
            claim=claim,
            appearance=appearance,
            caption="evidence",
            uploaded_by=journalist,
            file=f"evidence/bench-{appearance.pk}.png",
            sha256="0" * 64,
            content_type="image/png",
            size=1,
        )
    for n, status in enumerate(["disputed", "false", "disputed", "false"]):
        services.change_status(
            claim=claim,
            to_status=status,
            rationale=f"Ruling {n}",
            changed_by=editor,
            changed_at=start + timedelta(days=10 * n + 1),
        )
    services.publish_verdict(claim=claim, rating_name="False", author=editor, published_at=start + timedelta(days=41))
    services.recompute_stance_counts(claim_id=claim.pk)
    return Claim.objects.get(pk=claim.pk)


def user(username, group):
    from django.contrib.auth import get_user_model

    from claims import roles

    person, _ = get_user_model().objects.get_or_create(username=username)
    person.groups.add(roles.get_role_group(group))
    return person


def timed(client, url, requests):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)
    times = []
    for _ in range(requests):
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    times.sort()
    return (
        statistics.median(times),
        times[min(len(times) - 1, int(len(times) * 0.95))],
        len(captured),
        len(response.content),
    )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=30)
    args = parser.parse_args()
    import django

    django.setup()
    from django.test import Client

    from claims import roles
    from claims.models import Claim

    journalist = user("bench-journalist", roles.JOURNALIST)
    editor = user("bench-editor", roles.EDITOR)
    big = big_claim(journalist, editor)
    small = Claim.objects.exclude(pk=big.pk).filter(merged_into__isnull=True).order_by("pk")[5000]
    print(
        f"claims: {Claim.objects.count()}, big claim #{big.pk} ({big.appearances.count()} appearances), small #{small.pk}"
    )
    for person in (journalist, editor):
        client = Client()
        client.force_login(person)
        for label, url in (
            ("small claim page", f"/claims/{small.pk}/"),
            ("1,000-appearance claim page", f"/claims/{big.pk}/"),
            ("1,000-appearance live fragment", f"/claims/{big.pk}/live/"),
        ):
            median, p95, queries, size = timed(client, url, args.requests)
            print(
                f"{person.username:17} {label:32} median {median:7.1f} ms  p95 {p95:7.1f} ms  {queries:3} queries  {size // 1024} KiB"
            )
    median, p95, queries, size = timed(Client(), f"/fact-checks/{big.pk}/", args.requests)
    print(
        f"{'anonymous':17} {'1,000-appearance fact check':32} median {median:7.1f} ms  p95 {p95:7.1f} ms  {queries:3} queries  {size // 1024} KiB"
    )


if __name__ == "__main__":
    main()
