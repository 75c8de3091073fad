"""Issue 17: the township leave calendar — who is away on which day across a township's villages. Every cell
is the day's one status (``day_statuses``, R-23/R-24); the page is scoped to the viewer, answers junk with
the normal page and a message, lists the days on a phone, and exports the month."""

import datetime as dt
import io
import re
from unittest import mock

import pytest
from openpyxl import load_workbook

from attendance import policies, services
from attendance.models import AttendanceDay
from attendance.selectors import calendar_kinds, day_statuses
from cadres.models import Cadre
from core.roles import Role
from tests.factories import CadreFactory, cadre_user

pytestmark = pytest.mark.django_db

D = dt.date
TODAY = D(2026, 3, 20)  # a Friday
URL = "/attendance/leave-calendar/"


def today_is(day=TODAY):
    return mock.patch("django.utils.timezone.localdate", return_value=day)


@pytest.fixture
def month(world):
    """张三 (城东村): leave 2–4 March, back on the 5th; 公 on the 6th; 旷工 on the 9th; leave 12–13 March and
    not back (逾 from the 16th). 王五 (城南村, same township): a request for 23–24 March still waiting (待)."""
    sec, liaison = world.users[Role.VILLAGE_SECRETARY], world.users[Role.TOWNSHIP_LIAISON]
    me = world.users[Role.CADRE]
    wang = CadreFactory(village=world.village2, name="王五")
    with today_is():
        first = services.leave_submit(cadre=world.cadre, by=me, start_date=D(2026, 3, 2), end_date=D(2026, 3, 4),
                                      reason="探亲")
        services.leave_approve(leave=first, by=liaison)
        services.leave_return(leave=first, by=liaison, returned_on=D(2026, 3, 5))
        services.attendance_mark(cadre=world.cadre, dates=[D(2026, 3, 6)], status=AttendanceDay.Status.OFFICIAL,
                                 by=sec)
        services.attendance_mark(cadre=world.cadre, dates=[D(2026, 3, 9)], status=AttendanceDay.Status.ABSENT,
                                 by=sec)
        second = services.leave_submit(cadre=world.cadre, by=me, start_date=D(2026, 3, 12),
                                       end_date=D(2026, 3, 13), reason="看病")
        services.leave_approve(leave=second, by=liaison)
        services.leave_submit(cadre=wang, by=cadre_user(wang, username="wangwu"), start_date=D(2026, 3, 23), end_date=D(2026, 3, 24),
                              reason="家中有事")
    return wang


def page_for(client, user, **params):
    client.force_login(user)
    with today_is():
        return client.get(URL, params)


def cells(page: str, cadre) -> dict[str, str]:
    row = re.search(rf'<tr data-cadre="{cadre.pk}">(.*?)</tr>', page, re.S).group(1)
    return {d: k for d, k in re.findall(r'data-date="([\d-]+)" data-kind="(\w*)"', row) if k}


def test_cells_show_what_the_day_is(world, client, month):
    page = page_for(client, world.users[Role.TOWNSHIP_PARTY], month="2026-03").content.decode()
    assert cells(page, world.cadre) == {
        "2026-03-02": "leave", "2026-03-03": "leave", "2026-03-04": "leave", "2026-03-06": "official",
        "2026-03-09": "absent", "2026-03-12": "leave", "2026-03-13": "leave",
        **{f"2026-03-{d}": "overstay" for d in (16, 17, 18, 19, 20)}}
    assert cells(page, month) == {"2026-03-23": "pending", "2026-03-24": "pending"}
    assert "龙津镇 · 2026年3月请假日历" in page
    assert page.index("城东村") < page.index("张三") < page.index("城南村") < page.index("王五")  # by village
    # weekends shaded (Saturday 7 March), working days not
    assert re.search(r'<th class="lc-off[^"]*" data-date="2026-03-07"', page)
    assert re.search(r'<th class="[^"]*" data-date="2026-03-09"', page).group(0).startswith('<th class=""')


def test_cells_agree_with_day_statuses(world, month):
    """One classification (R-23/R-24): the calendar's kind of each working day is the grid's status."""
    cadres = list(Cadre.objects.filter(pk__in=[world.cadre.pk, month.pk]).select_related("village__township"))
    first, last = D(2026, 3, 1), D(2026, 3, 31)
    statuses = {c.pk: s for c, _w, s in day_statuses(cadres, start=first, end=last, as_of=TODAY)}
    allowed = {policies.LEAVE: {"leave"}, policies.EXCUSED: {"excused"}, policies.ABSENT: {"absent", "overstay"},
               policies.PRESENT: {"official", None}, policies.UNKNOWN: {"pending", None}}
    checked = 0
    for cadre, workdays, kinds in calendar_kinds(cadres, start=first, end=last, as_of=TODAY):
        assert set(kinds) <= set(workdays)
        for day in workdays:
            assert kinds.get(day) in allowed[statuses[cadre.pk][day]], (cadre.name, day)
            checked += 1
    assert checked == 2 * 22  # March 2026 has 22 working days


def test_a_phone_gets_the_days_as_a_list(world, client, month):
    page = page_for(client, world.users[Role.TOWNSHIP_PARTY], month="2026-03").content.decode()
    days = page[page.index('id="leave-calendar-days"'):]
    assert re.search(r'data-date="2026-03-02".*?3月2日.*?张三（城东村）请假', days, re.S)
    assert re.search(r'data-date="2026-03-23".*?王五（城南村）请假待批', days, re.S)
    assert re.search(r'data-date="2026-03-16".*?张三（城东村）逾期未归', days, re.S)
    assert 'data-date="2026-03-10"' not in days  # nobody away that day: no entry


def test_scope_township_county_and_village(world, client, month):
    party = page_for(client, world.users[Role.TOWNSHIP_PARTY], month="2026-03").content.decode()
    assert "张三" in party and "王五" in party and "李四" not in party
    # a township not theirs: the default township with a message, nothing of the other one
    resp = page_for(client, world.users[Role.TOWNSHIP_PARTY], township=world.other_township.pk)
    page = resp.content.decode()
    assert resp.status_code == 200 and "李四" not in page and "已显示默认乡（镇）" in page
    # county_org chooses among the county's townships
    org = page_for(client, world.users[Role.COUNTY_ORG], township=world.other_township.pk).content.decode()
    assert "李四" in org and "张三" not in org and "嵩溪镇" in org and "龙津镇" in org
    # the village secretary sees their village only
    sec = page_for(client, world.users[Role.VILLAGE_SECRETARY], month="2026-03").content.decode()
    assert "张三" in sec and "王五" not in sec
    # a cadre and a county finance account do not open it (and have no link to it)
    for who in (Role.CADRE, Role.COUNTY_FINANCE):
        assert page_for(client, world.users[who]).status_code == 403
        client.force_login(world.users[who])
        assert URL not in client.get("/").content.decode()


def test_junk_parameters_give_the_normal_page_and_a_message(world, client, month):
    party = world.users[Role.TOWNSHIP_PARTY]
    for params in ({"month": "2026-13"}, {"month": "<b>"}, {"township": "abc"}, {"township": "99999999999"},
                   {"month": "2026-03", "township": "-1", "export": "pdf"}, {"page": "x", "q": "%00"}):
        resp = page_for(client, party, **params)
        assert resp.status_code == 200, params
        page = resp.content.decode()
        assert "龙津镇 ·" in page and "请假日历" in page
    assert "月份格式应为“年-月”" in page_for(client, party, month="x").content.decode()
    assert "应为数字，已忽略" in page_for(client, party, township="abc").content.decode()


def test_home_page_and_menu_link_it_for_those_who_may_open_it(world, client):
    client.force_login(world.users[Role.TOWNSHIP_PARTY])
    home = client.get("/").content.decode()
    assert f'{URL}?township={world.township.pk}' in home and "龙津镇本月请假日历" in home


def test_excel_export_of_the_month(world, client, month):
    resp = page_for(client, world.users[Role.TOWNSHIP_PARTY], month="2026-03", export="xlsx")
    assert resp.status_code == 200 and "spreadsheet" in resp["Content-Type"]
    ws = load_workbook(io.BytesIO(resp.content)).active
    assert ws["A1"].value == "龙津镇2026年3月请假日历"
    rows = {r[1]: r for r in ws.iter_rows(min_row=3, values_only=True) if r[1]}
    zhang = rows["张三"]
    assert zhang[0] == "城东村" and zhang[2 + 1] == "假" and zhang[2 + 5] == "公" and zhang[2 + 8] == "缺"
    assert zhang[2 + 15] == "逾" and rows["王五"][2 + 22] == "待"


def test_query_count_does_not_grow_with_cadres(world, client, month, django_assert_max_num_queries):
    client.force_login(world.users[Role.TOWNSHIP_PARTY])
    with today_is():
        client.get(URL)
        with django_assert_max_num_queries(30) as small:
            client.get(URL, {"month": "2026-03"})
        for i in range(6):
            c = CadreFactory(village=world.village2 if i % 2 else world.village)
            services.attendance_mark(cadre=c, dates=[D(2026, 3, 10)], status=AttendanceDay.Status.ABSENT,
                                     by=world.users[Role.TOWNSHIP_PARTY])
        with django_assert_max_num_queries(len(small.captured_queries)):
            client.get(URL, {"month": "2026-03"})
