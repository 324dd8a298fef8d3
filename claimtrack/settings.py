"""claimtrack settings: one module, everything that differs between machines comes from the
environment.

Embedded default (no variables set): SQLite file in the project folder, Celery on kombu's
filesystem transport, DEBUG on. Production: DEBUG=0, SECRET_KEY, DATABASE_URL, REDIS_URL.
Any variable may instead be read from a file named by VARIABLE_FILE (Docker/Kubernetes secrets).
"""

import ipaddress
import os
from datetime import timedelta
from email.utils import parseaddr
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured

from claimtrack.lib.env import env_bool, env_float, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("CLAIMTRACK_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", False)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY (or SECRET_KEY_FILE) must be set when DEBUG is off. "
            "For local development set DEBUG=1, as `make run` does."
        )
    SECRET_KEY = "django-insecure-development-only-key"  # noqa: S105 - DEBUG only

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "csp",
    "simple_history",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "rest_framework",
    "rest_framework_api_key",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "sources",
    "stance",
    "claims",
    "outbox",
    "archive",
    "audit",
    "accounts",
    "partners",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Before anything reads the body (CSRF, login, DRF's parsers): an oversized body answers 413.
    "claimtrack.middleware.RequestBodyLimitMiddleware",
    # Outermost after security: turns any error under /api/ (404, 500, …) into the API's JSON shape.
    "claimtrack.api.errors.JSONErrorsUnderAPIMiddleware",
    # NUL in a query parameter or header, an unknown form charset: a 400 before anything reads them.
    "claimtrack.middleware.MalformedRequestInputMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "claimtrack.sessions.SessionMiddleware",  # Django's; background polls leave the session unrenewed
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # The interface language a logged-in user chose (stored per user), over LocaleMiddleware's guess.
    "accounts.middleware.UserLanguageMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "accounts.middleware.RequireSecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "audit.middleware.AuditChannelMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "claimtrack.middleware.NewsroomTimeZoneMiddleware",
    # Last, as django-axes requires: turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "claimtrack.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            # {{ moment|when }}: a date and time in the interface's language (accounts.templatetags.moments).
            "builtins": ["accounts.templatetags.moments"],
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                # The unread notifications count in the header (newsroom users only; one query).
                "claims.context_processors.notifications",
            ],
        },
    },
]

WSGI_APPLICATION = "claimtrack.wsgi.application"
ASGI_APPLICATION = "claimtrack.asgi.application"

# Database ----------------------------------------------------------------------------------

# Web, worker and beat share an SQLite file: wait for locks instead of failing, and take the write
# lock at BEGIN so two writers never deadlock on lock upgrade. Whether SQLite is the embedded
# default or named by DATABASE_URL=sqlite:///..., it gets these options.
SQLITE_OPTIONS = {
    "timeout": 20,
    "transaction_mode": "IMMEDIATE",
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
}
DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL, conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60, minimum=0), conn_health_checks=True
        )
    }
    if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
        DATABASES["default"]["OPTIONS"] = {**SQLITE_OPTIONS, **DATABASES["default"].get("OPTIONS", {})}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": env_str("SQLITE_PATH", str(BASE_DIR / "db.sqlite3")),
            "OPTIONS": dict(SQLITE_OPTIONS),
            # A file, not the in-memory default, so a worker thread in a test shares it as
            # web and worker processes share the real one.
            "TEST": {"NAME": str(VAR_DIR / "test-db.sqlite3")},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# The covering indexes of claims.Appearance INCLUDE columns on PostgreSQL (index-only counts);
# SQLite builds them without those columns, which is all it can do: no warning on every command.
SILENCED_SYSTEM_CHECKS = ["models.W040"]

# Auth ----------------------------------------------------------------------------------------

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    # django-axes first: it refuses a login attempt from a locked-out account or address.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Login rate limit: after AXES_FAILURE_LIMIT failures an account is locked, and so is an address
# (separately: guessing many accounts from one address, or one account from many addresses).
AXES_ENABLED = env_bool("AXES_ENABLED", True)
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15, minimum=0))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# Behind a reverse proxy every request comes from the proxy's address: with TRUSTED_PROXY_COUNT
# set, the client address is read from X-Forwarded-For (that many hops from the right).
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0, minimum=0)
AXES_CLIENT_IP_CALLABLE = "claimtrack.middleware.client_ip_address"
LOGIN_URL = "login"
OTP_TOTP_ISSUER = env_str("OTP_TOTP_ISSUER", "claimtrack")
LOGIN_REDIRECT_URL = "/claims/"
LOGOUT_REDIRECT_URL = "login"

# Internationalisation ------------------------------------------------------------------------

LANGUAGE_CODE = "en"
# The interface languages (each named in itself), not the languages of claims or sources, which are
# free BCP 47 tags. Arabic and Central Kurdish are written right to left: base.html sets dir="rtl".
LANGUAGES = [("en", "English"), ("ar", "العربية"), ("ckb", "کوردی")]
LOCALE_PATHS = [BASE_DIR / "locale"]  # .mo files built by `make install` (manage.py compile_catalogues)
# The language a visitor chose with the header's switcher (logged-in users' is stored per user too).
LANGUAGE_COOKIE_AGE = 60 * 60 * 24 * 365
LANGUAGE_COOKIE_SAMESITE = "Lax"
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"  # storage and processing; pages show NEWSROOM_TIME_ZONE
NEWSROOM_TIME_ZONE = env_str("NEWSROOM_TIME_ZONE", "Asia/Baghdad")

# Static and uploaded files -------------------------------------------------------------------

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
# Without collected files (development, tests) WhiteNoise serves straight from the app folders.
WHITENOISE_USE_FINDERS = not env_bool("STATIC_MANIFEST", not DEBUG)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        # Hashed names (long cache lifetimes) need `collectstatic`, which production runs.
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if env_bool("STATIC_MANIFEST", not DEBUG)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# Evidence uploads: images and PDFs, recognised from their first bytes, at most this size.
CLAIMTRACK_EVIDENCE_MAX_BYTES = env_int("CLAIMTRACK_EVIDENCE_MAX_BYTES", 10 * 1024 * 1024, minimum=1)

# Request bodies, refused with 413 by their Content-Length before anything reads them
# (claimtrack.middleware.RequestBodyLimitMiddleware): a multipart body on the newsroom pages
# (evidence; several files in one form share the limit) at most UPLOAD_REQUEST_MAX_BYTES, any other
# body (forms, the API's JSON) at most REQUEST_BODY_MAX_BYTES. The reverse proxy should refuse
# larger bodies first (nginx client_max_body_size, see README).
REQUEST_BODY_MAX_BYTES = env_int("REQUEST_BODY_MAX_BYTES", 1024 * 1024, minimum=1024)
UPLOAD_REQUEST_MAX_BYTES = env_int(
    "UPLOAD_REQUEST_MAX_BYTES", CLAIMTRACK_EVIDENCE_MAX_BYTES + 1024 * 1024, minimum=REQUEST_BODY_MAX_BYTES
)
# Django's own checks, behind the middleware: the non-file part of a body, and how many fields and
# files it may hold. Uploaded files over FILE_UPLOAD_MAX_MEMORY_SIZE go to a temporary file.
DATA_UPLOAD_MAX_MEMORY_SIZE = REQUEST_BODY_MAX_BYTES
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000
DATA_UPLOAD_MAX_NUMBER_FILES = 20
FILE_UPLOAD_MAX_MEMORY_SIZE = 2621440

# Celery --------------------------------------------------------------------------------------

REDIS_URL = env_str("REDIS_URL")
CELERY_TASK_TIME_LIMIT = 300  # seconds; the longest any task may run
CELERY_TASK_SOFT_TIME_LIMIT = 240  # a task gets SoftTimeLimitExceeded first and can clean up
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        # An unacknowledged message is redelivered after this long: it must exceed the longest
        # task, or a slow task would run twice at once.
        "visibility_timeout": CELERY_TASK_TIME_LIMIT * 4,
    }
else:
    # No server: kombu's filesystem transport, a folder of message files shared by web, worker
    # and beat on this machine.
    CELERY_QUEUE_DIR = VAR_DIR / "celery"
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_QUEUE_DIR / "queue"),
        "data_folder_out": str(CELERY_QUEUE_DIR / "queue"),
        "processed_folder": str(CELERY_QUEUE_DIR / "processed"),
        "control_folder": str(CELERY_QUEUE_DIR / "control"),
        "store_processed": False,
    }
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True  # tasks are idempotent: a task lost with its worker runs again
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    "sweep-outbox": {"task": "outbox.tasks.sweep_outbox", "schedule": 30.0},
    # Queues feeds whose next_fetch_at has passed, pending articles and due re-checks.
    "enqueue-due-ingestion-work": {"task": "sources.tasks.enqueue_due_work", "schedule": 60.0},
    # Queues webhook deliveries whose next attempt is due (retries, and attempts never sent).
    "send-due-webhook-deliveries": {"task": "partners.tasks.send_due_deliveries", "schedule": 30.0},
    # Queues the daily digests that are due, and immediate notification emails not sent yet.
    "send-due-notification-emails": {"task": "claims.tasks.send_due_notification_emails", "schedule": 300.0},
    # The reports too costly to compute per request at archive scale (claims.reports.STORED_REPORTS).
    "refresh-stored-reports": {"task": "claims.tasks.refresh_stored_reports", "schedule": 600.0},
}
CELERY_TIMEZONE = "UTC"

# REST framework ------------------------------------------------------------------------------

REST_FRAMEWORK = {
    # Api-Key first: its WWW-Authenticate header makes unauthenticated requests 401, not 403.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "partners.authentication.PartnerAPIKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["claimtrack.api.permissions.CanReadPublished"],
    "DEFAULT_THROTTLE_CLASSES": ["partners.throttling.PerClientRateThrottle"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "claimtrack.api.pagination.StableCursorPagination",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["claimtrack.api.parsers.BoundedJSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "claimtrack.api.errors.json_exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
# Requests per client (API key, or session user) per period; a partner over it gets 429 with
# Retry-After. Read at request time, so a deployment (or a test) can change them.
API_THROTTLE_RATES = {
    "read": env_str("API_THROTTLE_READ", "600/min"),
    "write": env_str("API_THROTTLE_WRITE", "60/min"),
    "session": env_str("API_THROTTLE_SESSION", "1200/min"),
}
API_PAGE_SIZE = 50
API_MAX_PAGE_SIZE = 100
# A key's last-used time is written at most this often (seconds), not on every request.
API_KEY_LAST_USED_RESOLUTION = 60

SPECTACULAR_SETTINGS = {
    "TITLE": "claimtrack partner API",
    "DESCRIPTION": (Path(__file__).resolve().parent / "api" / "description.md").read_text(),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI is served from this installation (drf-spectacular-sidecar): no CDN, so the docs
    # work on a newsroom intranet and under the strict Content-Security-Policy.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "SWAGGER_UI_SETTINGS": {"persistAuthorization": True, "displayOperationId": False},
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "claimtrack.api.schema.document_error_responses",
        "claimtrack.api.schema.document_conditional_get",
        "claimtrack.api.schema.document_redirects",
        "claimtrack.api.schema.nullable_references",
        "claimtrack.api.schema.path_ids_as_integers",
        "claimtrack.api.schema.add_links",
    ],
    "ENUM_NAME_OVERRIDES": {
        "ClaimStatusEnum": "claims.models.ClaimStatus",
        "StanceEnum": "claims.models.Stance",
        "SourceKindEnum": "sources.models.Source.Kind",
        "DocumentKindEnum": "sources.models.Document.Kind",
        "TimelineEventKindEnum": "claims.selectors.PARTNER_TIMELINE_EVENT_KINDS",
        "AppearanceOriginEnum": "claims.models.Appearance.Origin",
        "ReviewStateEnum": "claims.models.Appearance.ReviewState",
        "DeliveryStateEnum": "partners.models.WebhookDelivery.State",
    },
}

# Webhooks: deliveries that fail are retried with capped exponential backoff (claimtrack/lib/backoff.py).
WEBHOOK_MAX_ATTEMPTS = env_int("WEBHOOK_MAX_ATTEMPTS", 8, minimum=1)
WEBHOOK_RETRY_BASE_SECONDS = env_float("WEBHOOK_RETRY_BASE_SECONDS", 30, minimum=0)
# A retry is queued by the beat sweep once its next_attempt_at has passed (partners/services.py).
WEBHOOK_RETRY_MAX_SECONDS = env_float("WEBHOOK_RETRY_MAX_SECONDS", 15 * 60, minimum=0)
WEBHOOK_TIMEOUT_SECONDS = env_float("WEBHOOK_TIMEOUT_SECONDS", 10, minimum=0)
# Active webhooks a partner may have at once (partners/services.register_webhook).
WEBHOOK_MAX_PER_PARTNER = env_int("WEBHOOK_MAX_PER_PARTNER", 10, minimum=1)
# Webhooks go to ports 80 and 443 only, even on FETCH_ALLOWED_NETWORKS, unless this is on (tests
# and development receivers on other ports).
WEBHOOK_ANY_PORT_ON_ALLOWED_NETWORKS = env_bool("WEBHOOK_ANY_PORT_ON_ALLOWED_NETWORKS", False)
# Webhook URLs pass the same outbound rules as the fetcher (claimtrack/outbound.py,
# FETCH_ALLOWED_NETWORKS below).

# Cache: throttling counters must be shared by all web processes, so Redis when there is one.
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "claimtrack",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Security ------------------------------------------------------------------------------------

SESSION_COOKIE_HTTPONLY = True
SESSION_ENGINE = "claimtrack.sessions"  # database sessions that ignore malformed cookies
# Idle timeout: every request pushes the expiry forward, so a session ends after this long unused.
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_TIMEOUT", 60 * 60 * 2, minimum=1)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
X_FRAME_OPTIONS = "DENY"
# No inline or third-party script anywhere; inline styles only (the admin and SVG charts use them).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # container health checks speak plain HTTP
    # Off only for a plain-HTTP test deployment on loopback.
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# Product -------------------------------------------------------------------------------------

# The published rating scale. Codes of claim statuses are fixed (claims.models.ClaimStatus);
# the rating scale a newsroom publishes is its own choice.
CLAIMTRACK_RATING_SCALE = {
    "best": 5,
    "worst": 1,
    "ratings": [
        {"value": 5, "name": "True"},
        {"value": 4, "name": "Mostly true"},
        {"value": 3, "name": "Mixed"},
        {"value": 2, "name": "Mostly false"},
        {"value": 1, "name": "False"},
        # Not a point on the true/false line: published with the scale's middle value, and
        # alternateName "Unproven" carries the meaning.
        {"value": 3, "name": "Unproven"},
    ],
}
CLAIMTRACK_ORGANISATION = {
    "name": env_str("CLAIMTRACK_ORGANISATION_NAME", "claimtrack newsroom"),
    "url": env_str("CLAIMTRACK_ORGANISATION_URL", "http://127.0.0.1:8000/"),
}
# Where a published verdict is read by the public, the ClaimReview `url`: by default claimtrack's
# own public fact-check page (/fact-checks/<id>/). A newsroom that publishes its fact-checks on its
# own site sets a template with {id} and/or {slug}, e.g. "https://news.example/fact-check/{slug}/".
CLAIMTRACK_CLAIMREVIEW_URL = env_str("CLAIMTRACK_CLAIMREVIEW_URL", "")
if CLAIMTRACK_CLAIMREVIEW_URL:
    try:
        _example = CLAIMTRACK_CLAIMREVIEW_URL.format(id=1, slug="claim")
    except (KeyError, IndexError, ValueError, AttributeError) as _error:
        raise ImproperlyConfigured(f"CLAIMTRACK_CLAIMREVIEW_URL may use only {{id}} and {{slug}}: {_error!r}") from None
    if not _example.lower().startswith(("https://", "http://")):
        raise ImproperlyConfigured("CLAIMTRACK_CLAIMREVIEW_URL must be an http(s) address.")

# The address people open claimtrack at, for links in emails (written by the worker, which has no
# request to take it from): scheme, host and any path prefix, without a trailing slash.
CLAIMTRACK_SITE_URL = (env_str("CLAIMTRACK_SITE_URL", "http://127.0.0.1:8000") or "").rstrip("/")
if not CLAIMTRACK_SITE_URL.lower().startswith(("https://", "http://")) or " " in CLAIMTRACK_SITE_URL:
    raise ImproperlyConfigured(f"CLAIMTRACK_SITE_URL={CLAIMTRACK_SITE_URL!r} must be an http(s) address.")

# Email (notifications; claims/notifications.py): sent by the worker through Django's mail backend,
# never inside a request. Under DEBUG (`make run`) the console backend prints them to the worker's log.
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1, maximum=65535)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("EMAIL_USE_TLS and EMAIL_USE_SSL cannot both be on: choose STARTTLS or implicit TLS.")
EMAIL_TIMEOUT = env_float("EMAIL_TIMEOUT", 30, minimum=1)  # seconds; below the tasks' time limits
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "claimtrack <claimtrack@localhost>")
if "@" not in parseaddr(DEFAULT_FROM_EMAIL)[1]:
    raise ImproperlyConfigured(f"DEFAULT_FROM_EMAIL={DEFAULT_FROM_EMAIL!r} is not an email address.")
if "." not in EMAIL_BACKEND:
    raise ImproperlyConfigured(f"EMAIL_BACKEND={EMAIL_BACKEND!r} must be the dotted path of a mail backend.")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_SUBJECT_PREFIX = "[claimtrack] "
# Notification emails: a daily digest is sent once this long after the last one; an immediate
# email that could not be sent is tried again by beat for this long, then given up.
NOTIFICATION_DIGEST_INTERVAL = timedelta(hours=env_float("NOTIFICATION_DIGEST_HOURS", 24, minimum=1))
NOTIFICATION_EMAIL_RETRY_FOR = timedelta(days=3)

# Outbound HTTP (claimtrack.outbound: feeds, articles, robots.txt, webhooks) --------------------

# The only way to let fetches reach non-public addresses (any port), e.g. "127.0.0.0/8" in tests
# or an intranet feed server. Empty by default: only public addresses on ports 80 and 443.
FETCH_ALLOWED_NETWORKS = env_list("FETCH_ALLOWED_NETWORKS")
for _cidr in FETCH_ALLOWED_NETWORKS:
    try:
        ipaddress.ip_network(_cidr, strict=False)
    except ValueError as _error:
        raise ImproperlyConfigured(f"FETCH_ALLOWED_NETWORKS: {_error}") from None
FETCH_USER_AGENT = env_str(
    "FETCH_USER_AGENT",
    f"claimtrack/0.1 (claim tracker; +{CLAIMTRACK_ORGANISATION['url']})",
)
FETCH_CONNECT_TIMEOUT = env_float("FETCH_CONNECT_TIMEOUT", 5, minimum=0)  # seconds
FETCH_TIMEOUT = env_float("FETCH_TIMEOUT", 30, minimum=0)  # seconds, the whole exchange including redirects
FETCH_MAX_BYTES = env_int("FETCH_MAX_BYTES", 5 * 1024 * 1024, minimum=1)
FETCH_MAX_REDIRECTS = 5
# PEM file of the certificate authorities HTTPS fetches trust (an intranet CA); empty: certifi's.
FETCH_CA_BUNDLE = env_str("FETCH_CA_BUNDLE", "")
# Politeness: at most one request per host per this many seconds, across all workers.
FETCH_HOST_INTERVAL = env_float("FETCH_HOST_INTERVAL", 1.0, minimum=0)
# `manage.py ingest --once` fetches articles on this many threads (network and database waits
# overlap with extraction); Celery workers get their parallelism from worker processes instead.
INGEST_THREADS = env_int("INGEST_THREADS", 4, minimum=1)
# ... and extracts them on this many processes (trafilatura is CPU-bound); 1 = in the threads.
INGEST_PROCESSES = env_int("INGEST_PROCESSES", min(os.cpu_count() or 1, 4), minimum=1)
# A transient article fetch failure is retried after a random wait between half the base and
# base * 2^retries seconds, capped.
INGEST_RETRY_BASE_SECONDS = env_float("INGEST_RETRY_BASE_SECONDS", 30, minimum=0)
INGEST_RETRY_CAP_SECONDS = env_float("INGEST_RETRY_CAP_SECONDS", 1800, minimum=0)
# A worker claims a feed, entry or document with a lease this long. It must outlive the longest
# task, so a live worker never loses its claim; a dead worker's claim expires after it.
INGEST_LEASE_SECONDS = env_float("INGEST_LEASE_SECONDS", CELERY_TASK_TIME_LIMIT + 60, minimum=0)
# The periodic task queues again a pending entry untouched for this long whose lease has expired
# (its task was lost with a killed worker, or its message with the broker).
INGEST_STALE_PENDING_SECONDS = env_float("INGEST_STALE_PENDING_SECONDS", 900, minimum=0)
# A poll stores and queues at most this many new entries of a feed, newest first; older new items
# wait for the next polls (a feed listing 100,000 items must not queue 100,000 fetches at once).
FEED_MAX_NEW_ENTRIES_PER_POLL = env_int("FEED_MAX_NEW_ENTRIES_PER_POLL", 200, minimum=1)
# Re-fetch documents this long after first seeing them, to catch rewrites.
DOCUMENT_RECHECK_AFTER_HOURS = [1, 6, 24, 72]

# Stance classifier files written by `manage.py train_stance` (see stance/classifier.py). Without them,
# matches are still suggested, with no stance ("needs review").
CLAIMTRACK_STANCE_MODEL_DIR = Path(env_str("CLAIMTRACK_STANCE_MODEL_DIR", str(BASE_DIR / "stance" / "model")))
# Matching: how many full-text candidates per document the stance classifier looks at.
CLAIMTRACK_MATCH_CANDIDATES = env_int("CLAIMTRACK_MATCH_CANDIDATES", 20, minimum=1)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # httpx logs every request at INFO: too chatty for ingestion, which records its own outcomes.
    "loggers": {"httpx": {"level": "WARNING"}, "httpcore": {"level": "WARNING"}},
}
