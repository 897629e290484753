"""Jiati settings, read from the environment (12-factor).

Every knob a deployment needs is an environment variable; the defaults give the
embedded database (SQLite in ./var) with production's safety settings. The demo
sets DEBUG=1 (bin/demo); production sets at least SECRET_KEY (without it, and
without DEBUG, nothing starts), ALLOWED_HOSTS and DATABASE_URL. See docs/deployment.md.
"""

from __future__ import annotations

import os
import sys
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("JIATI_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
# Build-time commands (and vote_tally, which only reads a spreadsheet) that never sign anything (no sessions,
# tokens or passwords): they may run on a build or developer machine without the production secret.
KEYLESS_COMMANDS = frozenset(
    {"makemigrations", "makemessages", "compilemessages", "translations", "collectstatic", "vote_tally"}
)


def _keyless_command() -> bool:
    if len(sys.argv) < 2 or Path(sys.argv[0]).name not in {"manage.py", "django-admin"}:
        return False
    return sys.argv[1] in KEYLESS_COMMANDS


# A fixed key is only acceptable for the local demo (DEBUG=1), the tests (JIATI_TESTING=1) and the commands
# above. Anything else — the web server, the worker, cron — refuses to start without SECRET_KEY.
# The embedded installation (SQLite in var/, no DATABASE_URL) keeps a random key that bin/setup generated in
# var/secret_key, readable by its owner only; a production database (DATABASE_URL) still needs SECRET_KEY set.
SECRET_KEY_FILE = VAR_DIR / "secret_key"


def _embedded_secret_key() -> str:
    if os.environ.get("DATABASE_URL") or not SECRET_KEY_FILE.is_file():
        return ""
    return SECRET_KEY_FILE.read_text(encoding="ascii").strip()


SECRET_KEY = os.environ.get("SECRET_KEY", "") or _embedded_secret_key()
if not SECRET_KEY:
    if not (DEBUG or env_bool("JIATI_TESTING", False) or _keyless_command()):
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Production needs a long random SECRET_KEY in the environment; an embedded "
            "installation (no DATABASE_URL) gets one in var/secret_key from bin/setup (see docs/deployment.md)."
        )
    SECRET_KEY = "insecure-demo-key-set-SECRET_KEY-in-production"
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")
# Absolute address printed on QR codes, PDF footers, e-mails and SMS (the resident portal's public URL). Required in
# production on a real database (a task has no request to ask); unset, the demo, the embedded installation and the
# tests follow the request's host and port (jiati/core/site.py).
SITE_URL = os.environ.get("SITE_URL", "").rstrip("/")
# Unset, and with no request to ask (a task, a command): this machine on the port the demo serves (bin/demo's PORT).
JIATI_LOCAL_SITE_URL = f"http://127.0.0.1:{os.environ.get('PORT') or 8000}"
if (
    not SITE_URL
    and os.environ.get("DATABASE_URL")
    and not (DEBUG or env_bool("JIATI_TESTING", False) or _keyless_command())
):
    raise ImproperlyConfigured("SITE_URL is not set: production prints it on QR codes and in messages.")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "jiati.ops.staticfiles.StaticFilesConfig",  # django.contrib.staticfiles, skipping unused bundles
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_tasks",
    "django_tasks_db",
    "django_rq",
    "django_prometheus",
    "template_partials",
    "django_htmx",
    "csp",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    # Jiati: one app per domain area (docs/architecture.md)
    "jiati.core",
    "jiati.accounts",
    "jiati.audit",
    "jiati.web",
    "jiati.organisation",
    "jiati.housing",
    "jiati.companies",
    "jiati.workdays",
    "jiati.notifications",
    "jiati.residents",
    "jiati.projects",
    "jiati.consent",
    "jiati.consultation",
    "jiati.subsidies",
    "jiati.pool",
    "jiati.portal",
    "jiati.administration",
    "jiati.elevators",
    "jiati.supervision",
    "jiati.stats",
    "jiati.demo",
    "jiati.ops",
]

MIDDLEWARE = [
    # Metrics for the monitoring system (/metrics, jiati/ops): the first and the last-but-one middleware, so they
    # time the whole request.
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    # Every request gets its id (X-Request-ID) and one log line, even one refused by the middleware below.
    "jiati.audit.middleware.RequestContextMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Declared read-only views read the replica when one is configured; a write keeps the user on the primary.
    "jiati.core.replica.ReplicaReadsMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "jiati.core.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "jiati.core.site.SiteAddressMiddleware",
    "jiati.core.middleware.LoginRequiredMiddleware",
    "jiati.core.middleware.PrivateResponsesMiddleware",
    "jiati.accounts.middleware.PersonalDataViewerMiddleware",
    # After sign-in: a second factor where the role needs one; an idle staff session ends.
    "jiati.administration.middleware.SecondFactorMiddleware",
    "jiati.administration.middleware.IdleSessionMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
    # Must be last: it answers locked-out logins.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "jiati.urls"
WSGI_APPLICATION = "jiati.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "jiati.web.context_processors.navigation",
            ],
            "builtins": ["django.templatetags.i18n"],
        },
    }
]

# --- Database ---------------------------------------------------------------
# Persistent connections: opening one costs a PostgreSQL backend's start-up and the authentication round trips on
# every request (a project detail API call ran 1.4-1.7x faster with them, benchmarks/README.md). Each gunicorn
# thread keeps its own: workers x threads x processes must stay under PostgreSQL's max_connections (or use a
# pooler). Health checks drop a connection the server closed (a restart, a failover) before a request uses it.
# Development (DEBUG) opens one per request, as Django's default.
CONN_MAX_AGE = int(os.environ.get("CONN_MAX_AGE", os.environ.get("DB_CONN_MAX_AGE", "0" if DEBUG else "60")))
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'jiati.sqlite3'}"),
        conn_max_age=CONN_MAX_AGE,
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Concurrent writers on SQLite: take the write lock at BEGIN (no deadlocking
    # upgrades), wait for it instead of failing, and let readers run beside a
    # writer (WAL). Measured in shared/field-notes.md.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    }
    # A file, not :memory:, so tests with threads share one database.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # No JIT compilation: it pays off on long analytical queries, but our pages run short ones whose row estimates
    # on national data cross its threshold, and then compiling takes longer than the query (35 ms of a 104 ms
    # dwellings page, benchmarks/README.md).
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
    # Django's backend, whose health check asks the socket before sending SELECT 1 (jiati/core/postgresql/base.py).
    DATABASES["default"]["ENGINE"] = "jiati.core.postgresql"

# A streaming read replica (docs/deployment.md, "Read replica"): dashboards, reports, exports and read-only API
# lists read it (jiati/core/replica.py); unset, everything reads the primary. A user who has just written reads the
# primary for JIATI_READ_AFTER_WRITE_SECONDS; a replica that does not answer or lags more than
# JIATI_REPLICA_MAX_LAG_SECONDS is not used (checked every JIATI_REPLICA_CHECK_SECONDS, a failed one retried after
# JIATI_REPLICA_RETRY_SECONDS).
if os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = dj_database_url.parse(
        os.environ["DATABASE_REPLICA_URL"],
        conn_max_age=DATABASES["default"]["CONN_MAX_AGE"],
        conn_health_checks=True,
    )
    if DATABASES["replica"]["ENGINE"] == "django.db.backends.postgresql":
        DATABASES["replica"]["ENGINE"] = "jiati.core.postgresql"
    # A standby that does not answer is given up on in 2 s (reads then go to the primary).
    DATABASES["replica"]["OPTIONS"] = {**DATABASES["default"].get("OPTIONS", {}), "connect_timeout": 2}
    # Tests run on the primary's test database, which the standby replays (jiati/ops/tests/test_replica.py).
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
JIATI_REPLICA_ALIAS = "replica" if "replica" in DATABASES else None
# The statements compiled once per process (jiati/core/prepared.py: the API's token and scoped row, the session's
# user, the project page's) are prepared once per connection, so PostgreSQL plans them once. Off for a pooler in
# transaction mode (PgBouncer before 1.21), whose connections a prepared statement does not follow.
JIATI_PREPARED_STATEMENTS = env_bool("JIATI_PREPARED_STATEMENTS", True)
DATABASE_ROUTERS = ["jiati.core.replica.ReplicaRouter"]
JIATI_READ_AFTER_WRITE_SECONDS = int(os.environ.get("JIATI_READ_AFTER_WRITE_SECONDS", "10"))
JIATI_REPLICA_MAX_LAG_SECONDS = float(os.environ.get("JIATI_REPLICA_MAX_LAG_SECONDS", "5"))
JIATI_REPLICA_CHECK_SECONDS = float(os.environ.get("JIATI_REPLICA_CHECK_SECONDS", "5"))
JIATI_REPLICA_RETRY_SECONDS = float(os.environ.get("JIATI_REPLICA_RETRY_SECONDS", "15"))

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Auth -------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend reading the session's user with their region in one query (issue 18).
    "jiati.accounts.backends.UserBackend",
    # Only for sessions signed in before: UserBackend refuses wrong credentials for good, so this never checks one.
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("username", "full_name", "phone", "email")},
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Login lockout: 5 failures for one username from one address lock it for 15 minutes.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False
# The client's address behind the reverse proxy (jiati.core.net): the proxies' own addresses, comma-separated, and
# the header they set. Empty by default: no header is believed unless the deployment names its proxy.
JIATI_TRUSTED_PROXIES = [str(a) for a in env_list("JIATI_TRUSTED_PROXIES", "")]
JIATI_PROXY_HEADER = os.environ.get("JIATI_PROXY_HEADER", "HTTP_X_FORWARDED_FOR")
AXES_CLIENT_IP_CALLABLE = "jiati.core.net.client_ip"
# Failed sign-ins are kept (with whether they locked the login) for administrators to review.
AXES_ENABLE_ACCESS_FAILURE_LOG = True
SESSION_COOKIE_AGE = 60 * 60 * 12
# Two-factor sign-in (django-otp: TOTP in an authenticator app, single-use recovery codes) for the roles that need
# it (jiati.administration.permissions.SECOND_FACTOR_ROLES); on by default except in the local demo (DEBUG=1).
JIATI_REQUIRE_SECOND_FACTOR = env_bool("JIATI_REQUIRE_SECOND_FACTOR", not DEBUG)
OTP_TOTP_ISSUER = os.environ.get("OTP_TOTP_ISSUER", "Jiati")
# A staff session with no request for this long ends (MLPS level 3: session timeout).
JIATI_IDLE_MINUTES = int(os.environ.get("JIATI_IDLE_MINUTES", "30"))
# Audit entries and sign-in records are kept at least this long (never less than 183 days, ~6 months).
JIATI_RETENTION_DAYS = max(int(os.environ.get("JIATI_RETENTION_DAYS", "183")), 183)

# --- Internationalisation ---------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "jiati" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
# ISO dates and 24-hour times in every language (jiati/core/formats, jiati/core/formatting.py).
FORMAT_MODULE_PATH = ["jiati.core.formats"]

# --- Static and uploaded files ---------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
NODE_MODULES = BASE_DIR / "node_modules"
# Front-end libraries come from the npm lockfile (package-lock.json), never a CDN.
STATICFILES_DIRS = [
    ("vendor/bootstrap", NODE_MODULES / "bootstrap" / "dist"),
    ("vendor/bootstrap-icons", NODE_MODULES / "bootstrap-icons" / "font"),
    ("vendor/htmx", NODE_MODULES / "htmx.org" / "dist"),
    ("vendor/echarts", NODE_MODULES / "echarts" / "dist"),
]
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media")))},
    },
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or env_bool("JIATI_TESTING", False)
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
MEDIA_ROOT = STORAGES["default"]["OPTIONS"]["location"]
# Uploads are private: they are served by scoped views, never from a public URL.
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024
# Documents (drawings, certificates, signed forms): at most this size.
JIATI_UPLOAD_MAX_BYTES = int(os.environ.get("JIATI_UPLOAD_MAX_BYTES", str(20 * 1024 * 1024)))
JIATI_IMPORT_MAX_BYTES = int(os.environ.get("JIATI_IMPORT_MAX_BYTES", str(100 * 1024 * 1024)))
# Test-only, honoured only with JIATI_TESTING: a file the first housing import to reach its commit creates before it
# waits there, so jiati/ops/tests/test_worker_killed.py can kill the worker mid-import (jiati/housing/importer.py).
JIATI_TEST_IMPORT_PAUSE = os.environ.get("JIATI_TEST_IMPORT_PAUSE", "") if env_bool("JIATI_TESTING", False) else ""
# A paper vote's spreadsheet (page, API and `vote_tally` alike): one building's owners fit in a few KB.
JIATI_TALLY_MAX_BYTES = int(os.environ.get("JIATI_TALLY_MAX_BYTES", str(20 * 1024 * 1024)))

# --- Background tasks -------------------------------------------------------
# The database backend needs no extra server; with REDIS_URL set, tasks go to Redis and RQ workers run them
# (django-tasks-rq, docs/decisions.md). Either way `manage.py run_worker` starts the right worker with its heartbeat.
REDIS_URL = os.environ.get("REDIS_URL", "")
TASKS = {
    "default": {
        "BACKEND": os.environ.get(
            "TASKS_BACKEND", "jiati.ops.tasks_backend.RQBackend" if REDIS_URL else "django_tasks_db.DatabaseBackend"
        ),
    },
    # Where tasks wait while Redis cannot be reached; run_worker hands them back (jiati/ops/tasks_backend.py).
    "database": {"BACKEND": "django_tasks_db.DatabaseBackend"},
}
# `run_worker` beats (readiness, its lease) every JIATI_WORKER_HEARTBEAT_SECONDS; a database-queue task whose worker
# has not renewed its lease for JIATI_WORKER_LEASE_SECONDS is taken for abandoned (jiati/ops/worker_leases.py).
JIATI_WORKER_HEARTBEAT_SECONDS = float(os.environ.get("JIATI_WORKER_HEARTBEAT_SECONDS", "10"))
JIATI_WORKER_LEASE_SECONDS = int(os.environ.get("JIATI_WORKER_LEASE_SECONDS", "60"))
# The RQ queue (django-rq) the Redis backend uses; unused with the database backend.
# A Redis that does not answer fails an enqueue in 2 s (the task then waits in the database) instead of hanging a page.
_RQ_URL = REDIS_URL or "redis://127.0.0.1:6379/0"
RQ_QUEUES = {
    "default": {
        "URL": _RQ_URL + ("&" if "?" in _RQ_URL else "?") + "socket_connect_timeout=2",
        "DEFAULT_TIMEOUT": 3600,
    }
}
RQ_SHOW_ADMIN_LINK = False

# --- Cache ------------------------------------------------------------------
if REDIS_URL:
    # One cache for every web and worker process: rate limits count together (atomic INCR), import progress and
    # the worker's heartbeat are seen by all. Redis down: reads miss and writes are dropped (logged) instead of
    # failing the page; readiness (/readyz) reports it.
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"IGNORE_EXCEPTIONS": True, "SOCKET_CONNECT_TIMEOUT": 1, "SOCKET_TIMEOUT": 1},
        }
    }
    DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
else:
    # A file cache is shared by the web and worker processes of one machine
    # (import progress, one-time-code attempt counters); the local-memory cache is not.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

# --- API --------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first, so an unauthenticated call answers 401 with a WWW-Authenticate header.
        "jiati.web.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["jiati.web.filters.FilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "jiati.web.pagination.KeysetPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "jiati.web.schema.AutoSchema",
    "EXCEPTION_HANDLER": "jiati.web.api.exception_handler",
}
# The API's schema and docs answer strangers only where the deployment says so (the local demo does): in production
# they need a sign-in, like every list they describe.
JIATI_API_DOCS_PUBLIC = env_bool("JIATI_API_DOCS_PUBLIC", DEBUG)
SPECTACULAR_SETTINGS = {
    "SERVE_PERMISSIONS": [
        "rest_framework.permissions.AllowAny" if JIATI_API_DOCS_PUBLIC else "rest_framework.permissions.IsAuthenticated"
    ],
    "TITLE": "Jiati API",
    "DESCRIPTION": "Elevator retrofit programme (加装电梯) — every list is scoped to the caller's area.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Enums as components (the default hook), then the one error body on every operation (jiati/web/schema.py).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "jiati.web.schema.postprocess_error_responses",
    ],
    # One name per shared choice set (stages appear as stage, from_stage and to_stage).
    "ENUM_NAME_OVERRIDES": {
        "StageEnum": "jiati.projects.models.Stage",
        "RoleEnum": "jiati.accounts.models.Role",
        "ProjectStatusEnum": "jiati.projects.models.Status",
        "ProjectDocumentKindEnum": "jiati.projects.models.DocumentKind",
        "ProjectEventKindEnum": "jiati.projects.models.EventKind",
        "RegionLevelEnum": "jiati.organisation.models.RegionLevel",
        "WindowKindEnum": "jiati.organisation.models.WindowKind",
        "GroupLevelEnum": "jiati.organisation.models.GroupLevel",
        "GroupMemberRoleEnum": "jiati.organisation.models.MemberRole",
        "OwnerKindEnum": "jiati.housing.models.OwnerKind",
        "ConsultationChannelEnum": "jiati.consultation.models.windows.Channel",
        "VisitorKindEnum": "jiati.consultation.models.windows.VisitorKind",
        "ArticleKindEnum": "jiati.consultation.models.publicity.ArticleKind",
        "PetitionChannelEnum": "jiati.consultation.models.petitions.PetitionChannel",
        "PetitionLevelEnum": "jiati.consultation.models.petitions.PetitionLevel",
        "PetitionEventKindEnum": "jiati.consultation.models.petitions.PetitionEventKind",
        "MeetingLevelEnum": "jiati.consultation.models.meetings.MeetingLevel",
        "InviteeKindEnum": "jiati.consultation.models.meetings.InviteeKind",
        "ThresholdBasisEnum": "jiati.consent.models.Basis",
        "VoteScopeEnum": "jiati.consent.models.Scope",
        "BallotChannelEnum": "jiati.consent.models.Channel",
        "ObjectionChannelEnum": "jiati.consent.models.ObjectionChannel",
        "ObjectionLevelEnum": "jiati.consent.models.ObjectionLevel",
        "ObjectionStepKindEnum": "jiati.consent.models.StepKind",
        "SubsidyDocumentKindEnum": "jiati.subsidies.models.SubsidyDocumentKind",
        "SubsidyApplicationStatusEnum": "jiati.subsidies.models.Status",
        "ApplicantKindEnum": "jiati.subsidies.models.ApplicantKind",
        "LedgerEntryKindEnum": "jiati.subsidies.models.EntryKind",
        "RectificationStatusEnum": "jiati.supervision.models.RectificationStatus",
        "DecisionStatusEnum": "jiati.supervision.models.DecisionStatus",
        "CompanyKindEnum": "jiati.companies.models.CompanyKind",
        "LicenceKindEnum": "jiati.companies.models.LicenceKind",
        "ListColourEnum": "jiati.companies.models.Colour",
        "ViolationKindEnum": "jiati.companies.models.ViolationKind",
        "InspectionResultEnum": "jiati.elevators.models.InspectionResult",
        "FaultKindEnum": "jiati.elevators.models.FaultKind",
        "RunningCostMethodEnum": "jiati.elevators.models.ShareMethod",
        "CostMethodEnum": "jiati.consent.models.CostMethod",
        "FeasibilityEnum": "jiati.pool.models.Feasibility",
        "EvidenceKindEnum": "jiati.pool.models.EvidenceKind",
        "MobilityKindEnum": "jiati.pool.models.MobilityKind",
        "CheckKindEnum": "jiati.supervision.models.CheckKind",
        "ItemResultEnum": "jiati.supervision.models.ItemResult",
        "RectificationEventKindEnum": "jiati.supervision.models.RectificationEventKind",
    },
}

# --- Health and metrics (jiati/ops, docs/deployment.md) --------------------
# /metrics answers the monitoring system only: from these addresses, or with `Authorization: Bearer <token>`.
JIATI_METRICS_ALLOWED_ADDRESSES = env_list("JIATI_METRICS_ALLOWED_ADDRESSES", "127.0.0.1,::1")
JIATI_METRICS_TOKEN = os.environ.get("JIATI_METRICS_TOKEN", "")

# --- Security ---------------------------------------------------------------
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# Production is served over HTTPS only. JIATI_HTTPS=0 is for bin/demo, which serves production settings to a
# browser on this machine over plain http://127.0.0.1 (no redirect to HTTPS, no HSTS, cookies sent without TLS).
JIATI_HTTPS = env_bool("JIATI_HTTPS", True)
if not DEBUG and not env_bool("JIATI_TESTING", False) and JIATI_HTTPS:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    # The load balancer and the monitoring system probe the process itself, over plain HTTP.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- Notifications and one-time codes --------------------------------------
# Channels beyond the in-app inbox; the demo logs every message to the console.
JIATI_NOTIFICATION_CHANNELS = env_list("JIATI_NOTIFICATION_CHANNELS", "console")
JIATI_SMS_SENDER = os.environ.get("JIATI_SMS_SENDER", "jiati.notifications.channels.ConsoleSmsSender")
JIATI_SMS_GATEWAY_URL = os.environ.get("JIATI_SMS_GATEWAY_URL", "")
# Whether the SMS gateway sends a message once per Idempotency-Key (docs/deployment.md). Off: a notification whose
# worker died in the send is not sent again but marked "may have been sent" for the platform administrator.
JIATI_SMS_GATEWAY_DEDUPLICATES = env_bool("JIATI_SMS_GATEWAY_DEDUPLICATES", False)
# A delivery claimed (status sending) longer ago than this belongs to a dead worker; younger, to a live one.
JIATI_DELIVERY_CLAIM_STALE_SECONDS = int(os.environ.get("JIATI_DELIVERY_CLAIM_STALE_SECONDS", "300"))
JIATI_WECOM_WEBHOOK_URL = os.environ.get("JIATI_WECOM_WEBHOOK_URL", "")

# --- elevators in service and the red/black list (domain.md §6) -------------------------------------------
JIATI_EMERGENCY_NUMBER = os.environ.get("JIATI_EMERGENCY_NUMBER", "96333")
JIATI_MAINTENANCE_INTERVAL_DAYS = int(os.environ.get("JIATI_MAINTENANCE_INTERVAL_DAYS", "15"))
JIATI_INSPECTION_WARNING_DAYS = int(os.environ.get("JIATI_INSPECTION_WARNING_DAYS", "30"))
JIATI_FAULT_ARRIVAL_MINUTES_TRAPPED = int(os.environ.get("JIATI_FAULT_ARRIVAL_MINUTES_TRAPPED", "30"))
JIATI_FAULT_ARRIVAL_MINUTES = int(os.environ.get("JIATI_FAULT_ARRIVAL_MINUTES", "240"))
JIATI_FAULT_REPAIR_HOURS = int(os.environ.get("JIATI_FAULT_REPAIR_HOURS", "24"))
JIATI_FAULT_ESCALATE_COMMUNITY_MINUTES = int(os.environ.get("JIATI_FAULT_ESCALATE_COMMUNITY_MINUTES", "15"))
JIATI_FAULT_ESCALATE_DISTRICT_MINUTES = int(os.environ.get("JIATI_FAULT_ESCALATE_DISTRICT_MINUTES", "60"))
JIATI_FAULT_REPORTS_PER_PHONE_HOUR = int(os.environ.get("JIATI_FAULT_REPORTS_PER_PHONE_HOUR", "3"))
JIATI_FAULT_REPORTS_PER_ADDRESS_HOUR = int(os.environ.get("JIATI_FAULT_REPORTS_PER_ADDRESS_HOUR", "10"))
# --- resident sign-in codes (issue 19: no pumping, no probing) ---
JIATI_SIGNIN_CODES_PER_PHONE_HOUR = int(os.environ.get("JIATI_SIGNIN_CODES_PER_PHONE_HOUR", "5"))
JIATI_SIGNIN_CODES_PER_ADDRESS_HOUR = int(os.environ.get("JIATI_SIGNIN_CODES_PER_ADDRESS_HOUR", "10"))
JIATI_SIGNIN_CODES_PER_HOUR = int(os.environ.get("JIATI_SIGNIN_CODES_PER_HOUR", "600"))
JIATI_SMS_ALARM_PER_DAY = int(os.environ.get("JIATI_SMS_ALARM_PER_DAY", "2000"))
JIATI_BLACK_LIST_MONTHS = int(os.environ.get("JIATI_BLACK_LIST_MONTHS", "6"))
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
# An SMTP server that does not answer must not hold a notification's claim past JIATI_DELIVERY_CLAIM_STALE_SECONDS.
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "30"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "jiati@localhost")

# --- Logging ----------------------------------------------------------------
# One JSON object a line in production (LOG_FORMAT=json, the default without DEBUG) for a log collector, each with
# the request's id; plain text for a developer's terminal.
LOG_FORMAT = os.environ.get("LOG_FORMAT", "text" if DEBUG else "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "redact_personal_data": {"()": "jiati.core.personal_data.RedactingLogFilter"},
        "request_id": {"()": "jiati.audit.middleware.RequestIdLogFilter"},
    },
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
            "datefmt": "%Y-%m-%dT%H:%M:%S%z",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id", "redact_personal_data"],
            "formatter": "json" if LOG_FORMAT == "json" else "text",
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        # Django's own handlers (its console handler when DEBUG, runserver's request lines) do not redact:
        # send those loggers through the redacting console handler instead.
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.db.backends": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
