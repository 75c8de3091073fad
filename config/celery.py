"""The Celery application. Tasks live in each app's tasks.py and are found by autodiscovery."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")


def _redis_channel_detached_is_a_connection_error():
    """Keep a worker alive when Redis dies while a message is unacknowledged (issue 11, item 3).

    With ``task_acks_late`` a message stays unacknowledged while its task runs, and also when Redis dies
    between storing the result and the ack. On the connection loss the consumer calls
    ``connection.collect()`` and then ``connection.close()`` (celery.worker.consumer.Consumer.
    on_connection_error_after_connected). When the task channel was still waiting in BRPOP, its close
    inside ``collect()`` fails reading the dead socket and leaves it open; closing the other channels
    stops at the first that fails (e.g. the control channel on its fanout), and ``collect()`` then
    detaches the transport from its connection (``transport.client = None``). ``close()`` closes the
    task channel again, which restores the unacked message and so needs the connection parameters of
    the detached transport: kombu's redis ``Channel._connparams`` raises ``AttributeError: 'NoneType'
    object has no attribute 'hostname'``.
    That is not a connection error, so nothing catches it: "Unrecoverable error", the worker exits with 1
    and never reconnects (seen in tests/faults/test_redis_down.py on a loaded machine).

    A transport without its connection cannot reach Redis: say so with the transport's own connection
    error. kombu's close path already ignores those, and the unacked message stays in Redis's unacked
    index, from where kombu restores it after the visibility timeout (if Redis kept it). Remove this when
    kombu handles the detached transport itself (check with tests/faults/test_redis_down.py).
    """
    try:
        from kombu.transport import redis as kombu_redis
    except ImportError:  # pragma: no cover - no redis client: only the embedded file-system broker
        return
    original = kombu_redis.Channel._connparams
    if getattr(original, "detached_is_connection_error", False):
        return

    def _connparams(self, asynchronous=False):
        if getattr(self.connection, "client", None) is None:
            raise kombu_redis.get_redis_ConnectionError()(
                "the broker connection is already closed (kombu transport detached from its connection)")
        return original(self, asynchronous=asynchronous)

    _connparams.detached_is_connection_error = True
    kombu_redis.Channel._connparams = _connparams


_redis_channel_detached_is_a_connection_error()

app = Celery("reserve_cadres")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# core.jobs finds this app through the registry (core imports no module above it)
from core.registry import provide  # noqa: E402  (after the app exists; core.registry imports nothing heavy)

provide("celery_app", lambda: app)
