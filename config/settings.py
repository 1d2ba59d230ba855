"""One settings module for every environment; the differences come from the environment.

See README.md, "Configuration", for the variables.
"""

import os
import sys
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name: str, default: str = "False") -> bool:
    value = os.environ.get(name, default).strip().lower()
    return value in ("1", "true", "yes", "on")


def envstr(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def envint(name: str, default: int, *, minimum: int = 0) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}.") from None
    if value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {value}.")
    return value


def envlist(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# Test runs (pytest or `manage.py test`) must work straight after cloning, with no environment.
TESTING = "pytest" in sys.modules or (len(sys.argv) > 1 and sys.argv[1] == "test")

DEBUG = envbool("DEBUG")
# Required when DEBUG is off. Left empty, Django refuses anything that signs (sessions, CSRF)
# and config/wsgi.py refuses to start, while management commands such as migrate still work.
SECRET_KEY = envstr("SECRET_KEY")
if not SECRET_KEY and (DEBUG or TESTING):
    SECRET_KEY = "django-insecure-development-only-key-never-use-in-production"  # noqa: S105 (DEBUG/tests only)
elif SECRET_KEY and not (DEBUG or TESTING) and (len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5):
    # A short or repetitive key can be guessed, and with it every session and password-reset link forged.
    raise ImproperlyConfigured(
        "SECRET_KEY must be at least 50 characters of at least 5 different ones when DEBUG is off; generate one with "
        "python3 -c 'import secrets; print(secrets.token_urlsafe(50))'."
    )

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost" if (DEBUG or TESTING) else "")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "config.apps.SuperuserAdminConfig",  # django.contrib.admin, for superusers only (config.admin_site)
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "treebeard",
    "simple_history",
    "import_export",
    "django_filters",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    # Before django_tasks_db: its `db_worker` command is replaced by the one that outlasts a database restart.
    "imports",
    "django_tasks",
    "django_tasks_db",
    "organizations",
    "recruitment",
    "reports",
    "devdata",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "config.middleware.VietnameseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "organizations.two_factor.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "config.middleware.NoStoreMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as its documentation asks: it turns a lockout into a response.
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
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "organizations.context_processors.scope",
                "recruitment.context_processors.deadlines",
                "imports.views.nav",  # the navigation's "Imports" link, for admins
            ],
        },
    }
]

# The embedded default keeps `make run` free of any server; production sets DATABASE_URL.
(BASE_DIR / "var").mkdir(exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        envstr("DATABASE_URL", f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}"),
        conn_max_age=envint("CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # The dashboards' aggregates are short queries where PostgreSQL's JIT compiler costs more than
    # it saves (0.4 s of a 3 s national aggregate was JIT set-up, measured in bench/dashboard.py).
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default serves the web and the import worker at once (`make run`). In SQLite's default
    # journal a writer waits for no one: a transaction that began by reading and then writes fails at once with
    # "database is locked" while the worker holds its lock. WAL lets reads go on beside a write, IMMEDIATE
    # takes the write lock when a transaction begins (so it waits its turn instead of failing), and the timeout
    # bounds that wait.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# No state in process memory: sessions and cache live in the database, so several
# app servers behind a load balancer act as one and a restart loses nothing.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "app_cache",
    }
}

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    # Hashing is deliberately slow; tests create many users.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Login throttling (django-axes): AXES_FAILURE_LIMIT failed sign-ins (wrong passwords or wrong two-factor codes)
# for one username from one client address lock that username from that address only, for 30 minutes; the same
# username from another address, and other usernames from that address, are not affected.
AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = 0.5  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# The number of reverse proxies in front of the app that append to X-Forwarded-For (nginx with
# `$proxy_add_x_forwarded_for`: 1). 0 reads the connection's address; behind a proxy that would be the proxy's,
# the same for every client. Entries beyond that count were written by the client and are not believed.
TRUSTED_PROXIES = envint("TRUSTED_PROXIES", 0, minimum=0)
AXES_CLIENT_IP_CALLABLE = "organizations.client_address.client_ip"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_ENABLED = envbool("AXES_ENABLED", "True")

# Two-factor authentication (django-otp, TOTP): optional for everyone; with OTP_REQUIRED_FOR_ADMINS, users with an
# admin role anywhere and superusers must enrol a device before anything else.
OTP_REQUIRED_FOR_ADMINS = envbool("OTP_REQUIRED_FOR_ADMINS", "False")
OTP_TOTP_ISSUER = envstr("OTP_TOTP_ISSUER", "Phát triển đảng viên")

# The quota page posts about ten fields per unit, and a merged province has 150 communes or more.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000
# Organizations down to this depth (1 = the roots) keep monthly tallies for the dashboards
# (reports.tally); deeper ones are scanned. After changing it, run `manage.py rebuild_tallies`.
TALLY_DEPTH = 3
# Workbook imports (imports.reading): the largest file and the most rows per sheet taken.
# The import's memory grows with the rows (docs/benchmarks.md): about 220 MB for 50,000 new people,
# 650 MB for 200,000, and 1.1 GB to compare 200,000 already there. Lower them on a small server.
IMPORT_MAX_BYTES = envint("IMPORT_MAX_MB", 20, minimum=1) * 1024 * 1024
IMPORT_MAX_ROWS = envint("IMPORT_MAX_ROWS", 200_000, minimum=100)
# Days an ended import keeps its uploaded file (for the failed rows' download); `prune_imports` then
# deletes it, keeping the record of the run.
IMPORT_KEEP_DAYS = envint("IMPORT_KEEP_DAYS", 90, minimum=1)

# A directory of .docx templates that replace the built-in ones of the same name (reports/documents/templates/),
# e.g. with a province's own letterhead; None: the built-in templates only.
DOCUMENT_TEMPLATES_DIR = envstr("DOCUMENT_TEMPLATES_DIR") or None

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["config.formats"]
TIME_ZONE = envstr("TIME_ZONE", "Asia/Ho_Chi_Minh")
USE_I18N = True
USE_TZ = True
# Numbers are grouped explicitly (the `num` and `percent` filters); global grouping would
# also turn years and ids in templates into "2.025".
USE_THOUSAND_SEPARATOR = False

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if (DEBUG or TESTING)
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG or TESTING

SIMPLE_HISTORY_HISTORY_ID_USE_UUID = False
SIMPLE_HISTORY_REVERT_DISABLED = True  # history is an audit trail, not an undo button

# Security: production sets DEBUG off and serves over HTTPS behind a proxy.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", "False" if (DEBUG or TESTING) else "True")
SESSION_COOKIE_SECURE = not (DEBUG or TESTING)
CSRF_COOKIE_SECURE = not (DEBUG or TESTING)
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 0 if (DEBUG or TESTING) else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", "True")
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", "False" if (DEBUG or TESTING) else "True")
SESSION_COOKIE_AGE = 8 * 60 * 60  # a working day
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp): everything the pages load is served by the app itself (vendored), with no
# inline script or style, so an injected <script> or event handler does not run.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "connect-src": [SELF],
        "font-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# django-import-export allows import and export to any staff account while these are unset; they ask for the
# model's change and view permissions (and config.admin_site lets only superusers into the admin at all).
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "change"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "view"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": envstr("LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}

# Background tasks (workbook imports) with django-tasks, the backport of Django 6's django.tasks.
# The queue lives in the database (django-tasks-db): `python manage.py db_worker` runs it, a
# restart loses nothing and several app servers share it. Tests run each task at once, inside
# the request. TASKS_BACKEND=immediate does the same in production, for a single process without
# a worker (a large file then keeps its upload request busy while it is checked).
TASKS = {
    "default": {
        "BACKEND": (
            "django_tasks.backends.immediate.ImmediateBackend"
            if envstr("TASKS_BACKEND", "immediate" if TESTING else "database") == "immediate"
            else "django_tasks_db.DatabaseBackend"
        ),
        "QUEUES": ["default"],
    }
}
