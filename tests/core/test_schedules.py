"""Issue 7: county_org edits when the scheduled jobs run (django-celery-beat rows) in the UI."""

import pytest
from django_celery_beat.models import PeriodicTask

from core.models import AuditEvent
from core.roles import Role
from core.schedules import ensure_schedules

pytestmark = pytest.mark.django_db


def test_county_org_changes_a_schedule_and_it_is_audited(world, client):
    ensure_schedules()
    client.force_login(world.users[Role.COUNTY_ORG])
    page = client.get("/org/schedules/").content.decode()
    assert "生成上月报酬发放" in page
    resp = client.post("/org/schedules/", {"name": "daily-absence-thresholds", "minute": "15", "hour": "6",
                                           "day_of_month": "*", "enabled": "on"}, follow=True)
    assert "已保存" in resp.content.decode()
    task = PeriodicTask.objects.get(name="daily-absence-thresholds")
    assert (task.crontab.hour, task.crontab.minute, task.enabled) == ("6", "15", True)
    assert AuditEvent.objects.filter(action="schedule_change", user=world.users[Role.COUNTY_ORG]).exists()


def test_bad_time_changes_nothing(world, client):
    ensure_schedules()
    client.force_login(world.users[Role.COUNTY_ORG])
    resp = client.post("/org/schedules/", {"name": "monthly-payroll", "minute": "0", "hour": "25",
                                           "day_of_month": "1", "enabled": "on"}, follow=True)
    assert "格式不对" in resp.content.decode()
    assert PeriodicTask.objects.get(name="monthly-payroll").crontab.hour == "2"


def test_disable_a_job(world, client):
    ensure_schedules()
    client.force_login(world.users[Role.COUNTY_ORG])
    client.post("/org/schedules/", {"name": "daily-overdue", "minute": "0", "hour": "3", "day_of_month": "*"})
    assert PeriodicTask.objects.get(name="daily-overdue").enabled is False


def test_only_county_org(world, client):
    client.force_login(world.users[Role.TOWNSHIP_PARTY])
    assert client.get("/org/schedules/").status_code == 403
