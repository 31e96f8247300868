"""Portail Famille settings: one module, everything read from the environment.

With nothing set, the embedded default runs: SQLite under var/, Celery tasks in process,
email printed to the console, files under var/media/. Every variable is listed in
.env.example.
"""

from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"
VAR_DIR.mkdir(exist_ok=True)  # the embedded default's database and files live here

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env")

# Only good for a laptop: with DEBUG off the portal refuses to start with it.
DEVELOPMENT_SECRET_KEY = "development-only-insecure-key-never-use-in-production"  # noqa: S105

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = env.str("SECRET_KEY", default=DEVELOPMENT_SECRET_KEY)
if not DEBUG and (SECRET_KEY == DEVELOPMENT_SECRET_KEY or len(SECRET_KEY) < 50):
    raise ImproperlyConfigured(
        "SECRET_KEY must be set to a random value of 50 characters or more when DEBUG is off."
    )

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")

# The board this deployment serves: shown in the header, footer and emails.
BOARD_NAME = env.str("BOARD_NAME", default="Conseil des écoles publiques de l'Est de l'Ontario")
BOARD_SHORT_NAME = env.str("BOARD_SHORT_NAME", default="CEPEO")
HELPDESK_EMAIL = env.str("HELPDESK_EMAIL", default="portail.famille@cepeo.on.ca")
HELPDESK_PHONE = env.str("HELPDESK_PHONE", default="613 742-8960")
# Written « poste 3003 » in French, "ext. 3003" in English (portail.context_processors).
HELPDESK_PHONE_EXTENSION = env.str("HELPDESK_PHONE_EXTENSION", default="3003")

INSTALLED_APPS = [
    "portail.admin_site.PortailAdminConfig",  # django.contrib.admin with the portal's site
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "csp",
    "outbox",
    "accounts",
    "students",
    "helpdesk",
    "documents",
    "diplomas",
    "notifications",
    "absences",
    "demo",
]

MIDDLEWARE = [
    # First: /healthz and /readyz answer before the HTTPS redirect and the host check.
    "portail.health.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "portail.middleware.ImpossiblePathMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "accounts.middleware.PreferredLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.SessionTimeoutMiddleware",
    "accounts.middleware.PrivatePagesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # The admin: through allauth's login, and only after a TOTP second factor for staff.
    "accounts.staff.StaffTwoStepMiddleware",
]

ROOT_URLCONF = "portail.urls"
WSGI_APPLICATION = "portail.wsgi.application"

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
                "portail.context_processors.board",
            ],
            # portail is not an app: its tags are named here (base.html's header and footer).
            "libraries": {"dates": "portail.templatetags.dates",
                          "shell": "portail.templatetags.shell"},
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'portail.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Parameters bound by the server, and psycopg prepares a statement a connection has run
    # 5 times (the user, the access query, a page's reads): PostgreSQL then plans it once
    # per connection instead of on every request; planning took 5 to 9 times the execution
    # (bench/README.md, report-card day). No connection pooler in front of PostgreSQL
    # (transaction pooling would lose the prepared statements).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"server_side_binding": True, "prepare_threshold": 5})
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Redis, when set, carries the cache, the session cache and the Celery broker.
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "portail.cache.FailOpenRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {
                "SOCKET_CONNECT_TIMEOUT": 1,
                "SOCKET_TIMEOUT": 1,
                # Redis down must not take the portal down: the cache then misses
                # (rate limits fail open for that time; the event is logged).
                "IGNORE_EXCEPTIONS": True,
            },
        }
    }
    DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
    # The database stays the truth, so a Redis restart logs nobody out.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    SESSION_ENGINE = "django.contrib.sessions.backends.db"
# Each process's own, for fragments whose key is their content (the Relevé pages'):
# nothing to retire, so no reason to wait for Redis.
CACHES["local"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "portail-local",
    "TIMEOUT": 15 * 60,
    "OPTIONS": {"MAX_ENTRIES": 5000},
}

# Celery: with no broker, tasks run in process (the embedded default).
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TIMEZONE = "America/Toronto"
# A web request must not hang when Redis is down: fail fast, the outbox sweep catches up.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BEAT_SCHEDULE = {
    "sweep-outbox": {"task": "outbox.tasks.sweep_outbox", "schedule": 60.0},
    "send-notifications": {"task": "notifications.tasks.send_notifications", "schedule": 60.0},
    "forget-failed-emails": {"task": "outbox.tasks.forget_failed_emails",
                             "schedule": crontab(hour=2, minute=45)},
    # Ontario's privacy rule: a guardian's access to an adult student needs consent.
    "end-adult-guardian-access": {"task": "students.tasks.end_adult_guardian_access",
                                  "schedule": crontab(hour=2, minute=15)},
}
# Safe arrival: each elementary school's check time passes during the morning; the task
# picks the schools whose time has come (absences.selectors), a child once a day.
CELERY_BEAT_SCHEDULE["safe-arrival"] = {"task": "absences.tasks.safe_arrival",
                                        "schedule": crontab(minute="*/5", hour="7-11")}
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": 2,
    "socket_timeout": 5,
    "max_retries": 1,
    "interval_start": 0,
    "visibility_timeout": 3600,
}

AUTH_USER_MODEL = "accounts.User"
# One backend, one password check per login (why: accounts/backends.py).
AUTHENTICATION_BACKENDS = ["accounts.backends.LoginBackend"]
# Argon2id at OWASP's minimum (m = 19 MiB, t = 2, p = 1); older hashes upgrade at login.
PASSWORD_HASHERS = [
    "accounts.hashers.OwaspArgon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
PASSWORD_MIN_LENGTH = env.int("PASSWORD_MIN_LENGTH", default=12)
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": PASSWORD_MIN_LENGTH},
    },
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # French and English lists, runs and sequences, the person's own words.
    {"NAME": "accounts.passwords.CommonPasswordValidator"},
    {"NAME": "accounts.passwords.PatternValidator"},
    {"NAME": "accounts.passwords.PersonalWordsValidator"},
]

LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"
ACCOUNT_LOGIN_METHODS = {"username", "email"}
# Confirming who one is before a sensitive change: the password, or the two-step code. Not
# allauth's emailed login code, which the portal does not offer for logging in either.
ACCOUNT_REAUTHENTICATION_METHODS = ("password", "mfa")
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_SIGNUP_FORM_CLASS = "students.signup_forms.SignupSecurityForm"
ACCOUNT_FORMS = {
    "login": "accounts.allauth_forms.PortalLoginForm",
    "reset_password": "accounts.allauth_forms.PasswordResetRequestForm",
}
ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS = 3
ACCOUNT_RATE_LIMITS = {
    # allauth's defaults, plus our own actions. Failed password logins are counted by
    # accounts/lockouts.py (per account and per address); "login_failed" here is the second
    # step's.
    "login_failed": "10/m/ip,5/5m/key",
    "access_code": "10/m/ip,30/h/ip",
    "recover_login_id": "20/m/ip,3/10m/key",
    "helpdesk_security_answer": "5/h/key",
    "change_security_question": "5/m/user",  # as allauth's change_password
}
# Behind a reverse proxy, how many X-Forwarded-For hops to trust for the client's IP.
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_MAX_EMAIL_ADDRESSES = 1
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
ACCOUNT_EMAIL_NOTIFICATIONS = True
ACCOUNT_ADAPTER = "students.adapter.ParentAccountAdapter"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = BOARD_SHORT_NAME + " Portail Famille"

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("French")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Canadian French times (« 8 h 05 »): portail/locale_formats/fr.
FORMAT_MODULE_PATH = ["portail.locale_formats"]
TIME_ZONE = "America/Toronto"
USE_I18N = True
USE_TZ = True
LANGUAGE_COOKIE_SECURE = not DEBUG
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"

STATIC_URL = "/static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=VAR_DIR / "static")
STATICFILES_DIRS = [BASE_DIR / "static"]
# Media are private (student photos, report cards): never served by URL, only through
# views that check access.
MEDIA_ROOT = env.path("MEDIA_ROOT", default=VAR_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "portail.storage.StaticFilesStorage",
        # Public files, collected as root in the image and served by its non-root user:
        # their own modes, not the private media's FILE_UPLOAD_PERMISSIONS.
        "OPTIONS": {"file_permissions_mode": 0o644, "directory_permissions_mode": 0o755},
    },
}
# Photos and attachments: nothing for other users, neither the files nor the folders
# that name them (the umask's 0o755 let anyone list them).
FILE_UPLOAD_PERMISSIONS = 0o640
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o750
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)
# The outbox (outbox/delivery.py): retry backoff in seconds, attempts before
# FAILED, how long a worker may hold a row in SENDING before the sweep takes it back, and
# how many days a failed email keeps its content for the help desk to resend it.
OUTBOX_RETRY_BASE = env.int("OUTBOX_RETRY_BASE", default=60)
OUTBOX_RETRY_MAX = env.int("OUTBOX_RETRY_MAX", default=3600)
OUTBOX_MAX_ATTEMPTS = env.int("OUTBOX_MAX_ATTEMPTS", default=8)
OUTBOX_SENDING_LEASE = env.int("OUTBOX_SENDING_LEASE", default=300)
OUTBOX_FAILED_KEEP_DAYS = env.int("OUTBOX_FAILED_KEEP_DAYS", default=30)
OUTBOX_SWEEP_BATCH = 5000
# The start-of-year import (students/imports.py): rows per bulk query and progress report,
# and seconds without a heartbeat after which a running import is shown as interrupted.
IMPORT_BATCH_SIZE = env.int("IMPORT_BATCH_SIZE", default=1000)
IMPORT_HEARTBEAT_LEASE = env.int("IMPORT_HEARTBEAT_LEASE", default=300)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default=f"Portail Famille <{HELPDESK_EMAIL}>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Security headers; the cookie and HTTPS settings follow DEBUG so that production is safe
# without extra flags.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
# A stale form gets the portal's own page (templates/403_csrf.html), not Django's.
CSRF_FAILURE_VIEW = "portail.views.csrf_failure"
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = False
# Preloading commits the board's whole domain to HTTPS for good: the board's decision.
SILENCED_SYSTEM_CHECKS = ["security.W021"]
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default (make run) cannot make a unique constraint with NULLs not
    # distinct (one board-wide day off per date); the admin's validation still checks it.
    SILENCED_SYSTEM_CHECKS.append("models.W047")
# A session ends after 30 minutes without a request, and 12 hours after login whatever
# happens (accounts/middleware.py).
SESSION_IDLE_TIMEOUT = env.int("SESSION_IDLE_TIMEOUT", default=30 * 60)
SESSION_COOKIE_AGE = env.int("SESSION_ABSOLUTE_TIMEOUT", default=12 * 3600)

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
        "object-src": [NONE],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"hidden_secrets": {"()": "portail.access_log.HiddenSecretsFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # Its lines name the path: a secret link's part hidden, as in the access log.
        "django.request": {"filters": ["hidden_secrets"]},
    },
}


# --- Documents (report cards, forms): private storage and the PDF queue ---------------
# Private files (no URL: served only by views that check access), readable by the portal's
# user only; an S3-compatible bucket when PRIVATE_STORAGE_BUCKET is set (django-storages).
PRIVATE_STORAGE_BUCKET = env.str("PRIVATE_STORAGE_BUCKET", default="")
if PRIVATE_STORAGE_BUCKET:
    STORAGES["private"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": PRIVATE_STORAGE_BUCKET,
            "endpoint_url": env.str("PRIVATE_STORAGE_ENDPOINT_URL", default="") or None,
            "access_key": env.str("PRIVATE_STORAGE_ACCESS_KEY", default="") or None,
            "secret_key": env.str("PRIVATE_STORAGE_SECRET_KEY", default="") or None,
            "region_name": env.str("PRIVATE_STORAGE_REGION", default="") or None,
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
else:
    STORAGES["private"] = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": Path(MEDIA_ROOT) / "private", "base_url": None,
                    "file_permissions_mode": 0o600, "directory_permissions_mode": 0o700},
    }
# Rendering is CPU-bound: its own queue and worker, so that emails never wait behind it.
CELERY_TASK_ROUTES = {"documents.tasks.*": {"queue": "pdf"}}
# At the top of the hour: report cards published ahead reach parents within minutes of
# their day (notifications' minute task sends).
CELERY_BEAT_SCHEDULE["notify-report-cards"] = {
    "task": "documents.tasks.notify_due_report_cards", "schedule": crontab(minute=0)}
# Absence reports: how many days back a parent may report, the longest report, the
# board's attendance codes a report becomes (absences.services.reports_record), and how
# long a safe-arrival link works (seconds).
ABSENCES_PAST_DAYS = env.int("ABSENCES_PAST_DAYS", default=5)
ABSENCES_MAX_DAYS = env.int("ABSENCES_MAX_DAYS", default=30)
ABSENCES_ATTENDANCE_CODES = {"absent": env.str("ABSENCES_ABSENT_CODE", default="ABS"),
                             "late": env.str("ABSENCES_LATE_CODE", default="RTM")}
SAFE_ARRIVAL_LINK_MAX_AGE = env.int("SAFE_ARRIVAL_LINK_MAX_AGE", default=8 * 3600)
DOCUMENT_UPLOAD_MAX_BYTES = env.int("DOCUMENT_UPLOAD_MAX_BYTES", default=5 * 1024 * 1024)
# fontTools and WeasyPrint log every step of every PDF at INFO.
LOGGING["loggers"].update({"fontTools": {"level": "WARNING"}, "weasyprint": {"level": "WARNING"}})
