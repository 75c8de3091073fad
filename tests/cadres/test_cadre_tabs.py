"""Issue 17: the cadre's page with tabs (基本信息, 请假与销假, 考勤, 报酬, 案件与评估, 培养, 历史), each provided by
the app that owns its data through ``core.registry.cadre_tab``, shown only to whom it may show, and reading
only the shown tab's data."""

import datetime as dt
import re
from decimal import Decimal
from unittest import mock

import pytest

from attendance import services as leave_services
from attendance.models import AttendanceDay
from cadres import services as cadre_services
from core.roles import Role
from payroll import services as pay_services
from supervision import services as sup_services
from tests.factories import CadreFactory

pytestmark = pytest.mark.django_db

D = dt.date
TODAY = D(2026, 3, 20)


def today_is(day=TODAY):
    return mock.patch("django.utils.timezone.localdate", return_value=day)


@pytest.fixture
def filled(world):
    """张三 of 城东村: a granted three-day leave (2–4 March 2026), a 旷工 mark on 9 March, an approved pay
    month (2026-02), a discipline case, a 2025 assessment, a talk, a 跟班学习 period."""
    org, party = world.users[Role.COUNTY_ORG], world.users[Role.TOWNSHIP_PARTY]
    cadre = world.cadre
    with today_is():
        leave = leave_services.leave_submit(cadre=cadre, by=world.users[Role.CADRE], start_date=D(2026, 3, 2),
                                            end_date=D(2026, 3, 4), reason="回老家探亲")
        leave_services.leave_approve(leave=leave, by=world.users[Role.TOWNSHIP_LIAISON])
        leave_services.attendance_mark(cadre=cadre, dates=[D(2026, 3, 9)], status=AttendanceDay.Status.ABSENT,
                                       by=world.users[Role.VILLAGE_SECRETARY])
        pay_services.pay_policy_create(county=world.county, valid_from=D(2022, 11, 1), by=org,
                                       pension_subsidy=Decimal("150.00"), accident_insurance=Decimal("10.00"))
        run = pay_services.pay_run_build(county=world.county, month="2026-02", by=org)
        pay_services.pay_run_approve(run=run, by=org)
        pay_services.pay_run_build(county=world.county, month="2026-03", by=org)  # a draft
        cadre_services.discipline_case_open(cadre=cadre, category="complaints", opened_on=D(2026, 3, 10),
                                            details="群众反映上班时间经常不在岗", by=party)
        sup_services.assessment_record(cadre=cadre, year=2025, result="competent", assessed_on=D(2025, 12, 20),
                                       by=party, notes="年度工作完成较好")
        sup_services.talk_record(kind="individual", held_on=D(2026, 1, 15), interviewer="王建国",
                                 record="了解思想动态和工作打算", by=party, cadre=cadre)
        sup_services.attachment_record(cadre=cadre, start_date=D(2025, 5, 1), end_date=D(2025, 5, 31), by=party,
                                       department="党政办")
    return leave


def tab_keys(page: str) -> list[str]:
    return re.findall(r'data-tab="([a-z_]+)"', page)


def get(client, user, cadre, **params):
    client.force_login(user)
    with today_is():
        return client.get(f"/cadres/{cadre.pk}/", params)


def test_township_official_walks_every_tab(world, client, filled):
    party, cadre = world.users[Role.TOWNSHIP_PARTY], world.cadre
    page = get(client, party, cadre).content.decode()
    assert tab_keys(page) == ["profile", "leave", "attendance", "pay", "cases", "assignments", "cultivation"]  # no 历史
    assert 'data-active-tab="profile"' in page and "身份证号" in page and "取消资格" in page  # manage actions
    assert "群众反映" not in page  # the cases are on their own tab, not read here

    page = get(client, party, cadre, tab="leave").content.decode()
    assert f'/attendance/leave/{filled.pk}/' in page and "2026年3月2日" in page and "回老家探亲" in page

    page = get(client, party, cadre, tab="attendance", month="2026-03").content.decode()
    assert "2026年3月考勤" in page
    cell = re.search(r'att-cell k-(\w+)[^"]*"[^>]*data-date="2026-03-03"', page)
    assert cell and cell.group(1) == "leave"
    cell = re.search(r'att-cell k-(\w+)[^"]*"[^>]*data-date="2026-03-09"', page)
    assert cell and cell.group(1) == "absent"
    assert "?tab=attendance&month=2026-02" in page and "?tab=attendance&month=2026-04" in page

    page = get(client, party, cadre, tab="pay").content.decode()
    assert "2026年2月" in page and "2026年3月" in page and "草稿，未审定" in page
    assert "1000.00" in page and "未发放" in page

    page = get(client, party, cadre, tab="cases").content.decode()
    assert "群众反映上班时间经常不在岗" in page and "（二）群众意见较大" in page
    assert "2025年度" in page and "称职" in page and "年度工作完成较好" in page

    page = get(client, party, cadre, tab="cultivation").content.decode()
    assert "王建国" in page and "谈话考察" in page and "党政办" in page
    assert re.search(r'data-year="2025"><td>2025</td><td class="text-end">31</td>', page)


def test_county_org_also_has_the_history_tab(world, client, filled):
    org = world.users[Role.COUNTY_ORG]
    cadre_services.cadre_update(cadre=world.cadre, by=org, name="张三丰")
    world.cadre.refresh_from_db()
    page = get(client, org, world.cadre, tab="history").content.decode()
    assert tab_keys(page)[-1] == "history"
    assert 'data-active-tab="history"' in page and "张三 → 张三丰" in page


def test_finance_sees_pay_and_cases_but_not_history_nor_manage_actions(world, client, filled):
    """The county finance bureau reads pay (payroll.permissions.can_read_cadre_pay) and, like the case list
    it has in its menu, the cases; the history is county_org's only (cadres.permissions)."""
    finance = world.users[Role.COUNTY_FINANCE]
    page = get(client, finance, world.cadre).content.decode()
    assert tab_keys(page) == ["profile", "leave", "attendance", "pay", "cases", "assignments", "cultivation"]
    assert "取消资格" not in page
    assert "1000.00" in get(client, finance, world.cadre, tab="pay").content.decode()
    page = get(client, finance, world.cadre, tab="history").content.decode()
    assert 'data-active-tab="profile"' in page and "没有这个栏目，已显示基本信息。" in page
    assert "变更记录" not in page


def test_a_cadre_sees_their_own_page_and_only_approved_pay(world, client, filled):
    me = world.users[Role.CADRE]
    page = get(client, me, world.cadre).content.decode()
    assert tab_keys(page) == ["profile", "leave", "attendance", "pay", "cases", "assignments", "cultivation"]
    assert "取消资格" not in page and "登录账号" not in page
    page = get(client, me, world.cadre, tab="pay").content.decode()
    assert "2026年2月" in page and "2026年3月" not in page and "草稿" not in page  # drafts are not theirs yet
    assert "回老家探亲" in get(client, me, world.cadre, tab="leave").content.decode()
    assert get(client, me, world.other_cadre, tab="pay").status_code == 404


@pytest.mark.parametrize("tab", ["profile", "leave", "attendance", "pay", "cases", "cultivation", "history"])
def test_a_cadre_of_another_township_is_404_on_every_tab(world, client, tab):
    assert get(client, world.users["township_party_b"], world.cadre, tab=tab).status_code == 404
    assert get(client, world.users["stranger"], world.cadre, tab=tab).status_code == 404


def test_junk_parameters_show_the_normal_page_with_a_message(world, client, filled):
    party = world.users[Role.TOWNSHIP_PARTY]
    resp = get(client, party, world.cadre, tab="<script>", month="x")
    assert resp.status_code == 200 and 'data-active-tab="profile"' in resp.content.decode()
    for month in ("2026-13", "abcd", "1999-01", "2026-3", "99999999-01"):
        resp = get(client, party, world.cadre, tab="attendance", month=month)
        page = resp.content.decode()
        assert resp.status_code == 200 and "2026年3月考勤" in page and "月份格式应为“年-月”" in page


#: a table each tab reads (the attendance grid reads leave too: a day's status comes from the leave)
TABLES = {"leave": "attendance_leaverequest", "pay": "payroll_payline", "cases": "cadres_disciplinecase",
          "cultivation": "supervision_talk", "attendance": "attendance_attendanceday"}
ALSO = {"attendance": {"attendance_leaverequest"}}


def reads(client, url) -> dict[str, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with today_is(), CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    sql = " ".join(q["sql"] for q in ctx.captured_queries)
    return {t: sql.count(f'"{t}"') for t in TABLES.values()}


def test_only_the_shown_tab_is_read(world, client, filled):
    """Issue 17: a tab's data is read only when that tab is shown (the layout's own reads — the menu's leave
    badge — are the same on every tab)."""
    client.force_login(world.users[Role.TOWNSHIP_PARTY])
    base = f"/cadres/{world.cadre.pk}/"
    reads(client, base)  # warm the session
    layout = reads(client, base)  # 基本信息 reads no tab's table beyond what the layout reads
    for tab, table in TABLES.items():
        got = reads(client, f"{base}?tab={tab}&month=2026-03")
        assert got[table] > layout[table], f"{tab} does not read {table}"
        for other in set(TABLES.values()) - {table} - ALSO.get(tab, set()):
            assert got[other] == layout[other], f"{tab} also read {other}"


@pytest.mark.parametrize("tab", ["profile", "leave", "attendance", "pay", "cases", "assignments", "cultivation"])
def test_a_tab_s_queries_do_not_grow_with_its_rows(world, client, filled, tab, django_assert_max_num_queries):
    party = world.users[Role.TOWNSHIP_PARTY]
    client.force_login(party)
    url = f"/cadres/{world.cadre.pk}/?tab={tab}&month=2026-03"
    with today_is():
        client.get(url)  # warm the session
        with django_assert_max_num_queries(40) as small:
            client.get(url)
    # more of everything: more leave, more pay months, more cases, more talks
    org = world.users[Role.COUNTY_ORG]
    with today_is():
        for i in range(5):
            lv = leave_services.leave_submit(cadre=world.cadre, by=world.users[Role.CADRE],
                                             start_date=D(2026, 3, 23 + i), end_date=D(2026, 3, 23 + i), reason="事假")
            if i % 2:
                leave_services.leave_approve(leave=lv, by=world.users[Role.VILLAGE_SECRETARY])
        for m in ("2025-10", "2025-11", "2025-12", "2026-01"):
            pay_services.pay_run_build(county=world.county, month=m, by=org)
        for i in range(3):
            sup_services.talk_record(kind="heart_to_heart", held_on=D(2026, 2, 2 + i), interviewer="李支书",
                                     record="谈心", by=world.users[Role.VILLAGE_SECRETARY], cadre=world.cadre)
            cadre_services.discipline_case_open(cadre=world.cadre, category="incompetent",
                                                opened_on=D(2026, 3, 11 + i), details=f"第{i}件", by=party)
        CadreFactory.create_batch(3, village=world.village)
        with django_assert_max_num_queries(len(small.captured_queries)):
            client.get(url)
