"""Every setting, read from the environment in one place.

Zero configuration gives a working local site on SQLite (WAL, foreign keys on) with mail printed
to the console. docs/configuration.md lists each variable; a test fails when one is undocumented.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import environ
import redis
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
DEV_SECRET_KEY = "insecure-dev-key-only-for-local-use"  # noqa: S105 -- refused when DEBUG is off

env = environ.Env()

DEBUG: bool = env.bool("DEBUG", default=False)
SECRET_KEY: str = env.str("SECRET_KEY", default=DEV_SECRET_KEY)
if (
    not DEBUG
    and SECRET_KEY == DEV_SECRET_KEY
    and not env.bool("ALLOW_DEV_SECRET_KEY", default=False)
):
    raise ImproperlyConfigured(
        "SECRET_KEY is the built-in development key and DEBUG is off. Set SECRET_KEY to a long "
        "random value (python -c 'import secrets; print(secrets.token_urlsafe(50))'), or set "
        "ALLOW_DEV_SECRET_KEY=1 for a throw-away local site."
    )
ALLOWED_HOSTS: list[str] = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS: list[str] = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# `make run` serves on HOST:PORT (the Makefile's variables, which `serve` also reads), so links
# that leave the site (mail, exports, feeds) point where the site actually answers.
_serve_host: str = env.str("HOST", default="127.0.0.1")
_serve_port: int = env.int("PORT", default=8000)
SITE_URL: str = env.str(
    "SITE_URL",
    default=f"http://{f'[{_serve_host}]' if ':' in _serve_host else _serve_host}:{_serve_port}",
)
# `make run` on an address other than loopback refuses the development key and the demo
# staff account's published password unless this says the demo may be public.
ALLOW_PUBLIC_DEMO: bool = env.bool("ALLOW_PUBLIC_DEMO", default=False)
SITE_ID = 1
AUTH_USER_MODEL = "shortscience.User"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.sites",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    # Before allauth, so that our templates (allauth/layouts/base.html) override its own.
    "shortscience",
    "allauth",
    "allauth.account",
    # ORCID and GitHub sign-in (docs/accounts.md); a provider shows only when its keys are set.
    "allauth.socialaccount",
    "allauth.socialaccount.providers.orcid",
    "allauth.socialaccount.providers.github",
    # Two-factor: TOTP, recovery codes, passkeys (WebAuthn).
    "allauth.mfa",
    # Each signed-in session listed in settings, ended from there or by a password change.
    "allauth.usersessions",
    "django_htmx",
    # For the API docs page: Swagger UI from its own static files and templates, not a CDN.
    "ninja",
    # The task queue (docs/decisions/0004-task-queue.md): mail and slow recomputation leave the
    # request; `manage.py run_huey` is the worker that `make run` starts beside the web server.
    "huey.contrib.djhuey",
]

MIDDLEWARE = [
    # First: it times and counts everything below, and gives each request its id (logs, metrics).
    "shortscience.views.observability.RequestObservabilityMiddleware",
    # /healthz and /readyz answer here, before host checks, redirects and sessions.
    "shortscience.views.health.ProbeMiddleware",
    # Compresses what nobody compressed before it (signed-in pages); cached pages come gzipped.
    "django.middleware.gzip.GZipMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "shortscience.views.headers.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before sessions, CSRF and auth: a cached page for an anonymous reader needs none of them.
    "shortscience.views.pagecache.AnonymousPageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "allauth.usersessions.middleware.UserSessionsMiddleware",
    # Staff and moderators without a second factor are sent to enrol one (REQUIRE_STAFF_MFA).
    "shortscience.views.accounts.StaffSecondFactorMiddleware",
    # After auth and messages: it needs the reader (services/neutralpages.py).
    "shortscience.views.pagecache.SignedInPageCacheMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "shortscience.views.errors.DomainErrorMiddleware",
]

ROOT_URLCONF = "shortscience.urls"
WSGI_APPLICATION = "shortscience.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "shortscience.views.context_processors.following_and_notifications",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATA_DIR = Path(env.str("DATA_DIR", default=str(BASE_DIR / "var")))
DATABASES: dict[str, dict[str, Any]] = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{DATA_DIR / 'shortscience.sqlite3'}")
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].update(
        {
            # WAL lets readers go on while one writer writes; IMMEDIATE avoids lock upgrades
            # that fail with "database is locked" under concurrent writes.
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON; PRAGMA synchronous=NORMAL; "
                "PRAGMA busy_timeout=5000;"
            ),
            "transaction_mode": "IMMEDIATE",
        }
    )
if DATABASES["default"]["ENGINE"].startswith("django.db.backends.postgresql"):
    # A server that does not answer at all (a dead host, a dropped route) costs this, not TCP's
    # minutes: requests and /readyz fail fast with the 503 of views/errors.py.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", env.int("DATABASE_CONNECT_TIMEOUT", default=3)
    )
    # Lets psycopg keep prepared statements. Django's own cursors bind on the client and are
    # never prepared whatever this says; the one query a signed-in shared page costs binds on
    # the server and asks to be prepared (services/neutralpages.py), which saves PostgreSQL
    # planning it on every request (about 1 ms of server CPU).
    DATABASES["default"]["OPTIONS"].setdefault("prepare_threshold", 5)
DATABASES["default"].setdefault("ATOMIC_REQUESTS", False)
# Keep each worker thread's connection between requests (a new PostgreSQL connection costs
# 4-6 ms and server CPU); a health check before reuse replaces one the server closed.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=600)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Django 6.0's default for forms.URLField (the admin's URL fields): a scheme-less address means
# https, not http. A transitional setting, deprecated from birth; drop it with Django 6.0.
FORMS_URLFIELD_ASSUME_HTTPS = True

# --- Cache and sessions ------------------------------------------------------------------------
_cache_url = env.str("CACHE_URL", default="") or env.str("REDIS_URL", default="")
# Without a cache service, a directory of files shared by every process on this machine (the
# gunicorn workers and the task worker of `make run`), one per database so that two sites, or
# two test runs, never read each other's pages or counters.
_db = DATABASES["default"]
_cache_dir = (
    DATA_DIR
    / "cache"
    / hashlib.sha256(
        f"{_db['ENGINE']}|{_db.get('HOST', '')}|{_db.get('PORT', '')}|{_db['NAME']}".encode()
    ).hexdigest()[:12]
)
CACHES = {
    "default": env.cache_url_config(_cache_url)
    if _cache_url
    else {
        # Django's file cache, with counting under a file lock (shortscience/caching.py): rate
        # limits hold across the processes, as a plain file cache's lost updates did not.
        "BACKEND": "shortscience.caching.SharedFileBasedCache",
        "LOCATION": str(_cache_dir),
        "OPTIONS": {"MAX_ENTRIES": env.int("CACHE_MAX_ENTRIES", default=20_000)},
    }
}
_redis_cache = CACHES["default"]["BACKEND"].endswith("RedisCache")
if _redis_cache:
    # A Redis that is down, hung or flushed degrades to a cache that misses instead of raising
    # into every request (shortscience/caching.py, docs/decisions/0015-degraded-services.md).
    CACHES["default"]["BACKEND"] = "shortscience.caching.ResilientRedisCache"
    CACHES["default"]["RETRY_SECONDS"] = env.float("CACHE_RETRY_SECONDS", default=5.0)
    # A hung or absent Redis must cost a request a fraction of a second, not hang it.
    CACHES["default"].setdefault("OPTIONS", {}).update(
        {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}
    )

# Whole pages for readers who are not signed in (services/pagecache.py, docs/performance.md).
PAGE_CACHE_ENABLED: bool = env.bool("PAGE_CACHE_ENABLED", default=True)
PAGE_CACHE_ALIAS = "default"
PAGE_CACHE_SECONDS: int = env.int("PAGE_CACHE_SECONDS", default=3600)
PAGE_CACHE_EDGE_SECONDS: int = env.int("PAGE_CACHE_EDGE_SECONDS", default=1)
# Sessions live in the database and are read through the cache (cached_db: Redis, or the file
# cache that `make run`'s workers share), so a signed-in page skips the session query, and a
# cache outage or flush costs a query per request, never a sign-out. shortscience.sessions is
# Django's cached_db, which a shared signed-in page hands the session it fetched from the cache
# with the page's versions (views/pagecache.py).
SESSION_ENGINE = env.str("SESSION_ENGINE", default="") or "shortscience.sessions"

# --- Task queue ---------------------------------------------------------------------------------
# Redis in production (shared by every app process); a SQLite file on a laptop, so `make run`
# needs no other service. TASKS_IMMEDIATE runs each task inside the caller (tests, scripts).
TASKS_URL: str = env.str("TASKS_URL", default="")
TASKS_IMMEDIATE: bool = env.bool("TASKS_IMMEDIATE", default=False)
HUEY: dict[str, Any] = {
    "name": "shortscience",
    "immediate": TASKS_IMMEDIATE,
    "utc": True,
    "consumer": {"workers": env.int("TASKS_WORKERS", default=2), "worker_type": "thread"},
}
# The worker writes a heartbeat every minute; /readyz calls the queue stale past this age.
TASKS_HEARTBEAT_STALE_SECONDS: int = env.int("TASKS_HEARTBEAT_STALE_SECONDS", default=180)
if TASKS_URL.startswith(("redis://", "rediss://", "unix://")):
    # Timeouts on every Redis client: a hung Redis must not hang a request that queues a task.
    # The worker's blocking pop waits 1 s (huey's read_timeout), so reads may take a little more.
    HUEY.update(
        {
            "huey_class": "huey.RedisHuey",
            "connection_pool": redis.ConnectionPool.from_url(
                TASKS_URL, socket_connect_timeout=0.5, socket_timeout=2.0
            ),
        }
    )
else:
    _tasks_file = Path(TASKS_URL.removeprefix("sqlite:///") or DATA_DIR / "tasks.sqlite3")
    # huey opens its file when Django starts, before any command could make the folder.
    _tasks_file.parent.mkdir(parents=True, exist_ok=True)
    HUEY.update({"huey_class": "huey.SqliteHuey", "filename": str(_tasks_file)})

# --- Mail ---------------------------------------------------------------------------------------
_email = env.email_url("EMAIL_URL", default="consolemail://")
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
EMAIL_HOST = _email.get("EMAIL_HOST", "")
EMAIL_PORT = _email.get("EMAIL_PORT", 25)
EMAIL_HOST_USER = _email.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = _email.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = _email.get("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = _email.get("EMAIL_USE_SSL", False)
DEFAULT_FROM_EMAIL: str = env.str("DEFAULT_FROM_EMAIL", default="ShortScience <noreply@localhost>")

# --- The MCP server for agents (docs/agents.md) -------------------------------------------------
# The API token `manage.py mcp` (stdio) saves drafts with; the HTTP transport never uses it.
SHORTSCIENCE_API_TOKEN: str = env.str("SHORTSCIENCE_API_TOKEN", default="")

# --- Follows and notifications (docs/notifications.md) ------------------------------------------
# Pages load everything a person follows in one query to draw follow buttons; this bounds it.
FOLLOWS_MAX_PER_USER: int = env.int("FOLLOWS_MAX_PER_USER", default=1000)
# The daily digest goes out at this hour (UTC) to people who chose it.
NOTIFICATIONS_DIGEST_HOUR: int = env.int("NOTIFICATIONS_DIGEST_HOUR", default=7)
# Seconds between the three retries of a notification e-mail that failed to send.
NOTIFICATIONS_EMAIL_RETRY_DELAY: int = env.int("NOTIFICATIONS_EMAIL_RETRY_DELAY", default=300)
# A notification still unmailed this long after it was made is queued again by the sweep (the
# queue lost it: Redis flushed, the worker killed, the queue down when it was written).
NOTIFICATIONS_EMAIL_SWEEP_AFTER: int = env.int("NOTIFICATIONS_EMAIL_SWEEP_AFTER", default=120)
# A worker's claim on a mail older than this is taken to be a dead worker's; longer than any send.
NOTIFICATIONS_EMAIL_CLAIM_SECONDS: int = env.int("NOTIFICATIONS_EMAIL_CLAIM_SECONDS", default=900)

# --- Static and media ---------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(DATA_DIR / "static")))
# htmx comes from the npm lock file and is served by us, never a CDN (the math stylesheet and
# fonts are in static/shortscience/math/).
STATICFILES_DIRS = [
    ("htmx", BASE_DIR / "node_modules" / "htmx.org" / "dist"),
]
MEDIA_URL = env.str("MEDIA_URL", default="/media/")
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(DATA_DIR / "media")))
# Django serves uploads itself only when no proxy does (the one-command local site).
SERVE_MEDIA: bool = env.bool("SERVE_MEDIA", default=True)
# Uploads on this machine's disk (MEDIA_ROOT), or on S3-compatible object storage shared by
# every machine: MEDIA_STORAGE=storages.backends.s3.S3Storage (django-storages with boto3;
# docs/deploy.md "Object storage for media", docs/decisions/0017-backups-and-object-storage.md).
MEDIA_STORAGE: str = env.str("MEDIA_STORAGE", default="django.core.files.storage.FileSystemStorage")
_media: dict[str, Any] = {"BACKEND": MEDIA_STORAGE}
if MEDIA_STORAGE.startswith("storages.backends.s3"):
    from botocore.config import Config as _S3Config

    _media["OPTIONS"] = {
        "bucket_name": env.str("MEDIA_S3_BUCKET"),
        # Empty: AWS itself; otherwise the S3-compatible service (MinIO, Ceph, R2, Garage...).
        "endpoint_url": env.str("MEDIA_S3_ENDPOINT_URL", default="") or None,
        # Empty: boto3's own chain (AWS_* variables, ~/.aws, an instance or pod role).
        "access_key": env.str("MEDIA_S3_ACCESS_KEY_ID", default="") or None,
        "secret_key": env.str("MEDIA_S3_SECRET_ACCESS_KEY", default="") or None,
        "region_name": env.str("MEDIA_S3_REGION", default="") or None,
        # Objects under this key prefix, so one bucket can hold several sites.
        "location": env.str("MEDIA_S3_PREFIX", default=""),
        # URLs on a CDN or the bucket's website name instead of the endpoint's.
        "custom_domain": env.str("MEDIA_S3_CUSTOM_DOMAIN", default="") or None,
        # Plain URLs by default: an image URL is written into a summary's Markdown once and must
        # keep working, which a signed URL (expiring after MEDIA_S3_QUERYSTRING_EXPIRE) does not.
        "querystring_auth": env.bool("MEDIA_S3_QUERYSTRING_AUTH", default=False),
        "querystring_expire": env.int("MEDIA_S3_QUERYSTRING_EXPIRE", default=3600),
        "default_acl": env.str("MEDIA_S3_DEFAULT_ACL", default="") or None,
        "file_overwrite": False,
        # A storage that is down or hung must cost an upload seconds, not the worker's timeout:
        # short timeouts and one retry, then the caller gets a 503 (views/errors.py).
        "client_config": _S3Config(
            s3={"addressing_style": env.str("MEDIA_S3_ADDRESSING_STYLE", default="auto")},
            connect_timeout=env.float("MEDIA_S3_TIMEOUT", default=5.0),
            read_timeout=env.float("MEDIA_S3_TIMEOUT", default=5.0),
            retries={"mode": "standard", "total_max_attempts": 2},
        ),
    }
STORAGES = {
    "default": _media,
    "staticfiles": {
        "BACKEND": env.str(
            "STATIC_STORAGE", default="whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG
IMAGE_UPLOAD_MAX_BYTES: int = env.int("IMAGE_UPLOAD_MAX_BYTES", default=5 * 1024 * 1024)
# The work an upload costs, read from its headers before any pixel is decoded (services/images.py):
# pixels of one frame, frames of an animation, and frames x canvas, which re-encoding time follows.
IMAGE_UPLOAD_MAX_PIXELS: int = env.int("IMAGE_UPLOAD_MAX_PIXELS", default=40_000_000)
IMAGE_UPLOAD_MAX_FRAMES: int = env.int("IMAGE_UPLOAD_MAX_FRAMES", default=150)
IMAGE_UPLOAD_MAX_TOTAL_PIXELS: int = env.int("IMAGE_UPLOAD_MAX_TOTAL_PIXELS", default=25_000_000)

# --- Backups (manage.py backup / restore; docs/deploy.md "Backups") ------------------------------
# Each backup is a timestamped folder here (the database, media.tar.gz, manifest.json); after each
# one only the newest BACKUP_KEEP are kept. Put it on another disk, and copy it off the machine.
BACKUP_DIR = Path(env.str("BACKUP_DIR", default=str(DATA_DIR / "backups")))
BACKUP_KEEP: int = env.int("BACKUP_KEEP", default=7)
# For sites without systemd's timer (deploy/systemd/shortscience-backup.timer): the task worker
# backs up on this cron schedule, "minute hour day month weekday" (e.g. "17 3 * * *"). Off: "".
BACKUP_SCHEDULE: str = env.str("BACKUP_SCHEDULE", default="").strip()
if BACKUP_SCHEDULE:
    from huey import crontab as _crontab

    try:
        _crontab(*BACKUP_SCHEDULE.split())
        if len(BACKUP_SCHEDULE.split()) != 5:
            raise ValueError("five fields")
    except (TypeError, ValueError) as _exc:
        raise ImproperlyConfigured(
            f"BACKUP_SCHEDULE must be five cron fields, minute hour day month weekday "
            f"(e.g. '17 3 * * *'), not {BACKUP_SCHEDULE!r}: {_exc}"
        ) from _exc

# --- Accounts (django-allauth, sign-in limits, social sign-in): shortscience/settings_accounts.py
from shortscience.settings_accounts import *  # noqa: E402, F403 -- the settings' accounts part, kept apart for length
from shortscience.settings_accounts import check_rates  # noqa: E402 -- after the part it is in

# Two-factor (allauth.mfa). Passkeys are bound to an https origin; a site on plain http is
# allowed them only on a loopback address (`make run`) or in DEBUG, never on a public name.
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_PASSKEY_LOGIN_ENABLED = True
MFA_TOTP_ISSUER: str = env.str("MFA_TOTP_ISSUER", default="ShortScience")
_site = urlsplit(SITE_URL)
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN: bool = DEBUG or (
    _site.scheme == "http" and _site.hostname in {"127.0.0.1", "localhost", "::1"}
)
# Staff and moderators must have a second factor before they can use the site as staff.
REQUIRE_STAFF_MFA: bool = env.bool("REQUIRE_STAFF_MFA", default=False)

# Sessions are recorded at sign-in; tracking every request would be a write per page view.
USERSESSIONS_TRACK_ACTIVITY = False

# --- Metadata sources (arXiv, Crossref, DBLP, OpenReview, Semantic Scholar) ------------------
METADATA_CONTACT_EMAIL: str = env.str("METADATA_CONTACT_EMAIL", default="admin@localhost")
METADATA_CACHE_DAYS: int = env.int("METADATA_CACHE_DAYS", default=30)
# The hourly metadata refresh (services/refresh.py): papers per run, 0 = off; and after how many
# days a paper's metadata is asked for again.
METADATA_REFRESH_BATCH: int = env.int("METADATA_REFRESH_BATCH", default=0)
METADATA_REFRESH_STALE_DAYS: int = env.int("METADATA_REFRESH_STALE_DAYS", default=180)
# The add page waits this long in all for arXiv, Crossref, DBLP, OpenReview and Semantic Scholar.
METADATA_LOOKUP_SECONDS: float = env.float("METADATA_LOOKUP_SECONDS", default=3.0)

# --- Rate limits on writes (sliding windows per person and per network, counted atomically
# across processes in Redis or the file cache: services/ratelimits.py) ---------------------------
RATE_LIMITS_ENABLED: bool = env.bool("RATE_LIMITS_ENABLED", default=True)
# A signed-in person's network admits this many times their own limit (many people, one NAT).
RATE_LIMITS_SIGNED_IN_IP_FACTOR: int = env.int("RATE_LIMITS_SIGNED_IN_IP_FACTOR", default=10)
RATE_LIMITS: dict[str, str] = {
    "publishing": env.str("RATE_LIMIT_PUBLISHING", default="30/3600"),
    # The editor asks for these while someone types: a preview per pause, an autosave per
    # few seconds of quiet (docs/writing.md).
    "previewing": env.str("RATE_LIMIT_PREVIEWING", default="1200/3600"),
    "autosaving": env.str("RATE_LIMIT_AUTOSAVING", default="600/3600"),
    "commenting": env.str("RATE_LIMIT_COMMENTING", default="60/3600"),
    "voting": env.str("RATE_LIMIT_VOTING", default="300/3600"),
    "uploading": env.str("RATE_LIMIT_UPLOADING", default="60/3600"),
    "paper_lookup": env.str("RATE_LIMIT_PAPER_LOOKUP", default="120/3600"),
    "flagging": env.str("RATE_LIMIT_FLAGGING", default="30/3600"),
    "exporting": env.str("RATE_LIMIT_EXPORTING", default="10/3600"),
    "following": env.str("RATE_LIMIT_FOLLOWING", default="120/3600"),
    "comment_preview": env.str("RATE_LIMIT_COMMENT_PREVIEW", default="600/3600"),
    "account_deletion": env.str("RATE_LIMIT_ACCOUNT_DELETION", default="5/3600"),
    # Word diffs between two revisions: a GET, but each compares up to two long texts.
    "diffing": env.str("RATE_LIMIT_DIFFING", default="300/3600"),
    # Saving papers, lists, statuses and notes (docs/library.md).
    "library": env.str("RATE_LIMIT_LIBRARY", default="300/3600"),
}
check_rates(RATE_LIMITS, "RATE_LIMIT", "60/3600")
if RATE_LIMITS_SIGNED_IN_IP_FACTOR < 1:
    raise ImproperlyConfigured("RATE_LIMITS_SIGNED_IN_IP_FACTOR must be 1 or more.")

# New members' first N published summaries wait, hidden, in the moderation queue (0: off).
HOLD_FIRST_POSTS: int = env.int("HOLD_FIRST_POSTS", default=0)
# Accounts younger than NEW_ACCOUNT_DAYS publish at most NEW_ACCOUNT_POSTS_PER_DAY summaries and
# comments a day, each with at most NEW_ACCOUNT_LINKS_PER_POST links (services/newcomers.py;
# 0 turns either off).
NEW_ACCOUNT_DAYS: int = env.int("NEW_ACCOUNT_DAYS", default=7)
NEW_ACCOUNT_POSTS_PER_DAY: int = env.int("NEW_ACCOUNT_POSTS_PER_DAY", default=0)
NEW_ACCOUNT_LINKS_PER_POST: int = env.int("NEW_ACCOUNT_LINKS_PER_POST", default=0)

# --- Content limits -----------------------------------------------------------------------------
SUMMARY_MAX_CHARS: int = env.int("SUMMARY_MAX_CHARS", default=60_000)
COMMENT_MAX_CHARS: int = env.int("COMMENT_MAX_CHARS", default=10_000)
PAGE_SIZE: int = env.int("PAGE_SIZE", default=20)

# --- Open data (manage.py dump_public; docs/data.md) --------------------------------------------
DUMP_LICENSE: str = env.str("DUMP_LICENSE", default="CC BY 4.0")

# --- Feeds (docs/feeds.md) ----------------------------------------------------------------------
# Every Atom/RSS feed and the old /rss*.xml files are cached this long: bots poll them constantly.

# --- Production hardening -------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SECURE_SSL_REDIRECT: bool = env.bool("SECURE_SSL_REDIRECT", default=False)
# A load balancer probes over plain HTTP on the app's own port.
SECURE_REDIRECT_EXEMPT = [r"^healthz/?$", r"^readyz/?$"]
SESSION_COOKIE_SECURE: bool = env.bool("SECURE_COOKIES", default=False)
CSRF_COOKIE_SECURE: bool = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS: int = env.int("SECURE_HSTS_SECONDS", default=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS: bool = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD: bool = env.bool("SECURE_HSTS_PRELOAD", default=False)
CSRF_COOKIE_HTTPONLY = True
BEHIND_PROXY: bool = env.bool("BEHIND_PROXY", default=False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if BEHIND_PROXY else None
# allauth's sign-in and sign-up limits count per client address: behind our one proxy that is
# the last X-Forwarded-For hop, as views/pages/common.client_ip reads it, not the proxy's own.
ALLAUTH_TRUSTED_PROXY_COUNT = 1 if BEHIND_PROXY else 0

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Metrics, logs, error tracking (docs/deploy.md, docs/decisions/0011-observability.md) ------
# /metrics answers requests that carry `Authorization: Bearer <METRICS_TOKEN>` (when set) or
# come from an address in METRICS_ALLOW (networks; through a proxy, the address it saw too).
METRICS_TOKEN: str = env.str("METRICS_TOKEN", default="")
METRICS_ALLOW: list[str] = env.list("METRICS_ALLOW", default=["127.0.0.1/32", "::1/128"])
# With several processes (gunicorn workers) prometheus_client keeps each one's figures in files
# here and /metrics adds them up; `serve` sets it to var/metrics. Empty: one process only.
PROMETHEUS_MULTIPROC_DIR: str = env.str("PROMETHEUS_MULTIPROC_DIR", default="")

LOG_LEVEL: str = env.str("LOG_LEVEL", default="INFO")
LOG_FORMAT: str = env.str("LOG_FORMAT", default="text")
if LOG_FORMAT not in ("text", "json"):
    raise ImproperlyConfigured(f"LOG_FORMAT must be 'text' or 'json', not {LOG_FORMAT!r}.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request": {"()": "shortscience.logs.RequestContextFilter"}},
    "formatters": {
        "text": {"()": "shortscience.logs.TextFormatter"},
        # One JSON object per line; the request log line adds user_id, method, route, status and
        # duration_ms (views/observability.py).
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "{levelname}{name}{message}",
            "style": "{",
            "rename_fields": {"levelname": "level", "name": "logger"},
            "timestamp": "time",
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request"],
        }
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # run_huey gives the huey logger a handler of its own unless it has one already; with
        # that and propagation to the root, every worker line was printed twice.
        "huey": {"handlers": ["console"], "level": LOG_LEVEL, "propagate": False},
    },
}

SENTRY_DSN: str = env.str("SENTRY_DSN", default="")
SENTRY_ENVIRONMENT: str = env.str(
    "SENTRY_ENVIRONMENT", default="development" if DEBUG else "production"
)
SENTRY_RELEASE: str = env.str("SENTRY_RELEASE", default="")
SENTRY_TRACES_SAMPLE_RATE: float = env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0)
if SENTRY_DSN:
    from importlib.metadata import version

    from shortscience import sentry

    sentry.init(
        dsn=SENTRY_DSN,
        environment=SENTRY_ENVIRONMENT,
        release=SENTRY_RELEASE or f"shortscience@{version('shortscience')}",
        traces_sample_rate=SENTRY_TRACES_SAMPLE_RATE,
    )
