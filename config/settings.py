"""
Settings for Verdicts, read from the environment.

Every value that differs between a laptop and production comes from an
environment variable (see the configuration table in README.md). Without any
of them the project runs on embedded defaults: SQLite in var/, local-memory
cache, Celery tasks run in-process and email printed to the console. With
DEBUG off the secret key must be given, so a production server never starts
with a key that is published in this file.
"""

from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from kombu import Queue

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)

if DEBUG:
    SECRET_KEY = env(
        "SECRET_KEY", default="django-insecure-local-development-key-not-for-production"
    )
else:
    SECRET_KEY = env("SECRET_KEY", default="")
    if not SECRET_KEY:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set the SECRET_KEY environment variable "
            "(or DEBUG=true for local development)."
        )

ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"] if DEBUG else []
)
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
SITE_NAME = "Verdicts"
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[SITE_URL])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.postgres",
    "crispy_forms",
    "crispy_bootstrap5",
    "reversion",
    "anymail",
    "editorial",
    "pictures",
    "tools",
    "reviewers",
    "comparisons",
    "newsletter",
    "pages",
    "newsroom",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Stored reader pages are answered here, before sessions and CSRF.
    "pages.cache.PageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

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
                "config.context_processors.site",
            ],
        },
    },
]

DATABASES = {
    "default": env.db_url(
        "DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"
    ),
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
# A reused connection is checked (one round trip) before a request uses it.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = env.bool(
    "CONN_HEALTH_CHECKS", default=True
)
# PostgreSQL: parameters are sent apart from the SQL, and a statement a
# connection has run twice is prepared, so each page's few queries are
# planned once per connection rather than on every view. Turn it off behind
# a pooler that cannot keep prepared statements (PgBouncer in transaction
# mode before 1.21).
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env.bool(
    "DATABASE_PREPARED_STATEMENTS", default=True
):
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"server_side_binding": True, "prepare_threshold": 2}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "config.cache.ReusingRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="verdicts"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Celery: Redis is the broker in production; without it, tasks run in-process.
CELERY_BROKER_URL = REDIS_URL or "memory://localhost/"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = env.str("TIME_ZONE", default="UTC")
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
# Every queue the project uses: `celery -A config worker` with no -Q flag
# consumes all of them.
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_QUEUES = (
    Queue("celery", routing_key="celery"),
    Queue("sending", routing_key="sending"),
)
CELERY_TASK_ROUTES = {"newsletter.deliver_chunk": {"queue": "sending"}}


def _weekly_slot(name: str, default: str) -> tuple[int, int, int]:
    """Read "tue 10:00" as (weekday with Monday 0, hour, minute)."""
    days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    value = env.str(name, default=default).strip().lower()
    try:
        day, clock = value.split()
        hour, minute = (int(part) for part in clock.split(":"))
        slot = (days.index(day[:3]), hour, minute)
    except ValueError as error:
        raise ImproperlyConfigured(
            f'{name} must look like "tue 10:00", not "{value}".'
        ) from error
    if not (0 <= hour < 24 and 0 <= minute < 60):
        raise ImproperlyConfigured(f'{name} has no such time: "{value}".')
    return slot


# Weekly AI Tool Verdicts: assembled and scheduled on these slots, in TIME_ZONE.
NEWSLETTER_ASSEMBLE_AT = _weekly_slot("NEWSLETTER_ASSEMBLE_AT", "mon 09:00")
NEWSLETTER_SEND_AT = _weekly_slot("NEWSLETTER_SEND_AT", "tue 10:00")
NEWSLETTER_CONFIRM_MAX_AGE_DAYS = env.int("NEWSLETTER_CONFIRM_MAX_AGE_DAYS", default=7)
NEWSLETTER_CHUNK_SIZE = env.int("NEWSLETTER_CHUNK_SIZE", default=250)
NEWSLETTER_MAX_ATTEMPTS = env.int("NEWSLETTER_MAX_ATTEMPTS", default=5)
NEWSLETTER_RETRY_BACKOFF = env.int("NEWSLETTER_RETRY_BACKOFF", default=60)
NEWSLETTER_BOUNCE_LIMIT = env.int("NEWSLETTER_BOUNCE_LIMIT", default=3)
# A sending chunk refreshes its claim's heartbeat this often; a claim whose
# heartbeat is older than NEWSLETTER_CLAIM_TIMEOUT belongs to a dead worker,
# and the reconciler (every NEWSLETTER_RECONCILE_SECONDS, and whenever a
# worker starts) puts its rows back.
NEWSLETTER_HEARTBEAT_SECONDS = env.int("NEWSLETTER_HEARTBEAT_SECONDS", default=5)
NEWSLETTER_CLAIM_TIMEOUT = env.int("NEWSLETTER_CLAIM_TIMEOUT", default=30)
NEWSLETTER_RECONCILE_SECONDS = env.int("NEWSLETTER_RECONCILE_SECONDS", default=10)
NEWSLETTER_REQUEUE_AFTER = env.int("NEWSLETTER_REQUEUE_AFTER", default=120)
NEWSLETTER_SUBSCRIBE_RATE = env.int("NEWSLETTER_SUBSCRIBE_RATE", default=10)
NEWSLETTER_SUBSCRIBE_WINDOW = env.int("NEWSLETTER_SUBSCRIBE_WINDOW", default=3600)
NEWSLETTER_POLL_SECONDS = env.int("NEWSLETTER_POLL_SECONDS", default=60)
# List hygiene: confirmation emails one address may be sent in 24 hours,
# however many clients ask, and the days after which a sign-up that was never
# confirmed is deleted.
NEWSLETTER_CONFIRMATIONS_PER_DAY = env.int(
    "NEWSLETTER_CONFIRMATIONS_PER_DAY", default=3
)
NEWSLETTER_UNCONFIRMED_DAYS = env.int("NEWSLETTER_UNCONFIRMED_DAYS", default=14)
# Alerts about followed tools: at most one email per subscriber in this many
# hours, gathered by beat every NEWSLETTER_ALERT_POLL_SECONDS.
NEWSLETTER_ALERT_EVERY_HOURS = env.int("NEWSLETTER_ALERT_EVERY_HOURS", default=24)
NEWSLETTER_ALERT_POLL_SECONDS = env.int("NEWSLETTER_ALERT_POLL_SECONDS", default=3600)

# A burst: at least VOTE_BURST_MIN_VOTES votes on one tool within
# VOTE_BURST_WINDOW seconds, and more than VOTE_BURST_FACTOR times its usual
# rate over the VOTE_BURST_BASELINE_DAYS before (tools/bursts.py).
VOTE_BURST_WINDOW = env.int("VOTE_BURST_WINDOW", default=600)
VOTE_BURST_MIN_VOTES = env.int("VOTE_BURST_MIN_VOTES", default=20)
VOTE_BURST_FACTOR = env.float("VOTE_BURST_FACTOR", default=10.0)
VOTE_BURST_BASELINE_DAYS = env.int("VOTE_BURST_BASELINE_DAYS", default=7)

CELERY_BEAT_SCHEDULE = {
    "newsletter-assemble": {
        "task": "newsletter.assemble_weekly_issue",
        "schedule": crontab(
            day_of_week=(NEWSLETTER_ASSEMBLE_AT[0] + 1) % 7,
            hour=NEWSLETTER_ASSEMBLE_AT[1],
            minute=NEWSLETTER_ASSEMBLE_AT[2],
        ),
    },
    "newsletter-dispatch-due": {
        "task": "newsletter.dispatch_due_issues",
        "schedule": NEWSLETTER_POLL_SECONDS,
    },
    "newsletter-reconcile": {
        "task": "newsletter.reconcile_deliveries",
        "schedule": NEWSLETTER_RECONCILE_SECONDS,
    },
    # Editorial workflow: publish what is due and unpublish what has expired,
    # every minute (the schedule itself lives in the database).
    "comparisons-run-schedule": {
        "task": "comparisons.run_schedule",
        "schedule": 60.0,
    },
    # Vote bursts: held out of the figures until an editor judges them.
    "tools-detect-vote-bursts": {
        "task": "tools.detect_vote_bursts",
        "schedule": 60.0,
    },
    # List hygiene: sign-ups never confirmed are deleted once a day.
    "newsletter-forget-unconfirmed": {
        "task": "newsletter.forget_unconfirmed",
        "schedule": crontab(hour=4, minute=30),
    },
    # Alerts about followed tools: beat polls, each subscriber's period is
    # kept in the database (Subscriber.alerted_at).
    "newsletter-follow-alerts": {
        "task": "newsletter.send_follow_alerts",
        "schedule": NEWSLETTER_ALERT_POLL_SECONDS,
    },
}

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
# Seconds an SMTP connect or reply may take: a silent server must not hold a
# sending task anywhere near the broker's visibility timeout.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)
DEFAULT_FROM_EMAIL = env.str(
    "DEFAULT_FROM_EMAIL", default="Weekly AI Tool Verdicts <verdicts@localhost>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Sending through an email provider's API with django-anymail instead of
# SMTP: EMAIL_PROVIDER=postmark (ANYMAIL_POSTMARK_SERVER_TOKEN) or
# EMAIL_PROVIDER=mailgun (ANYMAIL_MAILGUN_API_KEY, ANYMAIL_MAILGUN_SENDER_DOMAIN).
# Their tracking webhooks (bounces, complaints, unsubscribes) are served at
# /newsletter/webhooks/<provider>/tracking/ either way.
EMAIL_PROVIDERS = {
    "postmark": "anymail.backends.postmark.EmailBackend",
    "mailgun": "anymail.backends.mailgun.EmailBackend",
}
EMAIL_PROVIDER = env.str("EMAIL_PROVIDER", default="")
if EMAIL_PROVIDER:
    if EMAIL_PROVIDER not in EMAIL_PROVIDERS:
        raise ImproperlyConfigured(
            f"EMAIL_PROVIDER must be one of {', '.join(sorted(EMAIL_PROVIDERS))}, "
            f'not "{EMAIL_PROVIDER}".'
        )
    EMAIL_BACKEND = EMAIL_PROVIDERS[EMAIL_PROVIDER]
# Only what is set: anymail treats a present but empty value as configured.
ANYMAIL = {
    name: value
    for name, value in {
        # HTTP basic auth ("user:password") that every provider's webhook
        # must send; Mailgun's are also signed with its webhook signing key.
        "WEBHOOK_SECRET": env.str("ANYMAIL_WEBHOOK_SECRET", default=""),
        "POSTMARK_SERVER_TOKEN": env.str("ANYMAIL_POSTMARK_SERVER_TOKEN", default=""),
        "MAILGUN_API_KEY": env.str("ANYMAIL_MAILGUN_API_KEY", default=""),
        "MAILGUN_SENDER_DOMAIN": env.str("ANYMAIL_MAILGUN_SENDER_DOMAIN", default=""),
        "MAILGUN_WEBHOOK_SIGNING_KEY": env.str(
            "ANYMAIL_MAILGUN_WEBHOOK_SIGNING_KEY", default=""
        ),
    }.items()
    if value
}

AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation."
        "UserAttributeSimilarityValidator"
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
# Dates read the same in the admin as on the site: "1 December 2026".
FORMAT_MODULE_PATH = ["config.formats"]
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=VAR_DIR / "static")
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/bootstrap", BASE_DIR / "node_modules" / "bootstrap" / "dist"),
]
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=VAR_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# Messages travel in their own cookie: reading them on a reader page must not
# touch the session, or every page would vary on Cookie and defeat caching.
MESSAGE_STORAGE = "django.contrib.messages.storage.cookie.CookieStorage"

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Security. Behind TLS in production; every flag can be turned off for a
# plain-HTTP staging box through the environment.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool(
    "SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG
)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

LOGIN_URL = "admin:login"

# Pages
COMPARISONS_PER_PAGE = env.int("COMPARISONS_PER_PAGE", default=12)

# Reader pages are cached whole for anonymous readers and made stale exactly
# when what they show changes (pages/cache.py); 0 turns the cache off.
# Browsers may keep a page PAGE_BROWSER_SECONDS (0: they revalidate, and
# get a 304 when nothing changed), a CDN PAGE_CDN_SECONDS; either may show
# a stale copy PAGE_STALE_SECONDS longer while it fetches a fresh one.
PAGE_CACHE_SECONDS = env.int("PAGE_CACHE_SECONDS", default=600)
PAGE_BROWSER_SECONDS = env.int("PAGE_BROWSER_SECONDS", default=0)
PAGE_CDN_SECONDS = env.int("PAGE_CDN_SECONDS", default=60)
PAGE_STALE_SECONDS = env.int("PAGE_STALE_SECONDS", default=30)
# Community figures (community/figures.json) are kept until a vote on the
# tool replaces them, at most FIGURES_CACHE_SECONDS; a CDN may keep the JSON
# FIGURES_CDN_SECONDS.
FIGURES_CACHE_SECONDS = env.int("FIGURES_CACHE_SECONDS", default=60)
FIGURES_CDN_SECONDS = env.int("FIGURES_CDN_SECONDS", default=5)

# Community votes: the figure shows once a tool has this many votes; each
# client network (an IPv4 address, an IPv6 /64) may vote VOTE_RATE_LIMIT
# times per VOTE_RATE_WINDOW seconds. Behind a load balancer or CDN, set
# TRUSTED_PROXY_COUNT to the number of proxies that append to X-Forwarded-For.
COMMUNITY_MIN_VOTES = env.int("COMMUNITY_MIN_VOTES", default=5)
VOTE_RATE_LIMIT = env.int("VOTE_RATE_LIMIT", default=30)
VOTE_RATE_WINDOW = env.int("VOTE_RATE_WINDOW", default=600)
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # One line per task run is noise when tasks run in-process.
        "celery.app.trace": {"level": "WARNING"},
    },
}
