"""Settings for mail_service. Every value that differs between machines comes
from an environment variable (see .env.example), read by core.env helpers."""

import tempfile
from pathlib import Path

from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from core.env import (
    env_bool,
    env_bounce_address,
    env_choice,
    env_database,
    env_float,
    env_int,
    env_list,
    env_mailbox_url,
    env_rate,
    env_redis_url,
    env_str,
    env_time_zone,
    load_env_file,
)

BASE_DIR = Path(__file__).resolve().parent.parent
# A local .env (made by `make` with DEBUG=1 on a developer's machine) fills in
# what the environment does not set; see .env.example.
load_env_file(BASE_DIR / ".env")

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_str("SECRET_KEY", None)
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY is required when DEBUG is off (see .env.example).")
    SECRET_KEY = "django-insecure-development-only-key-do-not-use-in-production"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
# The public address of the site, used in links inside emails (verification, unsubscribe).
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "djoser",
    "core",  # before django_cron: its `runcrons` command is ours (core/management/commands/runcrons.py)
    "django_cron",
    "django_htmx",
    "template_partials",
    "axes",
    "api",
    "web",
    "blog",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "web.locale.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "core.urls"
# The addresses the mail we send links to, which ROOT_URLCONF includes: the dispatcher reverses them alone.
MAIL_URLCONF = "web.mail_urls"
WSGI_APPLICATION = "core.wsgi.application"

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
                "django.template.context_processors.i18n",
                "core.context_processors.site",
                "web.context_processors.pages",
            ],
        },
    },
]

DATABASES = {"default": env_database("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

_redis_url = env_redis_url("REDIS_URL")
if _redis_url:
    CACHES = {"default": {"BACKEND": "core.cache.ReusingRedisCache", "LOCATION": _redis_url}}
    # Sessions read from Redis, written through to the database: a page does not
    # ask the database for its session. (A blocked user is refused all the same:
    # blocking moves the user's version on, after which the user is read afresh; core/cache.py.)
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# What is read again and again until the data changes — rendered API lists, whole
# pages, the logged-in user — kept this many seconds or until the code that writes
# moves on the versions they hang on (an owner's data, a user's account; core/cache.py).
# The versions live in the cache, so every process must share them: Redis only (0 = off).
DATA_CACHE_SECONDS = env_int("DATA_CACHE_SECONDS", 60 if _redis_url else 0, minimum=0)
if DATA_CACHE_SECONDS and not _redis_url:
    raise ImproperlyConfigured("DATA_CACHE_SECONDS needs a shared cache: set REDIS_URL as well.")

AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "core.auth.EmailBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"
# How long an email verification link stays valid.
EMAIL_VERIFICATION_MAX_AGE = env_int("EMAIL_VERIFICATION_MAX_AGE", 3 * 24 * 3600, minimum=60)

LANGUAGE_CODE = env_choice("LANGUAGE_CODE", "en", {"en", "ru"})
LANGUAGES = [("en", _("English")), ("ru", _("Russian"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_time_zone("TIME_ZONE", "UTC")
USE_I18N = True
# --- Web UI (issue 6): the language switcher's choice is kept for a year, not
# only for the browser session.
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
# --- end of web UI
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
FIXTURE_DIRS = [BASE_DIR / "fixtures"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
# "manifest" (hashed, compressed, needs collectstatic) in production; "plain"
# serves straight from the source folders (development and tests).
_static_storage = env_choice("STATIC_STORAGE", "plain" if DEBUG else "manifest", {"plain", "manifest"})
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if _static_storage == "plain"
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = _static_storage == "plain"

# Email. In development mail goes to the console unless EMAIL_BACKEND says otherwise;
# in production it goes to the SMTP server described by the EMAIL_* variables.
_backends = {
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
    "console": "django.core.mail.backends.console.EmailBackend",
    "file": "django.core.mail.backends.filebased.EmailBackend",
    "locmem": "django.core.mail.backends.locmem.EmailBackend",
}
EMAIL_BACKEND = _backends[env_choice("EMAIL_BACKEND", "console" if DEBUG else "smtp", set(_backends))]
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH", str(BASE_DIR / "var" / "mail"))
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("EMAIL_USE_TLS and EMAIL_USE_SSL are mutually exclusive; set at most one.")
EMAIL_TIMEOUT = env_float("EMAIL_TIMEOUT", 30.0, minimum=0.1)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "mail_service <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Deliverability: one-click unsubscribe (RFC 8058), suppression of dead
# addresses, DKIM. The DKIM key is PEM text (DKIM_PRIVATE_KEY) or a file path
# (DKIM_PRIVATE_KEY_FILE); signing is on when key, selector and domain are set.
UNSUBSCRIBE_MAILTO = env_str("UNSUBSCRIBE_MAILTO", "")
MESSAGE_ID_DOMAIN = env_str("MESSAGE_ID_DOMAIN", "") or DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip(" >")
SUPPRESS_AFTER_HARD_BOUNCES = env_int("SUPPRESS_AFTER_HARD_BOUNCES", 1, minimum=1)
DKIM_PRIVATE_KEY = env_str("DKIM_PRIVATE_KEY", "")
_dkim_key_file = env_str("DKIM_PRIVATE_KEY_FILE", "")
if _dkim_key_file:
    try:
        DKIM_PRIVATE_KEY = Path(_dkim_key_file).read_text()
    except OSError as exc:
        raise ImproperlyConfigured(f"DKIM_PRIVATE_KEY_FILE={_dkim_key_file!r} cannot be read: {exc}") from None
DKIM_SELECTOR = env_str("DKIM_SELECTOR", "")
DKIM_DOMAIN = env_str("DKIM_DOMAIN", "")
# Bounces that arrive later: with BOUNCE_ADDRESS set, each mailing message's
# envelope sender is that address with a signed token naming its attempt
# (VERP); the bounce job reads BOUNCE_MAILBOX, where mail to it arrives, at
# most BOUNCE_BATCH messages a run.
BOUNCE_ADDRESS = env_bounce_address("BOUNCE_ADDRESS")
BOUNCE_MAILBOX = env_mailbox_url("BOUNCE_MAILBOX")
BOUNCE_BATCH = env_int("BOUNCE_BATCH", 200, minimum=1)
BOUNCE_MAILBOX_TIMEOUT = env_float("BOUNCE_MAILBOX_TIMEOUT", 20.0, minimum=0.1)

# Security. HTTPS=1 (the default when DEBUG is off) turns on redirects, secure
# cookies and HSTS; set HTTPS=0 only behind a proxy that you trust to do it.
HTTPS = env_bool("HTTPS", not DEBUG)
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if HTTPS else 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", HTTPS)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", HTTPS)
# Behind a reverse proxy every request comes from the proxy's address; the
# client's is the one the nearest of PROXY_COUNT proxies put into
# X-Forwarded-For. Without BEHIND_PROXY that header is ignored: anybody can send it.
BEHIND_PROXY = env_bool("BEHIND_PROXY", False)
PROXY_COUNT = env_int("PROXY_COUNT", 1, minimum=1)
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp; Django 5.2 has no setting of its own):
# scripts, styles, fonts and requests of our own origin only — no inline
# script or style, no eval (htmx is told so in base.html's htmx-config) — and
# images of our own or `data:` (Bootstrap draws its icons with data: SVGs).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# API
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 25,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": ["api.renderers.JSONRenderer", "rest_framework.renderers.BrowsableAPIRenderer"],
}

SPECTACULAR_SETTINGS = {
    "TITLE": "mail_service API",
    "DESCRIPTION": "Clients, messages, mailings, attempts and reports of the mail_service.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # API face of the viewsets (issue 5): the schema documents JSON; our pages use
    # form posts and HTML fragments of the same endpoints.
    "PARSER_WHITELIST": ["rest_framework.parsers.JSONParser"],
    "ENUM_NAME_OVERRIDES": {
        "MailingStatusEnum": "core.models.MailingDisplayStatus",
        "AttemptStatusEnum": "core.models.AttemptStatus",
        "PeriodicityEnum": "core.models.Periodicity",
    },
    "COMPONENT_SPLIT_REQUEST": True,
    # Error answers, public endpoints and integer ids, declared once (api/schema.py).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.schema.declare_shared_answers",
    ],
}
# Throttling of the API: requests per client, e.g. "100/minute" (s, minute, hour, day).
REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"] = [
    "rest_framework.throttling.AnonRateThrottle",
    "rest_framework.throttling.UserRateThrottle",
]
# Which client a request is from (throttling here, lockout in core.auth.client_address).
REST_FRAMEWORK["NUM_PROXIES"] = PROXY_COUNT if BEHIND_PROXY else 0
REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] = {
    "anon": env_rate("API_THROTTLE_ANON", "60/minute"),
    "user": env_rate("API_THROTTLE_USER", "1200/minute"),
}

# Request bodies: at most this much is parsed in memory (JSON and form fields);
# an uploaded file larger than that goes to a temporary file. The CSV import
# refuses an upload over its own limit by the size the request announces,
# before reading it (api/csv_import.py).
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

# Blog (issue 7): limits for uploaded cover images, and how long the home page
# keeps its pool of published posts before it looks again (saving or deleting
# a post refreshes it at once).
BLOG_COVER_MAX_BYTES = env_int("BLOG_COVER_MAX_BYTES", 5 * 1024 * 1024, minimum=1024)
BLOG_COVER_MAX_WIDTH = env_int("BLOG_COVER_MAX_WIDTH", 4000, minimum=1)
BLOG_COVER_MAX_HEIGHT = env_int("BLOG_COVER_MAX_HEIGHT", 4000, minimum=1)
BLOG_HOME_CACHE_SECONDS = env_int("BLOG_HOME_CACHE_SECONDS", 600, minimum=0)

# Images in Markdown messages (issue 17): the same rule as blog covers, limits of their own.
MESSAGE_IMAGE_MAX_BYTES = env_int("MESSAGE_IMAGE_MAX_BYTES", 2 * 1024 * 1024, minimum=1024)
MESSAGE_IMAGE_MAX_WIDTH = env_int("MESSAGE_IMAGE_MAX_WIDTH", 4000, minimum=1)
MESSAGE_IMAGE_MAX_HEIGHT = env_int("MESSAGE_IMAGE_MAX_HEIGHT", 4000, minimum=1)

# Brute-force protection (django-axes): lock an account, and an account from
# one address, after repeated failures, for a while. Not an address alone: a
# stranger's failures on other accounts lock nobody else out, even when many
# people share an address (an office, a misconfigured proxy).
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = env_float("AXES_COOLOFF_MINUTES", 15, minimum=0.1) / 60
AXES_LOCKOUT_PARAMETERS = [["username"], ["ip_address", "username"]]
AXES_USERNAME_FORM_FIELD = "username"
# Every spelling of an address is one account (ADMIN@… and admin@… share a count),
# and the client's address is read as the API's throttling reads it.
AXES_USERNAME_CALLABLE = "core.auth.login_name"
AXES_CLIENT_IP_CALLABLE = "core.auth.client_address"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

# --- Accounts (issue 4) ---------------------------------------------------------
# Our log-in page and API token log-in say "locked out" themselves (status 429);
# this callable keeps their answer and covers any other log-in form.
AXES_LOCKOUT_CALLABLE = "web.lockout.lockout_response"
# Password reset links expire after this many seconds (Django's setting).
PASSWORD_RESET_TIMEOUT = env_int("PASSWORD_RESET_TIMEOUT", 24 * 3600, minimum=60)
# djoser serves the account API under /api/auth/; sign-up, verification, log-in
# checks and reset run in core.services.accounts, whose emails link to our web
# pages (SITE_URL + path). The two *_URL values name those same pages, and the
# email hooks send our templates (api/tests/test_auth_api.py keeps them in step).
DJOSER = {
    "LOGIN_FIELD": "email",
    "SEND_ACTIVATION_EMAIL": True,
    "ACTIVATION_URL": "accounts/verify/{uid}/{token}/",
    "PASSWORD_RESET_CONFIRM_URL": "accounts/password/reset/{uid}/{token}/",
    "SERIALIZERS": {
        "token_create": "api.serializers.accounts.TokenLoginSerializer",
        "user": "api.serializers.accounts.CurrentUserSerializer",
        "current_user": "api.serializers.accounts.CurrentUserSerializer",
    },
    "EMAIL": {
        "activation": "api.accounts.ActivationEmail",
        "password_reset": "api.accounts.PasswordResetEmail",
    },
}
# --- end of accounts ---------------------------------------------------------------

# Cron: `manage.py runcrons` runs these jobs; the file lock really excludes
# overlapping runs on one host (the default cache lock does not with a
# per-process cache, and django-cron's own FileLock does not either: see
# core/cron_lock.py).
CRON_CLASSES = ["core.cron.OutboxJob", "core.cron.DispatchJob", "core.cron.BounceJob", "core.cron.StatisticsJob"]
DJANGO_CRON_LOCK_BACKEND = "core.cron_lock.ExclusiveFileLock"
DJANGO_CRON_LOCKFILE_PATH = env_str("CRON_LOCK_DIR", tempfile.gettempdir())
DJANGO_CRON_DELETE_LOGS_OLDER_THAN = 7

# Dispatch (core/dispatch): how mailings are sent. Timeouts in seconds; the
# time budget keeps one cron run shorter than the one-minute cron interval.
DISPATCH_BATCH_SIZE = env_int("DISPATCH_BATCH_SIZE", 500, minimum=1)
DISPATCH_RECONNECT_AFTER = env_int("DISPATCH_RECONNECT_AFTER", 1000, minimum=1)
DISPATCH_MAX_TRIES = env_int("DISPATCH_MAX_TRIES", 5, minimum=1)
DISPATCH_BACKOFF_SECONDS = env_float("DISPATCH_BACKOFF_SECONDS", 60, minimum=0)
DISPATCH_LEASE_SECONDS = env_float("DISPATCH_LEASE_SECONDS", 300, minimum=1)
DISPATCH_TIME_BUDGET = env_float("DISPATCH_TIME_BUDGET", 50, minimum=1)
if DISPATCH_TIME_BUDGET >= 60:
    raise ImproperlyConfigured("DISPATCH_TIME_BUDGET must stay below the 60 s cron interval.")
DISPATCH_RATE_LIMIT = env_float("DISPATCH_RATE_LIMIT", 0, minimum=0)
DISPATCH_CONNECT_TIMEOUT = env_float("DISPATCH_CONNECT_TIMEOUT", 10, minimum=0.01)
DISPATCH_READ_TIMEOUT = env_float("DISPATCH_READ_TIMEOUT", EMAIL_TIMEOUT, minimum=0.01)
DISPATCH_SERVER_FAULT_AFTER = env_int("DISPATCH_SERVER_FAULT_AFTER", 3, minimum=1)
# A run still unsent this long after its mailing's end is not sent any more (its attempts are skipped).
DISPATCH_END_GRACE_SECONDS = env_float("DISPATCH_END_GRACE_SECONDS", 3600, minimum=0)

# Outbox (core/outbox.py): the emails the site itself sends (account emails).
# They leave right after the request's commit from at most OUTBOX_SENDER_THREADS
# background threads per process (0: only cron sends them), with short SMTP
# timeouts; cron retries what failed, the delay doubling each try, and gives up
# after OUTBOX_MAX_TRIES tries.
OUTBOX_CONNECT_TIMEOUT = env_float("OUTBOX_CONNECT_TIMEOUT", 5, minimum=0.01)
OUTBOX_READ_TIMEOUT = env_float("OUTBOX_READ_TIMEOUT", 10, minimum=0.01)
OUTBOX_MAX_TRIES = env_int("OUTBOX_MAX_TRIES", 8, minimum=1)
OUTBOX_BACKOFF_SECONDS = env_float("OUTBOX_BACKOFF_SECONDS", 60, minimum=0)
OUTBOX_SENDER_THREADS = env_int("OUTBOX_SENDER_THREADS", 2, minimum=0)
# Tests of a message an owner sends to themselves (core/services/proofs.py, through the
# outbox): at most this many an hour to one address.
TEST_SENDS_PER_HOUR = env_int("TEST_SENDS_PER_HOUR", 10, minimum=1)
# Public sign-up to a list (core/services/signup.py): the emailed confirmation link
# works this many seconds; at most SIGNUP_MAILS_PER_ADDRESS_PER_DAY sign-up emails go to
# one address a day, and one client address may ask SIGNUP_REQUESTS_PER_IP_PER_HOUR times an hour.
SIGNUP_CONFIRM_MAX_AGE = env_int("SIGNUP_CONFIRM_MAX_AGE", 3 * 24 * 3600, minimum=60)
SIGNUP_MAILS_PER_ADDRESS_PER_DAY = env_int("SIGNUP_MAILS_PER_ADDRESS_PER_DAY", 3, minimum=1)
SIGNUP_REQUESTS_PER_IP_PER_HOUR = env_int("SIGNUP_REQUESTS_PER_IP_PER_HOUR", 20, minimum=1)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_choice("LOG_LEVEL", "INFO", {"DEBUG", "INFO", "WARNING", "ERROR"})},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
