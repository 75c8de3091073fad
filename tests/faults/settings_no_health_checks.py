"""Production settings with the database health checks off: only for the control run of
tests/faults/test_postgres_restart.py (it shows what CONN_HEALTH_CHECKS prevents)."""

from config.settings.production import *  # noqa: F401,F403
from config.settings.production import DATABASES

DATABASES["default"]["CONN_HEALTH_CHECKS"] = False
