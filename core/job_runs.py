"""Every run of a scheduled job (``SCHEDULED``) recorded as a ``JobRun`` row (job, period covered, started/finished,
outcome, result) by Celery signals, so no task needs to know about it and a job knows the last period it
completed (docs/decisions/004-faults-and-catch-up.md; ``core.jobs`` re-exports the names)."""

from __future__ import annotations

import datetime as dt
import json
import logging
from dataclasses import dataclass

from celery import signals
from django.db.models import F
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from core.job_queue import _runner, _setting, _task
from core.models import JobRun
from core.schedules import SCHEDULES

log = logging.getLogger("core.jobs")  # the logger name the logs have always used


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
