"""Test settings. PostgreSQL and Redis when reachable (always in CI); SQLite otherwise."""

import os
import socket
import tempfile
from pathlib import Path

from .base import *  # noqa: F401,F403
from .base import env


def _reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


SECRET_KEY = "test-only-secret"
DEBUG = False
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", "core.hashers.IssuedPasswordHasher"]
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
# export files of the test run (one path, so a real worker started by a test writes where the test reads)
STORAGES["exports"]["OPTIONS"]["location"] = str(BASE_DIR / "var" / "test-exports")  # noqa: F405

REQUIRE_SERVICES = env.bool("REQUIRE_SERVICES", default=False)
POSTGRES_AVAILABLE = _reachable("127.0.0.1", 5432)
REDIS_AVAILABLE = _reachable("127.0.0.1", 6379)

if "DATABASE_URL" in os.environ:
    DATABASES = {"default": env.db("DATABASE_URL")}
elif POSTGRES_AVAILABLE or REQUIRE_SERVICES:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": env("TEST_DB_BASENAME", default="reserve_cadres"),  # test DB: test_<this>
            "USER": env("PGUSER", default="postgres"),
            "HOST": "127.0.0.1",
            "PORT": 5432,
        }
    }
else:
    DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}

# Tests run tasks in-process; the real-worker tests start a worker subprocess with CELERY_EAGER=0.
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_EAGER", default=True)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="redis://127.0.0.1:6379/15")
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=None)
LANGUAGE_CODE = "zh-hans"
# A worker started by a test must not run the catch-up of scheduled jobs on its own (tests/faults turn it on).
JOBS_CATCH_UP_ON_WORKER_START = env.bool("JOBS_CATCH_UP_ON_WORKER_START", default=False)
# Attachments written by tests never land in var/media (tests that store files also point it at tmp_path).
MEDIA_ROOT = Path(tempfile.gettempdir()) / "hb-test-media"
