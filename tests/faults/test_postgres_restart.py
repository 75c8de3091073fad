"""Issue 7 "Faults": PostgreSQL restarted under the running app — the next requests succeed.

The app runs as in production: gunicorn with config.settings.production (CONN_MAX_AGE > 0, so it keeps its
database connection between requests, and CONN_HEALTH_CHECKS=True), against a private PostgreSQL cluster
(initdb in a temp dir, once for this module) that the test restarts; the shared server is not touched.
A control run with the health checks turned off shows the restart really breaks a kept connection.
"""

import os
import subprocess
import sys

import pytest
import requests
from django.db import connection

from tests.faults.conftest import LOG_DIR, ROOT, PrivatePostgres, free_port, wait_for
from tests.processes import stop

pytestmark = [pytest.mark.services, pytest.mark.django_db]  # django_db: the test database to copy exists

SETUP = """
from core.models import County, User
from rest_framework.authtoken.models import Token
County.objects.create(name="清流县", code="350423")
user = User.objects.create_superuser("ops", "ops@example.cn", "Ops-passw0rd-2026")
User.objects.filter(pk=user.pk).update(must_change_password=False)
print(Token.objects.create(user=user).key)
"""


@pytest.fixture(scope="module")
def pg_cluster(django_db_setup):
    """A private cluster holding a copy of the migrated test database (pg_dump is much faster than migrate)."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    pg = PrivatePostgres()
    try:
        pg.init().start()
        db = connection.settings_dict
        subprocess.run(["createdb", "-h", "127.0.0.1", "-p", str(pg.port), "-U", "postgres", "app"], check=True)
        dump = subprocess.run(["pg_dump", "--no-owner", "--schema-only", "-h", db["HOST"], "-p", str(db["PORT"] or 5432),
                               "-U", db["USER"], db["NAME"]], check=True, capture_output=True)
        subprocess.run(["psql", "-q", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", str(pg.port), "-U", "postgres",
                        "app"], input=dump.stdout, check=True, capture_output=True)
        yield pg
    finally:
        pg.destroy()


def _env(pg, settings_module):
    return {**os.environ, "DJANGO_SETTINGS_MODULE": settings_module, "DJANGO_SECRET_KEY": "faults-test-" + "k" * 40,
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1", "DATABASE_URL": pg.url("app"), "DATABASE_CONN_MAX_AGE": "600",
            "CELERY_BROKER_URL": f"redis://127.0.0.1:{free_port()}/0", "DJANGO_SECURE_SSL_REDIRECT": "false"}


@pytest.fixture(scope="module")
def token(pg_cluster):
    out = subprocess.run([sys.executable, "manage.py", "shell", "-c", SETUP], cwd=ROOT, check=True, text=True,
                         capture_output=True, env=_env(pg_cluster, "config.settings.production"))
    return out.stdout.strip().splitlines()[-1]


@pytest.fixture
def app_server(pg_cluster):
    """``app_server(settings_module)`` → base URL of a gunicorn (one sync worker: every request uses the same
    kept connection) on the private cluster; stopped at the end of the test."""
    procs = []

    def start(settings_module="config.settings.production"):
        port = free_port()
        log = open(LOG_DIR / f"gunicorn-faults-{port}.log", "w")
        proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "config.wsgi", "--bind", f"127.0.0.1:{port}",
                                 "--workers", "1", "--timeout", "60"], cwd=ROOT, env=_env(pg_cluster, settings_module),
                                stdout=log, stderr=subprocess.STDOUT)
        log.close()
        procs.append(proc)
        base = f"http://127.0.0.1:{port}"

        def up():
            assert proc.poll() is None, "gunicorn exited"
            try:  # the first request loads the app: on a busy machine it can take longer than one poll
                return requests.get(base + "/health/", timeout=10).status_code == 200
            except requests.RequestException:  # not listening yet, or still starting (read time-out)
                return False

        wait_for(up, timeout=60, what="gunicorn to serve /health/")
        return base

    try:
        yield start
    finally:
        for proc in procs:
            stop(proc)


def _app_backends(pg) -> int:
    out = subprocess.run(["psql", "-At", "-h", "127.0.0.1", "-p", str(pg.port), "-U", "postgres", "postgres", "-c",
                          "SELECT count(*) FROM pg_stat_activity WHERE datname = 'app' AND pid <> pg_backend_pid()"],
                         check=True, capture_output=True, text=True)
    return int(out.stdout.strip())


def _requests(base, token, n):
    out = []
    for _ in range(n):
        api = requests.get(base + "/api/v1/counties/", headers={"Authorization": f"Token {token}"}, timeout=30)
        out.append((api.status_code, api.json()["results"][0]["name"] if api.status_code == 200 else api.text[:200]))
        health = requests.get(base + "/health/", timeout=30)
        out.append((health.status_code, health.json().get("database")))
    return out


def test_requests_after_a_postgres_restart_succeed(pg_cluster, token, app_server):
    base = app_server("config.settings.production")
    assert _requests(base, token, 2) == [(200, "清流县"), (200, "ok")] * 2
    assert _app_backends(pg_cluster) >= 1  # the app keeps its connection open (CONN_MAX_AGE)

    # when PostgreSQL restarts under the app (every connection is cut) …
    pg_cluster.restart()

    # … then the very next requests (a token-authenticated API list and the health check) succeed
    assert _requests(base, token, 3) == [(200, "清流县"), (200, "ok")] * 3


def test_control_without_health_checks_the_first_request_after_a_restart_fails(pg_cluster, token, app_server):
    """The control for the test above: with CONN_HEALTH_CHECKS off the kept connection is dead after the
    restart and the first request fails, so the test above would catch losing the setting."""
    base = app_server("tests.faults.settings_no_health_checks")
    assert _requests(base, token, 1) == [(200, "清流县"), (200, "ok")]
    pg_cluster.restart()
    after = _requests(base, token, 2)
    assert after[0][0] == 500
    assert after[2:] == [(200, "清流县"), (200, "ok")]  # Django drops the broken connection after that request


@pytest.mark.django_db(transaction=True)
def test_a_worker_runs_the_next_job_after_a_postgres_restart(pg_cluster, token, private_redis, workers):
    """The Celery worker (production settings) runs the next job after PostgreSQL restarted under it."""
    env = {**_env(pg_cluster, "config.settings.production"), "CELERY_BROKER_URL": private_redis.url,
           "CELERY_RESULT_BACKEND": private_redis.url}
    worker = workers(private_redis.url, env=env)
    assert worker.run("core.tasks.purge_audit_events", timeout=60) == 0
    # (Celery's Django fixup closes the worker's connections after each task unless CELERY_DB_REUSE_MAX is
    # set; this test keeps that choice honest: a job after a restart must run, whatever reuse is configured)

    pg_cluster.restart()

    assert worker.run("core.tasks.purge_audit_events", timeout=60) == 0
    assert worker.run("core.tasks.purge_audit_events", timeout=60) == 0
