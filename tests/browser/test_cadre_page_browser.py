"""Browser (issue 17): a township official opens a cadre and walks the tabs of the cadre's page, on an office
screen (1366×768) and on a phone (390×844), and opens the township leave calendar from the home page."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from attendance import services as leave_services
from attendance.models import AttendanceDay
from cadres import services as cadre_services
from core import calendar
from core.roles import Role
from payroll import services as pay_services
from supervision import services as sup_services
from tests.factories import CadreFactory, cadre_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _month_data(world):
    """This month: 张三 on leave on its first working days (back the next one), 公 on the working day after;
    王五 (城南村) asks for two days in the middle of the month (待). Pay of last month approved; a case, an
    assessment and a talk."""
    today = timezone.localdate()
    first = today.replace(day=1)
    days = calendar.working_days(first, first + dt.timedelta(days=27))
    org, party = world.users[Role.COUNTY_ORG], world.users[Role.TOWNSHIP_PARTY]
    liaison, me = world.users[Role.TOWNSHIP_LIAISON], world.users[Role.CADRE]
    leave = leave_services.leave_submit(cadre=world.cadre, by=me, start_date=days[0], end_date=days[1],
                                        reason="回老家探亲")
    leave_services.leave_approve(leave=leave, by=liaison)
    if days[2] <= today:
        leave_services.leave_return(leave=leave, by=liaison, returned_on=days[2])
        leave_services.attendance_mark(cadre=world.cadre, dates=[days[2]], status=AttendanceDay.Status.OFFICIAL,
                                       by=world.users[Role.VILLAGE_SECRETARY])
    wang = CadreFactory(village=world.village2, name="王五")
    leave_services.leave_submit(cadre=wang, by=cadre_user(wang, username="wangwu"), start_date=days[10],
                                end_date=days[11], reason="家中有事")
    pay_services.pay_policy_create(county=world.county, valid_from=dt.date(2022, 11, 1), by=org,
                                   pension_subsidy=Decimal("150.00"), accident_insurance=Decimal("10.00"))
    last = first - dt.timedelta(days=1)
    pay_services.pay_run_approve(run=pay_services.pay_run_build(county=world.county, month=f"{last:%Y-%m}", by=org),
                                 by=org)
    cadre_services.discipline_case_open(cadre=world.cadre, category="complaints", opened_on=today,
                                        details="群众反映上班时间经常不在岗", by=party)
    sup_services.assessment_record(cadre=world.cadre, year=today.year - 1, result="competent",
                                   assessed_on=dt.date(today.year - 1, 12, 20), by=party, notes="年度工作完成较好")
    sup_services.talk_record(kind="individual", held_on=today - dt.timedelta(days=30), interviewer="王建国",
                             record="了解思想动态和工作打算", by=party, cadre=world.cadre)
    return days


def _tab(page, label):
    with page.expect_navigation(wait_until="load"):
        page.click(f"#cadre-tabs >> text={label}")
    assert page.locator("#cadre-tabs .nav-link.active").inner_text() == label


def test_township_official_walks_the_cadre_tabs(world, live_server, desktop, phone, login, shot):
    days = _month_data(world)
    party = world.users[Role.TOWNSHIP_PARTY]
    desktop.set_viewport_size({"width": 1366, "height": 768})
    login(desktop, party.username)
    desktop.goto(f"{live_server.url}/cadres/")
    with desktop.expect_navigation(wait_until="load"):
        desktop.click("main >> text=张三")
    assert desktop.locator("#cadre-tabs .nav-link.active").inner_text() == "基本信息"
    assert desktop.locator("#cadre-tabs >> text=历史").count() == 0  # county_org's only
    assert desktop.locator("main >> text=取消资格").count() == 1
    shot(desktop, "cadre-tabs-profile-desktop")

    _tab(desktop, "请假与销假")
    assert desktop.locator("#cadre-leave >> text=回老家探亲").count() == 1
    _tab(desktop, "考勤")
    cell = desktop.locator(f"#cadre-grid [data-date='{days[0]:%Y-%m-%d}']").first
    assert "k-leave" in cell.get_attribute("class") and cell.inner_text().strip().endswith("假")
    shot(desktop, "cadre-tabs-attendance-desktop")
    _tab(desktop, "报酬")
    assert desktop.locator("#cadre-pay tbody tr").count() == 1
    assert desktop.locator("#cadre-pay >> text=1000.00").count() >= 1
    shot(desktop, "cadre-tabs-pay-desktop")
    _tab(desktop, "案件与评估")
    assert desktop.locator("#cadre-cases >> text=群众反映上班时间经常不在岗").count() == 1
    assert desktop.locator("#cadre-assessments >> text=年度工作完成较好").count() == 1
    _tab(desktop, "培养")
    assert desktop.locator("#cadre-talks >> text=王建国").count() == 1
    shot(desktop, "cadre-tabs-cultivation-desktop")

    # on a phone: the tab bar scrolls sideways, the page itself does not
    login(phone, party.username)
    phone.goto(f"{live_server.url}/cadres/{world.cadre.pk}/?tab=attendance")
    bar = phone.locator("#cadre-tabs")
    assert bar.evaluate("el => el.scrollWidth > el.clientWidth")
    assert bar.evaluate("el => getComputedStyle(el).overflowX") == "auto"
    assert phone.evaluate("document.documentElement.scrollWidth") <= 392
    assert phone.locator(f"#cadre-grid [data-date='{days[0]:%Y-%m-%d}']").first.is_visible()
    shot(phone, "cadre-tabs-attendance-phone")
    bar.locator("text=培养").scroll_into_view_if_needed()
    with phone.expect_navigation(wait_until="load"):
        bar.locator("text=培养").click()
    assert phone.locator("#cadre-talks >> text=王建国").is_visible()
    box = phone.locator("#cadre-tabs .nav-link.active").bounding_box()  # the bar scrolled to the active tab
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    assert phone.evaluate("document.documentElement.scrollWidth") <= 392
    shot(phone, "cadre-tabs-cultivation-phone")


def test_township_leave_calendar_from_the_home_page(world, live_server, desktop, phone, login, shot):
    days = _month_data(world)
    party = world.users[Role.TOWNSHIP_PARTY]
    desktop.set_viewport_size({"width": 1366, "height": 768})
    login(desktop, party.username)
    with desktop.expect_navigation(wait_until="load"):
        desktop.click("text=龙津镇本月请假日历")
    assert desktop.locator("h1").inner_text().startswith("龙津镇 ·")
    grid = desktop.locator("#leave-calendar")
    assert grid.is_visible() and not desktop.locator("#leave-calendar-days").is_visible()
    zhang = grid.locator(f"tr[data-cadre='{world.cadre.pk}'] td[data-date='{days[0]:%Y-%m-%d}']")
    assert zhang.inner_text().strip() == "假"
    wang = grid.locator("tr", has_text="王五").locator(f"td[data-date='{days[10]:%Y-%m-%d}']")
    assert wang.inner_text().strip() == "待"
    shot(desktop, "leave-calendar-desktop")

    login(phone, party.username)
    phone.goto(f"{live_server.url}/attendance/leave-calendar/")
    assert not phone.locator("#leave-calendar").is_visible()
    listing = phone.locator("#leave-calendar-days")
    assert listing.is_visible()
    first_day = listing.locator(f"[data-date='{days[0]:%Y-%m-%d}']")
    assert "张三（城东村）请假" in first_day.inner_text()
    assert "王五（城南村）请假待批" in listing.locator(f"[data-date='{days[10]:%Y-%m-%d}']").inner_text()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 392
    shot(phone, "leave-calendar-phone")
