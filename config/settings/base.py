"""Settings shared by every environment. Environment-specific files import * from here."""

from pathlib import Path

import environ
from csp.constants import NONCE, NONE, SELF, UNSAFE_INLINE
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
env = environ.Env()

SECRET_KEY = env("DJANGO_SECRET_KEY", default="insecure-local-only-key-change-me")
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # third party
    "guardian",
    "simple_history",
    "django_filters",
    "django_tables2",
    "django_htmx",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "axes",
    "csp",
    # ours
    "core",
    "cadres",
    "selection",
    "attendance",
    "payroll",
    "supervision",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "core.middleware.SecurityHeadersMiddleware",
    "core.middleware.NullCharacterMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "core.middleware.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "core.middleware.SessionTimeoutMiddleware",
    "core.middleware.PasswordChangeRequiredMiddleware",
    "core.middleware.AuditMiddleware",
    "axes.middleware.AxesMiddleware",
]

# Content-Security-Policy (django-csp, issue 16): everything from this site only (static files are
# vendored, no CDN); the one inline script carries the per-request nonce ({{ request.csp_nonce }}).
# style-src keeps 'unsafe-inline' for the style="" attributes in templates and the styles htmx, Bootstrap
# and Chart.js set; scripts never get 'unsafe-inline'.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
# Browser features the app never uses are switched off (Permissions-Policy header).
PERMISSIONS_POLICY = ("accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
                      "microphone=(), payment=(), usb=(), fullscreen=(self)")

ROOT_URLCONF = "config.urls"
ADMIN_ENABLED = env.bool("DJANGO_ADMIN_ENABLED", default=True)
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
                "core.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default has three processes writing one file (web, worker, beat). IMMEDIATE takes the
    # write lock when a transaction starts, so a writer waits up to ``timeout`` seconds for another instead
    # of failing at once with "database is locked" when a read transaction tries to become a write one;
    # WAL lets pages read while a job writes.
    DATABASES["default"].setdefault("OPTIONS", {}).update({
        "timeout": 30,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
    })
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # login lockout first (django-axes)
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
PASSWORD_HASHERS = [  # Django's, plus the light one for generated first passwords of imported accounts (decision 020)
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.BCryptSHA256PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
    "core.hashers.IssuedPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "core.passwords.CharacterClassValidator"},
    {"NAME": "core.passwords.NoWhitespaceValidator"},
    {"NAME": "core.passwords.PublishedPasswordValidator"},
    {"NAME": "core.passwords.NotCurrentPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Language and time: Chinese first, English second (STYLE habit 5).
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "var" / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    # Export files (docs/decisions/024): outside MEDIA_ROOT and never served by URL; the download view checks
    # the file is the user's own. Several web machines need a shared location (or django-storages).
    "exports": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                "OPTIONS": {"location": env("EXPORTS_ROOT", default=str(BASE_DIR / "var" / "exports"))}},
}
# Export jobs (issue 19 item 5): a ledger of more rows than this is built by a Celery job with progress
# shown; a smaller one (a township's) is downloaded at once. The file is kept EXPORT_KEEP_HOURS.
EXPORT_SYNC_MAX_ROWS = env.int("EXPORT_SYNC_MAX_ROWS", default=2000)
EXPORT_KEEP_HOURS = env.int("EXPORT_KEEP_HOURS", default=24)
# Uploaded attachments (core.FileAttachment) are stored through STORAGES["default"]: var/media on this
# machine's disk. They are never served from a public URL (no MEDIA_URL): only core.views_attachments,
# which applies the tier scope of the record a file belongs to. Several web servers: see production.py
# (S3-compatible object storage) or share this directory.
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(BASE_DIR / "var" / "media")))

# Sessions (等保2.0): 30 minutes idle, 12 hours at most from sign-in.
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_SECONDS", default=30 * 60)
SESSION_ABSOLUTE_SECONDS = env.int("SESSION_ABSOLUTE_SECONDS", default=12 * 60 * 60)
SESSION_SAVE_EVERY_REQUEST = True

# Login lockout (django-axes; core/lockout.py): 5 failures lock that username *from that address* for
# 30 minutes; a username (or an address) failing from many places gets a growing delay, at most
# LOGIN_DELAY_MAX_SECONDS, instead of a hard lock that anyone could trigger.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.5)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked.html"
AXES_LOCKOUT_CALLABLE = "core.lockout.lockout_response"
AXES_CLIENT_IP_CALLABLE = "core.clientip.client_ip"
LOGIN_DELAY_MAX_SECONDS = env.int("LOGIN_DELAY_MAX_SECONDS", default=300)
# Addresses (or networks, "10.0.0.0/24") of the TLS proxies in front of the app. Only a request from one
# of them has its client address taken from X-Forwarded-For; empty: REMOTE_ADDR is the client.
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])
# API tokens (core/tokens.py): an absolute lifetime from issue, like a browser sign-in's 12 hours.
API_TOKEN_HOURS = env.float("API_TOKEN_HOURS", default=12)
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False

# Uploads (Excel imports) are small; refuse anything large (issue 16): core.uploads stops reading an
# import beyond MAX_IMPORT_BYTES (nothing of it is spooled to disk) and the view says "文件太大"; under
# that limit a file stays in memory. Attachments (issue 14 item 2: photos of signed forms, PDFs) have
# their own limit, MAX_ATTACHMENT_BYTES; one larger than the memory limit below goes to a temporary file
# while it arrives. Form fields without files stay at Django's 2.5 MB default.
MAX_IMPORT_BYTES = env.int("MAX_IMPORT_BYTES", default=5 * 1024 * 1024)
MAX_ATTACHMENT_BYTES = env.int("MAX_ATTACHMENT_BYTES", default=10 * 1024 * 1024)
FILE_UPLOAD_HANDLERS = ["core.uploads.ImportSizeLimitHandler",
                        "django.core.files.uploadhandler.MemoryFileUploadHandler",
                        "django.core.files.uploadhandler.TemporaryFileUploadHandler"]
FILE_UPLOAD_MAX_MEMORY_SIZE = MAX_IMPORT_BYTES + 256 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_NUMBER_FILES = 5
# core.excel.read_upload: what an .xlsx may expand to before openpyxl reads it, and how many data rows.
MAX_IMPORT_UNZIPPED_BYTES = env.int("MAX_IMPORT_UNZIPPED_BYTES", default=25 * 1024 * 1024)
MAX_IMPORT_ZIP_RATIO = env.int("MAX_IMPORT_ZIP_RATIO", default=100)
MAX_IMPORT_ZIP_MEMBERS = 500
MAX_IMPORT_ROWS = env.int("MAX_IMPORT_ROWS", default=5000)
# Applicants and scores are checked and saved one by one (about 18 queries a row): 1,000 rows take some
# 15-20 s, so those two imports are held to fewer rows than the bulk payroll ones.
MAX_SELECTION_IMPORT_ROWS = env.int("MAX_SELECTION_IMPORT_ROWS", default=1000)

# django-guardian
GUARDIAN_RAISE_403 = False
ANONYMOUS_USER_NAME = None

# django-simple-history
SIMPLE_HISTORY_HISTORY_ID_USE_UUID = False

# Django REST framework + drf-spectacular
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "core.tokens.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "core.api.Pagination",
    "DEFAULT_FILTER_BACKENDS": ["core.filters.FilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "core.api.exception_handler",
    "URL_FORMAT_OVERRIDE": None,
    "COERCE_DECIMAL_TO_STRING": True,
    "DATE_FORMAT": "%Y-%m-%d",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "后备干部管理系统 API",
    "DESCRIPTION": "清流县村级后备干部管理 — HTTP API v1",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # issue 17: two request fields are called "decision" (a discipline case's, a bulk leave decision's);
    # a recommendation's "kind" is one of several
    "ENUM_NAME_OVERRIDES": {"DecisionEnum": "cadres.serializers.DISCIPLINE_DECISIONS",
                            "LeaveBulkDecisionEnum": "attendance.serializers.BULK_DECISIONS",
                            "RecommendationKindEnum": "supervision.serializers.RECOMMENDATION_KINDS"},
}

# Celery: the broker comes from the environment; the embedded default is set in local.py.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="redis://127.0.0.1:6379/0")
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=None)
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Redis down must not hang or break a page (docs/decisions/004): a publish gives up within a few
# seconds and core.jobs.enqueue keeps the task for the catch-up job instead of raising. The worker itself
# keeps retrying its broker connection (broker_connection_max_retries stays at Celery's 100).
CELERY_BROKER_CONNECTION_TIMEOUT = env.float("CELERY_BROKER_CONNECTION_TIMEOUT", default=2.0)
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5}
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 2, "socket_timeout": 5, "retry_on_timeout": False}
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = 2

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# The county-level defaults of docs/rules.md that a county may change live on the County model;
# these are only the values given to a new county.
PDF_FONT_PATH = BASE_DIR / "static" / "fonts" / "SourceHanSansSC-Regular.otf"
AUDIT_RETENTION_DAYS = env.int("AUDIT_RETENTION_DAYS", default=180)

# The monthly pay run builds this many whole counties per transaction, set-based (issue 19,
# docs/decisions/023): a batch that fails is rebuilt one county at a time.
PAYROLL_BATCH_COUNTIES = env.int("PAYROLL_BATCH_COUNTIES", default=100)
# Messages out of the app (issue 14 item 1, core/messaging.py, docs/decisions/018): e-mail through Django's
# SMTP backend, group robots of 企业微信 / 钉钉. SITE_URL is the address people open the app at: every message
# links to the page where its reader acts (SITE_URL + the page's path).
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_USE_SSL = env.bool("EMAIL_USE_SSL", default=False)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="hbgb@localhost")
# A delivery is tried at most this often; the wait doubles from MESSAGE_RETRY_SECONDS (at most an hour).
MESSAGE_MAX_ATTEMPTS = env.int("MESSAGE_MAX_ATTEMPTS", default=5)
MESSAGE_RETRY_SECONDS = env.int("MESSAGE_RETRY_SECONDS", default=60)
MESSAGE_HTTP_TIMEOUT = env.float("MESSAGE_HTTP_TIMEOUT", default=5)
# The hosts a robot address may point at (no request to anywhere else leaves the server).
MESSAGE_WEBHOOK_HOSTS = env.list("MESSAGE_WEBHOOK_HOSTS", default=["qyapi.weixin.qq.com", "oapi.dingtalk.com"])
