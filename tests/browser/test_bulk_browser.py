"""Browser, issue 17 additions: the township liaison approves two pending leaves at once (desktop and phone),
saves a filter and applies it again; the township party committee marks a day for the whole township on a
phone. R-22 (each request still decided by its fixed approver), R-24 (a day's attendance)."""

import datetime as dt

import pytest
from django.utils import timezone

from attendance import services
from attendance.models import AttendanceDay, LeaveRequest
from core import calendar
from core.models import SavedFilter
from core.roles import Role
from tests.browser.steps import open_day_sheet, save_filter_and_reopen, submit
from tests.factories import CadreFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _future_workdays(n):
    start = timezone.localdate() + dt.timedelta(days=7)
    days = calendar.working_days(start, start + dt.timedelta(days=60))
    assert len(days) >= n
    return days


def _pending(world, colleague, days, offset):
    """Two 2-day requests the liaison decides (more than one day, R-22), recorded by the secretary."""
    by = world.users[Role.VILLAGE_SECRETARY]
    return [
        services.leave_submit(cadre=world.cadre, by=by, start_date=days[offset], end_date=days[offset + 1],
                              reason="回老家办理宅基地手续", channel="wechat", channel_note="人在外地"),
        services.leave_submit(cadre=colleague, by=by, start_date=days[offset], end_date=days[offset + 1],
                              reason="陪护住院的父亲", channel="wechat", channel_note="在县医院"),
    ]


def test_liaison_approves_two_at_once_on_desktop_and_saves_a_filter(world, live_server, desktop, login, shot):
    colleague = CadreFactory(village=world.village, name="王五")
    leaves = _pending(world, colleague, _future_workdays(4), 0)
    login(desktop, world.users[Role.TOWNSHIP_LIAISON].username)
    desktop.goto(f"{live_server.url}/attendance/leave/?mine=pending")
    form = desktop.locator("[data-testid=bulk-decide]")
    assert "批量批准" in form.inner_text() and "批量驳回" in form.inner_text()
    desktop.check("input[data-check-all=bulk-leave]")  # 全选 ticks both
    assert desktop.locator("input[name=ids]:checked").count() == 2
    shot(desktop, "bulk-liaison-pending-desktop")
    submit(desktop, "[data-testid=bulk-decide] button[value=approve]")
    assert desktop.locator("text=已批准 2 条请假").count() == 1
    shot(desktop, "bulk-liaison-approved-desktop")
    assert set(LeaveRequest.objects.values_list("status", flat=True)) == {"approved"}
    assert all(lv.history.first().history_user == world.users[Role.TOWNSHIP_LIAISON] for lv in
               LeaveRequest.objects.filter(pk__in=[lv.pk for lv in leaves]))

    # a filter saved under a name, then applied from the dropdown
    desktop.goto(f"{live_server.url}/attendance/leave/")
    unfiltered = save_filter_and_reopen(desktop, f"{live_server.url}/attendance/leave/", search="王五",
                                        name="王五的请假", shot=shot, screenshot="bulk-saved-filter-dropdown-desktop")
    assert SavedFilter.objects.get().query == "q=%E7%8E%8B%E4%BA%94"
    assert unfiltered == 2
    assert "q=%E7%8E%8B%E4%BA%94" in desktop.url
    assert desktop.locator("tr[data-leave]").count() == 1
    assert "王五" in desktop.locator("tr[data-leave]").inner_text()


def test_liaison_approves_two_at_once_on_the_phone(world, live_server, phone, login, shot):
    colleague = CadreFactory(village=world.village, name="王五")
    _pending(world, colleague, _future_workdays(6), 2)
    login(phone, world.users[Role.TOWNSHIP_LIAISON].username)
    phone.goto(f"{live_server.url}/attendance/leave/?mine=pending")
    for box in phone.locator("input[name=ids]").all():
        box.check()
    phone.locator("[data-testid=bulk-decide]").scroll_into_view_if_needed()
    shot(phone, "bulk-liaison-pending-phone")
    submit(phone, "[data-testid=bulk-decide] button[value=approve]")
    assert phone.locator("text=已批准 2 条请假").count() == 1
    assert phone.locator("[data-testid=bulk-decide]").count() == 0  # nothing left waiting
    shot(phone, "bulk-liaison-approved-phone")
    assert set(LeaveRequest.objects.values_list("status", flat=True)) == {"approved"}


def test_township_marks_a_day_on_the_phone(world, live_server, phone, login, shot):
    today = timezone.localdate()
    day = calendar.working_days(today - dt.timedelta(days=10), today)[-1]
    wang = CadreFactory(village=world.village2, name="王五")
    login(phone, world.users[Role.TOWNSHIP_PARTY].username)
    open_day_sheet(phone, live_server.url, day)
    cards = phone.locator("[data-testid=day-card]")
    assert cards.count() == 2
    phone.click(f"label[for=s-{world.cadre.pk}-present]")
    phone.click(f"label[for=s-{wang.pk}-official]")
    phone.fill(f"input[name=note-{wang.pk}]", "到镇里参加党建培训")
    shot(phone, "bulk-township-day-phone")
    submit(phone, "[data-testid=day-save]")
    assert phone.locator("text=2 人有变更").count() == 1
    shot(phone, "bulk-township-day-saved-phone")
    marks = {a.cadre_id: a for a in AttendanceDay.objects.filter(date=day)}
    assert marks[world.cadre.pk].status == "present"
    assert marks[wang.pk].status == "official" and marks[wang.pk].note == "到镇里参加党建培训"
    assert phone.locator(f"#s-{wang.pk}-official").is_checked()
