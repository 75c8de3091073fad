"""core.jobs: which periods a catch-up owes after an outage, the run records, the catch-up order
(docs/decisions/004). No external service needed: the jobs run in this process."""

import datetime as dt
import io
import os

import pytest
from django.core.management import call_command
from django.utils import timezone

from core import jobs
from core.models import JobRun, PendingJob

pytestmark = [pytest.mark.django_db]

ABSENCE = jobs.BY_TASK["attendance.tasks.check_absence_thresholds"]  # due 01:30 daily
PAYROLL = jobs.BY_TASK["payroll.tasks.run_monthly_payroll"]  # due 02:00 on the 1st, for the previous month


def at(day: str, hh: int, mm: int = 0):
    return timezone.make_aware(dt.datetime.combine(dt.date.fromisoformat(day), dt.time(hh, mm)))


def record(job, period, outcome="ok", *, runner="", started=None):
    return JobRun.objects.create(job=job.task, period=period, outcome=outcome, runner=runner, attempts=1,
                                 started_at=started or timezone.now())


def test_a_job_never_run_owes_only_its_latest_due_period():
    assert jobs.missed_periods(ABSENCE, now=at("2026-05-10", 12)) == ["2026-05-10"]
    assert jobs.missed_periods(ABSENCE, now=at("2026-05-10", 1, 0)) == ["2026-05-09"]  # today's is due at 01:30
    assert jobs.missed_periods(PAYROLL, now=at("2026-05-01", 1)) == ["2026-03"]  # April's run is due at 02:00
    assert jobs.missed_periods(PAYROLL, now=at("2026-05-01", 3)) == ["2026-04"]


def test_each_day_after_the_last_completed_one_is_owed_oldest_first():
    record(ABSENCE, "2026-05-06")
    assert jobs.missed_periods(ABSENCE, now=at("2026-05-10", 12)) == [
        "2026-05-07", "2026-05-08", "2026-05-09", "2026-05-10"]
    record(PAYROLL, "2026-02")
    assert jobs.missed_periods(PAYROLL, now=at("2026-05-02", 0)) == ["2026-03", "2026-04"]


def test_failed_and_dead_runs_are_owed_again_but_a_live_run_is_not():
    record(ABSENCE, "2026-05-08")
    record(ABSENCE, "2026-05-07", "failed")  # before the last completed one, failed: run it again
    record(ABSENCE, "2026-05-09", "running", runner=jobs._runner())  # this very process: alive
    gone = f"{jobs.socket.gethostname()}:{2 ** 22 + 12345}"  # no such pid
    record(ABSENCE, "2026-05-10", "running", runner=gone)
    assert jobs.missed_periods(ABSENCE, now=at("2026-05-10", 12)) == ["2026-05-07", "2026-05-10"]
    # a run on another machine is trusted for JOBS_STALE_MINUTES, then taken as dead
    JobRun.objects.filter(period="2026-05-09").update(runner="elsewhere:1")
    assert "2026-05-09" not in jobs.missed_periods(ABSENCE, now=at("2026-05-10", 12))
    JobRun.objects.filter(period="2026-05-09").update(started_at=timezone.now() - dt.timedelta(hours=2))
    assert "2026-05-09" in jobs.missed_periods(ABSENCE, now=at("2026-05-10", 12))


def test_catch_up_runs_the_missed_days_and_records_them(world):
    record(ABSENCE, "2026-05-07")
    result = jobs.catch_up(now=at("2026-05-10", 12), only=[ABSENCE.task])
    assert [(r["period"], r["ok"]) for r in result["runs"]] == [
        ("2026-05-08", True), ("2026-05-09", True), ("2026-05-10", True)]
    rows = JobRun.objects.filter(job=ABSENCE.task, period__gte="2026-05-08").order_by("period")
    assert [(r.outcome, r.trigger, r.result, r.finished_at is not None) for r in rows] == [("ok", "catch_up", 0, True)] * 3
    assert jobs.last_completed(ABSENCE.task) == "2026-05-10"
    assert jobs.catch_up(now=at("2026-05-10", 12), only=[ABSENCE.task])["runs"] == []  # nothing owed now


def test_a_failing_period_is_recorded_and_later_periods_wait(world, monkeypatch):
    from attendance import services

    record(ABSENCE, "2026-05-07")
    calls = []

    def boom(*, as_of=None):
        calls.append(as_of)
        raise RuntimeError("database went away")

    monkeypatch.setattr(services, "run_daily_checks", boom)
    result = jobs.catch_up(now=at("2026-05-10", 12), only=[ABSENCE.task])
    assert result["runs"] == [{"job": ABSENCE.task, "period": "2026-05-08", "ok": False,
                               "error": "database went away"}]
    assert calls == [dt.date(2026, 5, 8)]
    run = JobRun.objects.get(job=ABSENCE.task, period="2026-05-08")
    assert run.outcome == "failed" and "database went away" in run.error


def test_celery_runs_of_a_scheduled_job_are_recorded_by_signal(world):
    from attendance.tasks import check_absence_thresholds

    check_absence_thresholds.apply(args=["2026-05-08"])
    run = JobRun.objects.get(job=ABSENCE.task)
    assert (run.period, run.outcome, run.trigger, run.result) == ("2026-05-08", "ok", "celery", 0)
    assert run.runner == f"{jobs.socket.gethostname()}:{os.getpid()}"
    # without an argument the run covers today (Asia/Shanghai), as the task itself does
    check_absence_thresholds.apply()
    assert JobRun.objects.filter(job=ABSENCE.task, period=timezone.localdate().isoformat(), outcome="ok").exists()


def test_with_an_eager_broker_enqueue_runs_the_task_and_keeps_nothing(world, django_capture_on_commit_callbacks):
    from core.tasks import purge_audit_events

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        jobs.enqueue(purge_audit_events, 1)
    assert len(callbacks) == 1 and not PendingJob.objects.exists()


def test_the_catch_up_is_scheduled_and_has_a_command(world):
    from django_celery_beat.models import PeriodicTask

    from core.schedules import ensure_schedules

    ensure_schedules()
    row = PeriodicTask.objects.get(name="catch-up")
    assert row.task == "core.tasks.catch_up" and row.crontab.minute == "*/5"
    out = io.StringIO()
    call_command("catch_up", "--dry-run", stdout=out)
    assert "attendance.tasks.check_absence_thresholds:" in out.getvalue()
