"""jinguo settings: one module, configured by environment variables.

JINGUO_ENV            development (default) | production
DATABASE_URL          sqlite:///path or postgres://user@host:port/name (default: SQLite in var/)
JINGUO_REPLICA_URL    optional read replica (PostgreSQL) that statistics and work summaries read from
JINGUO_SECRET_KEY     required in production; development generates one in var/
JINGUO_DATA_KEY       personal-data encryption key (base64, 32 bytes); required in production
JINGUO_DATA_KEYS_RETIRED  comma-separated earlier data keys, still able to decrypt (during `jinguo rotate_key`)
JINGUO_INDEX_KEY      key of the search hashes (default: JINGUO_DATA_KEY); keep it fixed when the data key rotates
JINGUO_AUDIT_KEY      key that signs the audit chain (base64, 32 bytes; default: generated once in var/audit_key)
JINGUO_AUDIT_KEYS_RETIRED  comma-separated earlier audit keys: they verify the entries they signed (keep them)
JINGUO_AUDIT_CHECKPOINTS  file of signed audit checkpoints, kept outside the database (default: var/audit-checkpoints)
JINGUO_TRUSTED_PROXIES  comma-separated addresses/CIDRs of our reverse proxies; only from them X-Forwarded-For counts
JINGUO_ALLOWED_HOSTS  comma-separated host names (production)
JINGUO_REQUIRE_2FA    1 = every user needs a second factor (administrators always do)
JINGUO_TLS            1 = served behind TLS (secure cookies, HSTS)
JINGUO_TASKS          database (default) | immediate — how background tasks run
JINGUO_API_TOKEN_DAYS days a REST API token stays valid (default 90)
JINGUO_IMPORT_MAX_ROWS / JINGUO_IMPORT_MAX_COLUMNS  the most data rows (200000) and columns (200) one import reads
"""

import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("JINGUO_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)

ENVIRONMENT = os.environ.get("JINGUO_ENV", "development")
PRODUCTION = ENVIRONMENT == "production"
# Django's technical error pages only when asked for on purpose: `make run` shows users the Chinese 403/404/500
# pages, and static files are served by WhiteNoise either way.
DEBUG = not PRODUCTION and os.environ.get("JINGUO_DEBUG", "0") == "1"


def _env_flag(name: str, default: bool = False) -> bool:
    return os.environ.get(name, "1" if default else "0").strip().lower() in {"1", "true", "yes", "on"}


def _dev_secret(name: str, make) -> str:
    """A per-checkout secret kept in var/ so development restarts keep sessions and data readable."""
    path = VAR_DIR / name
    if not path.exists():
        path.write_text(make())
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = os.environ.get("JINGUO_SECRET_KEY", "")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("JINGUO_SECRET_KEY must be set in production.")
    SECRET_KEY = _dev_secret("secret_key", lambda: secrets.token_urlsafe(50))

DATA_KEY = os.environ.get("JINGUO_DATA_KEY", "")
if not DATA_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("JINGUO_DATA_KEY must be set in production (personal-data encryption key).")
    import base64

    DATA_KEY = _dev_secret("data_key", lambda: base64.b64encode(secrets.token_bytes(32)).decode())

DATA_KEYS_RETIRED = [k.strip() for k in os.environ.get("JINGUO_DATA_KEYS_RETIRED", "").split(",") if k.strip()]
INDEX_KEY = os.environ.get("JINGUO_INDEX_KEY", "")

# The audit chain is signed (HMAC) with a key the database never holds: whoever can rewrite rows cannot re-sign them.
# Retired audit keys stay configured: they verify the entries they signed (see docs/deploy.md, key rotation).
AUDIT_KEY = os.environ.get("JINGUO_AUDIT_KEY", "")
if not AUDIT_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("JINGUO_AUDIT_KEY must be set in production (the audit chain's key, kept apart "
                                   "from the database).")
    import base64

    AUDIT_KEY = _dev_secret("audit_key", lambda: base64.b64encode(secrets.token_bytes(32)).decode())
AUDIT_KEYS_RETIRED = [k.strip() for k in os.environ.get("JINGUO_AUDIT_KEYS_RETIRED", "").split(",") if k.strip()]
# Signed checkpoints (entry number, hash, time, signature) outside the database: a cut tail shows against them.
AUDIT_CHECKPOINT_FILE = Path(os.environ.get("JINGUO_AUDIT_CHECKPOINTS", VAR_DIR / "audit-checkpoints"))
AUDIT_CHECKPOINT_EVERY = int(os.environ.get("JINGUO_AUDIT_CHECKPOINT_EVERY", "1000"))  # entries …
AUDIT_CHECKPOINT_MINUTES = int(os.environ.get("JINGUO_AUDIT_CHECKPOINT_MINUTES", "10"))  # … or minutes per process
# In production a trail without its checkpoint files fails `audit_verify` (they must be kept, not lost).
AUDIT_CHECKPOINT_REQUIRED = _env_flag("JINGUO_AUDIT_CHECKPOINT_REQUIRED", default=PRODUCTION)

ALLOWED_HOSTS = [h.strip() for h in os.environ.get("JINGUO_ALLOWED_HOSTS", "").split(",") if h.strip()]
if not PRODUCTION:
    ALLOWED_HOSTS += ["127.0.0.1", "localhost", "testserver", "[::1]"]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",  # the form renderer reads widget templates through TEMPLATES, so jinguo/templates can restyle them
    "django_htmx",
    "django_filters",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "jinguo.core",
    "jinguo.orgs",
    "jinguo.accounts",
    "jinguo.audit",
    "jinguo.ledger",
    "jinguo.petitions",
    "jinguo.people",
    "jinguo.monitoring",
    "jinguo.grassroots",
    "jinguo.articles",
    "jinguo.reports",
    "jinguo.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "jinguo.core.middleware.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "jinguo.accounts.middleware.SessionRefreshMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "jinguo.audit.middleware.AuditContextMiddleware",
    "jinguo.accounts.middleware.AccessPolicyMiddleware",
    # Last, as django-axes asks.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "jinguo.urls"
WSGI_APPLICATION = "jinguo.wsgi.application"

# Every widget gets its Bootstrap class in one place (jinguo/core/renderers.py), not form by form.
FORM_RENDERER = "jinguo.core.renderers.BootstrapRenderer"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "jinguo" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "jinguo.navigation.navigation",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------------------------------------------
DATABASE_URL = os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'jinguo.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers work while one writer writes; IMMEDIATE takes the write lock at BEGIN, so two
        # writers queue instead of failing half-way with "database is locked".
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        "transaction_mode": "IMMEDIATE",
        # A writer waits this long for the lock: the longest write is a large import's writing pass (its
        # checking pass holds no lock), and a sign-in behind it should wait for it rather than fail.
        "timeout": 60,
    }

# PostgreSQL's JIT compiles a query whose estimated cost is high — a summary's GROUP BY over a year's activities with
# its section CASE — and spent a second compiling each one to save milliseconds running it (measured: 1.06 s of a
# 2.07 s query). Reports here are many medium queries, never one hours-long scan: off.
_PG_OPTIONS = {"options": "-c jit=off"}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("OPTIONS", {}).update(_PG_OPTIONS)

if os.environ.get("JINGUO_REPLICA_URL"):
    # Reports read from a streaming replica (jinguo.core.routers); writes and everything else use the primary.
    DATABASES["replica"] = dj_database_url.parse(os.environ["JINGUO_REPLICA_URL"], conn_max_age=60)
    if DATABASES["replica"]["ENGINE"] == "django.db.backends.postgresql":
        DATABASES["replica"].setdefault("OPTIONS", {}).update(_PG_OPTIONS)
DATABASE_ROUTERS = ["jinguo.core.routers.ReplicaRouter"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts and login security (等保2.0 8.1.4.1) -----------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "jinguo.accounts.validators.CharacterClassValidator"},
    {"NAME": "jinguo.accounts.validators.NotUsernameValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "jinguo.accounts.validators.PasswordHistoryValidator"},
]
PASSWORD_HISTORY = 5  # the last five passwords (the current one included) cannot be chosen again
PASSWORD_MAX_AGE_DAYS = int(os.environ.get("JINGUO_PASSWORD_MAX_AGE_DAYS", "90"))
REQUIRE_2FA_FOR_ALL = _env_flag("JINGUO_REQUIRE_2FA")
# REST API tokens (accounts.ApiToken): stored as digests, valid this many days, gone with a password change.
API_TOKEN_DAYS = int(os.environ.get("JINGUO_API_TOKEN_DAYS", "90"))
OTP_TOTP_ISSUER = "巾帼"

LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Idle sessions end after 30 minutes: a request pushes the expiry forward, at most once a minute (so the session is
# not written on every request: accounts.middleware.SessionRefreshMiddleware).
SESSION_COOKIE_AGE = 30 * 60
SESSION_REFRESH_SECONDS = 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# django-axes: five wrong passwords lock the account (not the IP) for 15 minutes.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "jinguo.accounts.views.locked_out"
AXES_VERBOSE = False
AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]
AXES_CLIENT_IP_CALLABLE = "jinguo.core.net.client_ip"  # the one rule for the client address (trusted proxies)
# axes.W006: locking the account (not the address) is the 等保 requirement; per-address throttling is separate.
# models.W040: covering indexes (INCLUDE) are PostgreSQL's; SQLite builds the same index without the extra column.
SILENCED_SYSTEM_CHECKS = ["axes.W006", "models.W040"]
LOGIN_ADDRESS_LIMIT = int(os.environ.get("JINGUO_LOGIN_ADDRESS_LIMIT", "30"))  # failed sign-ins from one address …
LOGIN_ADDRESS_WINDOW = 15 * 60  # … within this many seconds pause sign-in from it
# Personal data shown in clear: at most this many times per person within UNMASK_WINDOW seconds; past it each further
# request is refused and the refusal recorded (an insider copying out victims' identities one by one stands out).
UNMASK_LIMIT = int(os.environ.get("JINGUO_UNMASK_LIMIT", "30"))
UNMASK_WINDOW = 10 * 60
# Our reverse proxies: only when the peer is one of them do X-Forwarded-For / X-Real-IP name the client.
TRUSTED_PROXIES = [p.strip() for p in os.environ.get("JINGUO_TRUSTED_PROXIES", "").split(",") if p.strip()]

# --- Security headers -------------------------------------------------------------------------------------------
TLS = _env_flag("JINGUO_TLS", default=PRODUCTION)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SECURE = TLS
CSRF_COOKIE_SECURE = TLS
SECURE_HSTS_SECONDS = 31536000 if TLS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = TLS
SECURE_HSTS_PRELOAD = TLS
SECURE_SSL_REDIRECT = TLS and _env_flag("JINGUO_SSL_REDIRECT", default=True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if TLS else None
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("JINGUO_CSRF_TRUSTED_ORIGINS", "").split(",") if o]
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
MAX_UPLOAD_SIZE = int(os.environ.get("JINGUO_MAX_UPLOAD_MB", "20")) * 1024 * 1024
# One import reads at most this many data rows and columns, whatever the file says about itself (a stray cell at
# XFD1048576 would otherwise make the reader allocate a 512 GiB grid).
JINGUO_IMPORT_MAX_ROWS = int(os.environ.get("JINGUO_IMPORT_MAX_ROWS", "200000"))
JINGUO_IMPORT_MAX_COLUMNS = int(os.environ.get("JINGUO_IMPORT_MAX_COLUMNS", "200"))
# An import keeps this many errors in its job (with the count of the rest); its annotated workbook carries all.
JINGUO_IMPORT_MAX_STORED_ERRORS = int(os.environ.get("JINGUO_IMPORT_MAX_STORED_ERRORS", "1000"))

# --- Language and time ------------------------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "jinguo" / "locale"]
# Input formats with ISO first, so every date widget writes a date the browser accepts (see the module).
FORMAT_MODULE_PATH = ["jinguo.core.formats"]

# --- Static and uploaded files ----------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # WhiteNoise looks there first (empty until `collectstatic`)
NODE_MODULES = BASE_DIR / "node_modules"
# Third-party browser code comes from the npm registry at install time (`npm ci`); it is served from
# node_modules, never copied into the repository and never loaded from a CDN.
STATICFILES_DIRS = [BASE_DIR / "jinguo" / "static"]
for prefix, package in [
    ("vendor/echarts", "echarts"),  # dashboard charts
    ("vendor/tabler", "@tabler/core"),  # the page shell: Tabler on Bootstrap 5 (CSS and the Bootstrap JS bundle)
    ("vendor/tabler-icons", "@tabler/icons-webfont"),  # icons as a self-hosted web font
    ("vendor/tom-select", "tom-select"),  # searchable selects (unit pickers, long code tables)
    ("vendor/flatpickr", "flatpickr"),  # date pickers with the zh locale
]:
    if (NODE_MODULES / package / "dist").exists():
        STATICFILES_DIRS.append((prefix, NODE_MODULES / package / "dist"))
# WhiteNoise serves static files with or without DEBUG: from the finders (jinguo/static, node_modules) until
# `collectstatic` has filled STATIC_ROOT, as a production deployment does.
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = DEBUG
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "/media/"

# --- REST API ---------------------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "jinguo.accounts.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # Signed in, and past the same gates as the pages (second factor, initial or expired password).
    "DEFAULT_PERMISSION_CLASSES": ["jinguo.accounts.authentication.SignInGates"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "jinguo.core.pagination.Pagination",
    "EXCEPTION_HANDLER": "jinguo.core.api.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "jinguo.core.api.AutoSchema",
    "PAGE_SIZE": 50,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "巾帼 jinguo API",
    "DESCRIPTION": "妇联工作平台接口。所有接口遵循与网页相同的数据范围规则。",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema and its docs page behind the same gates as the API itself: every endpoint and field name is a map
    # for an attacker, and drf-spectacular serves them to anyone by default.
    "SERVE_PERMISSIONS": ["jinguo.accounts.authentication.SignInGates"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {"OrgLevelEnum": "jinguo.orgs.models.Level",
                            "HonourLevelEnum": "jinguo.people.models.Level"},
}

# --- Background tasks -------------------------------------------------------------------------------------------
TASKS = {
    "default": {
        "BACKEND": (
            "django_tasks.backends.immediate.ImmediateBackend"
            if os.environ.get("JINGUO_TASKS") == "immediate"
            else "django_tasks_db.DatabaseBackend"
        ),
        "ENQUEUE_ON_COMMIT": True,
    }
}

# --- Logging ----------------------------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("JINGUO_LOG_LEVEL", "WARNING")},
}

# --- Cache (import progress, rate limits) -------------------------------------------------------------------------
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": os.environ["JINGUO_REDIS_URL"]}
        if os.environ.get("JINGUO_REDIS_URL")
        else {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": str(VAR_DIR / "cache")}
    )
}
