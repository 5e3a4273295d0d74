"""Piyao settings, read from the environment.

Defaults are safe for a newcomer's laptop (SQLite under ./data, local-memory cache, console e-mail).
Production sets SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL and friends; the helpers below refuse
values they do not understand instead of guessing.
"""

import base64
import ipaddress
import os
import re
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from core.rates import parse_rate

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name, default=""):
    return os.environ.get(name, default)


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def env_log_level(name, default):
    """A logging level by name, in any case (gunicorn's own LOG_LEVEL reads "info" too); refused when unknown."""
    value = (os.environ.get(name) or default).upper()
    if value not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
        raise ImproperlyConfigured(f"{name} must be one of debug, info, warning, error, critical; got {value!r}.")
    return value


def env_rate(name, default):
    """A rate such as "5/10m", refused at start-up when it does not read as one (core/rates.py)."""
    value = env_str(name, default)
    parse_rate(value, name)
    return value


def env_int(name, default):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from None


def env_positive_int(name, default):
    value = env_int(name, default)
    if value < 1:
        raise ImproperlyConfigured(f"{name} must be a whole number above 0, not {value}")
    return value


def env_list(name, default=()):
    value = os.environ.get(name)
    if value is None:
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


def env_networks(name, default):
    """Comma-separated addresses or networks (``10.0.0.5``, ``10.0.0.0/24``, ``::1``); anything else stops
    start-up, and so does a network written with host bits (``10.0.0.5/24``: which was meant?)."""
    networks = []
    for item in env_list(name, default):
        try:
            networks.append(ipaddress.ip_network(item, strict=True))
        except ValueError:
            raise ImproperlyConfigured(
                f"{name} must list IP addresses or networks such as 10.0.0.0/24, separated by commas; "
                f"{item!r} is not one"
            ) from None
    return networks


# --- Core ---------------------------------------------------------------------------------------

DEBUG = env_bool("DEBUG", False)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off (make run generates one).")
    SECRET_KEY = "insecure-development-key-do-not-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

SITE_NAME = env_str("SITE_NAME", "Piyao")
# The Chinese half of the header's wordmark, beside SITE_NAME; empty shows SITE_NAME alone.
SITE_NAME_ZH = env_str("SITE_NAME_ZH", "辟谣")

DATA_DIR = Path(env_str("DATA_DIR", str(BASE_DIR / "data"))).resolve()

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django_filters",
    "rest_framework",
    "drf_spectacular",
    "simple_history",
    "csp",
    # These two under our own, translated names (core/third_party.py).
    "core.third_party.LoginProtectionConfig",
    "django_tasks",
    "core.third_party.TaskQueueConfig",
    # Ours, from the shared helpers up (docs/architecture.md; tests/test_architecture.py keeps it so).
    "core",
    "clarifications",
    "tips",
    "home",
    "opendata",
    "ops",
]

MIDDLEWARE = [
    # Counts every request, by view, and its time, cached pages included (core/metrics.py).
    "core.metrics.MetricsMiddleware",
    # Then every request gets its id for the logs (see core/logs.py).
    "core.logs.RequestLogMiddleware",
    # First: a cached public page skips everything below (see clarifications/pagecache.py).
    "clarifications.pagecache.PublicPageCacheMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Below WhiteNoise (which serves its own precompressed files): compresses the pages that are not
    # cached. BREACH: see clarifications/pagecache.py.
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # After LocaleMiddleware so that its 413 page speaks the URL's language; before anything reads the body.
    "core.middleware.RequestSizeLimitMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

# A staff member's reason for a change (a re-opening, a detached report) is kept whole in the history.
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "clarifications.context_processors.site",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------------------------
# SQLite is the embedded default: WAL lets readers run beside the one writer, the busy timeout makes
# a second writer wait instead of failing, and IMMEDIATE transactions take the write lock up front so
# a read-then-write transaction cannot dead-end in "database is locked". The engine is Django's own
# behind core/sqlite, which opens only an existing file: a missing database is an error, never a new
# empty one (manage.py migrate creates it).
SQLITE_ENGINE = "core.sqlite"

# Memory-mapped reads (up to SQLITE_MMAP_MB, 256 by default) let every worker read the database
# through the one copy in the OS page cache, instead of copying pages into a cache of its own on each
# connection: at 30,000 clarifications the search benchmark's 95th percentile was 10-15 % lower
# (benchmarks/search_bench.py, 256 against 0). The pages a worker has read count in its RSS though
# they are shared (benchmarks/http_bench.py prints how much); SQLITE_MMAP_MB=0 turns it off.
SQLITE_MMAP_MB = env_int("SQLITE_MMAP_MB", 256)
if SQLITE_MMAP_MB < 0:
    raise ImproperlyConfigured(f"SQLITE_MMAP_MB must be 0 (off) or a number of MB, not {SQLITE_MMAP_MB}")
SQLITE_OPTIONS = {
    "transaction_mode": "IMMEDIATE",
    "timeout": env_int("SQLITE_BUSY_TIMEOUT", 20),
    "init_command": (f"PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA mmap_size={SQLITE_MMAP_MB * 2**20};"),
}

# PostgreSQL: no parallel workers for a request. On two busy cores, starting them took 20 ms for a
# search statement that runs in 0.4 ms alone (EXPLAIN ANALYZE on 100,000 clarifications); the web's
# statements are small, and concurrent requests already use the cores. No JIT either: the staff
# charts' aggregates over a million reports pass jit_above_cost yet run in a tenth of a second, and
# compiling took longer than running (benchmarks/office_bench.py). An `options` given in
# DATABASE_URL comes after these and wins.
POSTGRES_SESSION_OPTIONS = "-c max_parallel_workers_per_gather=0 -c jit=off"

# Connections are kept between requests: opening one (and, on SQLite, running the PRAGMAs above)
# costs more than a cached page.
CONN_MAX_AGE = env_int("CONN_MAX_AGE", 600)

DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=CONN_MAX_AGE)}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
        DATABASES["default"]["ENGINE"] = SQLITE_ENGINE
        DATABASES["default"]["OPTIONS"] = SQLITE_OPTIONS
    else:
        DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
        options = DATABASES["default"].setdefault("OPTIONS", {})
        options["options"] = f"{POSTGRES_SESSION_OPTIONS} {options.get('options', '')}".strip()
else:
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": SQLITE_ENGINE,
            "NAME": str(DATA_DIR / "db.sqlite3"),
            "OPTIONS": SQLITE_OPTIONS,
            "CONN_MAX_AGE": CONN_MAX_AGE,
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache --------------------------------------------------------------------------------------

REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    # Short timeouts: an unreachable Redis must cost a page a moment, not a worker (see pagecache.py).
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
else:
    # Per worker process; the page cache stays correct anyway (see clarifications/pagecache.py).
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "OPTIONS": {"MAX_ENTRIES": 1000}}}

# Anonymous public pages are cached whole, keyed by the content version (see clarifications/pagecache.py),
# so they are never stale on the server; browsers revalidate them (ETag) on every visit. Each process
# reads the version again at most every PAGE_CACHE_RECHECK_SECONDS: how long a change may take to reach
# every worker and app server.
PAGE_CACHE_ENABLED = env_bool("PAGE_CACHE_ENABLED", True)
PAGE_CACHE_SECONDS = env_int("PAGE_CACHE_SECONDS", 600)
PAGE_CACHE_RECHECK_SECONDS = 0.25

# --- Authentication -----------------------------------------------------------------------------

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Brute-force protection of the staff login (django-axes): after LOGIN_FAILURE_LIMIT wrong passwords
# for one username from one address, that pair is locked out for LOGIN_COOLOFF_MINUTES. Attempts are
# stored in the database, so every worker and app server sees the same count. The axes backend must
# come first: it refuses a locked-out pair before the password is even checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "core.login.lockout_response"
AXES_CLIENT_IP_CALLABLE = "core.clients.client_key"
# How many reverse proxies stand in front of gunicorn (and append to X-Forwarded-For); 0 ignores the
# header, since any client can send it, and the peer address is the visitor's. The one client-address
# rule of the site (core/clients.py): the login lockout, the tip rate limit, the API throttle, logs.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
# IPv6 clients are counted by their network of this many bits for every limit (core/clients.py).
CLIENT_IPV6_PREFIX = env_int("CLIENT_IPV6_PREFIX", 64)
if not 32 <= CLIENT_IPV6_PREFIX <= 128:
    raise ImproperlyConfigured(f"CLIENT_IPV6_PREFIX must be a prefix length from 32 to 128, not {CLIENT_IPV6_PREFIX}")

# Staff sessions end after a working day; the public site sets no session cookie.
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = env_bool("SESSION_EXPIRE_AT_BROWSER_CLOSE", False)

# --- Internationalisation -----------------------------------------------------------------------

LANGUAGE_CODE = env_str("LANGUAGE_CODE", "zh-hans")
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
if LANGUAGE_CODE not in dict(LANGUAGES):
    raise ImproperlyConfigured(f"LANGUAGE_CODE must be one of {', '.join(dict(LANGUAGES))}")
LOCALE_PATHS = [BASE_DIR / "locale"]
# Our own date formats where Django's differ from what readers expect (English: 3 March 2025).
FORMAT_MODULE_PATH = ["config.formats"]
TIME_ZONE = env_str("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

# --- Static and media files ---------------------------------------------------------------------

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = DATA_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    # Tip screenshots: outside MEDIA_ROOT, so no URL of the public site can reach them.
    "private": {"BACKEND": "core.storage.PrivateStorage"},
}
PRIVATE_ROOT = DATA_DIR / "private"
# The open-data downloads, built once per content version (opendata/files.py); rebuilt from the database.
OPEN_DATA_ROOT = DATA_DIR / "open-data"
# Uploads under MEDIA_ROOT are served by the app (core/media.py) unless a reverse proxy does it.
SERVE_MEDIA = env_bool("SERVE_MEDIA", True)
MEDIA_MAX_AGE = 24 * 3600
# Illustrations are re-encoded like tip screenshots (core/images.py), up to this size.
ILLUSTRATION_MAX_UPLOAD_BYTES = env_int("ILLUSTRATION_MAX_UPLOAD_BYTES", 5 * 1024 * 1024)
# Hashed names never change content, so browsers may keep them for a year.
WHITENOISE_MAX_AGE = 365 * 24 * 3600

# --- E-mail -------------------------------------------------------------------------------------


def email_settings_from_url(url):
    """EMAIL_URL such as smtp+tls://user:password@mail.example.org:587 or console://."""
    parts = urlsplit(url)
    backends = {
        "console": "django.core.mail.backends.console.EmailBackend",
        "smtp": "django.core.mail.backends.smtp.EmailBackend",
        "smtp+tls": "django.core.mail.backends.smtp.EmailBackend",
        "smtps": "django.core.mail.backends.smtp.EmailBackend",
        "locmem": "django.core.mail.backends.locmem.EmailBackend",
    }
    if parts.scheme not in backends:
        raise ImproperlyConfigured(f"EMAIL_URL scheme must be one of {', '.join(backends)}")
    query = parse_qs(parts.query)
    return {
        "EMAIL_BACKEND": backends[parts.scheme],
        "EMAIL_HOST": parts.hostname or "localhost",
        "EMAIL_PORT": parts.port or (465 if parts.scheme == "smtps" else 587 if parts.scheme == "smtp+tls" else 25),
        "EMAIL_HOST_USER": unquote(parts.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
        "EMAIL_USE_TLS": parts.scheme == "smtp+tls",
        "EMAIL_USE_SSL": parts.scheme == "smtps",
        "DEFAULT_FROM_EMAIL": query.get("from", [env_str("DEFAULT_FROM_EMAIL", "piyao@localhost")])[0],
    }


if env_str("EMAIL_URL"):
    globals().update(email_settings_from_url(env_str("EMAIL_URL")))
else:
    EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
    EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
    EMAIL_PORT = env_int("EMAIL_PORT", 25)
    EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
    EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
    EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
    DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "piyao@localhost")
EMAIL_TIMEOUT = 10
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Security -----------------------------------------------------------------------------------

# The DEBUG page and error reports mask the settings that hold secrets in URLs too (core/reporting.py).
DEFAULT_EXCEPTION_REPORTER_FILTER = "core.reporting.SecretSettingsFilter"

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# Secure by default: with DEBUG off the site is taken to be served over https (behind a TLS proxy), so
# cookies are Secure, HSTS is sent and plain HTTP is redirected, unless the operator says the site runs
# on plain HTTP with HTTPS=false (as `make run` does for the local demo).
HTTPS = env_bool("HTTPS", not DEBUG)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS and env_bool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000) if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS and env_bool("SECURE_HSTS_PRELOAD", False)
if env_bool("TRUST_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# A load balancer probes /healthz over plain HTTP; a redirect would read as "down".
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
# HSTS preload is a one-way commitment for the whole domain, made by submitting it to the browsers'
# list; the office opts in with SECURE_HSTS_PRELOAD=true, so the deploy check's reminder is silenced.
SILENCED_SYSTEM_CHECKS = ["security.W021"]

# Content-Security-Policy (django-csp): only our own scripts, styles and images, no inline code at
# all. Templates therefore never carry <script> bodies, style="" attributes or on*= handlers.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

# Request size limits. The middleware refuses a declared body larger than MAX_REQUEST_BYTES with a
# 413 page before anything reads it (a tip's screenshot may be up to 5 MB); Django's own limits then
# bound what is parsed: form fields held in memory, the number of fields and of files, and the size
# above which an upload is streamed to a temporary file instead of memory.
MAX_REQUEST_BYTES = env_int("MAX_REQUEST_BYTES", 6 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000
DATA_UPLOAD_MAX_NUMBER_FILES = 10
FILE_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024

# --- Site behaviour -----------------------------------------------------------------------------

CLARIFICATIONS_PER_PAGE = 20
# The office that issues the site's own clarifications, used as the default authority and as the
# ClaimReview author.
OFFICE_NAME = env_str("OFFICE_NAME", "市互联网信息办公室")
OFFICE_URL = env_str("OFFICE_URL", "")
# The office's name on English pages (and in English ClaimReview); empty uses OFFICE_NAME.
OFFICE_NAME_EN = env_str("OFFICE_NAME_EN", "City Internet Information Office")
# Four-eyes rule: whoever publishes a clarification must not be its author. FOUR_EYES=false relaxes
# it for a one-person office.
PIYAO_FOUR_EYES = env_bool("FOUR_EYES", True)
# The font of the share pictures' Chinese text (clarifications/share_font.py): empty finds Debian's
# fonts-noto-cjk at its standard path; otherwise a font file with a Simplified Chinese face. Without one
# the site shares its default picture and the system check piyao.W002 says so.
SHARE_FONT_PATH = env_str("SHARE_FONT_PATH")
# The licence of the open data (the statistics page and the downloads), named on the page and linked
# from each download's Link header. The data must not go out without one.
OPEN_DATA_LICENCE = env_str("OPEN_DATA_LICENCE", "CC BY 4.0")
OPEN_DATA_LICENCE_URL = env_str("OPEN_DATA_LICENCE_URL", "https://creativecommons.org/licenses/by/4.0/")
if not OPEN_DATA_LICENCE.strip():
    raise ImproperlyConfigured("OPEN_DATA_LICENCE must name the licence of the open data, e.g. 'CC BY 4.0'.")

# /healthz answers 503 ("disk full") when the data folder has less free space than this: tips and
# their screenshots could no longer be stored.
HEALTHZ_MIN_FREE_BYTES = env_int("HEALTHZ_MIN_FREE_MB", 32) * 1024 * 1024

# --- Citizen tips -------------------------------------------------------------------------------

# At most this many tips per client address per period: "5/10m" (s, m, h or d; "5/m" is 5 a minute).
# Shared by all workers: Redis when REDIS_URL is set, the database otherwise.
TIPS_RATE = env_rate("TIPS_RATE", "5/10m")
# The status page and the code look-up, per client address, so that codes cannot be tried in bulk.
TIPS_LOOKUP_RATE = env_rate("TIPS_LOOKUP_RATE", "30/10m")
TIPS_MAX_UPLOAD_BYTES = env_int("TIPS_MAX_UPLOAD_BYTES", 5 * 1024 * 1024)
# Contact e-mail and address hash of a closed tip are deleted this many days after it was closed
# (manage.py purge_tip_personal_data, run daily).
TIPS_PERSONAL_DATA_DAYS = env_int("TIPS_PERSONAL_DATA_DAYS", 90)

# --- The WeChat official account (tips/intake/wechat/) ---------------------------------------------------

# The token entered in the account's server settings (服务器配置 → 令牌); without it /wechat/ answers 404.
WECHAT_TOKEN = env_str("WECHAT_TOKEN")
# The account's original id (原始ID, gh_…): when set, messages addressed to another account are refused.
WECHAT_ACCOUNT_ID = env_str("WECHAT_ACCOUNT_ID")
# Hosts a picture sent to the account may be fetched from (WeChat's image servers); nothing else is fetched.
WECHAT_PICTURE_HOSTS = env_list("WECHAT_PICTURE_HOSTS", ["mmbiz.qpic.cn", "mmbiz.qlogo.cn"])
# Safe (encrypted) mode: the account's AppID (wx + 16 hex digits) and EncodingAESKey (消息加解密密钥, 43
# characters of base64). Both or neither; without them only plain and compatible mode work.
WECHAT_APP_ID = env_str("WECHAT_APP_ID")
WECHAT_ENCODING_AES_KEY = env_str("WECHAT_ENCODING_AES_KEY")
if bool(WECHAT_APP_ID) != bool(WECHAT_ENCODING_AES_KEY):
    raise ImproperlyConfigured(
        "WECHAT_APP_ID and WECHAT_ENCODING_AES_KEY go together: set both for safe mode, or neither"
    )
if WECHAT_APP_ID and not re.fullmatch(r"wx[0-9a-f]{16}", WECHAT_APP_ID):
    raise ImproperlyConfigured(f"WECHAT_APP_ID must look like wx followed by 16 hex digits, not {WECHAT_APP_ID!r}")
if WECHAT_ENCODING_AES_KEY and not (
    re.fullmatch(r"[A-Za-z0-9+/]{43}", WECHAT_ENCODING_AES_KEY)
    and len(base64.b64decode(WECHAT_ENCODING_AES_KEY + "=")) == 32
):
    raise ImproperlyConfigured("WECHAT_ENCODING_AES_KEY must be the account's 43-character EncodingAESKey (base64)")

# --- Task queue and screenshot reading (OCR) ------------------------------------------------------

# Slow work (reading screenshots, the answer e-mail) runs in a worker, never in a request: the
# django-tasks API (Django 6.0's own) with its database backend, so tasks survive restarts and need
# nothing beyond the database. Start workers with `manage.py run_worker` (make run starts one).
# Retries and the recovery of tasks whose worker died: core/taskqueue.py.
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        # "checks" holds the visitors' "check a screenshot" (bounded, see below), "default" the rest.
        "QUEUES": ["default", "checks"],
    }
}
# A task is tried this many times in all (a failure, or a worker that died under it), then left failed.
TASK_MAX_ATTEMPTS = env_int("TASK_MAX_ATTEMPTS", 3)
# A task running longer than this is taken for lost with its worker and queued again.
TASK_STALLED_AFTER_SECONDS = env_int("TASK_STALLED_AFTER_SECONDS", 600)
# Screenshots are read with tesseract's Simplified Chinese model (tips/intake/ocr.py); OCR_TESSDATA names
# the folder of chi_sim.traineddata when it is not in one of the usual places.
OCR_ENABLED = env_bool("OCR_ENABLED", True)
# The engine: "tesseract" (the default, light) or "rapidocr" (PP-OCR on onnxruntime: reads better, needs
# about 1 GB more per task worker and `pip install -r requirements-rapidocr.txt`; docs/ocr.md compares them).
OCR_ENGINE = env_str("OCR_ENGINE") or "tesseract"
# Each reading runs in a child process of the worker within these bounds (tips/intake/ocr.py): past
# them the picture "could not be read" and the worker goes on with the next task. Their defaults are
# the engine's: rapidocr takes about five times tesseract's CPU time (a 1080 x 9000 capture: 21 s),
# and its onnxruntime and OpenCV reserve about 1.6 GB of address space to use 0.9 GB of memory.
OCR_BOUNDS_BY_ENGINE = {
    "tesseract": {"OCR_TIMEOUT_SECONDS": 60, "OCR_CPU_SECONDS": 30, "OCR_MEMORY_MB": 1024},
    "rapidocr": {"OCR_TIMEOUT_SECONDS": 120, "OCR_CPU_SECONDS": 60, "OCR_MEMORY_MB": 3072},
}
if OCR_ENGINE not in OCR_BOUNDS_BY_ENGINE:
    raise ImproperlyConfigured(f"OCR_ENGINE must be tesseract or rapidocr, not {OCR_ENGINE!r}")
OCR_TESSDATA = env_str("OCR_TESSDATA")
OCR_TIMEOUT_SECONDS = env_positive_int("OCR_TIMEOUT_SECONDS", OCR_BOUNDS_BY_ENGINE[OCR_ENGINE]["OCR_TIMEOUT_SECONDS"])
OCR_CPU_SECONDS = env_positive_int("OCR_CPU_SECONDS", OCR_BOUNDS_BY_ENGINE[OCR_ENGINE]["OCR_CPU_SECONDS"])
OCR_MEMORY_MB = env_positive_int("OCR_MEMORY_MB", OCR_BOUNDS_BY_ENGINE[OCR_ENGINE]["OCR_MEMORY_MB"])
# "Check a screenshot": beyond this many pictures waiting, visitors are asked to come back later.
SCREENSHOT_CHECK_MAX_WAITING = env_int("SCREENSHOT_CHECK_MAX_WAITING", 20)
# ... and beyond this many of one client address's, that visitor is asked to wait for them (429), so
# that two addresses cannot fill the queue for everyone (tips/intake/tasks.py).
SCREENSHOT_CHECK_MAX_WAITING_PER_CLIENT = env_positive_int("SCREENSHOT_CHECK_MAX_WAITING_PER_CLIENT", 3)
# Checks per client address and period, counted like tips (core/ratelimit.py).
SCREENSHOT_CHECK_RATE = env_rate("SCREENSHOT_CHECK_RATE", "10/10m")

# --- The "most asked" ranking --------------------------------------------------------------------

# Page-view beacons counted per client address and period (clarifications/pageviews.py): enough for
# anyone reading, too few for one machine to push a clarification up the ranking.
VIEWS_RATE = env_rate("VIEWS_RATE", "120/h")
# Open-data downloads answered with a body (200 or 206) per client address and period (opendata/files.py).
OPEN_DATA_RATE = env_rate("OPEN_DATA_RATE", "20/h")
# Views are counted in each worker's memory and written every this many seconds, so that a beacon
# never waits for the database's write lock (clarifications/pageviews.py).
VIEWS_FLUSH_SECONDS = env_positive_int("VIEWS_FLUSH_SECONDS", 10)

# --- Read-only JSON API (Django REST framework) -------------------------------------------------
# Anonymous clients are throttled per IP address (clarifications/api.py). The counts live in the
# cache: per process with the local-memory cache, shared between app servers only with REDIS_URL.
API_ANON_RATE = env_str("API_ANON_RATE", "60/min")

REST_FRAMEWORK = {
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Piyao API",
    "DESCRIPTION": "Read-only access to the published rumor clarifications.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
}

# --- Operators' metrics (ops/metrics.py) ---------------------------------------------------------

# /metrics answers only these client addresses (by the site's client-address rule, core/clients.py):
# Prometheus scrapes each app server directly. Empty: nobody.
METRICS_ALLOWED_ADDRESSES = env_networks("METRICS_ALLOWED_ADDRESSES", ["127.0.0.1", "::1"])
# Where the web and task workers of this machine keep their counts, for /metrics to add up
# (core/metrics.py); empty keeps each process's counts to itself. One folder per app server.
METRICS_DIR = env_str("METRICS_DIR", str(DATA_DIR / "metrics"))

# --- Logging ------------------------------------------------------------------------------------

# One line per significant action with its request id, user and (for staff) address: see core/logs.py.
# LOG_FORMAT=json writes one JSON object a line for log collectors; the default is readable text.
LOG_FORMAT = env_str("LOG_FORMAT", "text")
if LOG_FORMAT not in ("text", "json"):
    raise ImproperlyConfigured(f"LOG_FORMAT must be text or json, not {LOG_FORMAT!r}")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request": {"()": "core.logs.RequestContextFilter"},
        "redact": {"()": "core.redaction.RedactingFilter"},
    },
    "formatters": {"text": {"()": "core.logs.TextFormatter"}, "json": {"()": "core.logs.JsonFormatter"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["request", "redact"], "formatter": LOG_FORMAT}
    },
    "root": {"handlers": ["console"], "level": env_log_level("LOG_LEVEL", "INFO")},
}
