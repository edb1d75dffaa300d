"""Settings of the CAC portal: one module, read from the environment.

Nothing set: SQLite file, Celery tasks run eagerly in-process, emails printed on the console,
files under ./media, a cache in the process's memory. Production sets DATABASE_URL,
CELERY_BROKER_URL, CACHE_URL, EMAIL_URL, SECRET_KEY, ALLOWED_HOSTS, MEDIA_ROOT,
TRUSTED_PROXY_COUNT and DEBUG=0 (see README.md).
"""

from pathlib import Path

from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from cac_portal.env import (
    env_bool,
    env_cache,
    env_count,
    env_database,
    env_email,
    env_int,
    env_list,
    env_rate,
    env_str,
)

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", default=True)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set: with DEBUG off the portal needs a long random SECRET_KEY "
            "(for example: python -c 'import secrets; print(secrets.token_urlsafe(50))')."
        )
    SECRET_KEY = "django-insecure-local-development-key-only-for-debug-mode"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured(
        "ALLOWED_HOSTS is not set: with DEBUG off, list the portal's host names, "
        "comma-separated (e.g. ALLOWED_HOSTS=adhesion.example.org)."
    )
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "django_ratelimit",
    "cac_portal",
    "charter",
    "members",
    "dues",
    "receipts",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

ROOT_URLCONF = "cac_portal.urls"
WSGI_APPLICATION = "cac_portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "charter.context_processors.collective",
            ],
            # {% field %}, {% desk_field %} and {% remembered %} on every page, without {% load %}.
            "builtins": ["cac_portal.templatetags.fields", "cac_portal.templatetags.remembered"],
        },
    },
]

DATABASES = {"default": env_database("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The rate limits (the public form, confirmation emails, allauth's logins) count in this cache:
# in production Redis, shared by every gunicorn worker and machine, else each process would
# count on its own and a limit would be multiplied by the number of processes.
CACHES = {"default": env_cache("CACHE_URL")}
if CACHES["default"]["BACKEND"].endswith("LocMemCache"):
    # The embedded default (make run) is one process: its memory is the whole count.
    # django-ratelimit refuses a per-process cache (E003) and warns of an unlisted one (W001).
    SILENCED_SYSTEM_CHECKS = ["django_ratelimit.E003", "django_ratelimit.W001"]
else:
    # Django's own Redis cache adds with SET NX and increments with INCRBY, both atomic, as
    # django-ratelimit requires; its 4.1 list of supported backends names only django-redis.
    SILENCED_SYSTEM_CHECKS = ["django_ratelimit.W001"]

# The client's address is the one the nearest of our TRUSTED_PROXY_COUNT proxies saw
# (cac_portal.clients.client_ip): 0 reads REMOTE_ADDR and ignores X-Forwarded-For, 1 for the
# TLS proxy in front of gunicorn. allauth's limits and the form's use that same function.
TRUSTED_PROXY_COUNT = env_count("TRUSTED_PROXY_COUNT", 0)
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT
RATELIMIT_IP_META_KEY = "cac_portal.clients.client_ip"
# Submissions of the public form per client address ("5/10m": five per ten minutes).
ADHESION_RATE_LIMIT = env_rate("ADHESION_RATE_LIMIT", "5/10m")
# Confirmation emails sent to one address per day; past that the pledge is saved, not emailed.
CONFIRMATION_EMAILS_PER_ADDRESS_PER_DAY = env_count("CONFIRMATION_EMAILS_PER_ADDRESS_PER_DAY", 3)
# The largest bank statement staff may upload (bytes), checked before the file is read: a year
# of a busy account in CAMT.053 is a few megabytes.
BANK_STATEMENT_MAX_BYTES = env_int("BANK_STATEMENT_MAX_BYTES", 10 * 1024 * 1024)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]

# django-allauth: login by email, email verified before the first login; rate limits stay on.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[CAC] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http" if DEBUG else "https"
ACCOUNT_ADAPTER = "members.adapters.AccountAdapter"
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/compte/"

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("Français")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
WHITENOISE_USE_FINDERS = env_bool("WHITENOISE_USE_FINDERS", default=not STATIC_ROOT.is_dir())

# Uploaded files (the signature image) and the receipts' PDFs. MEDIA_ROOT is never served by
# URL: receipts go through the download view, which checks who is asking.
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
MEDIA_URL = "/media-not-served/"
PRIVATE_ROOT = MEDIA_ROOT / "private"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "private": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(PRIVATE_ROOT), "base_url": "/private-not-served/"},
    },
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

vars().update(env_email("EMAIL_URL"))
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "CAC <adhesions@associations-citoyennes.net>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_TIMEOUT = 30

# Celery: with no broker, tasks run eagerly in-process (make run); with one, a worker runs them.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL")
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", default=not CELERY_BROKER_URL)
if not CELERY_BROKER_URL:
    CELERY_BROKER_URL = "memory://localhost/"
# In-process tasks (`make run`) keep a task's error to themselves, as a worker would; the test
# settings make them raise in the call that queued them.
CELERY_TASK_EAGER_PROPAGATES = env_bool("CELERY_TASK_EAGER_PROPAGATES", default=False)
# Members per task of the January batch: two groups of 20 (receipts.services.batch.GROUP).
# Small, so that the last tasks spread over every worker process (a 100-member task left one
# process rendering alone for seconds at the end); large enough that a task's own queries are
# a few per hundred receipts.
CELERY_BATCH_CHUNK_SIZE = env_int("CELERY_BATCH_CHUNK_SIZE", 40)
# The queue tasks go to and workers read: two portals (or a test run) can share one Redis.
CELERY_TASK_DEFAULT_QUEUE = env_str("CELERY_TASK_DEFAULT_QUEUE", "celery")
# The periodic sweep (receipts.tasks.sweep_receipts): how long the on-commit task gets before
# the sweep does its work; how long an email may wait in the broker before the sweep sends it;
# how long a January batch may go without progress before the sweep resumes it.
RECEIPTS_SWEEP_GRACE_SECONDS = env_int("RECEIPTS_SWEEP_GRACE_SECONDS", 60)
RECEIPTS_EMAIL_GRACE_SECONDS = env_int("RECEIPTS_EMAIL_GRACE_SECONDS", 1800)
RECEIPTS_BATCH_STALL_SECONDS = env_int("RECEIPTS_BATCH_STALL_SECONDS", 600)
# Renewal reminders go to members up to date in one of the last N years before the campaign's
# (1: last year only; 2: last year or the year before).
RENEWAL_REMINDER_LOOKBACK_YEARS = env_count("RENEWAL_REMINDER_LOOKBACK_YEARS", 1)
if RENEWAL_REMINDER_LOOKBACK_YEARS not in (1, 2):
    raise ImproperlyConfigured("RENEWAL_REMINDER_LOOKBACK_YEARS must be 1 or 2.")
# How long a reminder's email may wait (a worker on it) before the sweep sends it or retries.
RENEWAL_REMINDER_GRACE_SECONDS = env_int("RENEWAL_REMINDER_GRACE_SECONDS", 900)
# Where an association that files no tax return declares its gifts of the year (CGI art. 222
# bis); one that files a 2065-SD or 2070-SD fills in their frame instead.
RECEIPTS_DECLARATION_URL = env_str(
    "RECEIPTS_DECLARATION_URL",
    "https://www.demarches-simplifiees.fr/commencer/declaration-des-dons",
)

# Personal data (SPEC.md §6), read by the retention task, the closure page and the record of
# processing activities alike, so that none of them can drift from the others: contact data is
# kept while one is a member and RETENTION_CONTACT_YEARS after the last payment or pledge (a
# warning RETENTION_NOTICE_DAYS before); receipts RETENTION_RECEIPT_YEARS after the end of their
# year of issue (LPF art. L102 E); payments, as accounting entries, RETENTION_PAYMENT_YEARS after
# the end of their year (code de commerce art. L123-22). A download of one's data with more than
# PERSONAL_DATA_SYNC_MAX_FILES receipts is built by a worker and its link emailed, valid
# PERSONAL_DATA_LINK_DAYS days.
RETENTION_CONTACT_YEARS = env_int("RETENTION_CONTACT_YEARS", 3)
RETENTION_NOTICE_DAYS = env_int("RETENTION_NOTICE_DAYS", 30)
RETENTION_RECEIPT_YEARS = env_int("RETENTION_RECEIPT_YEARS", 6)
RETENTION_PAYMENT_YEARS = env_int("RETENTION_PAYMENT_YEARS", 10)
PERSONAL_DATA_SYNC_MAX_FILES = env_int("PERSONAL_DATA_SYNC_MAX_FILES", 20)
PERSONAL_DATA_LINK_DAYS = env_int("PERSONAL_DATA_LINK_DAYS", 7)

# The import of existing members (/gestion/import/): the largest file accepted, checked before
# it is read; the most lines (the preview checks about a thousand lines a second, within the
# request); above how many lines a Celery worker imports them (with a progress bar).
MEMBER_IMPORT_MAX_BYTES = env_int("MEMBER_IMPORT_MAX_BYTES", 5 * 2**20)
MEMBER_IMPORT_MAX_LINES = env_int("MEMBER_IMPORT_MAX_LINES", 10000)
MEMBER_IMPORT_BACKGROUND_LINES = env_int("MEMBER_IMPORT_BACKGROUND_LINES", 1000)

SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
# django-csp: the portal's own vendored scripts and styles only (no inline script, style or
# handler, no eval), no framing, forms posting to the portal only.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [NONE],
        "object-src": [NONE],
    }
}
SECURE_CONTENT_TYPE_NOSNIFF = True
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# Everything goes to one console handler through the root logger, once: Django's own "django"
# handler is replaced by propagation (else each of its lines would print twice), and refused
# requests lose their traceback (cac_portal.logs.NoTracebackBelow500).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"no_traceback_below_500": {"()": "cac_portal.logs.NoTracebackBelow500"}},
    "formatters": {"line": {"format": "[{asctime}] {levelname} {name}: {message}", "style": "{"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "line",
            "filters": ["no_traceback_below_500"],
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django": {"handlers": [], "propagate": True, "level": "INFO"},
        "django.server": {"handlers": [], "propagate": True, "level": "INFO"},
        # ofxtools tells at INFO each step of reading a bank statement.
        "ofxtools": {"handlers": [], "propagate": True, "level": "WARNING"},
    },
}
