"""Browser (phone): a cadre asks for 1.5 days, the township liaison approves, the village secretary sees it.
R-21, R-22."""

import datetime as dt

import pytest

from attendance.models import LeaveRequest
from core import calendar
from core.roles import Role
from tests.browser.steps import submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _two_working_days():
    start = dt.date.today() + dt.timedelta(days=7)
    days = calendar.working_days(start, start + dt.timedelta(days=20))
    # two consecutive working days (no holiday between)
    for a, b in zip(days, days[1:], strict=False):
        if (b - a).days == 1:
            return a, b
    raise AssertionError("no two consecutive working days")


def test_cadre_asks_liaison_approves_secretary_sees(world, live_server, phone, login, shot):
    first, second = _two_working_days()
    # the cadre asks on a phone: from the afternoon of the first day to the end of the second: 1.5 days
    login(phone, world.users[Role.CADRE].username)
    phone.goto(f"{live_server.url}/attendance/leave/new/")
    phone.fill("#id_start_date", first.isoformat())
    phone.select_option("#id_start_half", "pm")
    phone.fill("#id_end_date", second.isoformat())
    phone.select_option("#id_end_half", "pm")
    phone.fill("#id_reason", "到县人民医院陪护住院的母亲")
    phone.locator("#id_reason").blur()  # the browser's own change event: the day preview is asked for once
    preview = phone.locator("[data-testid=days-preview]")
    preview.wait_for()
    phone.wait_for_load_state("networkidle")
    assert "1.5" in preview.inner_text() and "乡镇包村领导" in preview.inner_text()
    shot(phone, "leave-cadre-asks-phone")
    submit(phone)
    assert phone.locator("[data-testid=leave-status]").inner_text() == "待审批"
    assert phone.locator("text=已提交请假 1.5 个工作日，等待乡镇包村领导审批").count() == 1
    shot(phone, "leave-cadre-submitted-phone")
    leave = LeaveRequest.objects.get()
    assert leave.approver_role == "township_liaison" and str(leave.days) == "1.5"

    # the liaison sees it on the home page and approves on the phone
    login(phone, world.users[Role.TOWNSHIP_LIAISON].username)
    panel = phone.locator("[data-panel=待我审批的请假]")
    assert panel.locator("text=张三").count() == 1
    assert phone.locator("[data-testid=unread-count]").inner_text() == "1"
    shot(phone, "leave-liaison-home-phone")
    panel.locator("a", has_text="张三").click()
    phone.wait_for_load_state("networkidle")
    phone.fill("#decide-form textarea[name=comment]", "同意，照顾好家人，按时销假")
    phone.click("#decide-form button[value=approve]")
    phone.wait_for_load_state("networkidle")
    assert phone.locator("[data-testid=leave-status]").inner_text() == "已批准"
    shot(phone, "leave-liaison-approved-phone")

    # the secretary sees the approved leave in the village's list
    login(phone, world.users[Role.VILLAGE_SECRETARY].username)
    phone.goto(f"{live_server.url}/attendance/leave/")
    row = phone.locator(f"tr[data-leave='{leave.pk}']")
    assert row.locator("text=已批准").count() == 1
    assert row.locator("text=1.5").count() == 1
    shot(phone, "leave-secretary-sees-phone")
    leave.refresh_from_db()
    assert leave.status == "approved" and leave.decided_by == world.users[Role.TOWNSHIP_LIAISON]


def test_secretary_marks_a_week_on_the_phone(world, live_server, phone, login, shot):
    from attendance.models import AttendanceDay

    today = dt.date.today()
    monday = today - dt.timedelta(days=today.weekday() + 7)  # last week's Monday
    login(phone, world.users[Role.VILLAGE_SECRETARY].username)
    phone.goto(f"{live_server.url}/attendance/grid/?month={monday:%Y-%m}")
    card = phone.locator(f"#cadre-{world.cadre.pk}")
    week_button = card.locator(f"button.wk[value*='{monday.isoformat()}']")
    if week_button.count() == 0:  # the Monday was a holiday: take the week's first working day
        week_button = card.locator("button.wk").first
    week_button.click()
    phone.locator(".k-present").first.wait_for()  # a selector wait: no eval under the page's CSP
    expected = len(calendar.working_days(monday, monday + dt.timedelta(days=6)))
    assert AttendanceDay.objects.filter(cadre=world.cadre, status="present").count() >= min(expected, 1)
    # mark one day 旷工 with the pen
    phone.click("label[for=pen-absent]")
    day = AttendanceDay.objects.filter(cadre=world.cadre).order_by("date").first().date
    phone.locator(f"#cadre-{world.cadre.pk} button[data-date='{day.isoformat()}']").click()
    phone.locator(".k-absent").first.wait_for()
    assert AttendanceDay.objects.get(cadre=world.cadre, date=day).status == "absent"
    shot(phone, "attendance-grid-secretary-phone")


def test_marking_an_overstay_day_present_reports_the_return_and_the_liaison_confirms(
        world, live_server, phone, login, shot):  # issue 12 items 1 and 2
    from attendance import services
    from attendance.models import AttendanceDay

    days = calendar.working_days(dt.date.today() - dt.timedelta(days=30), dt.date.today())
    back, leave_days = days[-1], days[-6:-3]  # a three-day leave, then three working days not returned
    leave = services.leave_submit(cadre=world.cadre, by=world.users[Role.CADRE], start_date=leave_days[0],
                                  end_date=leave_days[-1], reason="探亲")
    services.leave_approve(leave=leave, by=world.users[Role.TOWNSHIP_LIAISON])
    login(phone, world.users[Role.VILLAGE_SECRETARY].username)
    phone.goto(f"{live_server.url}/attendance/grid/?month={back:%Y-%m}")
    cell = phone.locator(f"#cadre-{world.cadre.pk} button[data-date='{back.isoformat()}']")
    assert cell.inner_text().endswith("逾")
    cell.click()  # the pen is on 出勤: the grid asks whether the cadre is back
    prompt = phone.locator(f"#return-prompt-{world.cadre.pk}")
    prompt.wait_for()
    assert "是否已回岗" in prompt.inner_text()
    shot(phone, "attendance-grid-return-prompt-phone")
    assert not AttendanceDay.objects.exists()
    prompt.locator("button[name=return_target]").click()
    prompt.wait_for(state="detached")
    leave.refresh_from_db()
    assert leave.status == "approved" and leave.return_reported_on == back
    assert AttendanceDay.objects.get(cadre=world.cadre, date=back).status == "present"
    # the liaison confirms on the leave page; the day turns 勤 on the grid
    login(phone, world.users[Role.TOWNSHIP_LIAISON].username)
    phone.goto(f"{live_server.url}/attendance/leave/{leave.pk}/")
    assert "销假已报告，待确认" in phone.locator("#return-report").inner_text()
    submit(phone, "#confirm-return-form button[type=submit]")
    assert phone.locator("[data-testid=leave-status]").inner_text() == "已销假"
    login(phone, world.users[Role.VILLAGE_SECRETARY].username)
    phone.goto(f"{live_server.url}/attendance/grid/?month={back:%Y-%m}")
    assert phone.locator(f"#cadre-{world.cadre.pk} button[data-date='{back.isoformat()}']").inner_text().endswith("勤")
