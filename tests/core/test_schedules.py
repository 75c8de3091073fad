"""Issue 7: county_org edits when the scheduled jobs run (django-celery-beat rows) in the UI — in plain words
(issue 15: a time of day, a day of the month, an interval; no cron syntax, no task names)."""

import pytest
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from core.models import AuditEvent, JobRun
from core.roles import Role
from core.schedules import ensure_schedules

pytestmark = pytest.mark.django_db


def test_county_org_changes_a_schedule_and_it_is_audited(world, client):
    ensure_schedules()
    client.force_login(world.users[Role.COUNTY_ORG])
    page = client.get("/org/schedules/").content.decode()
    assert "生成上月报酬" in page and 'value="02:00"' in page
    assert "*/5" not in page and "payroll.tasks" not in page and "R-4" not in page
    resp = client.post("/org/schedules/", {"name": "daily-absence-thresholds", "at": "06:15", "enabled": "on"},
                       follow=True)
    assert "已保存“检查旷工天数”的执行时间" in resp.content.decode()
    task = PeriodicTask.objects.get(name="daily-absence-thresholds")
    assert (task.crontab.hour, task.crontab.minute, task.crontab.day_of_month, task.enabled) == ("6", "15", "*", True)
    assert AuditEvent.objects.filter(action="schedule_change", user=world.users[Role.COUNTY_ORG]).exists()


def test_monthly_and_interval_jobs(world, client):
    ensure_schedules()
    client.force_login(world.users[Role.COUNTY_ORG])
    client.post("/org/schedules/", {"name": "monthly-payroll", "day_of_month": "3", "at": "04:30", "enabled": "on"})
    cron = PeriodicTask.objects.get(name="monthly-payroll").crontab
    assert (cron.day_of_month, cron.hour, cron.minute) == ("3", "4", "30")
    client.post("/org/schedules/", {"name": "catch-up", "every": "10", "enabled": "on"})
    cron = PeriodicTask.objects.get(name="catch-up").crontab
    assert (cron.minute, cron.hour) == ("*/10", "*")
    page = client.get("/org/schedules/").content.decode()
    assert 'value="10"' in page and 'value="04:30"' in page


@pytest.mark.parametrize("name, data, error", [
    ("monthly-payroll", {"day_of_month": "1", "at": "25:00"}, "时间应为 00:00 至 23:59 之间"),
    ("monthly-payroll", {"day_of_month": "31", "at": "02:00"}, "每月几日应为 1 至 28"),
    ("monthly-payroll", {"at": "02:00"}, "请填写每月几日"),
    ("catch-up", {"every": "*/5"}, "间隔应为 1 至 59 分钟"),
])
def test_bad_time_changes_nothing(world, client, name, data, error):
    ensure_schedules()
    before = PeriodicTask.objects.get(name=name).crontab_id
    client.force_login(world.users[Role.COUNTY_ORG])
    resp = client.post("/org/schedules/", {"name": name, "enabled": "on", **data}, follow=True)
    assert error in resp.content.decode()
    assert PeriodicTask.objects.get(name=name).crontab_id == before


def test_disable_a_job(world, client):
    ensure_schedules()
    client.force_login(world.users[Role.COUNTY_ORG])
    client.post("/org/schedules/", {"name": "daily-overdue", "at": "03:00"})
    assert PeriodicTask.objects.get(name="daily-overdue").enabled is False


def test_runs_are_listed_by_their_plain_name(world, client):
    JobRun.objects.create(job="attendance.tasks.check_absence_thresholds", period="2026-11-01",
                          started_at=timezone.now(), outcome=JobRun.Outcome.OK, trigger="catch_up")
    client.force_login(world.users[Role.COUNTY_ORG])
    page = client.get("/org/schedules/").content.decode()
    assert "检查旷工天数" in page and "补做" in page
    assert "attendance.tasks" not in page


def test_only_county_org(world, client):
    client.force_login(world.users[Role.TOWNSHIP_PARTY])
    assert client.get("/org/schedules/").status_code == 403
