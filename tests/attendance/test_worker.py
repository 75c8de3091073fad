"""A real Celery worker runs check_absence_thresholds through Redis (R-25, API.md "Jobs")."""

import datetime as dt

import pytest

from attendance.models import AttendanceDay
from cadres.models import DisciplineCase
from core.models import Notification
from core.roles import Role
from tests.attendance.conftest import workdays_from

pytestmark = [pytest.mark.services]


def test_worker_opens_one_case_through_redis(world, celery_worker_process):
    days = workdays_from(dt.date(2026, 3, 2), 16)
    AttendanceDay.objects.bulk_create([AttendanceDay(cadre=world.cadre, county_id=world.cadre.county_id, township_id=world.cadre.township_id, date=d, status="absent") for d in days])

    opened = celery_worker_process("attendance.tasks.check_absence_thresholds", days[-1].isoformat())
    assert opened == 1
    assert celery_worker_process("attendance.tasks.check_absence_thresholds", as_of=days[-1].isoformat()) == 0
    case = DisciplineCase.objects.get(cadre=world.cadre)
    assert case.category == "absence" and case.source == "absence_job"
    assert Notification.objects.filter(user=world.users[Role.TOWNSHIP_PARTY], kind="absence_case").count() == 1
