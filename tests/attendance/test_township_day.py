"""Issue 17 day sheet (/attendance/day/): a township's attendance for one day from one page, saved through the
one-day write service of PUT /attendance-days/ (R-24): prefilled, idempotent, all or nothing, with history;
a day on approved leave takes no mark (R-24: leave comes from the requests), a day off warns, a future day is
refused."""

import datetime as dt
from unittest import mock

import pytest
from django.test import Client

from attendance import services
from attendance.models import AttendanceDay
from core.roles import Role
from tests.attendance.conftest import workdays_from
from tests.factories import CadreFactory

pytestmark = pytest.mark.django_db
D = dt.date
DAYS = workdays_from(D(2026, 3, 2), 10)
TODAY = DAYS[9]


@pytest.fixture(autouse=True)
def _today():
    with mock.patch("django.utils.timezone.localdate", return_value=TODAY):
        yield


@pytest.fixture
def party(world):
    c = Client()
    c.force_login(world.users[Role.TOWNSHIP_PARTY])
    return c


def page(c, **params):
    r = c.get("/attendance/day/", params)
    assert r.status_code == 200
    return r.content.decode()


def test_r24_the_township_marks_every_cadre_of_the_day_and_a_second_save_changes_nothing(world, party):
    wang = CadreFactory(village=world.village2, name="王五")
    day = DAYS[3]
    text = page(party, date=day.isoformat())
    assert "龙津镇" in text and "张三" in text and "王五" in text and "李四" not in text  # 李四 is in 嵩溪镇
    assert text.count('data-testid="day-card"') == 2
    post = {"date": day.isoformat(), "township": world.township.pk,
            f"status-{world.cadre.pk}": "present", f"status-{wang.pk}": "absent", f"note-{wang.pk}": "未请假"}
    r = party.post("/attendance/day/", post, follow=True)
    assert "已保存 2026-03-05 的考勤：2 人有变更" in r.content.decode()
    marks = {a.cadre_id: a for a in AttendanceDay.objects.filter(date=day)}
    assert marks[world.cadre.pk].status == "present" and marks[wang.pk].status == "absent"
    assert marks[wang.pk].history.first().history_user == world.users[Role.TOWNSHIP_PARTY]
    # prefilled from what is recorded
    text = page(party, date=day.isoformat())
    assert f'id="s-{wang.pk}-absent" value="absent" autocomplete="off" checked' in text
    # idempotent: the same page again changes nothing, adds no history
    before = AttendanceDay.history.count()
    r = party.post("/attendance/day/", post, follow=True)
    assert "0 人有变更" in r.content.decode()
    assert AttendanceDay.history.count() == before


def test_r24_a_cadre_on_approved_leave_shows_as_leave_and_cannot_be_marked(world, party):
    liaison = world.users[Role.TOWNSHIP_LIAISON]
    leave = services.leave_submit(cadre=world.cadre, by=world.users[Role.VILLAGE_SECRETARY], start_date=DAYS[4],
                                  end_date=DAYS[5], reason="探亲", channel="wechat", channel_note="在外地")
    services.leave_approve(leave=leave, by=liaison)
    text = page(party, date=DAYS[4].isoformat())
    assert 'data-kind="leave">假<' in text
    assert "当天在已批准的请假期间内（假），不记考勤" in text
    assert f'name="status-{world.cadre.pk}"' not in text
    # a forged post for that cadre is ignored: the leave is not turned into 旷工
    party.post("/attendance/day/", {"date": DAYS[4].isoformat(), "township": world.township.pk,
                                    f"status-{world.cadre.pk}": "absent"})
    assert not AttendanceDay.objects.filter(cadre=world.cadre, date=DAYS[4]).exists()


def test_r24_one_refused_mark_saves_nothing_and_says_why_on_the_card(world, party):
    wang = CadreFactory(village=world.village2, name="王五")
    day = DAYS[2]
    r = party.post("/attendance/day/", {"date": day.isoformat(), "township": world.township.pk,
                                        f"status-{world.cadre.pk}": "present",
                                        f"status-{wang.pk}": "absent", f"excused-{wang.pk}": "on"})
    assert r.status_code == 400
    text = r.content.decode()
    assert "本次全部未保存" in text and "勾选“有正当理由”时，请写明理由" in text
    assert not AttendanceDay.objects.filter(date=day).exists()
    # what was chosen stays on the page
    assert f'id="s-{world.cadre.pk}-present" value="present" autocomplete="off" checked' in text


def test_r20_a_day_off_warns_and_a_future_day_is_refused(world, party):
    saturday = D(2026, 3, 7)
    text = page(party, date=saturday.isoformat())
    assert "不是工作日（周末或节假日），不记考勤" in text and 'data-testid="day-save"' not in text
    text = page(party, date=(TODAY + dt.timedelta(days=1)).isoformat())
    assert "不能为今天以后的日期记考勤" in text and 'data-testid="day-save"' not in text
    r = party.post("/attendance/day/", {"date": (TODAY + dt.timedelta(days=3)).isoformat(),
                                        "township": world.township.pk, f"status-{world.cadre.pk}": "present"})
    assert r.status_code == 403
    assert not AttendanceDay.objects.exists()
    # junk answers the normal page for today
    text = page(party, date="2026-99-99", township="abc")
    assert "日期格式不正确，已显示今天" in text and "龙津镇" in text


def test_the_village_secretary_gets_the_village_and_the_county_reads_a_chosen_township(world):
    c = Client()
    c.force_login(world.users[Role.VILLAGE_SECRETARY])
    text = page(c, date=DAYS[1].isoformat())
    assert "城东村" in text and f'name="status-{world.cadre.pk}"' in text
    c.post("/attendance/day/", {"date": DAYS[1].isoformat(), "village": world.village.pk,
                                f"status-{world.cadre.pk}": "official"})
    assert AttendanceDay.objects.get(cadre=world.cadre, date=DAYS[1]).status == "official"
    c.force_login(world.users[Role.COUNTY_ORG])
    text = page(c, township=world.other_township.pk, date=DAYS[1].isoformat())
    assert "嵩溪镇" in text and "李四" in text and "此处只能查看" in text
    assert f'name="status-{world.other_cadre.pk}"' not in text
    # the liaison and a cadre do not open it; the grid links to it only for those who may
    c.force_login(world.users[Role.TOWNSHIP_LIAISON])
    assert c.get("/attendance/day/").status_code == 403
    assert 'data-testid="day-link"' not in c.get("/attendance/grid/").content.decode()
    c.force_login(world.users[Role.TOWNSHIP_PARTY])
    assert 'data-testid="day-link"' in c.get("/attendance/grid/").content.decode()
