"""R-25 (第十一条(4)): the absence-threshold job; R-23 overstay; R-24 excused days."""

import datetime as dt

import pytest
from django.core.management import call_command

from attendance import services
from attendance.models import Absence, AttendanceDay, LeaveRequest
from attendance.tasks import check_absence_thresholds
from cadres.models import DisciplineCase
from core.models import Notification
from core.roles import Role
from tests.attendance.conftest import workdays_from

D = dt.date
pytestmark = pytest.mark.django_db


def mark(cadre, days, status="absent", excused=False, note=""):
    AttendanceDay.objects.bulk_create([AttendanceDay(cadre=cadre, county_id=cadre.county_id, township_id=cadre.township_id, date=d, status=status, excused=excused, note=note)
                                       for d in days])


def cases(cadre):
    return list(DisciplineCase.objects.filter(cadre=cadre, category="absence"))


def run(as_of):
    return check_absence_thresholds(as_of=as_of)


def test_fifteen_consecutive_days_is_not_over_sixteen_is(world):
    days = workdays_from(D(2026, 3, 2), 16)
    mark(world.cadre, days[:15])
    assert run(days[14]) == 0
    assert cases(world.cadre) == []
    mark(world.cadre, days[15:])
    assert run(days[15]) == 1
    (case,) = cases(world.cadre)
    assert case.source == "absence_job" and case.status == "open"
    assert "16个工作日" in case.details and "连续" in case.details
    assert case.opened_on == days[15]


def test_rerun_opens_nothing_new_and_notifies_once(world):
    days = workdays_from(D(2026, 3, 2), 18)
    mark(world.cadre, days)
    assert run(days[15]) == 1
    assert run(days[15]) == 0
    assert run(days[17]) == 0  # the same run, grown longer: still one case
    assert len(cases(world.cadre)) == 1
    party = world.users[Role.TOWNSHIP_PARTY]
    org = world.users[Role.COUNTY_ORG]
    assert Notification.objects.filter(user=party, kind="absence_case").count() == 1
    assert Notification.objects.filter(user=org, kind="absence_case").count() == 1
    # the other township is not told
    assert not Notification.objects.filter(user=world.users["township_party_b"], kind="absence_case").exists()
    assert "张三" in Notification.objects.get(user=party, kind="absence_case").title


def test_a_holiday_neither_counts_nor_breaks_a_run(world):
    # 8 working days before National Day 2026 and 8 after it: one run of 16
    before = [d for d in workdays_from(D(2026, 9, 17), 12) if d < D(2026, 10, 1)][-8:]
    after = workdays_from(D(2026, 10, 1), 8)
    assert after[0] == D(2026, 10, 8)
    mark(world.cadre, before + after)
    assert run(after[-1]) == 1
    (case,) = cases(world.cadre)
    assert before[0].isoformat() in case.details


def test_a_day_at_work_breaks_the_run(world):
    days = workdays_from(D(2026, 3, 2), 17)
    mark(world.cadre, days[:8] + days[9:])
    mark(world.cadre, [days[8]], status="present")
    assert run(days[-1]) == 0
    AttendanceDay.objects.filter(date=days[8]).update(status="official")
    assert run(days[-1]) == 0
    # an unrecorded day is taken as a day at work too
    AttendanceDay.objects.filter(date=days[8]).delete()
    assert run(days[-1]) == 0
    # but the same day marked 旷工 joins the two halves: 17 in a row
    mark(world.cadre, [days[8]])
    assert run(days[-1]) == 1


def test_a_day_on_leave_breaks_the_run(world):
    days = workdays_from(D(2026, 3, 2), 17)
    mark(world.cadre, days[:8] + days[9:])
    leave = services.leave_submit(cadre=world.cadre, by=None, start_date=days[8], end_date=days[8], reason="病假")
    services.leave_approve(leave=leave, by=None)
    services.leave_return(leave=leave, by=None, returned_on=days[9])
    assert run(days[-1]) == 0


def test_excused_days_do_not_count(world):
    days = workdays_from(D(2026, 3, 2), 16)
    mark(world.cadre, days[:15])
    mark(world.cadre, days[15:], excused=True, note="突发疾病住院，有医院证明")
    assert run(days[-1]) == 0
    # an excused absence range works the same way
    more = workdays_from(days[-1] + dt.timedelta(days=1), 1)
    services.absence_create(cadre=world.cadre, start_date=more[0], end_date=more[0], by=None, excused=True,
                            note="抗洪抢险")
    assert run(more[0]) == 0
    assert cases(world.cadre) == []


def test_absence_ranges_count(world):
    days = workdays_from(D(2026, 4, 1), 16)
    a = services.absence_create(cadre=world.cadre, start_date=days[0], end_date=days[-1], by=None, note="未到岗")
    assert a.days == 16
    assert run(days[-1]) == 1


def test_more_than_thirty_in_a_calendar_year(world):
    # runs of 10 with a day at work between them: never more than 15 in a row
    days = workdays_from(D(2026, 3, 2), 40)
    absent = days[0:10] + days[11:21] + days[22:32]
    mark(world.cadre, absent)
    mark(world.cadre, [days[10], days[21], days[32]], status="present")
    assert run(days[32]) == 0  # 30 is not over
    mark(world.cadre, [days[33]])
    assert run(days[33]) == 1  # 31 is
    (case,) = cases(world.cadre)
    assert case.key == "absence-year:2026"
    assert "31个工作日" in case.details
    assert run(days[35]) == 0


def test_the_year_count_resets_on_first_january(world):
    late_2025 = workdays_from(D(2025, 11, 3), 44)
    early_2026 = workdays_from(D(2026, 1, 5), 44)

    def tens(days):  # 20 absence days in runs of 10, with a day present between
        mark(world.cadre, days[0:10] + days[11:21])
        mark(world.cadre, [days[10], days[21]], status="present")

    tens(late_2025)
    tens(early_2026)
    assert run(early_2026[21]) == 0  # 40 in twelve months, but 20 + 20 in two calendar years
    assert cases(world.cadre) == []


def test_overstay_from_an_unreturned_leave(world):
    days = workdays_from(D(2026, 3, 2), 20)
    leave = services.leave_submit(cadre=world.cadre, by=None, start_date=days[0], end_date=days[2], reason="探亲")
    services.leave_approve(leave=leave, by=None)
    # days[3] .. days[17]: 15 working days overstayed, not over yet
    assert run(days[17]) == 0
    assert run(days[18]) == 1  # 16 overstay days
    (case,) = cases(world.cadre)
    assert "逾期不归" in case.details
    # the overdue return is told to the cadre, the secretary and the approver (once)
    services.notify_overdue_returns(as_of=days[18])
    services.notify_overdue_returns(as_of=days[19])
    for who in (Role.CADRE, Role.VILLAGE_SECRETARY, Role.TOWNSHIP_LIAISON):
        assert Notification.objects.filter(user=world.users[who], kind="leave_overdue").count() == 1, who


def test_overstay_stops_with_a_valid_reason_an_extension_or_the_return(world):
    days = workdays_from(D(2026, 3, 2), 25)
    leave = services.leave_submit(cadre=world.cadre, by=None, start_date=days[0], end_date=days[2], reason="探亲")
    services.leave_approve(leave=leave, by=None)
    services.leave_excuse_overstay(leave=leave, by=world.users[Role.VILLAGE_SECRETARY], reason="返程道路塌方")
    assert run(days[24]) == 0
    LeaveRequest.objects.filter(pk=leave.pk).update(overstay_reason="")
    # an extension: a new approved leave covering days[3]..days[12]; overstay resumes after it
    ext = services.leave_submit(cadre=world.cadre, by=None, start_date=days[3], end_date=days[12], reason="续假")
    services.leave_approve(leave=ext, by=None)
    assert run(days[24]) == 0  # the first leave's "overstay" is leave; the extension overstays days[13..24]: 12
    # the return ends the overstay
    services.leave_return(leave=ext, by=None, returned_on=days[14])
    assert run(days[24]) == 0


def test_late_return_counts_the_days_between(world):
    days = workdays_from(D(2026, 3, 2), 22)
    leave = services.leave_submit(cadre=world.cadre, by=None, start_date=days[0], end_date=days[1], reason="探亲")
    services.leave_approve(leave=leave, by=None)
    services.leave_return(leave=leave, by=None, returned_on=days[18])  # 16 days late
    assert run(days[21]) == 1


def test_management_command_and_cadres_who_left(world, capsys):
    days = workdays_from(D(2026, 3, 2), 16)
    mark(world.cadre, days)
    mark(world.other_cadre, days)
    from cadres.services import cadre_resign

    cadre_resign(cadre=world.other_cadre, date=D(2026, 3, 1), reason="外出务工", by=None)
    call_command("check_absence_thresholds", "--as-of", days[-1].isoformat())
    assert "新立案 1 件" in capsys.readouterr().out
    assert len(cases(world.cadre)) == 1
    assert cases(world.other_cadre) == []


def test_job_query_count_does_not_grow_with_cadres(world, django_assert_max_num_queries):  # R-25 set-based
    from tests.factories import CadreFactory

    days = workdays_from(D(2026, 3, 2), 10)
    mark(world.cadre, days)
    with django_assert_max_num_queries(16) as few:  # + the counties' settings (issue 12 item 7) + the open cases re-checked (item 3) + the trips (R-27: their rows, the overdue notice)
        assert run(days[-1]) == 0
    for _ in range(15):
        c = CadreFactory(village=world.village2)
        mark(c, days)
        services.absence_create(cadre=c, start_date=days[0], end_date=days[1], by=None, excused=True, note="病")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert run(days[-1]) == 0
    assert Absence.objects.count() == 15


def test_an_excused_day_breaks_a_run_by_default(world):  # R-25 (default excused_breaks_run=True, issue 12 item 7)
    from attendance import policies

    assert policies.DEFAULTS.excused_breaks_run is True
    days = workdays_from(D(2026, 3, 2), 17)
    mark(world.cadre, days[:8] + days[9:])
    mark(world.cadre, [days[8]], excused=True, note="县医院急诊，有病历")
    assert run(days[-1]) == 0  # 8 + (excused) + 8: no run of more than 15
    AttendanceDay.objects.filter(date=days[8]).update(excused=False)
    assert run(days[-1]) == 1
