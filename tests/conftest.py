"""Fixtures shared by every test: a small county with two townships and a user for every role."""

import os
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.core import signals
from django.db import close_old_connections
from rest_framework.test import APIClient

from core.roles import Role
from tests import worldcache
from tests.factories import CadreFactory, CountyFactory, TownshipFactory, VillageFactory, cadre_user, user_with_role
from tests.processes import stop

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(config, items):
    """Tests marked ``services`` need the real PostgreSQL and Redis: skip them when absent,
    except in CI (REQUIRE_SERVICES=1), where their absence is a failure.

    Under pytest-xdist (``-n 2 --dist loadgroup``) every ``services`` test runs in one and the same process:
    their Celery workers all listen on the one Redis queue, and a worker started by one test process must
    never take a task sent by another (it would run it against the other process's test database). A test marked
    ``starts_no_worker`` (the migration test, on a database of its own) runs beside them."""
    for item in items:
        if "services" in item.keywords and "starts_no_worker" not in item.keywords:
            item.add_marker(pytest.mark.xdist_group("services"))
    if settings.REQUIRE_SERVICES:
        return
    missing = []
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        missing.append("PostgreSQL")
    if not settings.REDIS_AVAILABLE:
        missing.append("Redis")
    if missing:
        skip = pytest.mark.skip(reason="needs " + " and ".join(missing))
        for item in items:
            if "services" in item.keywords:
                item.add_marker(skip)


@pytest.fixture(autouse=True)
def _chinese_by_default():
    """Every test starts in the default language, whatever an earlier test in the same process activated
    (a test that calls a service directly reads its messages in the active language)."""
    from django.utils import translation

    with translation.override(settings.LANGUAGE_CODE):
        yield


@dataclass
class World:
    county: object
    township: object
    other_township: object
    village: object
    village2: object
    other_village: object
    cadre: object
    other_cadre: object
    users: dict


@pytest.fixture
def world(db):
    """The world (below), built through the services once per test process and replayed after
    (tests/worldcache.py)."""
    return worldcache.world(build_world)


def build_world():
    """县 → 乡 A (村 1, 村 2) and 乡 B (村 3); a cadre in 村 1 and in 村 3; a user per role.

    users: county_org, county_finance, county_hrss, township_party (A), township_liaison (村 1),
    village_secretary (村 1), cadre (the cadre of 村 1), and *_b twins for 乡 B / 村 3, and
    ``stranger`` with a role in another county.
    """
    county = CountyFactory(name="清流县", code="350423")
    a = TownshipFactory(county=county, name="龙津镇", code="350423100")
    b = TownshipFactory(county=county, name="嵩溪镇", code="350423101")
    v1 = VillageFactory(township=a, name="城东村", code="350423100201")
    v2 = VillageFactory(township=a, name="城南村", code="350423100202")
    v3 = VillageFactory(township=b, name="嵩溪村", code="350423101201")
    cadre = CadreFactory(village=v1, name="张三")
    other = CadreFactory(village=v3, name="李四")
    other_county = CountyFactory(name="明溪县", code="350421")
    users = {
        Role.COUNTY_ORG: user_with_role(Role.COUNTY_ORG, county, username="org"),
        Role.COUNTY_FINANCE: user_with_role(Role.COUNTY_FINANCE, county, username="finance"),
        Role.COUNTY_HRSS: user_with_role(Role.COUNTY_HRSS, county, username="hrss"),
        Role.TOWNSHIP_PARTY: user_with_role(Role.TOWNSHIP_PARTY, a, username="party_a"),
        Role.TOWNSHIP_LIAISON: user_with_role(Role.TOWNSHIP_LIAISON, v1, username="liaison_1"),
        Role.VILLAGE_SECRETARY: user_with_role(Role.VILLAGE_SECRETARY, v1, username="secretary_1"),
        Role.CADRE: cadre_user(cadre, username="cadre_1"),
        "township_party_b": user_with_role(Role.TOWNSHIP_PARTY, b, username="party_b"),
        "village_secretary_b": user_with_role(Role.VILLAGE_SECRETARY, v3, username="secretary_3"),
        "stranger": user_with_role(Role.COUNTY_ORG, other_county, username="other_county_org"),
    }
    return World(county, a, b, v1, v2, v3, cadre, other, users)


@pytest.fixture
def org(world):
    """The world's county organisation department (county_org of 清流县)."""
    return world.users[Role.COUNTY_ORG]


@pytest.fixture
def party(world):
    """The world's township party committee of 乡 A (村 1 and 村 2)."""
    return world.users[Role.TOWNSHIP_PARTY]


@pytest.fixture
def secretary(world):
    """The world's village party secretary of 村 1."""
    return world.users[Role.VILLAGE_SECRETARY]


@pytest.fixture
def keep_test_connection():
    """Requests through WSGI (schemathesis, not the test client) must not close the test transaction's connection:
    like Django's test client, unhook close_old_connections for the test."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def api():
    """``api(user)`` → an APIClient authenticated as ``user`` (None: anonymous)."""

    def make(user=None):
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        return client

    return make


@pytest.fixture
def celery_worker_process(transactional_db):
    """A real Celery worker (subprocess) consuming from Redis and writing to the test database.

    Yields ``run(task_name, *args, timeout=120, **kwargs)`` which sends the task through Redis and
    returns the worker's result. Use with committed data (this fixture implies transactional_db).
    """
    import subprocess
    import sys
    import uuid
    from pathlib import Path

    from celery import Celery
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("the real worker needs PostgreSQL (a separate process cannot see an in-memory SQLite)")
    db = connection.settings_dict
    broker = "redis://127.0.0.1:6379/15"
    queue = f"test-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "CELERY_EAGER": "0",
        "CELERY_BROKER_URL": broker,
        "CELERY_RESULT_BACKEND": broker,
    }
    root = Path(__file__).resolve().parent.parent
    log = open(root / "var" / f"celery-{queue}.log", "w") if (root / "var").is_dir() else subprocess.DEVNULL
    proc = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo", "-Q", queue,
         "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel=INFO"],
        cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    client = Celery("test-client", broker=broker, backend=broker, set_as_current=False)

    def run(task_name, *args, timeout=120, **kwargs):
        result = client.send_task(task_name, args=args, kwargs=kwargs, queue=queue)
        return result.get(timeout=timeout)

    try:
        yield run
    finally:
        stop(proc)
        client.close()
