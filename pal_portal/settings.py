"""Settings for the PAL Portal, driven by environment variables.

Without any variable set, the portal runs as a local first run: SQLite, Celery tasks run eagerly,
files on local disk, DEBUG on. With ``DJANGO_ENV=production`` it refuses to start unless
``SECRET_KEY``, ``DATABASE_URL`` and ``ALLOWED_HOSTS`` are given, and hardens cookies and HTTPS.
"""

from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

DJANGO_ENV = env.str("DJANGO_ENV", default="development")
PRODUCTION = DJANGO_ENV == "production"

if PRODUCTION:
    missing = [
        name for name in ("SECRET_KEY", "DATABASE_URL", "ALLOWED_HOSTS") if not env.str(name, "")
    ]
    if missing:
        raise ImproperlyConfigured(
            "DJANGO_ENV=production requires these environment variables: " + ", ".join(missing)
        )
    SECRET_KEY = env.str("SECRET_KEY")
    if len(SECRET_KEY) < 50:
        raise ImproperlyConfigured("SECRET_KEY must be at least 50 characters long in production.")
    DEBUG = False
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
else:
    SECRET_KEY = env.str(
        "SECRET_KEY", default="django-insecure-local-development-key-not-for-production-use"
    )
    DEBUG = env.bool("DEBUG", default=True)
    ALLOWED_HOSTS = env.list(
        "ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"]
    )

CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "guardian",
    "simple_history",
    "axes",
    "csp",
    "django_htmx",
    "django_celery_beat",
    "pal_portal",
    # The domain apps, in the order of the ladder: each depends only on those above it here.
    "stl",
    "evidence",
    "cocreation",
    "commitments",
    "validation",
    "transparency",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Early, so that answers of the middleware below (a 400 for a foreign Host) carry it too.
    "csp.middleware.CSPMiddleware",
    # A database outage met by a view answers a Spanish 503 with Retry-After (pal_portal.views).
    "pal_portal.middleware.DatabaseUnavailableMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "pal_portal.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "pal_portal.request_cache.RequestCacheMiddleware",
    "pal_portal.middleware.PrivateResponsesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Axes must be last: it turns a locked-out login into its own response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "pal_portal.urls"
WSGI_APPLICATION = "pal_portal.wsgi.application"

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
                "csp.context_processors.nonce",
            ],
        },
    },
]

# Database: SQLite by default, any DATABASE_URL otherwise (PostgreSQL through psycopg 3).
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A database that is down or hangs must cost a person a few seconds, never a request stuck
    # for good: Django's backend with every wait on the server bounded
    # (pal_portal/postgresql/base.py). Seconds, all of them.
    DATABASES["default"]["ENGINE"] = "pal_portal.postgresql"
    # Connecting (libpq counts it per address a host name resolves to; psycopg's minimum is 2).
    DATABASE_CONNECT_TIMEOUT = env.int("DATABASE_CONNECT_TIMEOUT", default=3)
    # The longest statement the server runs before cancelling it: meant for web requests. Celery
    # workers and long administrative commands set a longer one in their environment (0: none).
    DATABASE_STATEMENT_TIMEOUT = env.float("DATABASE_STATEMENT_TIMEOUT", default=15)
    # A connection taken up again (pooled, or kept between requests) answers a trivial query
    # within this, or is dropped.
    DATABASE_CHECK_TIMEOUT = env.float("DATABASE_CHECK_TIMEOUT", default=1)
    options = DATABASES["default"].setdefault("OPTIONS", {})
    options.setdefault("connect_timeout", DATABASE_CONNECT_TIMEOUT)
    # A peer that vanished (no ACK for sent data, no answer to keepalives) is noticed by the
    # kernel within seconds instead of the default two hours.
    options.setdefault("tcp_user_timeout", 10_000)  # milliseconds
    options.setdefault("keepalives", 1)
    options.setdefault("keepalives_idle", 10)
    options.setdefault("keepalives_interval", 5)
    options.setdefault("keepalives_count", 3)
    if DATABASE_STATEMENT_TIMEOUT > 0:
        statement_timeout = f"-c statement_timeout={int(DATABASE_STATEMENT_TIMEOUT * 1000)}"
        options["options"] = f"{options.get('options', '')} {statement_timeout}".strip()
        # Waiting for any answer: longer than the statement timeout, so that the server cancels
        # a slow statement first and only a server that does not answer at all is given up on.
        options["answer_timeout"] = DATABASE_STATEMENT_TIMEOUT + 5
    options["check_timeout"] = DATABASE_CHECK_TIMEOUT
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # Django's psycopg 3 pool keeps connections warm for gunicorn workers; it needs CONN_MAX_AGE=0.
    # A request waits at most `timeout` for a connection; when the database is down the pool keeps
    # trying in the background for `reconnect_timeout`, then the next request starts afresh.
    PAL_DATABASE_POOL = {
        "min_size": 1,
        "max_size": env.int("DATABASE_POOL_MAX", 10),
        "timeout": env.float("DATABASE_POOL_TIMEOUT", default=DATABASE_CONNECT_TIMEOUT),
        "reconnect_timeout": env.float("DATABASE_POOL_RECONNECT_TIMEOUT", default=10),
    }
    if env.bool("DATABASE_POOL", default=PRODUCTION):
        options["pool"] = PAL_DATABASE_POOL
        DATABASES["default"]["CONN_MAX_AGE"] = 0
    else:
        DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Seconds a person (or a crawler) is asked to wait, in Retry-After, when the database is out.
PAL_RETRY_AFTER = env.int("PAL_RETRY_AFTER", default=30)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "pal_portal.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

# Cache: Redis when configured, process memory otherwise. Nothing needs the cache to answer a
# page: when Redis is down or slow, reads are misses and writes are skipped (pal_portal/cache.py),
# after at most these many seconds; sessions and sign-in attempts live in the database.
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "pal_portal.cache.ForgivingRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {
                "socket_connect_timeout": env.float("REDIS_CONNECT_TIMEOUT", default=0.5),
                "socket_timeout": env.float("REDIS_TIMEOUT", default=1.0),
                # After an error, leave Redis alone (every read a miss) for this many seconds.
                "pause_after_error": 5,
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Celery: Redis broker when configured, eager execution otherwise.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL)
# Results live in the job rows (pal_portal.models.Job); a result backend would make every send
# wait on it when it is down.
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default="") or None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
if PRODUCTION and not CELERY_BROKER_URL and not env.bool("CELERY_TASK_ALWAYS_EAGER", default=False):
    # In production a missing broker would silently run e-mails, PDFs and ZIP exports inside the
    # web request; say so at start-up unless that is explicitly wanted.
    raise ImproperlyConfigured(
        "DJANGO_ENV=production requires CELERY_BROKER_URL or REDIS_URL (or "
        "CELERY_TASK_ALWAYS_EAGER=true to run tasks inside the web process)."
    )
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A worker process whose resident memory passed this many KiB after a task (a PDF render holds
# tens of MB) is replaced by a fresh one; so is one that ran this many tasks.
CELERY_WORKER_MAX_MEMORY_PER_CHILD = env.int("CELERY_WORKER_MAX_MEMORY_PER_CHILD", default=400_000)
CELERY_WORKER_MAX_TASKS_PER_CHILD = env.int("CELERY_WORKER_MAX_TASKS_PER_CHILD", default=500)
# The broker and the result backend must agree, or a long task is redelivered while it still runs.
CELERY_VISIBILITY_TIMEOUT = env.int("CELERY_VISIBILITY_TIMEOUT", default=3600)
# A person never waits on a broker that is down: connect and answer within seconds, and let the
# job sweep hand over later whatever could not be sent (pal_portal/jobs.py).
CELERY_BROKER_CONNECTION_TIMEOUT = env.float("CELERY_BROKER_CONNECTION_TIMEOUT", default=1.0)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": CELERY_VISIBILITY_TIMEOUT,
    "socket_connect_timeout": CELERY_BROKER_CONNECTION_TIMEOUT,
    "socket_timeout": 5,
}
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_VISIBILITY_TIMEOUT}
# Every task has soft and hard time limits (tasks may set shorter ones); the visibility timeout
# above must stay longer than the longest hard limit, or a running job would be redelivered.
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=900)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=840)
if CELERY_VISIBILITY_TIMEOUT <= CELERY_TASK_TIME_LIMIT:
    raise ImproperlyConfigured("CELERY_VISIBILITY_TIMEOUT must exceed CELERY_TASK_TIME_LIMIT.")
# Durable jobs (pal_portal/jobs.py): hand a queued job over again after this many seconds,
# try a job past its time limit this many times, report a job queued longer than this.
PAL_JOB_RESEND_AFTER = env.int("PAL_JOB_RESEND_AFTER", default=120)
PAL_JOB_MAX_ATTEMPTS = env.int("PAL_JOB_MAX_ATTEMPTS", default=3)
PAL_JOB_QUEUED_TOO_LONG = env.int("PAL_JOB_QUEUED_TOO_LONG", default=600)
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_TASK_DEFAULT_QUEUE", default="celery")
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "America/Mexico_City"
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BEAT_SCHEDULE: dict = {}
# The evidence vault re-hashes every stored file once a week (Sunday night, Mexico City time).
CELERY_BEAT_SCHEDULE["evidence-verify-weekly"] = {
    "task": "evidence.verify_evidence",
    "schedule": crontab(minute=30, hour=3, day_of_week="sun"),
}
# The job sweep: every minute, hand over again what the broker did not take.
CELERY_BEAT_SCHEDULE["pal-portal-sweep-jobs"] = {
    "task": "pal_portal.sweep_jobs",
    "schedule": 60.0,
}
CELERY_RESULT_EXPIRES = 24 * 3600

# Internationalisation: Spanish (Mexico) first, English available.
LANGUAGE_CODE = "es-mx"
# Each language is named in its own tongue in the selector, so anyone can find theirs.
LANGUAGES = [("es-mx", "Español (México)"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "America/Mexico_City"
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Uploaded files live outside any served URL: only permission-checked views hand them out.
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "var" / "media")))
MEDIA_URL = "/_private-media-not-served/"

# Evidence vault: local disk under MEDIA_ROOT/evidence by default (following MEDIA_ROOT, which tests
# point at a temporary folder), or S3-compatible object storage with EVIDENCE_STORAGE=s3.
EVIDENCE_STORAGE = env.str("EVIDENCE_STORAGE", default="local")
if EVIDENCE_STORAGE == "s3":
    STORAGES["evidence"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env.str("AWS_STORAGE_BUCKET_NAME"),
            "location": env.str("EVIDENCE_S3_PREFIX", default="evidence"),
            "access_key": env.str("AWS_ACCESS_KEY_ID", default=None),
            "secret_key": env.str("AWS_SECRET_ACCESS_KEY", default=None),
            "region_name": env.str("AWS_S3_REGION_NAME", default=None),
            "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default=None),
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
elif EVIDENCE_STORAGE == "local":
    STORAGES["evidence"] = {
        "BACKEND": "evidence.storage.LocalEvidenceStorage",
        "OPTIONS": {"file_permissions_mode": 0o640, "directory_permissions_mode": 0o750},
    }
else:
    raise ImproperlyConfigured("EVIDENCE_STORAGE must be 'local' or 's3'.")
# Largest evidence file, and largest upload body (plus a little for the form's other fields).
EVIDENCE_MAX_UPLOAD_BYTES = env.int("EVIDENCE_MAX_UPLOAD_BYTES", default=50 * 1024 * 1024)

# E-mail: printed on the console for a local run, SMTP (EMAIL_URL) in production.
if env.str("EMAIL_URL", ""):
    vars().update(env.email_url("EMAIL_URL"))
else:
    EMAIL_BACKEND = env.str(
        "EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend"
    )
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Portal PAL <no-responder@pal.local>")
# Absolute links in e-mails (invitations, password resets). When SITE_URL is not set, links made
# while answering a request follow the address it was served on (pal_portal.site.site_url); the
# default below only serves links made without a request.
SITE_URL_IS_SET = bool(env.str("SITE_URL", default=""))
SITE_URL = env.str("SITE_URL", default="") or "http://127.0.0.1:8000"

INVITATION_MAX_AGE_DAYS = env.int("INVITATION_MAX_AGE_DAYS", default=7)

# Lists: how many rows one page of any list shows, and how many candidates a choice offers at once
# (a search narrows them). Every list of the portal reads these two, through pal_portal.listing.
PAL_PAGE_SIZE = env.int("PAL_PAGE_SIZE", default=25)
PAL_CHOICE_LIMIT = env.int("PAL_CHOICE_LIMIT", default=100)

# django-guardian: the object permissions of the portal live in direct foreign-key tables.
ANONYMOUS_USER_NAME = None
GUARDIAN_RAISE_403 = False
GUARDIAN_RENDER_403 = False

# django-axes: lock a username + address pair after repeated failures. The username is the
# address as sign-in reads it (any case, no surrounding spaces), so spelling variants share one
# counter; the lockout page says how long the lock lasts from AXES_COOLOFF_TIME.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
# Attempts are counted in the database, not in the cache: Redis may fail (see CACHES).
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "pal_portal.auth.axes_username"
AXES_LOCKOUT_CALLABLE = "pal_portal.views.locked_out"
AXES_VERBOSE = False

# Content Security Policy: nothing inline, nothing from another host.
from csp.constants import NONE, SELF  # noqa: E402

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
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}

# Sessions live in the database, not in the cache: Redis may fail (see CACHES).
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "pal_portal.views.csrf_failure"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
# Caps the non-file part of a request body; file parts are capped by the evidence upload handler
# (EVIDENCE_MAX_UPLOAD_BYTES), which streams them to disk and stops at the limit.
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "pal_portal.security": {"level": "INFO"},
        "axes": {"level": "WARNING"},
    },
}
