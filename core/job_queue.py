"""Sending Celery tasks that survive a broker outage (docs/decisions/004-faults-and-catch-up.md): ``enqueue`` sends
a task once the transaction commits; when the broker (Redis) cannot be reached the task is kept as a
``PendingJob`` row and ``send_pending`` (run by the catch-up) sends it later. ``core.jobs`` re-exports the names."""

from __future__ import annotations

import logging
import os
import socket

from celery import _state
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from core.models import PendingJob
from core.registry import celery_app

log = logging.getLogger("core.jobs")  # the logger name the logs have always used

#: What a page shows for work that waits for the broker.
QUEUED_MESSAGE = _("已排队，稍后自动执行")


def _setting(name: str, default):
    return getattr(settings, name, default)


def _runner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _app():
    """The project's Celery app (not ``current_app``: a test may have made another app current)."""
    return celery_app()


def _task(task):
    """The project app's task for a task or its dotted name."""
    app = _app()
    if isinstance(task, str):
        name = task
    else:
        try:
            name = task.name
        except Exception:  # noqa: BLE001 - a shared_task proxy resolved against another current app
            previous = _state.get_current_app()
            app.set_current()
            try:
                name = task.name
            finally:
                previous.set_current()
    try:
        return app.tasks[name]
    except KeyError:  # not autodiscovered in this process yet: the names are module paths
        import_string(name)
        return app.tasks[name]


def enqueue(task, *args, on_deferred=None, **kwargs) -> None:
    """Send ``task`` (a task or its name) with JSON-able ``args``/``kwargs`` after the current transaction
    commits. If the broker is unreachable, log it, keep a ``PendingJob`` (sent later by ``catch_up``) and
    call ``on_deferred()`` (e.g. to write "已排队，稍后自动执行" on the row the page shows); never raise."""
    transaction.on_commit(lambda: send_or_keep(task, args, kwargs, on_deferred=on_deferred))


def send_or_keep(task, args=(), kwargs=None, *, on_deferred=None) -> bool:
    """Send now; on a broker error keep the task for later. True when sent."""
    kwargs = kwargs or {}
    task = _task(task)
    if task.app.conf.task_always_eager:  # tests: run in-process, let errors surface
        task.apply_async(args=list(args), kwargs=kwargs)
        return True
    try:
        task.apply_async(args=list(args), kwargs=kwargs)
        return True
    except Exception as exc:  # noqa: BLE001 - any broker failure (kombu OperationalError, socket errors)
        _keep(task.name, list(args), kwargs, exc)
        if on_deferred is not None:
            try:
                on_deferred()
            except Exception:  # noqa: BLE001 - the message is a convenience, the job is kept already
                log.exception("on_deferred callback of %s failed", task.name)
        return False


def _keep(name: str, args: list, kwargs: dict, exc: Exception) -> None:
    error = f"{exc.__class__.__name__}: {exc}"[:300]
    log.warning("broker unreachable, %s%s kept for catch-up: %s", name, tuple(args), error)
    existing = PendingJob.objects.filter(task=name, args=args, kwargs=kwargs, sent_at__isnull=True).first()
    if existing:  # the same work asked twice while the broker is down: once is enough (jobs are idempotent)
        PendingJob.objects.filter(pk=existing.pk).update(last_error=error)
        return
    PendingJob.objects.create(task=name, args=args, kwargs=kwargs, last_error=error)


def is_pending(task, *args, **kwargs) -> bool:
    """True when this exact task waits for the broker (for a page that says "已排队，稍后自动执行")."""
    name = task if isinstance(task, str) else task.name
    return PendingJob.objects.filter(task=name, args=list(args), kwargs=kwargs, sent_at__isnull=True).exists()


def send_pending(limit: int = 500) -> dict:
    """Send the kept tasks, oldest first; stop at the first broker error (it is still down)."""
    sent, failed = 0, 0
    for pk in list(PendingJob.objects.filter(sent_at__isnull=True).values_list("pk", flat=True)[:limit]):
        with transaction.atomic():
            job = PendingJob.objects.select_for_update(skip_locked=True).filter(pk=pk, sent_at__isnull=True).first()
            if job is None:  # another catch-up has it
                continue
            try:
                _task(job.task).apply_async(args=job.args, kwargs=job.kwargs)
            except Exception as exc:  # noqa: BLE001
                job.attempts += 1
                job.last_error = f"{exc.__class__.__name__}: {exc}"[:300]
                job.save(update_fields=["attempts", "last_error"])
                failed += 1
                break
            job.attempts += 1
            job.sent_at = timezone.now()
            job.save(update_fields=["attempts", "sent_at"])
            sent += 1
    return {"sent": sent, "failed": failed}
