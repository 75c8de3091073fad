"""Issue 17: on a leave awaiting decision the approver sees the applicant's granted leave and absence days of
the year, and who else in the village is away (or asking) during the request."""

import datetime as dt
from unittest import mock

import pytest
from django.test import Client

from attendance import services
from core.roles import Role
from tests.attendance.conftest import workdays_from
from tests.factories import CadreFactory, cadre_user

pytestmark = pytest.mark.django_db
D = dt.date
DAYS = workdays_from(D(2026, 3, 2), 30)  # working days from Mon 2 March 2026


def test_the_approver_sees_the_year_and_who_else_is_away(world):
    liaison = world.users[Role.TOWNSHIP_LIAISON]
    secretary = world.users[Role.VILLAGE_SECRETARY]
    with mock.patch("django.utils.timezone.localdate", return_value=DAYS[25]):
        earlier = services.leave_submit(cadre=world.cadre, by=world.cadre.user, start_date=DAYS[0],
                                        end_date=DAYS[1], reason="探亲")
        services.leave_approve(leave=earlier, by=liaison)
        services.leave_return(leave=earlier, by=liaison, returned_on=DAYS[2])
        services.attendance_mark(cadre=world.cadre, dates=DAYS[5:8], status="absent", by=secretary)
        colleague = CadreFactory(village=world.village, name="赵六")
        cadre_user(colleague, username="cadre_zhao")
        away = services.leave_submit(cadre=colleague, by=colleague.user, start_date=DAYS[20], end_date=DAYS[22],
                                     reason="陪护")
        services.leave_approve(leave=away, by=liaison)
        pending = services.leave_submit(cadre=world.cadre, by=world.cadre.user, start_date=DAYS[21],
                                        end_date=DAYS[23], reason="办理证件")
        c = Client()
        c.force_login(liaison)
        page = c.get(f"/attendance/leave/{pending.pk}/").content.decode()
        assert 'data-testid="approver-context"' in page
        assert "本年已批准请假 1 次、共 2 个工作日；本年旷工 3 个工作日" in page
        assert "赵六" in page and "已批准" in page
        # the applicant does not see the approver's context
        c.force_login(world.cadre.user)
        assert 'data-testid="approver-context"' not in c.get(f"/attendance/leave/{pending.pk}/").content.decode()
