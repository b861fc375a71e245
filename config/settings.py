"""Settings for every run mode, driven by environment variables (see `.env.example`).

With nothing set the project runs embedded: SQLite and kombu's file-system broker in `var/`.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", False)
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG and env_bool("DJANGO_REQUIRE_SECRET_KEY", False):
        raise RuntimeError("DJANGO_SECRET_KEY must be set in production")
    # Embedded/development mode only: production sets DJANGO_SECRET_KEY (docker-compose does).
    SECRET_KEY = "insecure-development-key-change-me"  # noqa: S105
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rules.apps.AutodiscoverRulesConfig",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "django_htmx",
    "django_celery_beat",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "csp",
    "accounts",
    "clubs",
    "enrollment",
    "billing",
    "notifications",
    "reports",
    "audit",
    "privacy",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "config.security.PermissionsPolicyMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # After authentication: marks request.user verified by a one-time code (django-otp), then
    # sends staff without a verified code to the two-factor pages.
    "django_otp.middleware.OTPMiddleware",
    "accounts.middleware.StaffTwoFactorMiddleware",
    # Last, as django-axes asks: turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

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
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
# Persistent connections in every mode that serves HTTP: a new PostgreSQL connection per request
# costs more than the request itself.
CONN_MAX_AGE = int(os.environ.get("DJANGO_CONN_MAX_AGE", "60"))
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL, conn_max_age=CONN_MAX_AGE, conn_health_checks=CONN_MAX_AGE > 0
        )
    }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "db.sqlite3",
            "OPTIONS": {
                # Writers take the lock at BEGIN, so a locked read-count-write cannot interleave.
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;PRAGMA foreign_keys=ON;"
                ),
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Auth -------------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out account+address before any password is checked (django-axes).
    "accounts.backends.LockoutBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "clubs:catalogue"
LOGOUT_REDIRECT_URL = "clubs:catalogue"

# Login lockout (django-axes, docs/adr/0010-hardening.md): failures are counted per e-mail
# address and client address together, in the database; a wrong two-factor code counts too.
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_FAILURE_LIMIT = int(os.environ.get("ACCOUNTS_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("ACCOUNTS_LOGIN_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_CALLABLE = "accounts.backends.lockout_username"
AXES_LOCKOUT_CALLABLE = "accounts.backends.lockout_response"
# Not cleared by a correct password: a wrong two-factor code after it counts on the same
# counter, and failures expire after the cool-off without any.
AXES_VERBOSE = False
AXES_CLIENT_IP_CALLABLE = "accounts.backends.client_ip"
# How many proxies of ours stand before gunicorn (0: clients connect directly).
ACCOUNTS_PROXY_COUNT = int(os.environ.get("ACCOUNTS_PROXY_COUNT", "0"))
# Password reset: requests per e-mail address and per client address in a window (counted in
# the shared cache); over the limit no e-mail is sent, and the page says the same as always.
ACCOUNTS_PASSWORD_RESET_LIMIT_PER_EMAIL = int(
    os.environ.get("ACCOUNTS_PASSWORD_RESET_LIMIT_PER_EMAIL", "3")
)
ACCOUNTS_PASSWORD_RESET_LIMIT_PER_IP = int(
    os.environ.get("ACCOUNTS_PASSWORD_RESET_LIMIT_PER_IP", "20")
)
ACCOUNTS_PASSWORD_RESET_WINDOW_SECONDS = int(
    os.environ.get("ACCOUNTS_PASSWORD_RESET_WINDOW_SECONDS", "3600")
)
# Two-factor login (TOTP, django-otp) for every staff role and superusers; families are not
# asked. Off only in the unit-test settings, where most tests log staff in with force_login.
ACCOUNTS_STAFF_REQUIRE_2FA = env_bool("ACCOUNTS_STAFF_REQUIRE_2FA", True)
OTP_TOTP_ISSUER = os.environ.get("ACCOUNTS_TOTP_ISSUER", "MOK")

# --- Language and time ------------------------------------------------------------------------
LANGUAGE_CODE = "pl"
LANGUAGES = [("pl", _("Polish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Warsaw"
USE_I18N = True
USE_TZ = True

# --- Static files -----------------------------------------------------------------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", VAR_DIR / "staticfiles"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "/media/"

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- E-mail -----------------------------------------------------------------------------------
EMAIL_BACKEND = os.environ.get(
    "DJANGO_EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if os.environ.get("EMAIL_HOST")
    else "django.core.mail.backends.filebased.EmailBackend",
)
EMAIL_FILE_PATH = VAR_DIR / "mail"
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get(
    "DEFAULT_FROM_EMAIL", "Miejski Ośrodek Kultury <mok@example.pl>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Cache ------------------------------------------------------------------------------------
# Shared by every process: Redis when there is one, else files in var/ (the embedded mode's web
# server and worker are separate processes).
CACHE_URL = os.environ.get("CACHE_URL", "") or os.environ.get("REDIS_URL", "")
if CACHE_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

# --- Celery -----------------------------------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "") or REDIS_URL or "filesystem://"
BROKER_DIR = VAR_DIR / "broker"
if CELERY_BROKER_URL.startswith("filesystem://"):
    # kombu's file-system transport: one folder for both directions, so any worker sees any
    # message; the folders are created at start-up.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "store_processed": False,
        # Broadcast/control messages (worker pings, shutdown) too; kombu's default is ./control.
        "control_folder": str(BROKER_DIR / "control"),
    }
    for _folder in ("queue", "processed", "control"):
        (BROKER_DIR / _folder).mkdir(parents=True, exist_ok=True)
else:
    # Longer than any countdown we use; long delays are rows swept by beat, never ETAs.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BEAT_SCHEDULE = {
    "clubs-meetings-generate": {
        "task": "clubs.tasks.meetings_generate_all_task",
        "schedule": crontab(hour=3, minute=15),
    },
    "enrollment-offers-expire": {
        "task": "enrollment.tasks.offers_expire_due_task",
        "schedule": crontab(),  # every minute: a freed place waits at most a minute
    },
    "enrollment-offers-remind": {
        "task": "enrollment.tasks.offers_remind_expiring_task",
        "schedule": crontab(minute=5),
    },
    "enrollment-meeting-reminders": {
        "task": "enrollment.tasks.meeting_reminders_queue_task",
        "schedule": crontab(hour=7, minute=0),
    },
    "enrollment-withdrawals-complete": {
        "task": "enrollment.tasks.withdrawals_complete_due_task",
        "schedule": crontab(hour=0, minute=20),
    },
    "enrollment-allocation-windows-close": {
        "task": "enrollment.tasks.allocation_windows_close_task",
        "schedule": crontab(minute="*/5"),  # a dry run at most 5 minutes after the close
    },
}

# --- Notifications ----------------------------------------------------------------------------
# Outbox, e-mail and SMS (notifications/, docs/adr/0003-notification-outbox.md).
# SMS: the console backend prints; production sets NOTIFICATIONS_SMS_BACKEND to
# notifications.channels.sms.smsapi.SmsApiBackend and SMSAPI_TOKEN (and SMSAPI_SENDER, a sender
# name registered with SMSAPI.pl).
NOTIFICATIONS_SMS_BACKEND = os.environ.get(
    "NOTIFICATIONS_SMS_BACKEND", "notifications.channels.sms.console.ConsoleSmsBackend"
)
SMSAPI_TOKEN = os.environ.get("SMSAPI_TOKEN", "")
SMSAPI_SENDER = os.environ.get("SMSAPI_SENDER", "")
SMSAPI_URL = os.environ.get("SMSAPI_URL", "https://api.smsapi.pl/")
SMSAPI_TEST_MODE = env_bool("SMSAPI_TEST_MODE", False)
# Polish letters written without diacritics keep an SMS in GSM-7 (160 characters, not 70).
NOTIFICATIONS_SMS_TRANSLITERATE = env_bool("NOTIFICATIONS_SMS_TRANSLITERATE", True)
NOTIFICATIONS_SMS_MAX_SEGMENTS = int(os.environ.get("NOTIFICATIONS_SMS_MAX_SEGMENTS", "2"))
# Sends per channel across all workers ("20/s", "100/m", "500/h"; empty = no limit), counted in
# Redis when there is one.
NOTIFICATIONS_RATE_LIMITS = {
    "email": os.environ.get("NOTIFICATIONS_EMAIL_RATE", "10/s"),
    "sms": os.environ.get("NOTIFICATIONS_SMS_RATE", "5/s"),
}
NOTIFICATIONS_RATE_LIMIT_REDIS_URL = os.environ.get("NOTIFICATIONS_RATE_LIMIT_REDIS_URL", REDIS_URL)
# Links in messages (unsubscribe, settings, "path" in a context) start with this.
NOTIFICATIONS_BASE_URL = os.environ.get("NOTIFICATIONS_BASE_URL", "http://127.0.0.1:8000")
NOTIFICATIONS_EMAIL_TIMEOUT = int(os.environ.get("NOTIFICATIONS_EMAIL_TIMEOUT", "20"))
NOTIFICATIONS_MAX_ATTEMPTS = int(os.environ.get("NOTIFICATIONS_MAX_ATTEMPTS", "8"))
# A message due now is sent by the after-commit task; the sweeper steps in after this grace.
NOTIFICATIONS_DISPATCH_GRACE_SECONDS = int(
    os.environ.get("NOTIFICATIONS_DISPATCH_GRACE_SECONDS", "60")
)
NOTIFICATIONS_SWEEP_LEASE_SECONDS = int(os.environ.get("NOTIFICATIONS_SWEEP_LEASE_SECONDS", "300"))
NOTIFICATIONS_SWEEP_SECONDS = float(os.environ.get("NOTIFICATIONS_SWEEP_SECONDS", "60"))
NOTIFICATIONS_BATCH_SIZE = int(os.environ.get("NOTIFICATIONS_BATCH_SIZE", "50"))
# GDPR: participants inactive this many years are anonymized (privacy.retention_apply, weekly).
PRIVACY_RETENTION_YEARS = int(os.environ.get("PRIVACY_RETENTION_YEARS", "5"))
CELERY_BEAT_SCHEDULE["privacy-retention"] = {
    "task": "privacy.retention_apply",
    "schedule": crontab(hour=4, minute=30, day_of_week=0),
}
CELERY_BEAT_SCHEDULE["notifications-sweep"] = {
    "task": "notifications.tasks.notifications_sweep_task",
    "schedule": NOTIFICATIONS_SWEEP_SECONDS,
}
# --- end of Notifications ---------------------------------------------------------------------

# --- Billing: payments ---------------------------------------------------------------------
# The centre's bank account and name on payment requests and in the transfer QR code (ZBP 2D);
# `manage.py check` fails on an account number whose checksum does not hold (billing/checks.py).
BILLING_ACCOUNT_NUMBER = os.environ.get("BILLING_ACCOUNT_NUMBER", "79102035550000123456789012")
BILLING_RECIPIENT_NAME = os.environ.get("BILLING_RECIPIENT_NAME", "Miejski Ośrodek Kultury")
BILLING_RECIPIENT_ADDRESS = os.environ.get(
    "BILLING_RECIPIENT_ADDRESS", "ul. Przykładowa 1, 64-100 Leszno"
)
BILLING_NIP = os.environ.get("BILLING_NIP", "")
# Online payments: "simulator" (local demo pages, no money moves) or "przelewy24".
BILLING_GATEWAY = os.environ.get("BILLING_GATEWAY", "simulator")
# The largest bank statement file the import page takes (bytes).
BILLING_STATEMENT_MAX_BYTES = int(
    os.environ.get("BILLING_STATEMENT_MAX_BYTES", str(5 * 1024 * 1024))
)
P24_MERCHANT_ID = os.environ.get("P24_MERCHANT_ID", "")
P24_POS_ID = os.environ.get("P24_POS_ID", "") or P24_MERCHANT_ID
P24_CRC = os.environ.get("P24_CRC", "")
P24_API_KEY = os.environ.get("P24_API_KEY", "")
P24_SANDBOX = env_bool("P24_SANDBOX", True)
# --- end of Billing: payments -----------------------------------------------------------------

# --- Billing: charges -------------------------------------------------------------------------
# The monthly run, proration and overdue follow-up (billing/services/charges.py, overdue.py,
# docs/adr/0008-billing-run-and-proration.md).
BILLING_DUE_DAY = int(os.environ.get("BILLING_DUE_DAY", "10"))  # day of the month, 1-28
# Days after the due date: reminder, second reminder, alert to the activity's coordinators.
BILLING_OVERDUE_STAGES = os.environ.get("BILLING_OVERDUE_STAGES", "7,21,35")
# "MM-DD": the first day of the second semester (the first one runs from the season's start).
BILLING_SECOND_SEMESTER_STARTS = os.environ.get("BILLING_SECOND_SEMESTER_STARTS", "02-01")
CELERY_BEAT_SCHEDULE["billing-run-monthly"] = {
    "task": "billing.tasks.billing_run_monthly_task",
    "schedule": crontab(day_of_month=1, hour=3, minute=0),
}
CELERY_BEAT_SCHEDULE["billing-runs-finish-pending"] = {
    "task": "billing.tasks.billing_runs_finish_pending_task",
    "schedule": crontab(minute="*/15"),
}
CELERY_BEAT_SCHEDULE["billing-cancelled-meetings-credit"] = {
    "task": "billing.tasks.cancelled_meetings_credit_task",
    "schedule": crontab(hour=2, minute=40),
}
# Late activations charged, unused parts of charged periods credited (docs/adr/0014-*).
CELERY_BEAT_SCHEDULE["billing-enrollment-changes-settle"] = {
    "task": "billing.tasks.enrollment_changes_settle_task",
    "schedule": crontab(minute="*/15"),
}
CELERY_BEAT_SCHEDULE["billing-overdue-follow-up"] = {
    "task": "billing.tasks.overdue_follow_up_task",
    "schedule": crontab(hour=9, minute=0),
}
CELERY_BEAT_SCHEDULE["billing-family-cards-remind"] = {
    "task": "billing.tasks.family_cards_remind_task",
    "schedule": crontab(hour=9, minute=30),
}
# --- end of Billing: charges ------------------------------------------------------------------

# --- Security ---------------------------------------------------------------------------------
# docs/adr/0010-hardening.md. DJANGO_HTTPS=1 in production behind TLS: redirect to https, HSTS,
# secure cookies. Off by default so that `make run` and local compose work over plain http.
HTTPS = env_bool("DJANGO_HTTPS", False)
# Sessions live in the database and are read through the cache (Redis in production): a
# logged-in page reads its session without a query, and a flushed cache loses no one's login.
# Ending a session goes through the SessionStore (privacy.services), never the model alone.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_COOKIE_SECURE = env_bool(
    "DJANGO_SECURE_COOKIES", HTTPS or (not DEBUG and bool(DATABASE_URL))
)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = HTTPS
# /healthz is probed over plain http inside the compose network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", "31536000" if HTTPS else "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
# Preloading commits the whole domain to https in browsers for good: the domain's owner decides
# (DJANGO_HSTS_PRELOAD=1); until then Django's reminder about it is silenced.
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", False)
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Everything is served from here (vendored Bootstrap and htmx, no CDN), with no inline script or
# style; Bootstrap's CSS draws its icons from data: URIs. htmx's injected indicator style is
# switched off in base.html (its rule is in site.css).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
# Browser features no page uses, off for every page (config/security.py).
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=()"
)

# Mounts `/_bench/bare`, the bare-view baseline of `make bench`. Never on in production.
BENCHMARK_VIEWS = env_bool("DJANGO_BENCHMARK_VIEWS", False)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
}

VAR_DIR.mkdir(parents=True, exist_ok=True)
