"""Project wiring. Every setting comes from the environment, with an embedded default:
a SQLite file in ``SANGUAN_DATA_DIR`` and background work run in-process."""

import os
import secrets
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = PACKAGE_DIR.parent.parent  # the checkout, when installed in editable mode
DATA_DIR = Path(os.environ.get("SANGUAN_DATA_DIR") or (Path.cwd() / "var")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _embedded_secret() -> str:
    """A per-installation secret kept in the data dir, so the embedded default needs no setup."""
    path = DATA_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50), encoding="ascii")
        path.chmod(0o600)
    return path.read_text(encoding="ascii").strip()


SECRET_KEY = os.environ.get("SECRET_KEY") or _embedded_secret()
DEBUG = _env_bool("SANGUAN_DEBUG", False)
ALLOWED_HOSTS = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1],testserver").split(",")]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    "ninja",  # in INSTALLED_APPS, its API docs page uses the bundled Swagger UI instead of a CDN
    "sanguan.core",
    "sanguan.institutions",
    "sanguan.accounts",
    "sanguan.audit",
    "sanguan.compliance",
    "sanguan.supervision",
    "sanguan.admissions",
    "sanguan.teaching",
    "sanguan.records",
    "sanguan.exams",
    "sanguan.notifications",
    "sanguan.portal",
    "sanguan.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "sanguan.core.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "sanguan.urls"
WSGI_APPLICATION = "sanguan.wsgi.application"
ASGI_APPLICATION = "sanguan.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
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

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{DATA_DIR / 'sanguan.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE transactions take the write lock up front, so two writers queue instead of
    # one failing with "database is locked" when it upgrades a read lock.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 30,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Statements the hot paths run with psycopg's own cursor (the LRS write path) are prepared
    # once per connection. Django's cursors bind client-side and are not affected. Behind a
    # connection pooler without protocol-level prepared statements (PgBouncer < 1.21), set
    # DB_PREPARE_THRESHOLD=none.
    _prepare = os.environ.get("DB_PREPARE_THRESHOLD", "5").strip().lower()
    DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = (
        None if _prepare in ("", "none", "off") else int(_prepare)
    )
# Concurrent single-statement POSTs to the LRS that one server process handles at the same
# moment share one transaction (records/group_commit.py; PostgreSQL only). Off: every request
# commits alone.
SANGUAN_LRS_GROUP_COMMIT = os.environ.get("SANGUAN_LRS_GROUP_COMMIT", "on").strip().lower() not in (
    "0", "off", "false", "no")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "portal:index"

# Login throttling (django-axes): lock a username + address pair after repeated failures.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("AXES_COOLOFF_HOURS", "0.25"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False

# Session and CSRF: cookies never reach scripts; HTTPS-only cookies in production.
SECURE_COOKIES = _env_bool("SANGUAN_SECURE_COOKIES", False)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = SECURE_COOKIES
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 8 * 3600
CSRF_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the cookie-less meta tag; kept default-compatible
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if SECURE_COOKIES:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = 31536000

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
NODE_MODULES = Path(os.environ.get("SANGUAN_NODE_MODULES") or (PROJECT_DIR / "node_modules"))
for _prefix, _sub in (
    ("vendor/bootstrap", "bootstrap/dist"),
    ("vendor/bootstrap-icons", "bootstrap-icons/font"),
    ("vendor/htmx", "htmx.org/dist"),
    ("vendor/echarts", "echarts/dist"),
):
    if (NODE_MODULES / _sub).is_dir():
        STATICFILES_DIRS.append((_prefix, NODE_MODULES / _sub))
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
if os.environ.get("REDIS_URL"):
    CACHES["default"] = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": os.environ["REDIS_URL"]}

# Background work: Celery on Redis in production; in-process (eager) in the embedded default.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND", CELERY_BROKER_URL or None)
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
# What `celery -A sanguan beat` starts (a production process; nothing runs by itself in the
# embedded default). Learning-process monitoring every SANGUAN_MONITOR_INTERVAL_SECONDS
# (default 3600: hourly; each run reads only what arrived since the last), and the
# compliance rules every night at SANGUAN_COMPLIANCE_RUN_HOUR (default 2) o'clock.
SANGUAN_MONITOR_INTERVAL_SECONDS = int(os.environ.get("SANGUAN_MONITOR_INTERVAL_SECONDS", "3600"))
SANGUAN_COMPLIANCE_RUN_HOUR = int(os.environ.get("SANGUAN_COMPLIANCE_RUN_HOUR", "2"))
# Failed notification e-mails are tried again every SANGUAN_EMAIL_RETRY_SECONDS (default 900),
# at most SANGUAN_EMAIL_MAX_ATTEMPTS times in all (default 5), for SANGUAN_EMAIL_RETRY_HOURS
# after the notification was written (default 24).
SANGUAN_EMAIL_RETRY_SECONDS = int(os.environ.get("SANGUAN_EMAIL_RETRY_SECONDS", "900"))
SANGUAN_EMAIL_MAX_ATTEMPTS = int(os.environ.get("SANGUAN_EMAIL_MAX_ATTEMPTS", "5"))
SANGUAN_EMAIL_RETRY_HOURS = int(os.environ.get("SANGUAN_EMAIL_RETRY_HOURS", "24"))
CELERY_BEAT_SCHEDULE = {
    "teaching-monitoring": {"task": "teaching.monitor_all", "schedule": float(SANGUAN_MONITOR_INTERVAL_SECONDS)},
    "notification-email-retry": {"task": "notifications.retry_emails", "schedule": float(SANGUAN_EMAIL_RETRY_SECONDS)},
    "compliance-nightly": {
        "task": "compliance.run",
        "schedule": crontab(hour=SANGUAN_COMPLIANCE_RUN_HOUR, minute=0),
    },
}

# E-mail, the one outside service (notifications). With EMAIL_HOST set, SMTP to it; without,
# the embedded default writes each message as a file into DATA_DIR/mail, so an operator can
# read what would have gone out. EMAIL_BACKEND overrides either.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND") or (
    "django.core.mail.backends.smtp.EmailBackend"
    if os.environ.get("EMAIL_HOST")
    else "django.core.mail.backends.filebased.EmailBackend"
)
EMAIL_FILE_PATH = Path(os.environ.get("EMAIL_FILE_PATH") or (DATA_DIR / "mail"))
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = _env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = _env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "10"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "三关 Sanguan <noreply@sanguan.invalid>")
# The address of the site as people reach it, for the links in e-mails.
SANGUAN_SITE_URL = os.environ.get("SANGUAN_SITE_URL", "http://127.0.0.1:8000")

# Audit log signing key (Ed25519, raw 32-byte private key, base64). When unset, a key is
# generated on first use and kept in the data dir (embedded default).
SANGUAN_AUDIT_SIGNING_KEY = os.environ.get("SANGUAN_AUDIT_SIGNING_KEY", "")
SANGUAN_AUDIT_KEY_FILE = DATA_DIR / "audit-signing-key.b64"

# Where the embedded similarity index lives by default.
SANGUAN_SIMILARITY_DIR = DATA_DIR / "similarity"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
