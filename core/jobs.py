"""Background work that survives faults (docs/decisions/004-faults-and-catch-up.md).

- ``enqueue(task, *args, **kwargs)``: send a Celery task once the transaction commits. When the broker
  (Redis) cannot be reached the request does not fail: the task is kept as a ``PendingJob`` row and the
  page can say "已排队，稍后自动执行"; ``catch_up`` sends it when the broker is back.
- Every run of a scheduled job (``SCHEDULED``) is recorded as a ``JobRun`` row (job, period covered,
  started/finished, outcome, result) by Celery signals, so no task needs to know about it and a job knows
  the last period it completed.
- ``catch_up()`` runs every missed period of the scheduled jobs, oldest first (the jobs are idempotent,
  docs/rules.md "Scheduled jobs"), and re-sends the pending tasks. Beat runs it every few minutes
  (core/schedules.py), every worker runs it when it starts, and ``manage.py catch_up`` runs it by hand.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import zlib
from contextlib import contextmanager

from celery import signals
from django.db import connection
from django.utils import timezone

from core.job_queue import (  # noqa: F401  (re-exported: the apps enqueue through core.jobs)
    QUEUED_MESSAGE,
    _runner,
    _setting,
    _task,
    enqueue,
    is_pending,
    send_or_keep,
    send_pending,
)
from core.job_runs import (  # noqa: F401  (re-exported; _local_today for the fault tests)
    BY_TASK,
    SCHEDULED,
    Scheduled,
    _local_today,
    last_completed,
    run_finished,
    run_job,
    run_started,
)
from core.models import JobRun

log = logging.getLogger(__name__)


# -- catch-up ---------------------------------------------------------------------------------------

def _alive(run) -> bool:
    """Is the "running" JobRun really running? Its process is gone (same machine) or it is older than
    JOBS_STALE_MINUTES → no, run it again."""
    host, _sep, pid = run.runner.rpartition(":")
    if host == socket.gethostname() and pid.isdigit() and int(pid) != os.getpid():
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            pass
    stale = dt.timedelta(minutes=_setting("JOBS_STALE_MINUTES", 30))
    return run.started_at > timezone.now() - stale


def missed_periods(job: Scheduled, now=None) -> list[str]:
    """Due periods (within JOBS_CATCH_UP_DAYS) after the last completed one, plus earlier ones that failed
    or died, that are not running now; oldest first. A job with no record at all is only owed its latest
    due period (a new installation does not replay a month of history)."""
    due = job.due_periods(now)
    if not due:
        return []
    runs = {r.period: r for r in JobRun.objects.filter(job=job.task, period__in=due)}
    last = last_completed(job.task)
    if last is None:
        first = JobRun.objects.filter(job=job.task).order_by("period").values_list("period", flat=True).first()
        due = due[-1:] if first is None else [p for p in due if p >= first]
    else:
        due = [p for p in due if p > last or p in runs]
    out = []
    for period in due:
        run = runs.get(period)
        if run is not None and (run.outcome == run.Outcome.OK or (run.outcome == run.Outcome.RUNNING and _alive(run))):
            continue
        out.append(period)
    return out


@contextmanager
def _single_flight(name: str):
    """One catch-up at a time across all machines (a PostgreSQL session lock that dies with its process)."""
    if connection.vendor != "postgresql":
        yield True
        return
    key = zlib.crc32(name.encode()) & 0x7FFFFFFF
    with connection.cursor() as cur:
        cur.execute("SELECT pg_try_advisory_lock(%s)", [key])
        got = cur.fetchone()[0]
    try:
        yield got
    finally:
        if got:
            with connection.cursor() as cur:
                cur.execute("SELECT pg_advisory_unlock(%s)", [key])


def catch_up(*, now=None, send: bool = True, only=None) -> dict:
    """Run every missed period of the scheduled jobs (oldest first; ``only``: these task names) and, with
    ``send``, re-send the tasks kept while the broker was down. Returns what was done, e.g.
    ``{"runs": [{"job": ..., "period": ..., "ok": True}], "pending": {"sent": 1, "failed": 0}}``."""
    with _single_flight("core.jobs.catch_up") as got:
        if not got:
            return {"skipped": "another catch-up is running", "runs": [], "pending": {"sent": 0, "failed": 0}}
        runs = []
        for job in SCHEDULED:
            if only is not None and job.task not in only:
                continue
            for period in missed_periods(job, now):
                try:
                    run_job(job.task, period)
                except Exception as exc:  # noqa: BLE001 - recorded as failed; the next catch-up tries again
                    log.exception("catch-up of %s %s failed", job.task, period)
                    runs.append({"job": job.task, "period": period, "ok": False, "error": str(exc)[:200]})
                    break  # later periods of this job wait until this one succeeds
                runs.append({"job": job.task, "period": period, "ok": True})
        pending = send_pending() if send else {"sent": 0, "failed": 0}
    if runs or pending["sent"] or pending["failed"]:
        log.info("catch-up: %s", {"runs": runs, "pending": pending})
    return {"runs": runs, "pending": pending}


@signals.worker_ready.connect
def _on_worker_ready(sender=None, **_kw):
    """A worker that (re)starts after an outage catches up at once instead of waiting for beat."""
    if not _setting("JOBS_CATCH_UP_ON_WORKER_START", True):
        return
    try:
        _task("core.tasks.catch_up").apply_async()
    except Exception:  # noqa: BLE001 - beat sends it again in a few minutes
        log.exception("could not queue the catch-up at worker start")
