"""Ingestion throughput: documents per second through the whole pipeline (fetch over HTTP, robots,
parse feed, extract, dedupe, store) next to trafilatura extraction alone on the same pages.

    python bench/ingest.py [--pages N]

Serves N copies of the real pages in ../shared/data/pages on loopback (each at its own address),
registers one feed listing them, runs `ingest --once`'s code path in this process, and prints both
rates and their ratio (target >= 0.8). Uses a throwaway test database: SQLite by default, or
PostgreSQL when DATABASE_URL is set. The politeness interval is 0 here (a real run waits on purpose).
"""

import argparse
import multiprocessing
import os
import sys
import tempfile
import time
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
from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

from claimtrack.lib.shared_data import shared_data_dir  # noqa: E402
from sources.ingestion import ingest_once  # noqa: E402
from sources.models import Document, Feed, Source  # noqa: E402
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


def extract_alone(pages: list[tuple[str, bytes]]) -> float:
    started = time.perf_counter()
    for url, content in pages:
        trafilatura.bare_extraction(content, url=url, with_metadata=True, include_comments=False, favor_precision=True)
    return time.perf_counter() - started


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=100)
    parser.add_argument("--threads", type=int, default=None, help="default: INGEST_THREADS")
    parser.add_argument("--processes", type=int, default=None, help="default: INGEST_PROCESSES")
    args = parser.parse_args()

    pages_dir = shared_pages()
    originals = sorted(pages_dir.glob("*.html"))
    ours, theirs = multiprocessing.Pipe()
    server = multiprocessing.Process(target=serve, args=(str(pages_dir), args.pages, theirs), daemon=True)
    server.start()
    port = ours.recv()
    base = f"http://127.0.0.1:{port}"
    pages = [
        (f"{base}/{n}/{originals[n % len(originals)].name}", originals[n % len(originals)].read_bytes())
        for n in range(args.pages)
    ]
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        source = Source.objects.create(name="Bench outlet")
        Feed.objects.create(source=source, url=f"{base}/feed.xml")
        extract_alone(pages[:5])  # warm up imports and caches
        # Extraction alone is timed before and after the pipeline, so load from other processes on
        # the machine during the run weighs on both sides alike.
        extraction_seconds = extract_alone(pages) / 2
        started = time.perf_counter()
        summary = ingest_once(threads=args.threads, processes=args.processes)
        pipeline_seconds = time.perf_counter() - started
        extraction_seconds += extract_alone(pages) / 2
        stored = Document.objects.count()
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        ours.send("done")
        server.join(5)

    extraction_rate = len(pages) / extraction_seconds
    pipeline_rate = stored / pipeline_seconds
    threads = settings.INGEST_THREADS if args.threads is None else args.threads
    processes = settings.INGEST_PROCESSES if args.processes is None else args.processes
    print(
        f"database: {connection.vendor}; pages: {len(pages)} ({len(originals)} real pages cycled); "
        f"ingest threads: {threads}, extraction processes: {processes}; cores: {os.cpu_count()}"
    )
    print(f"pipeline: {summary.line()}")
    print(f"trafilatura extraction alone: {extraction_rate:.1f} documents/s ({extraction_seconds:.2f} s)")
    print(f"whole pipeline:              {pipeline_rate:.1f} documents/s ({pipeline_seconds:.2f} s)")
    print(f"ratio pipeline / extraction: {pipeline_rate / extraction_rate:.2f} (target >= 0.8)")


if __name__ == "__main__":
    main()
