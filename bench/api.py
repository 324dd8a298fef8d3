"""Benchmark of the partner API on PostgreSQL: 100,000 claims with 1,000,000 appearances.

    python bench/api.py [--claims 100000] [--appearances-per-claim 10] [--requests 300] [--reload]

Bulk-loads its own database (BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/ct_bench,
created if missing; the data is kept between runs unless --reload) with PostgreSQL COPY, then
measures, in one process through Django's full request stack (middleware, API-key authentication,
throttling, serialization) but without a network hop:

- GET /api/v1/claims/ (a page of 50), its page 2 (the `next` link: a `?cursor=` request) and
  GET /api/v1/claims/{id}/ (a claim with its tags, verdict, appearances and status history);
- the floor: byte for byte the same page (body, and the detail's ETag computed the same way)
  built by one raw SQL query (PostgreSQL assembles the JSON) and one json.dumps, served the same
  way — a view in the benchmark's own URLconf (bench/floor_urls.py), requested through the same
  client, middleware, API-key authentication, permission and throttle. Page 2 of the floor is
  the floor's own `?cursor=` page. Before timing, each floor page is checked to be identical to
  the API's on the loaded data (tests/test_bench_floors.py checks it on data with documents,
  retractions and non-ASCII text). (An earlier version timed the floor as a bare function call
  against full requests, which charged the whole request stack to the API's side of the ratio;
  a later one wrote places as JSON escapes, left out the ETag and hard-coded documents and
  retractions.)

API and floor requests alternate (which goes first alternates too).

It prints the median and p99 of each and the ratio API / floor (target: ratio <= 2.0).
"""

import argparse
import io
import json
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.environment import BENCH_DATABASE_URL  # noqa: E402  (sets the environment first)
from claimtrack.lib.arabic import searchable_text  # noqa: E402


def ensure_database(url: str) -> None:
    import psycopg2

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urlunsplit((parts.scheme, parts.netloc, "/postgres", "", ""))
    connection = psycopg2.connect(admin)
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{name}"')
    connection.close()


STANCES = ["asserts", "asserts", "reports", "denies"]
STATUSES = ["unverified", "under_review", "disputed", "confirmed", "false", "misleading", "unproven"]
WORDS = [
    "police",
    "withdrew",
    "kirkuk",
    "mosul",
    "erbil",
    "basra",
    "bridge",
    "dam",
    "water",
    "election",
    "ministry",
    "statement",
    "fabricated",
    "protest",
    "fuel",
    "prices",
    "border",
    "troops",
    "convoy",
    "hospital",
    "power",
    "outage",
    "video",
    "photo",
    "rumour",
]


def sentence(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."


def copy_rows(cursor, table: str, columns: list[str], rows, total: int, label: str, chunk: int = 50_000):
    """COPY rows (tuples of already-formatted text) into a table, with a progress bar."""
    from tqdm import tqdm

    def escape(value):
        if value is None:
            return r"\N"
        return str(value).replace("\\", "\\\\").replace("\t", " ").replace("\n", " ")

    sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
    with tqdm(total=total, desc=label, unit="row", unit_scale=True) as bar:
        buffer, count = io.StringIO(), 0
        for row in rows:
            buffer.write("\t".join(escape(v) for v in row) + "\n")
            count += 1
            if count == chunk:
                buffer.seek(0)
                cursor.copy_expert(sql, buffer)
                bar.update(count)
                buffer, count = io.StringIO(), 0
        if count:
            buffer.seek(0)
            cursor.copy_expert(sql, buffer)
            bar.update(count)


def load(claims: int, per_claim: int) -> None:
    from django.contrib.auth import get_user_model
    from django.db import connection

    rng = random.Random(20180608)
    author, _created = get_user_model().objects.get_or_create(username="bench-editor")
    start = datetime(2024, 1, 1, tzinfo=UTC)
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE claims_claim_tags, claims_verdict, claims_evidence, claims_appearance, claims_statuschange, "
            "claims_claim, claims_tag, sources_documentrevision, sources_document, sources_feed, sources_source "
            "RESTART IDENTITY CASCADE"
        )
        raw = cursor.cursor
        sources = 2_000
        copy_rows(
            raw,
            "sources_source",
            ["id", "kind", "name", "homepage", "country", "language", "created_at"],
            (
                (i, "news_outlet", f"Outlet {i}", f"https://outlet{i}.example/", "IQ", "en", start)
                for i in range(1, sources + 1)
            ),
            sources,
            "sources",
        )
        copy_rows(raw, "claims_tag", ["id", "name"], ((i, f"tag{i}") for i in range(1, 201)), 200, "tags")

        def claim_rows():
            for i in range(1, claims + 1):
                at = start + timedelta(minutes=i)
                text, summary = sentence(rng, 12), sentence(rng, 30)
                yield (
                    i, text, f"claim-{i}", summary, json.dumps(["Kirkuk", "Iraq"]), "en",
                    at, None, at, None, rng.choice(STATUSES), at, at + timedelta(hours=1), 2, 1, 1, "f", at, 0,
                    searchable_text(text, summary),
                )  # fmt: skip

        copy_rows(
            raw,
            "claims_claim",
            [
                "id",
                "text",
                "slug",
                "summary",
                "places",
                "language",
                "first_seen_at",
                "created_by_id",
                "created_at",
                "submitted_by_partner_id",
                "status",
                "status_changed_at",
                "last_activity_at",
                "asserts_count",
                "denies_count",
                "reports_count",
                "is_archived",
                "updated_at",
                "timeline_version",
                "search_text",
            ],  # fmt: skip
            claim_rows(),
            claims,
            "claims",
        )
        copy_rows(
            raw,
            "claims_claim_tags",
            ["claim_id", "tag_id"],
            ((i, t) for i in range(1, claims + 1) for t in sorted({1 + i % 200, 1 + (i * 7) % 200})),
            sum(len({1 + i % 200, 1 + (i * 7) % 200}) for i in range(1, claims + 1)),
            "claim tags",
        )
        copy_rows(
            raw,
            "claims_statuschange",
            ["claim_id", "from_status", "to_status", "rationale", "changed_by_id", "changed_at"],
            ((i, "", "unverified", "Claim logged.", None, start + timedelta(minutes=i)) for i in range(1, claims + 1)),
            claims,
            "status changes",
        )

        def appearance_rows():
            for i in range(1, claims + 1):
                at = start + timedelta(minutes=i)
                for n in range(per_claim):
                    yield (
                        i, rng.randint(1, sources), None, rng.choice(STANCES), sentence(rng, 15),
                        at + timedelta(minutes=n), "manual", "accepted", None, None, at, None, None, None, None, None, "", "", "",
                        "",
                    )  # fmt: skip

        copy_rows(
            raw,
            "claims_appearance",
            [
                "claim_id",
                "source_id",
                "document_id",
                "stance",
                "quote",
                "seen_at",
                "origin",
                "review_state",
                "confidence",
                "recorded_by_id",
                "recorded_at",
                "submitted_by_partner_id",
                "reviewed_by_id",
                "reviewed_at",
                "retracted_at",
                "retracted_by_id",
                "retraction_reason",
                "submitted_document_title",
                "submitted_document_url",
                "passage_sha256",
            ],  # fmt: skip
            appearance_rows(),
            claims * per_claim,
            "appearances",
        )
        copy_rows(
            raw,
            "claims_verdict",
            [
                "claim_id",
                "rating_value",
                "rating_name",
                "best_rating",
                "worst_rating",
                "summary",
                "author_id",
                "published_at",
            ],
            (
                (i, 1, "False", 5, 1, "No evidence.", author.pk, start + timedelta(minutes=i, hours=2))
                for i in range(1, claims + 1, 3)
            ),
            len(range(1, claims + 1, 3)),
            "verdicts",
        )
        for table in [
            "sources_source",
            "claims_tag",
            "claims_claim",
            "claims_statuschange",
            "claims_appearance",
            "claims_verdict",
        ]:
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT COALESCE(MAX(id), 1) FROM {table}))"
            )
        cursor.execute("ANALYZE")


def timed(function, runs: int) -> list[float]:
    for _ in range(min(20, runs)):
        function()  # warm caches and connections
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        times.append((time.perf_counter() - started) * 1000)
    return times


def timed_pair(api, floor, runs: int) -> tuple[list[float], list[float]]:
    """Alternate API and floor requests (which goes first alternates too), so that both sides see
    the same machine load: on a shared machine, timing one side's 300 requests and then the
    other's lets a burst of load elsewhere land on one side only and skew the ratio."""
    for _ in range(min(20, runs)):
        api()
        floor()
    api_times, floor_times = [], []
    for n in range(runs):
        pair = [(api, api_times), (floor, floor_times)]
        for function, times in pair if n % 2 == 0 else reversed(pair):
            started = time.perf_counter()
            function()
            times.append((time.perf_counter() - started) * 1000)
    return api_times, floor_times


def summary(times: list[float]) -> tuple[float, float]:
    return statistics.median(times), statistics.quantiles(times, n=100)[98]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--claims", type=int, default=100_000)
    parser.add_argument("--appearances-per-claim", type=int, default=10)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--reload", action="store_true", help="reload the data even if it is there")
    args = parser.parse_args()

    ensure_database(BENCH_DATABASE_URL)
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from claims.models import Appearance, Claim
    from partners import services as partner_services

    # The floor views are mounted next to the product's URLs in the benchmark's own URLconf, so
    # both sides are requested through the same client, middleware and authentication.
    settings.ROOT_URLCONF = "bench.floor_urls"
    call_command("migrate", verbosity=0)
    wanted_appearances = args.claims * args.appearances_per_claim
    if args.reload or Claim.objects.count() != args.claims or Appearance.objects.count() != wanted_appearances:
        started = time.perf_counter()
        load(args.claims, args.appearances_per_claim)
        print(f"loaded in {time.perf_counter() - started:.0f} s")
    print(f"{Claim.objects.count():,} claims, {Appearance.objects.count():,} appearances on {connection.vendor}")

    partner, _created = partner_services.get_or_create_partner(name="Bench partner")
    _api_key, key = partner_services.create_api_key(partner=partner, scope="read")
    client = Client(HTTP_AUTHORIZATION=f"Api-Key {key}")
    # A claim with a published verdict, so the detail shows everything it can (tags, verdict,
    # appearances, status history).
    detail_id = Claim.objects.filter(verdicts__isnull=False).order_by("-id").values_list("id", flat=True)[500]

    def api_list():
        response = client.get("/api/v1/claims/")
        assert response.status_code == 200 and len(response.json()["results"]) == 50

    # Page 2 is the `next` link of page 1: a `?cursor=` request (keyset on the id, like the floor).
    next_url = client.get("/api/v1/claims/").json()["next"]
    page_2 = urlsplit(next_url)
    page_2_path = f"{page_2.path}?{page_2.query}"

    def api_list_page_2():
        response = client.get(page_2_path)
        assert response.status_code == 200 and len(response.json()["results"]) == 50

    def api_baseline():
        # The cheapest authenticated API request (an empty list, one query after the key's):
        # the cost of Django's request stack, API-key authentication and throttling alone.
        assert client.get("/api/v1/webhooks/").status_code == 200

    def api_detail():
        response = client.get(f"/api/v1/claims/{detail_id}/")
        assert response.status_code == 200 and len(response.json()["appearances"]) == args.appearances_per_claim

    def floor_list():
        response = client.get("/api/v1/bench-floor/claims/")
        assert response.status_code == 200 and len(json.loads(response.content)["results"]) == 50

    def floor_list_page_2():
        response = client.get(f"/api/v1/bench-floor/claims/?{page_2.query}")
        assert response.status_code == 200 and len(json.loads(response.content)["results"]) == 50

    def floor_detail():
        response = client.get(f"/api/v1/bench-floor/claims/{detail_id}/")
        assert response.status_code == 200 and len(json.loads(response.content)["appearances"]) == wanted_per_claim

    wanted_per_claim = args.appearances_per_claim
    # Each floor stands for its API page: the same bytes and the same ETag, on this data.
    for api_path, floor_path in [
        ("/api/v1/claims/", "/api/v1/bench-floor/claims/"),
        (page_2_path, f"/api/v1/bench-floor/claims/?{page_2.query}"),
        (f"/api/v1/claims/{detail_id}/", f"/api/v1/bench-floor/claims/{detail_id}/"),
    ]:
        api_response, floor_response = client.get(api_path), client.get(floor_path)
        if api_response.content != floor_response.content or api_response.get("ETag") != floor_response.get("ETag"):
            sys.exit(f"the floor of {api_path} does not serve the same page as the API")
    rows = {
        "list (page of 50)": timed_pair(api_list, floor_list, args.requests),
        "list, cursor page 2": timed_pair(api_list_page_2, floor_list_page_2, args.requests),
        "detail": timed_pair(api_detail, floor_detail, args.requests),
    }
    print(f"\n{args.requests} requests each, milliseconds")
    print(f"{'endpoint':<20} {'API median':>11} {'API p99':>9} {'floor median':>13} {'floor p99':>10} {'ratio':>6}")
    for name, (api_times, floor_times) in rows.items():
        api_median, api_p99 = summary(api_times)
        floor_median, floor_p99 = summary(floor_times)
        print(
            f"{name:<20} {api_median:>11.2f} {api_p99:>9.2f} {floor_median:>13.2f} {floor_p99:>10.2f} "
            f"{api_median / floor_median:>6.2f}"
        )
    baseline_median, baseline_p99 = summary(timed(api_baseline, args.requests))
    print(f"{'stack baseline':<20} {baseline_median:>11.2f} {baseline_p99:>9.2f}   (empty authenticated list)")
    print("\nratio = API median / floor median; target <= 2.0")


if __name__ == "__main__":
    main()
