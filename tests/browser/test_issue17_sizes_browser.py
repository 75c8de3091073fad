"""Browser, issue 17 additions at the size each still lacked: the approver context on a leave awaiting
decision (desktop and phone), the whole township's attendance for a day on a desktop, and the leave list's
saved filter reopened from 已保存的筛选 and the visible list exported, on a phone."""

import datetime as dt
import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from attendance import services
from core import calendar
from core.models import SavedFilter
from core.roles import Role
from tests.browser.steps import open_day_sheet, save_filter_and_reopen, submit
from tests.factories import CadreFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _days():
    start = timezone.localdate() + dt.timedelta(days=7)
    return calendar.working_days(start, start + dt.timedelta(days=40))


def test_approver_sees_the_context_on_desktop_and_phone(world, live_server, desktop, phone, login, shot):
    days = _days()
    liaison = world.users[Role.TOWNSHIP_LIAISON]
    secretary = world.users[Role.VILLAGE_SECRETARY]
    colleague = CadreFactory(village=world.village, name="赵六")
    away = services.leave_submit(cadre=colleague, by=secretary, start_date=days[0], end_date=days[2],
                                 reason="陪护住院的父亲")
    services.leave_approve(leave=away, by=liaison)
    pending = services.leave_submit(cadre=world.cadre, by=secretary, start_date=days[1], end_date=days[3],
                                    reason="回老家办理宅基地手续")
    for page, size in ((desktop, "desktop"), (phone, "phone")):
        login(page, liaison.username)
        page.goto(f"{live_server.url}/attendance/leave/{pending.pk}/")
        context = page.locator("[data-testid=approver-context]")
        assert "本年已批准请假 0 次" in context.inner_text() and "赵六" in context.inner_text()
        context.scroll_into_view_if_needed()
        shot(page, f"approver-context-{size}")


def test_township_marks_a_day_on_the_desktop(world, live_server, desktop, login, shot):
    today = timezone.localdate()
    day = calendar.working_days(today - dt.timedelta(days=10), today)[-1]
    login(desktop, world.users[Role.TOWNSHIP_PARTY].username)
    open_day_sheet(desktop, live_server.url, day)
    assert desktop.locator("[data-testid=day-card]").count() == 1
    desktop.click(f"label[for=s-{world.cadre.pk}-present]")
    submit(desktop, "[data-testid=day-save]")
    assert desktop.locator("text=1 人有变更").count() == 1
    shot(desktop, "township-day-saved-desktop")


def test_saved_filter_and_export_on_the_phone(world, live_server, phone, login, shot):
    days = _days()
    secretary = world.users[Role.VILLAGE_SECRETARY]
    wang = CadreFactory(village=world.village, name="王五")
    for cadre in (world.cadre, wang):
        services.leave_submit(cadre=cadre, by=secretary, start_date=days[0], end_date=days[0], reason="办事")
    login(phone, secretary.username)
    phone.goto(f"{live_server.url}/attendance/leave/")
    unfiltered = save_filter_and_reopen(phone, f"{live_server.url}/attendance/leave/", search="王五",
                                        name="王五的请假", shot=shot, screenshot="saved-filter-dropdown-phone")
    assert SavedFilter.objects.count() == 1
    assert unfiltered == 2
    assert phone.locator("tr[data-leave]").count() == 1
    if not phone.locator("[data-testid=export-xlsx]").is_visible():  # the filter panel opens when a filter is set
        phone.locator("summary", has_text="搜索和筛选").click()
    with phone.expect_download() as info:
        phone.click("[data-testid=export-xlsx]")
    ws = load_workbook(io.BytesIO(open(info.value.path(), "rb").read())).active
    names = {c for row in ws.iter_rows(values_only=True) for c in row if c in ("王五", world.cadre.name)}
    assert names == {"王五"}  # the visible (filtered) list only
    shot(phone, "saved-filter-applied-phone")
