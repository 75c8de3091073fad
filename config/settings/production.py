"""Production: everything from the environment, no secret defaults. See README "Production"."""

from .base import *  # noqa: F401,F403
from .base import env

DEBUG = False
ADMIN_ENABLED = env.bool("DJANGO_ADMIN_ENABLED", default=False)
SECRET_KEY = env("DJANGO_SECRET_KEY")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
DATABASES = {"default": env.db("DATABASE_URL")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
CELERY_BROKER_URL = env("CELERY_BROKER_URL")

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=False)
# Intranet host names cannot be on the browsers' HSTS preload list; HSTS itself is on (above).
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# Attachments (issue 14 item 2, decision 019). Default: the file system under MEDIA_ROOT (one server, or a
# directory every web server mounts). Several servers without a shared directory: S3-compatible object
# storage (MinIO, 华为云 OBS, 阿里云 OSS …) through django-storages, chosen by setting the bucket. The
# package is needed only then (`pip install "django-storages[s3]"`); files stay private (no public ACL,
# no query-string URLs handed out): the app reads them and serves them through its scoped view.
if env("ATTACHMENT_S3_BUCKET", default=""):
    STORAGES["default"] = {  # noqa: F405
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env("ATTACHMENT_S3_BUCKET"),
            "endpoint_url": env("ATTACHMENT_S3_ENDPOINT_URL", default=None),
            "region_name": env("ATTACHMENT_S3_REGION", default=None),
            "access_key": env("ATTACHMENT_S3_ACCESS_KEY"),
            "secret_key": env("ATTACHMENT_S3_SECRET_KEY"),
            "location": env("ATTACHMENT_S3_PREFIX", default="hbgb"),
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
