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
import json
import logging
import os
import socket
import zlib
from contextlib import contextmanager
from dataclasses import dataclass

from celery import _state, signals
from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _
from django_celery_beat.models import PeriodicTask

from core.models import JobRun, PendingJob
from core.registry import celery_app
from core.schedules import SCHEDULES

log = logging.getLogger(__name__)

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


# -- enqueue ---------------------------------------------------------------------------------------

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


# -- scheduled jobs and their runs ----------------------------------------------------------------

def _local_today(now=None) -> dt.date:
    return timezone.localtime(now).date() if now else timezone.localdate()


def _month(value) -> str:
    if isinstance(value, dt.date):
        return f"{value:%Y-%m}"
    text = str(value).strip()
    dt.date(int(text[:4]), int(text[5:7]), 1)  # validates
    return text[:7]


def _add_months(month: str, n: int) -> str:
    year, mon = int(month[:4]), int(month[5:7]) + n
    year += (mon - 1) // 12
    mon = (mon - 1) % 12 + 1
    return f"{year:04d}-{mon:02d}"


@dataclass(frozen=True)
class Scheduled:
    """A job of core/schedules.py that runs for a day (``as_of``) or a month (``month``)."""

    task: str
    every: str  # "day" | "month"
    arg: str
    schedule: str  # the row's name in core/schedules.py (its hour and minute say when a period is due)

    def period_of(self, args=(), kwargs=None, now=None) -> str:
        """The period a call covers: its date/month argument, else the default the task itself uses
        (today for the daily jobs, the previous month for the monthly pay run)."""
        kwargs = kwargs or {}
        value = kwargs.get(self.arg, args[0] if args else None)
        if self.every == "day":
            if not value:
                return _local_today(now).isoformat()
            return (value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])).isoformat()
        if not value:
            return _add_months(_month(_local_today(now)), -1)
        return _month(value)

    def due_time(self) -> dt.time:
        """Hour and minute of the beat row (as county_org may have edited it), else of core/schedules.py."""
        cron = next(item["crontab"] for item in SCHEDULES if item["name"] == self.schedule)
        hour, minute = cron.get("hour", "0"), cron.get("minute", "0")
        try:
            row = PeriodicTask.objects.select_related("crontab").filter(name=self.schedule).first()
            if row is not None and row.crontab is not None:
                hour, minute = row.crontab.hour, row.crontab.minute
        except Exception:  # noqa: BLE001 - no beat tables yet: the default time
            pass
        try:
            return dt.time(int(hour), int(minute))
        except ValueError:  # "*/2" and the like: a period is due once its day has begun
            return dt.time(0, 0)

    def due_periods(self, now=None) -> list[str]:
        """Periods whose scheduled time has passed within the catch-up window, oldest first."""
        now = timezone.localtime(now or timezone.now())
        at = self.due_time()
        days = _setting("JOBS_CATCH_UP_DAYS", 31)
        if self.every == "day":
            out = []
            for back in range(days, -1, -1):
                day = now.date() - dt.timedelta(days=back)
                if now >= timezone.make_aware(dt.datetime.combine(day, at)):
                    out.append(day.isoformat())
            return out
        out = []
        this_month = _month(now.date())
        for back in range(days // 28 + 1, 0, -1):  # the month covered is due on the 1st of the next one
            covered = _add_months(this_month, -back)
            first_next = dt.date.fromisoformat(_add_months(covered, 1) + "-01")
            if now >= timezone.make_aware(dt.datetime.combine(first_next, at)):
                out.append(covered)
        return out

    def call_kwargs(self, period: str) -> dict:
        return {self.arg: period}


SCHEDULED = [
    Scheduled("payroll.tasks.run_monthly_payroll", "month", "month", "monthly-payroll"),
    Scheduled("attendance.tasks.check_absence_thresholds", "day", "as_of", "daily-absence-thresholds"),
    Scheduled("supervision.tasks.check_overdue", "day", "as_of", "daily-overdue"),
    Scheduled("core.tasks.send_message_digest", "day", "as_of", "daily-message-digest"),
]
BY_TASK = {job.task: job for job in SCHEDULED}


def _jsonable(value):
    try:
        json.dumps(value)
        return value
    except (TypeError, ValueError):
        return str(value)


def run_started(job: Scheduled, period: str, *, trigger: str) -> None:
    """Mark (job, period) running; written in its own autocommit statement, outside the job's transaction."""

    JobRun.objects.get_or_create(job=job.task, period=period, defaults={"started_at": timezone.now()})
    JobRun.objects.filter(job=job.task, period=period).update(
        outcome=JobRun.Outcome.RUNNING, started_at=timezone.now(), finished_at=None, attempts=F("attempts") + 1,
        runner=_runner(), trigger=trigger, error="")


def run_finished(job: Scheduled, period: str, *, ok: bool, result=None, error: str = "") -> None:
    JobRun.objects.filter(job=job.task, period=period).update(
        outcome=JobRun.Outcome.OK if ok else JobRun.Outcome.FAILED, finished_at=timezone.now(),
        result=_jsonable(result) if ok else None, error=error[:2000])


def last_completed(task: str) -> str | None:
    """The last period the job completed ("YYYY-MM-DD" or "YYYY-MM"), or None."""
    return (JobRun.objects.filter(job=task, outcome=JobRun.Outcome.OK).order_by("-period")
            .values_list("period", flat=True).first())


def run_job(task: str, period: str, *, trigger: str = "catch_up"):
    """Run a scheduled job for one period in this process, recorded as a JobRun."""
    job = BY_TASK[task]
    run_started(job, period, trigger=trigger)
    try:
        result = _task(task)(**job.call_kwargs(period))
    except Exception as exc:
        run_finished(job, period, ok=False, error=f"{exc.__class__.__name__}: {exc}")
        raise
    run_finished(job, period, ok=True, result=result)
    return result


# Recording of the runs Celery executes (beat, a retry, a redelivery after a killed worker).
_CURRENT = {}


@signals.task_prerun.connect
def _on_task_prerun(sender=None, task_id=None, args=None, kwargs=None, **_kw):
    job = BY_TASK.get(getattr(sender, "name", None))
    if job is None:
        return
    try:
        period = job.period_of(args or (), kwargs or {})
        run_started(job, period, trigger="celery")
        _CURRENT[task_id] = period
    except Exception:  # noqa: BLE001 - recording must never stop the job itself
        log.exception("could not record the start of %s", job.task)


@signals.task_postrun.connect
def _on_task_postrun(sender=None, task_id=None, retval=None, state=None, **_kw):
    job = BY_TASK.get(getattr(sender, "name", None))
    period = _CURRENT.pop(task_id, None)
    if job is None or period is None:
        return
    try:
        ok = state == "SUCCESS"
        run_finished(job, period, ok=ok, result=retval if ok else None,
                     error="" if ok else f"{retval.__class__.__name__}: {retval}")
    except Exception:  # noqa: BLE001
        log.exception("could not record the end of %s", job.task)


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
