"""Private services for the fault tests (issue 7 "Faults"): a redis-server and a PostgreSQL cluster of our
own on free ports, started, killed and restarted here. The shared services on 6379/5432 are never touched."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.processes import stop

ROOT = Path(__file__).resolve().parent.parent.parent
PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
LOG_DIR = ROOT / "var" if (ROOT / "var").is_dir() else Path(tempfile.gettempdir())


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(predicate, *, timeout: float, what: str, interval: float = 0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def _port_open(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return True
    except OSError:
        return False


class PrivateRedis:
    """A redis-server of our own (no persistence) that a test can kill and start again on the same port."""

    def __init__(self):
        if not shutil.which("redis-server"):
            pytest.skip("redis-server is not installed")
        self.port = free_port()
        self.proc = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--protected-mode", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for(lambda: _port_open(self.port), timeout=10, what="private redis-server")
        return self

    def kill(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)
        wait_for(lambda: not _port_open(self.port), timeout=10, what="private redis-server to stop")

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None


@pytest.fixture
def private_redis():
    redis = PrivateRedis().start()
    try:
        yield redis
    finally:
        redis.kill()


@contextmanager
def celery_broker(url: str):
    """Point this process's Celery app at ``url`` with real (not eager) sending, then put everything back."""
    from config.celery import app

    def reset_pools():
        if app._pool is not None:
            try:
                app._pool.force_close_all()
            except Exception:  # noqa: BLE001
                pass
        app._pool = None
        app.amqp._producer_pool = None

    from celery import _state

    saved = {k: app.conf[k] for k in ("broker_url", "task_always_eager", "result_backend")}
    previous_current = _state.get_current_app()
    app.set_current()  # shared_task proxies resolve against the current app
    reset_pools()
    app.conf.broker_url = url
    app.conf.task_always_eager = False
    app.conf.result_backend = None
    try:
        yield app
    finally:
        reset_pools()
        app.conf.update(saved)
        previous_current.set_current()


class Worker:
    """A real Celery worker subprocess (solo pool: the task runs in this very process, so SIGKILL kills
    the job midway) consuming a queue of its own on a private Redis and writing to the test database."""

    def __init__(self, broker: str, *, env: dict | None = None):
        from django.db import connection

        db = connection.settings_dict
        self.broker = broker
        self.queue = f"faults-{uuid.uuid4().hex[:8]}"
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
            "CELERY_EAGER": "0",
            "CELERY_BROKER_URL": broker,
            "CELERY_RESULT_BACKEND": broker,
            **(env or {}),
        }
        self.log_path = LOG_DIR / f"celery-{self.queue}.log"
        self.proc = None
        from celery import Celery

        self.client = Celery("faults-client", broker=broker, backend=broker, set_as_current=False)

    def start(self, *queues: str):
        log = open(self.log_path, "w")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo",
             "-Q", ",".join([self.queue, *queues]), "--without-gossip", "--without-mingle", "--without-heartbeat",
             "--loglevel=INFO"], cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT)
        log.close()
        return self

    def send(self, task_name: str, *args, **kwargs):
        return self.client.send_task(task_name, args=args, kwargs=kwargs, queue=self.queue)

    def run(self, task_name: str, *args, timeout: float = 120, **kwargs):
        return self.send(task_name, *args, **kwargs).get(timeout=timeout)

    def sigkill(self):
        """The job dies midway: no except/finally/atexit in the worker runs."""
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self):
        if self.proc is not None:
            stop(self.proc)
        self.client.close()

    def log(self) -> str:
        try:
            return self.log_path.read_text()
        except OSError:
            return ""

    def wait_for_log(self, text: str, *, after: int = 0, timeout: float = 60) -> None:
        """Wait until the worker's log has ``text`` past offset ``after`` (``len(worker.log())`` taken
        earlier); fail at once, with the log's tail, if the worker exits first."""
        def seen():
            if text in self.log()[after:]:
                return True
            if self.proc.poll() is not None:
                raise AssertionError(f"the worker exited with {self.proc.returncode} before logging {text!r}:\n"
                                     f"{self.log()[-4000:]}")
            return False

        try:
            wait_for(seen, timeout=timeout, what=f"the worker to log {text!r}")
        except AssertionError as exc:
            if "timed out" in str(exc):
                raise AssertionError(f"{exc}; the worker's log ends with:\n{self.log()[-4000:]}") from None
            raise


@pytest.fixture
def workers(transactional_db):
    """``workers(broker, env=None)`` → a started Worker; every one is stopped at the end of the test."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("a worker subprocess needs PostgreSQL")
    started = []

    def make(broker, *, env=None, queues=()):
        worker = Worker(broker, env=env).start(*queues)
        started.append(worker)
        return worker

    try:
        yield make
    finally:
        for worker in started:
            worker.stop()


class PrivatePostgres:
    """A PostgreSQL cluster of our own in a temp dir, on a free port, run by the ``postgres`` OS user
    (initdb/postgres refuse root). ``restart()`` is a real server restart: every connection is cut."""

    def __init__(self):
        if not (PG_BIN / "initdb").exists():
            pytest.skip(f"no PostgreSQL binaries in {PG_BIN}")
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="faults-pg-"))
        self.data = self.dir / "data"
        self.logfile = self.dir / "server.log"
        self._as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if os.geteuid() == 0:
            shutil.chown(self.dir, user="postgres")

    def _run(self, *cmd, **kw):
        return subprocess.run([*self._as_postgres, *map(str, cmd)], check=True, capture_output=True, text=True, **kw)

    def init(self):
        self._run(PG_BIN / "initdb", "-D", self.data, "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8")
        return self

    def start(self):
        self._run(PG_BIN / "pg_ctl", "-D", self.data, "-l", self.logfile, "-w", "-t", "60", "-o",
                  f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off "
                  f"-c full_page_writes=off -c synchronous_commit=off", "start")
        return self

    def stop(self, mode: str = "fast"):
        self._run(PG_BIN / "pg_ctl", "-D", self.data, "-m", mode, "-w", "-t", "60", "stop")

    def restart(self):
        self._run(PG_BIN / "pg_ctl", "-D", self.data, "-m", "fast", "-w", "-t", "60", "-l", self.logfile, "-o",
                  f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off "
                  f"-c full_page_writes=off -c synchronous_commit=off", "restart")

    def url(self, name: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"

    def destroy(self):
        try:
            self.stop("immediate")
        except subprocess.CalledProcessError:
            pass
        shutil.rmtree(self.dir, ignore_errors=True)
