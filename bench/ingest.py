"""Ingestion throughput: documents per second through the whole pipeline (fetch over HTTP, robots,
parse feed, extract, dedupe, store) next to trafilatura extraction alone on the same pages.

    python bench/ingest.py [--pages N] [--rounds R] [--threads T] [--processes P]

Serves N copies of the real pages in ../shared/data/pages on loopback (each at its own address),
registers one feed listing them, and compares two sides on the same resources:

- the pipeline: `ingest --once`'s code path (`ingest_once`) in this process, which fetches on
  INGEST_THREADS threads and extracts on a pool of INGEST_PROCESSES forked processes;
- the floor: trafilatura extraction alone of the same N pages on a pool of the same number of
  forked processes (one process when that number is 1, as the pipeline then extracts in-process),
  pool start-up included on both sides.

The two sides alternate over R rounds, and which goes first alternates too (floor, pipeline;
pipeline, floor; ...), so that load from other processes on a shared machine weighs on both
alike; between rounds the stored documents and the feed are reset, untimed, so that every
pipeline round fetches, extracts and stores all N pages again. It prints each round's rates and
ratio, and the median of the rounds' ratios pipeline / extraction (target >= 0.8). Uses a
throwaway test database: SQLite by default, or PostgreSQL when DATABASE_URL is set. The
politeness interval is 0 here (a real run waits on purpose).
"""

import argparse
import multiprocessing
import os
import statistics
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
os.environ["DEBUG"] = "0"  # as in production: no query log growing through the run
os.environ.setdefault("SECRET_KEY", "bench-only-secret-key")
os.environ.setdefault("CLAIMTRACK_VAR_DIR", tempfile.mkdtemp(prefix="claimtrack-bench-"))
os.environ["FETCH_ALLOWED_NETWORKS"] = "127.0.0.1/32"
os.environ["FETCH_HOST_INTERVAL"] = "0"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "claimtrack.settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

import trafilatura  # noqa: E402
from django import db  # noqa: E402
from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

from claimtrack.lib.shared_data import shared_data_dir  # noqa: E402
from sources.ingestion import ingest_once  # noqa: E402
from sources.models import Document, DocumentRevision, Feed, FeedEntry, Source  # noqa: E402
from tests.httpserver import LoopbackServer  # noqa: E402
from tests.web_pages import rss  # noqa: E402


def shared_pages() -> Path:
    pages = shared_data_dir() / "pages"
    if not pages.is_dir():
        sys.exit(f"the shared test data ({pages}) is not available")
    return pages


def serve(pages_dir: str, count: int, ready):
    """Run in its own process, so serving costs the measured process nothing (as a real site)."""
    originals = sorted(Path(pages_dir).glob("*.html"))
    with LoopbackServer() as server:
        urls = [
            server.add(f"/{n}/{originals[n % len(originals)].name}", originals[n % len(originals)].read_bytes())
            for n in range(count)
        ]
        server.add("/feed.xml", rss([(url, "item") for url in urls]))
        ready.send(server.port)
        ready.recv()  # until the benchmark is done


def extract(page: tuple[str, bytes]) -> None:
    url, content = page
    trafilatura.bare_extraction(content, url=url, with_metadata=True, include_comments=False, favor_precision=True)


def extract_alone(pages: list[tuple[str, bytes]], processes: int) -> float:
    """Seconds to extract every page on `processes` processes, forked (with the database
    connections closed) as the pipeline's extraction pool is, or in this process when 1."""
    started = time.perf_counter()
    if processes <= 1:
        for page in pages:
            extract(page)
    else:
        db.connections.close_all()
        with ProcessPoolExecutor(max_workers=processes, mp_context=multiprocessing.get_context("fork")) as pool:
            list(pool.map(extract, pages, chunksize=max(1, len(pages) // (processes * 8))))
    return time.perf_counter() - started


def reset(feed_url: str) -> Feed:
    """Forget what a pipeline round stored (untimed), so the next round does all the work again."""
    FeedEntry.objects.all().delete()
    DocumentRevision.objects.all().delete()
    Document.objects.all().delete()
    Feed.objects.all().delete()
    return Feed.objects.create(source=Source.objects.get(name="Bench outlet"), url=feed_url)


def pipeline(threads: int, processes: int) -> tuple[float, int, str]:
    started = time.perf_counter()
    summary = ingest_once(threads=threads, processes=processes)
    seconds = time.perf_counter() - started
    return seconds, Document.objects.count(), summary.line()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=5, help="alternating rounds of both sides (default 5)")
    parser.add_argument("--threads", type=int, default=None, help="default: INGEST_THREADS")
    parser.add_argument("--processes", type=int, default=None, help="default: INGEST_PROCESSES (both sides)")
    args = parser.parse_args()
    threads = settings.INGEST_THREADS if args.threads is None else args.threads
    processes = settings.INGEST_PROCESSES if args.processes is None else args.processes

    pages_dir = shared_pages()
    originals = sorted(pages_dir.glob("*.html"))
    ours, theirs = multiprocessing.Pipe()
    server = multiprocessing.Process(target=serve, args=(str(pages_dir), args.pages, theirs), daemon=True)
    server.start()
    port = ours.recv()
    base = f"http://127.0.0.1:{port}"
    feed_url = f"{base}/feed.xml"
    pages = [
        (f"{base}/{n}/{originals[n % len(originals)].name}", originals[n % len(originals)].read_bytes())
        for n in range(args.pages)
    ]
    print(
        f"pages: {len(pages)} ({len(originals)} real pages cycled); rounds: {args.rounds}; "
        f"ingest threads: {threads}; extraction processes, both sides: {processes}; cores: {os.cpu_count()}"
    )
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    vendor = connection.vendor
    rounds = []
    try:
        Source.objects.create(name="Bench outlet")
        for page in pages[:5]:
            extract(page)  # warm up imports and caches (inherited by the forked processes)
        for n in range(args.rounds):
            reset(feed_url)
            sides = ["floor", "pipeline"] if n % 2 == 0 else ["pipeline", "floor"]
            for side in sides:
                if side == "floor":
                    extraction_seconds = extract_alone(pages, processes)
                else:
                    pipeline_seconds, stored, line = pipeline(threads, processes)
            extraction_rate = len(pages) / extraction_seconds
            pipeline_rate = stored / pipeline_seconds
            ratio = pipeline_rate / extraction_rate
            rounds.append((extraction_seconds, pipeline_seconds, stored, ratio))
            print(
                f"round {n + 1} ({' then '.join(sides)}): extraction {extraction_rate:.1f} documents/s "
                f"({extraction_seconds:.2f} s), pipeline {pipeline_rate:.1f} documents/s ({pipeline_seconds:.2f} s, "
                f"{stored} stored; {line}), ratio {ratio:.2f}"
            )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        ours.send("done")
        server.join(5)

    extraction_seconds = sum(r[0] for r in rounds)
    pipeline_seconds = sum(r[1] for r in rounds)
    stored = sum(r[2] for r in rounds)
    ratios = [r[3] for r in rounds]
    print(f"database: {vendor}")
    print(
        f"trafilatura extraction alone: {len(pages) * len(rounds) / extraction_seconds:.1f} documents/s "
        f"({extraction_seconds:.2f} s over {len(rounds)} rounds)"
    )
    print(f"whole pipeline:              {stored / pipeline_seconds:.1f} documents/s ({pipeline_seconds:.2f} s)")
    print(f"ratio per round: {', '.join(f'{r:.2f}' for r in ratios)} (spread {min(ratios):.2f}-{max(ratios):.2f})")
    print(f"median ratio pipeline / extraction: {statistics.median(ratios):.2f} (target >= 0.8)")


if __name__ == "__main__":
    main()
