"""Settings shared by every deployment; each value that differs between them comes from the environment.

``local`` (the default for ``manage.py``) and ``test`` build on this module; ``production`` refuses to
start without its secrets. With no ``DATABASE_URL`` the portal runs on SQLite, and with no ``REDIS_URL``
Celery runs tasks in-process (the embedded default), so ``make run`` works on a bare machine.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from kombu import Queue

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


SECRET_KEY = os.environ.get("SECRET_KEY", "")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    # Domain apps, in dependency order: each may import only the ones above it.
    "abe",
    "personas",
    "accounts",
    "work",
    "content",
    "engagement",
    "activation",
    "keyaccounts",
    "analytics",
    "home",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "abe.middleware.DemoLoadingMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "abe.middleware.WorkspaceMiddleware",
    "abe.middleware.UserLocaleMiddleware",
]

ROOT_URLCONF = "abe.urls"
WSGI_APPLICATION = "abe.wsgi.application"
ASGI_APPLICATION = "abe.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "abe.context_processors.workspace",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
            ],
        },
    }
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Write-ahead log: pages keep reading while `make run`'s demo load holds its long write transaction.
    DATABASES["default"].setdefault("OPTIONS", {})["init_command"] = "PRAGMA journal_mode=WAL;"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Languages (issue 16): English, Spanish, Portuguese (pt-br where Brazilian usage differs) and Romanian. The
# language of a page is the user's preference, else the workspace default, else the browser's Accept-Language
# (abe.middleware.UserLocaleMiddleware); the API answers in Accept-Language only and keeps machine formats.
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", "English"),
    ("es", "Español"),
    ("pt", "Português"),
    ("pt-br", "Português (Brasil)"),
    ("ro", "Română"),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Local formats: Django's formats of the active language (always on). No thousand separator in plain {{ value }}
# output or in form input, so "1.5" and "1,5" both read as one and a half in a localized field; the number,
# money and intcomma filters group thousands explicitly.
USE_THOUSAND_SEPARATOR = False
# English short dates stay ISO-like (abe/formats/en); the other languages use Django's formats.
FORMAT_MODULE_PATH = ["abe.formats"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT: Path | None = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "login"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "abe.api.authentication.ApiKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["abe.api.permissions.WorkspaceRolePermission"],
    "DEFAULT_PAGINATION_CLASS": "abe.api.pagination.StandardPagination",
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "abe.api.filters.StrictOrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "abe.api.exceptions.exception_handler",
    "DEFAULT_RENDERER_CLASSES": [
        "abe.api.renderers.FastJSONRenderer",
        "abe.api.negotiation.BrowsableAPIRenderer",
    ],
    "DEFAULT_THROTTLE_RATES": {"events": os.environ.get("ABE_EVENTS_RATE", "120/min")},
}

SPECTACULAR_SETTINGS = {
    "TITLE": "ABE Portal API",
    "DESCRIPTION": "Accounts, buying committees, engagement and activation for account-based programmes.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "BuyingRoleEnum": "personas.models.BuyingRole",
        "TierEnum": "accounts.models.Tier",
        "LifecycleEnum": "accounts.models.Lifecycle",
        "TeamRoleEnum": "accounts.models.TeamRole",
        "SeverityEnum": "activation.models.Severity",
        "AlertStatusEnum": "activation.models.AlertStatus",
        "AlertKindEnum": "activation.models.AlertKind",
        "ImportKindEnum": "accounts.models.ImportKind",
        "DeliveryStatusEnum": "activation.models.DeliveryStatus",
        "PersonaChannelEnum": "personas.models.Channel",
        "EventChannelEnum": "engagement.models.Channel",
        "OpportunityTypeEnum": "accounts.models.OpportunityType",
        "OpportunityStatusEnum": "accounts.models.OpportunityStatus",
        "RiskLevelEnum": "keyaccounts.models.RiskLevel",
        "RiskStatusEnum": "keyaccounts.models.RiskStatus",
        "PlanStatusEnum": "keyaccounts.models.PlanStatus",
        "BantStatusEnum": "keyaccounts.models.BantStatus",
        "JobStatusEnum": "abe.models.JobStatus",
    },
}

# Celery: the real broker when REDIS_URL is set, in-process execution otherwise.
REDIS_URL = os.environ.get("REDIS_URL", "")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 600
CELERY_TIMEZONE = "UTC"
# Named queues, each served by its own worker pool (docker-compose.yml, `make run`); see abe/tasks.py.
CELERY_TASK_DEFAULT_QUEUE = "default"
# A worker started without -Q serves them all; production runs one pool per queue with -Q.
CELERY_TASK_QUEUES = [Queue(name) for name in ("deliveries", "scoring", "imports", "default")]
CELERY_TASK_ROUTES = {
    "activation.tasks.email_delivery_send": {"queue": "deliveries"},
    "activation.tasks.webhook_delivery_send": {"queue": "deliveries"},
    "activation.tasks.deliveries_sweep": {"queue": "deliveries"},
    "activation.tasks.digests_send": {"queue": "deliveries"},
    "activation.tasks.rules_evaluate*": {"queue": "scoring"},
    "engagement.tasks.*": {"queue": "scoring"},
    "accounts.tasks.prospecting_rescore": {"queue": "scoring"},
    "accounts.tasks.model_train": {"queue": "scoring"},
    "accounts.tasks.import_job_run": {"queue": "imports"},
    "accounts.tasks.prospecting_rescore_job": {"queue": "scoring"},
}
CELERY_BEAT_SCHEDULE: dict = {
    # Activation: time-based conditions, snoozes, the outbox sweep and the daily digest.
    "activation-evaluate-time-based": {"task": "activation.tasks.rules_evaluate_scheduled", "schedule": 3600.0},
    "activation-wake-snoozed": {"task": "activation.tasks.alerts_wake_snoozed", "schedule": 300.0},
    "activation-sweep-outbox": {"task": "activation.tasks.deliveries_sweep", "schedule": 60.0},
    "activation-daily-digest": {"task": "activation.tasks.digests_send", "schedule": 3600.0},
    "accounts-models-retrain-weekly": {
        "task": "accounts.tasks.models_retrain_weekly",
        "schedule": crontab(minute=0, hour=3, day_of_week="mon"),
    },
    # Close each UTC day with a snapshot of every account (the trend), decay applied.
    "engagement-daily-snapshots": {
        "task": "engagement.tasks.engagement_rescore_all",
        "schedule": crontab(hour=23, minute=55),
    },
    # Scores decay and momentum windows slide without new events: re-evaluate stages through the day.
    "engagement-stage-reevaluation": {
        "task": "engagement.tasks.engagement_rescore_all",
        "schedule": crontab(hour="*/6", minute=17),
    },
    # Content: due play steps become tasks; asset performance from the events that reference assets.
    "content-play-steps": {"task": "content.tasks.play_steps_schedule", "schedule": 3600.0},
    "engagement-asset-performance": {
        "task": "engagement.tasks.asset_performance_refresh",
        "schedule": crontab(hour=2, minute=40),
    },
    # Analytics: opportunity, alert, task and stage changes rolled up every 5 minutes; a nightly reconciliation.
    "analytics-refresh-changes": {"task": "analytics.tasks.facts_refresh_changes_all", "schedule": 300.0},
    "analytics-nightly-rebuild": {"task": "analytics.tasks.facts_rebuild_all", "schedule": crontab(hour=0, minute=40)},
    "analytics-weekly-digest": {
        "task": "analytics.tasks.digests_send_all",
        "schedule": crontab(hour=7, minute=0, day_of_week="mon"),
    },
}

CACHES = (
    {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
    if REDIS_URL
    else {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
)

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "ABE Portal <noreply@localhost>")

# Activation: links in emails and webhooks point here; the digest goes out at this UTC hour; a webhook
# subscription is turned off after this many consecutive failed deliveries.
# `make run` serves pages while the demo loads: `load_demo --progress` writes its progress here (abe.demo_loading).
ABE_DEMO_PROGRESS_FILE = os.environ.get("ABE_DEMO_PROGRESS_FILE", str(BASE_DIR / "demo-loading.json"))
ABE_SITE_URL = os.environ.get("ABE_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
ABE_DIGEST_HOUR_UTC = int(os.environ.get("ABE_DIGEST_HOUR_UTC", "7"))
ABE_WEBHOOK_DISABLE_AFTER = int(os.environ.get("ABE_WEBHOOK_DISABLE_AFTER", "10"))
ABE_WEBHOOK_TIMEOUT = float(os.environ.get("ABE_WEBHOOK_TIMEOUT", "10"))
ABE_DELIVERY_MAX_ATTEMPTS = int(os.environ.get("ABE_DELIVERY_MAX_ATTEMPTS", "8"))
# A worker's claim on a delivery it is sending (longer than the send task's 60 s time limit); the outbox sweep
# also leaves new rows this long to the task published at commit.
ABE_DELIVERY_LEASE_SECONDS = int(os.environ.get("ABE_DELIVERY_LEASE_SECONDS", "90"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# --- Reliability and security (issue 10) -------------------------------------------------------------------
# Ingest accepts events inside this window around the time they arrive; outside it a row is rejected (per row).
ABE_EVENT_MAX_AGE_DAYS = int(os.environ.get("ABE_EVENT_MAX_AGE_DAYS", str(5 * 365 + 1)))
ABE_EVENT_MAX_FUTURE_HOURS = int(os.environ.get("ABE_EVENT_MAX_FUTURE_HOURS", "24"))
# A pending scoring batch that fails is retried with exponential backoff, then quarantined (shown to admins).
ABE_SCORING_BATCH_MAX_ATTEMPTS = int(os.environ.get("ABE_SCORING_BATCH_MAX_ATTEMPTS", "5"))
CELERY_BEAT_SCHEDULE["engagement-pending-sweep"] = {
    "task": "engagement.tasks.engagement_pending_sweep",
    "schedule": 120.0,
}
# Request bodies: the largest documented event batch (5,000 events with 1 KB of metadata each, about 7 MB of
# JSON) fits; beyond the limit the answer is a JSON 413 (abe.middleware.RequestBodyLimitMiddleware).
DATA_UPLOAD_MAX_MEMORY_SIZE = int(os.environ.get("ABE_MAX_BODY_BYTES", str(12 * 1024 * 1024)))
ABE_MAX_UPLOAD_BYTES = int(os.environ.get("ABE_MAX_UPLOAD_BYTES", str(100 * 1024 * 1024)))
MIDDLEWARE += ["abe.middleware.RequestBodyLimitMiddleware", "abe.middleware.FormNulMiddleware"]
# JSON bodies only (a form cannot say null or a nested list, and the schema must not advertise what the API
# cannot read); the file uploads (import-jobs, event-imports) declare multipart themselves.
REST_FRAMEWORK["DEFAULT_PARSER_CLASSES"] = ["abe.api.parsers.SafeJSONParser"]
# The cache is an accelerator: with Redis down reads miss and writes are skipped (abe.cache); short timeouts.
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "abe.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 2},  # type: ignore[dict-item]
        }
    }
MIDDLEWARE += ["abe.middleware.ServiceUnavailableMiddleware", "abe.middleware.ConcurrentDeleteMiddleware"]
# Celery: a task killed with its worker (kill -9) goes back to the queue after the visibility timeout, which is
# just above the longest task time limit (10 min) instead of kombu's hour; no task may run longer, or Redis would
# hand it to a second worker while it runs. Long work (uploads, the full recompute, rescores, news) runs in steps
# of ABE_TASK_STEP_SECONDS, each resuming from what the previous one committed (docs/operations.md).
ABE_CELERY_VISIBILITY_TIMEOUT = int(os.environ.get("ABE_CELERY_VISIBILITY_TIMEOUT", "660"))
ABE_TASK_STEP_SECONDS = int(os.environ.get("ABE_TASK_STEP_SECONDS", "240"))
# A job (Job, ImportJob, EventImport) queued or running with no progress for this long is failed with the reason by
# the watchdog (abe.jobs.stall_cutoff): nothing will resume it (its worker killed at the time limit, its message
# lost). Far above a step's time limit plus the redelivery of a killed worker's task.
ABE_JOB_STALL_SECONDS = int(os.environ.get("ABE_JOB_STALL_SECONDS", "3600"))
for _name, _task in (
    ("abe-jobs-stalled", "abe.tasks.jobs_stalled_fail"),
    ("accounts-imports-stalled", "accounts.tasks.import_jobs_stalled_fail"),
    ("engagement-event-imports-stalled", "engagement.tasks.event_imports_stalled_fail"),
):
    CELERY_BEAT_SCHEDULE[_name] = {"task": _task, "schedule": 300.0}
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 600
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": ABE_CELERY_VISIBILITY_TIMEOUT,
    "socket_connect_timeout": 2,
    "socket_timeout": 5,
}
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Publishing while the broker is down gives up quickly (ingest logs it; the pending sweep catches up).
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.5, "interval_max": 0.5}
# The embedded default (no REDIS_URL, tasks in-process) runs the schedule in a thread of `manage.py runserver`
# (abe/embedded_beat.py); 0 turns it off.
ABE_EMBEDDED_BEAT = os.environ.get("ABE_EMBEDDED_BEAT", "1") != "0"
# Where that thread keeps each entry's last run, so a nightly entry missed while the server was down runs when it
# starts again ("" keeps nothing: every entry then counts from the server's start).
ABE_EMBEDDED_BEAT_STATE = os.environ.get("ABE_EMBEDDED_BEAT_STATE", str(BASE_DIR / ".embedded-beat.json"))
CELERY_BEAT_SCHEDULE["abe-worker-heartbeat"] = {"task": "abe.tasks.worker_heartbeat", "schedule": 30.0}
# Event CSV uploads run with the other imports, not behind scoring (an exact name wins over the glob).
CELERY_TASK_ROUTES["engagement.tasks.event_import_run"] = {"queue": "imports"}
# PostgreSQL statement_timeout (abe.db): web requests, then workers; 0 turns it off.
ABE_DB_STATEMENT_TIMEOUT_MS = int(os.environ.get("ABE_DB_STATEMENT_TIMEOUT_MS", "30000"))
ABE_DB_WORKER_STATEMENT_TIMEOUT_MS = int(os.environ.get("ABE_DB_WORKER_STATEMENT_TIMEOUT_MS", "540000"))
# Membership invitations: how long the emailed link stays valid.
ABE_INVITATION_DAYS = int(os.environ.get("ABE_INVITATION_DAYS", "7"))
# Login throttling (django-axes): after ABE_LOGIN_FAILURE_LIMIT failures for one username, or from one IP
# address, logins from it are refused for ABE_LOGIN_COOLOFF_MINUTES with a clear message (abe.views).
INSTALLED_APPS += ["axes"]
# abe.backends.MembershipBackend is Django's ModelBackend reading the session's user with their memberships in one
# query. Sessions record their backend's path: sessions signed in before it (ModelBackend) sign in once more.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "abe.backends.MembershipBackend"]
MIDDLEWARE += ["axes.middleware.AxesMiddleware"]
AXES_FAILURE_LIMIT = int(os.environ.get("ABE_LOGIN_FAILURE_LIMIT", "10"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("ABE_LOGIN_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "abe.views.login_locked_out"
AXES_IPWARE_PROXY_COUNT = int(os.environ.get("ABE_PROXY_COUNT", "0")) or None
AXES_VERBOSE = False
LOGGING = {**LOGGING, "loggers": {**LOGGING["loggers"], "axes": {"level": "WARNING"}}}  # type: ignore[dict-item]
# Id filters (?account=, ?assignee=) only know the request workspace's rows: a foreign id reads as a missing one.
REST_FRAMEWORK["DEFAULT_FILTER_BACKENDS"] = [
    "abe.api.filters.WorkspaceFilterBackend" if b == "django_filters.rest_framework.DjangoFilterBackend" else b
    for b in REST_FRAMEWORK["DEFAULT_FILTER_BACKENDS"]
]
# OpenAPI: every operation documents its 400/401/403/404/409/413/429 answers (abe.api.schema).
SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"] = [
    "drf_spectacular.hooks.postprocess_schema_enums",
    "abe.api.schema.error_responses_hook",
]
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"] = {
    **SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"],  # type: ignore[dict-item]
    "WebhookFormatEnum": "activation.models.WebhookFormat",
    "ContentFormatEnum": "content.models.ContentFormat",
}
# Key accounts: news feeds are fetched hourly with this timeout and size limit; plan reviews, post-sale
# activities and health scores are checked daily.
ABE_NEWS_TIMEOUT = float(os.environ.get("ABE_NEWS_TIMEOUT", "10"))
ABE_NEWS_MAX_BYTES = int(os.environ.get("ABE_NEWS_MAX_BYTES", str(2 * 1024 * 1024)))
CELERY_BEAT_SCHEDULE["keyaccounts-news-fetch"] = {"task": "keyaccounts.tasks.news_fetch_all", "schedule": 3600.0}
CELERY_BEAT_SCHEDULE["keyaccounts-daily"] = {
    "task": "keyaccounts.tasks.key_accounts_daily_all",
    "schedule": crontab(hour=5, minute=30),
}
