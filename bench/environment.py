"""What every benchmark against the bench database sets before Django reads its settings: the
database (BENCH_DATABASE_URL, default ct_bench) and production-like settings without HTTPS or
collected static files. Imported first by bench/api.py and bench/claim_page.py."""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

BENCH_DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/ct_bench")
os.environ["DATABASE_URL"] = BENCH_DATABASE_URL
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "claimtrack.settings")
os.environ.setdefault("SECRET_KEY", "bench-only-secret-key")
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("STATIC_MANIFEST", "0")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
os.environ.setdefault("LOG_LEVEL", "WARNING")
# The benchmarks measure serving, not the throttle refusing it.
os.environ.setdefault("API_THROTTLE_READ", "100000000/min")
