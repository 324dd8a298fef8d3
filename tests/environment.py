"""Loaded by pytest (`-p tests.environment`) before Django reads its settings.

Tests run with production settings (DEBUG off) apart from what a test machine lacks: HTTPS and
collected static files. DATABASE_URL and REDIS_URL pass through: set, the suite runs on
PostgreSQL and Redis; unset, on the embedded default.
"""

import os
import tempfile

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-production")
os.environ.setdefault("DEBUG", "0")
os.environ["SECURE_SSL_REDIRECT"] = "0"
os.environ["STATIC_MANIFEST"] = "0"
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "1")
# Uploaded files and the filesystem broker's folder go to a throwaway place.
os.environ.setdefault("CLAIMTRACK_VAR_DIR", tempfile.mkdtemp(prefix="claimtrack-test-"))
# Requests and worker threads in tests close their connections when done, so a live server or
# worker thread leaves none open and the test database can be dropped at the end of the run.
os.environ.setdefault("DATABASE_CONN_MAX_AGE", "0")
