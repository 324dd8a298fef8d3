"""Timing of the newsroom HTML pages through the whole Django request stack on PostgreSQL.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/ct_bench_pages python bench/pages.py [--requests 30]

On the database of bench/api.py (100,000 claims, 1,000,000 appearances; loaded with bench/api.py's
loader if missing) plus the 1,000-appearance claim and the users of bench/claim_page.py, adds once
(kept between runs, detected on later runs) with bulk INSERT ... SELECT: 10,000 pending suggestions
(origin "suggested", each on its own document), a source with 50,000 appearances, 2,000 Arabic
claims (1% containing "والشرطة"), a word in 1% of the claims ("checkpoint"), a rare word in 5
claims ("zanzibarite"), 2,000 notifications for bench-journalist, story changes (1 in 500 accepted
assertions superseded by a denial or a report), 20,000 rulings and 20,000 verdicts over the last 26
weeks (for /reports/), then fills the claims' clocks as migration 0021 does.

Then, logged in as bench-journalist (the desk, /reports/ and its CSV downloads: bench-editor; force_login) with django.test.Client, it requests every page
round-robin for `--requests` rounds (after one warm-up round) and prints per page the median and
p95 in ms, the ratio of the median to the stack baseline (/notifications/settings/, an empty
authenticated page) and the number of queries of one request (CaptureQueriesContext). Every
response must be 200.
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.environment import BENCH_DATABASE_URL  # noqa: E402  (sets the environment first)

BIG_SOURCE_NAME = "Benchmark source with 50,000 appearances"
COMMON_WORD = "checkpoint"  # in 1% of the claims
RARE_WORD = "zanzibarite"  # in 5 claims
ARABIC_WORD = "الشرطة"  # inside "والشرطة", in 1% of the Arabic claims
ARABIC_WORDS = ["بيان", "الوزارة", "الجسر", "السد", "الماء", "الانتخابات", "الحدود", "المستشفى", "الكهرباء", "فيديو"]
SUGGESTIONS = 10_000
NOTIFICATIONS = 2_000
ARABIC_CLAIMS = 2_000


def ensure_loaded():
    """bench/api.py's data (loaded with its loader when the database is empty or short of it)."""
    from bench import api

    api.ensure_database(BENCH_DATABASE_URL)
    import django

    django.setup()
    from django.core.management import call_command

    from claims.models import Appearance, Claim

    call_command("migrate", verbosity=0)
    # At least (not exactly, as bench/api.py checks) its rows: this script adds claims and appearances.
    if Claim.objects.count() < 100_000 or Appearance.objects.count() < 1_000_000:
        started = time.perf_counter()
        api.load(100_000, 10)
        print(f"loaded in {time.perf_counter() - started:.0f} s")


def add_extras(journalist, editor):
    """The rows the pages need beyond bench/api.py's and bench/claim_page.py's, each added once."""
    import importlib

    from django.apps import apps
    from django.db import connection, transaction

    from claims.models import Appearance, Claim, Notification, StatusChange
    from sources.models import Source

    added = []
    with transaction.atomic(), connection.cursor() as cursor:
        if not Appearance.objects.filter(origin="suggested", review_state="pending").exists():
            # As the matcher creates them: one document per suggestion, one suggestion per
            # (claim, document), no reviewer yet, a classifier confidence and the best sentence.
            cursor.execute(
                """
                INSERT INTO sources_document (url, canonical_url, title, first_seen_at, kind, language, author,
                    checks_done, source_id, last_check_error, etag, last_modified, snapshot_error)
                SELECT 'https://bench.example/pages/suggestion/' || n, 'https://bench.example/pages/suggestion/' || n,
                    'Suggested document ' || n, now() - n * interval '1 minute', 'article', 'en', '', 0,
                    1 + n %% 2000, '', '', '', ''
                FROM generate_series(1, %s) n
                """,
                [SUGGESTIONS],
            )
            cursor.execute(
                """
                INSERT INTO claims_appearance (claim_id, source_id, document_id, stance, quote, seen_at, origin,
                    review_state, confidence, recorded_at, retraction_reason, submitted_document_title,
                    submitted_document_url, passage_sha256)
                SELECT 1 + (d.id * 7) %% 100000, d.source_id, d.id, (ARRAY['asserts', 'denies', 'reports', ''])[1 + d.id %% 4],
                    'The best supporting sentence of ' || d.title, d.first_seen_at, 'suggested', 'pending',
                    0.5 + (d.id %% 50) / 100.0, d.first_seen_at, '', '', '', ''
                FROM sources_document d WHERE d.canonical_url LIKE %s
                """,
                ["https://bench.example/pages/suggestion/%"],
            )
            added.append(f"{SUGGESTIONS:,} pending suggestions")
        if not Source.objects.filter(name=BIG_SOURCE_NAME).exists():
            source = Source.objects.create(name=BIG_SOURCE_NAME, homepage="https://big.example/", language="en")
            cursor.execute(
                """
                INSERT INTO claims_appearance (claim_id, source_id, stance, quote, seen_at, origin, review_state,
                    recorded_at, retraction_reason, submitted_document_title, submitted_document_url, passage_sha256)
                SELECT 1 + (n * 2) %% 100000, %s, (ARRAY['asserts', 'denies', 'reports'])[1 + n %% 3],
                    'Quote ' || n, timestamptz '2025-01-01' + n * interval '1 minute', 'manual', 'accepted',
                    timestamptz '2025-01-01' + n * interval '1 minute', '', '', '', ''
                FROM generate_series(1, 50000) n
                """,
                [source.pk],
            )
            added.append("a source with 50,000 appearances")
        if not Claim.objects.filter(slug="bench-ar-1").exists():
            cursor.execute(
                """
                INSERT INTO claims_claim (text, slug, summary, places, language, first_seen_at, created_at, status,
                    status_changed_at, last_activity_at, asserts_count, denies_count, reports_count, is_archived,
                    updated_at, timeline_version)
                SELECT (SELECT string_agg(w[1 + (n * k * 7 + k) %% array_length(w, 1)], ' ')
                        FROM generate_series(1, 12) k)
                       || CASE WHEN n %% 100 = 0 THEN ' و' || %s ELSE '' END,
                    'bench-ar-' || n, '', '[]', 'ar', t, t, 'unverified', t, t, 0, 0, 0, false, t, 0
                FROM generate_series(1, %s) n,
                     LATERAL (SELECT now() - n * interval '3 minutes' AS t, %s::text[] AS w) x
                """,
                [ARABIC_WORD, ARABIC_CLAIMS, ARABIC_WORDS],
            )
            added.append(f"{ARABIC_CLAIMS:,} Arabic claims")
        if not Claim.objects.filter(pk=100, text__icontains=COMMON_WORD).exists():
            cursor.execute(
                "UPDATE claims_claim SET text = text || ' ' || %s, search_text = '' WHERE id <= 100000 AND id %% 100 = 0",
                [COMMON_WORD],
            )
            added.append(f"{COMMON_WORD!r} in 1% of the claims")
        if not Claim.objects.filter(slug="bench-rare-1").exists():
            cursor.execute(
                """
                INSERT INTO claims_claim (text, slug, summary, places, language, first_seen_at, created_at, status,
                    status_changed_at, last_activity_at, asserts_count, denies_count, reports_count, is_archived,
                    updated_at, timeline_version)
                SELECT 'A ' || %s || ' convoy crossed the border ' || n, 'bench-rare-' || n, '', '[]', 'en',
                    now(), now(), 'unverified', now(), now() - n * interval '1 day', 0, 0, 0, false, now(), 0
                FROM generate_series(1, 5) n
                """,
                [RARE_WORD],
            )
            added.append(f"{RARE_WORD!r} in 5 claims")
        if not Notification.objects.filter(recipient=journalist).exists():
            # "Suggestion waiting", once per suggestion (the unique recipient/kind/appearance).
            cursor.execute(
                """
                INSERT INTO claims_notification (recipient_id, claim_id, kind, appearance_id, created_at, read_at,
                    email_state, emailed_at)
                SELECT %s, a.claim_id, 'suggestion', a.id, a.recorded_at,
                    CASE WHEN a.id %% 2 = 0 THEN a.recorded_at END, 'sent', a.recorded_at
                FROM claims_appearance a WHERE a.origin = 'suggested' AND a.review_state = 'pending'
                ORDER BY a.id LIMIT %s
                """,
                [journalist.pk, NOTIFICATIONS],
            )
            added.append(f"{NOTIFICATIONS:,} notifications")
        if not Appearance.objects.filter(origin="revision").exists():
            # Story changes for the corrections report: 1 in 500 accepted assertions superseded by the
            # same outlet's denial or report, 1 to 72 hours later (as claims.services._supersede leaves them).
            cursor.execute(
                """
                INSERT INTO claims_appearance (claim_id, source_id, stance, quote, seen_at, origin, review_state,
                    recorded_at, retraction_reason, submitted_document_title, submitted_document_url,
                    supersedes_id, passage_sha256)
                SELECT a.claim_id, a.source_id, (ARRAY['denies', 'reports'])[1 + a.id % 2], 'Corrected: ' || a.quote,
                    a.seen_at + (1 + a.id % 72) * interval '1 hour', 'revision', 'accepted',
                    a.seen_at + (1 + a.id % 72) * interval '1 hour', '', '', '', a.id, md5(a.id::text)
                FROM claims_appearance a
                WHERE a.stance = 'asserts' AND a.origin = 'manual' AND a.review_state = 'accepted'
                    AND a.retracted_at IS NULL AND a.id % 500 = 0
                """
            )
            cursor.execute(
                "UPDATE claims_appearance old SET superseded_at = new.seen_at FROM claims_appearance new "
                "WHERE new.supersedes_id = old.id AND new.origin = 'revision'"
            )
            added.append("story changes (1 in 500 assertions)")
        if not StatusChange.objects.filter(rationale="Bench ruling.").exists():
            # Rulings and verdicts over the last 26 weeks, so that every week of the reports has some.
            cursor.execute(
                """
                INSERT INTO claims_statuschange (claim_id, from_status, to_status, rationale, changed_by_id, changed_at)
                SELECT n * 5, 'unverified', (ARRAY['false', 'confirmed', 'disputed', 'misleading'])[1 + n %% 4],
                    'Bench ruling.', %s, now() - (n %% 180) * interval '1 day' - interval '1 hour'
                FROM generate_series(1, 20000) n
                """,
                [editor.pk],
            )
            cursor.execute(
                "UPDATE claims_claim c SET status = s.to_status, status_changed_at = s.changed_at "
                "FROM claims_statuschange s WHERE s.claim_id = c.id AND s.rationale = 'Bench ruling.'"
            )
            cursor.execute(
                """
                INSERT INTO claims_verdict (claim_id, rating_value, rating_name, best_rating, worst_rating, summary,
                    author_id, published_at)
                SELECT n * 5 + 2, 1, 'False', 5, 1, 'Bench verdict.', %s, now() - (n %% 180) * interval '1 day'
                FROM generate_series(1, 19999) n
                """,
                [editor.pk],
            )
            added.append("20,000 rulings and 20,000 verdicts over the last 26 weeks")
        if added:
            cursor.execute("ANALYZE")
    if Claim.objects.filter(search_text="").exists():
        # The search text of the claims inserted above, as migration 0024 fills it.
        importlib.import_module("claims.migrations.0024_wordings_and_search_text").fill_search_text(apps, None)
        added.append("the claims' search text")
    if added or not Claim.objects.filter(first_appearance_at__isnull=False).exists():
        # The claims' clocks, as migration 0021 backfills them (the loaders insert rows directly).
        importlib.import_module("claims.migrations.0021_claim_clock").backfill_clocks(apps, None)
        added.append("the claims' clocks")
    return added


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=30, help="rounds over all pages")
    args = parser.parse_args()

    ensure_loaded()
    from urllib.parse import quote

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from bench.claim_page import big_claim, user
    from claims import roles
    from claims.models import Appearance, Claim, Notification
    from sources.models import Source

    journalist = user("bench-journalist", roles.JOURNALIST)
    editor = user("bench-editor", roles.EDITOR)
    big = big_claim(journalist, editor)
    for line in add_extras(journalist, editor):
        print(f"added {line}")
    # As the beat does every 10 minutes: the reports kept as computed (claims.reports.STORED_REPORTS).
    from claims import services
    from claims.reports import STORED_REPORTS

    for name in STORED_REPORTS:
        started = time.perf_counter()
        services.refresh_stored_report(name=name)
        print(f"stored report {name} computed in {(time.perf_counter() - started) * 1000:.0f} ms (by the beat)")
    small = Claim.objects.exclude(pk=big.pk).filter(merged_into__isnull=True).order_by("pk")[5000]
    big_source = Source.objects.get(name=BIG_SOURCE_NAME)
    print(
        f"{Claim.objects.count():,} claims, {Appearance.objects.count():,} appearances "
        f"({Appearance.objects.filter(review_state='pending').count():,} pending), "
        f"{Notification.objects.filter(recipient=journalist).count():,} notifications for bench-journalist; "
        f"big claim #{big.pk}, small #{small.pk}, big source #{big_source.pk}"
    )

    pages = {
        "stack baseline": "/notifications/settings/",
        "claims": "/claims/",
        f"claims ?q={COMMON_WORD} (1%)": f"/claims/?q={COMMON_WORD}",
        f"claims ?q={RARE_WORD} (rare)": f"/claims/?q={RARE_WORD}",
        "claims ?q=Arabic (1% of ar)": f"/claims/?q={quote(ARABIC_WORD)}",
        "claims ?status=false": "/claims/?status=false",
        "small claim": f"/claims/{small.pk}/",
        "1,000-appearance claim": f"/claims/{big.pk}/",
        "1,000-appearance live": f"/claims/{big.pk}/live/",
        "sources": "/sources/",
        "50,000-appearance source": f"/sources/{big_source.pk}/",
        "fact check (1,000)": f"/fact-checks/{big.pk}/",
        "desk (editor)": "/desk/",
        "review": "/review/",
        "notifications": "/notifications/",
        "claims/mine": "/claims/mine/",
    }
    # The editors' reports and their downloads (each a constant number of queries, claims.reports).
    pages["reports (editor)"] = "/reports/"
    for name in ("claims-by-status", "time-to-verdict", "sources-rated-false", "corrections"):
        pages[f"{name}.csv (editor)"] = f"/reports/{name}.csv"

    client, editor_client = Client(), Client()
    client.force_login(journalist)
    editor_client.force_login(editor)  # the desk is the editors' page

    def get(label, url):
        response = (editor_client if "(editor)" in label else client).get(url)
        if response.status_code != 200:
            sys.exit(f"{label} {url}: HTTP {response.status_code}")
        return response

    queries, sizes = {}, {}
    for label, url in pages.items():  # warm-up round, and the query count of one request
        get(label, url)
        with CaptureQueriesContext(connection) as captured:
            sizes[label] = len(get(label, url).content)
        queries[label] = len(captured)
    times = {label: [] for label in pages}
    items = list(pages.items())
    for n in range(args.requests):
        # Round-robin, starting each round one page further on, so no page always follows the same one.
        for label, url in items[n % len(items) :] + items[: n % len(items)]:
            started = time.perf_counter()
            get(label, url)
            times[label].append((time.perf_counter() - started) * 1000)

    def summary(values):
        ordered = sorted(values)
        return statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]

    baseline_median, _ = summary(times["stack baseline"])
    print(f"\n{args.requests} rounds over {len(pages)} pages as bench-journalist (desk: bench-editor), ms")
    print(f"{'page':<32} {'median':>8} {'p95':>8} {'ratio':>7} {'queries':>8} {'KiB':>6}")
    for label in pages:
        median, p95 = summary(times[label])
        print(
            f"{label:<32} {median:>8.1f} {p95:>8.1f} {median / baseline_median:>7.1f} {queries[label]:>8} "
            f"{sizes[label] // 1024:>6}"
        )
    print("\nratio = page median / stack baseline median (/notifications/settings/)")
    print("target: median <= 150 ms, p95 <= 400 ms")


if __name__ == "__main__":
    main()
