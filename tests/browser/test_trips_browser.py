"""Browser: the township party committee records an official trip on a desktop; after it, the cadre reports
back and the village secretary confirms the return on a phone. R-27."""

import datetime as dt

import pytest
from django.utils import timezone

from attendance.models import OfficialTrip
from core import calendar
from core.roles import Role
from tests.browser.steps import submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _recent_workdays():
    today = timezone.localdate()  # the app's day (Asia/Shanghai), not the machine's
    return calendar.working_days(today - dt.timedelta(days=40), today)


def test_township_records_a_trip_and_the_secretary_confirms_the_return(world, live_server, desktop, phone, login,
                                                                        shot):
    back = _recent_workdays()
    start, end, returned = back[-8], back[-5], back[-2]

    # the township party committee records the trip on a desktop, from the 考勤 menu
    login(desktop, world.users[Role.TOWNSHIP_PARTY].username)
    desktop.goto(f"{live_server.url}/attendance/trips/")
    assert desktop.locator("h1", has_text="因公外出").count() == 1
    desktop.click("[data-testid=trip-new]")
    desktop.wait_for_load_state("load")
    desktop.select_option("#id_cadre", str(world.cadre.pk))
    desktop.fill("#id_purpose", "参加县委组织部村级后备干部集中轮训")
    desktop.fill("#id_destination", "县委党校")
    desktop.fill("#id_start_date", start.isoformat())
    desktop.fill("#id_end_date", end.isoformat())
    shot(desktop, "trip-township-records-desktop")
    submit(desktop)
    assert desktop.locator("[data-testid=trip-status]").inner_text() == "外出中"
    assert desktop.locator("text=已登记张三因公外出").count() == 1
    # its end has passed and nobody confirmed a return: the page counts the overstay
    assert desktop.locator("#overdue").count() == 1 and "尚未确认返岗" in desktop.locator("#overdue").inner_text()
    shot(desktop, "trip-township-recorded-desktop")
    trip = OfficialTrip.objects.get()
    assert trip.recorded_by == world.users[Role.TOWNSHIP_PARTY]

    # the cadre reports being back on a phone
    login(phone, world.users[Role.CADRE].username)
    phone.goto(f"{live_server.url}/attendance/trips/{trip.pk}/")
    phone.fill("#report-return-form input[name=returned_on]", returned.isoformat())
    submit(phone, "#report-return-form button[type=submit]")
    assert phone.locator("#return-report").count() == 1
    assert phone.locator("[data-testid=trip-status]").inner_text() == "外出中"  # reported, not confirmed
    shot(phone, "trip-cadre-reports-phone")

    # the village secretary confirms on a phone
    login(phone, world.users[Role.VILLAGE_SECRETARY].username)
    phone.goto(f"{live_server.url}/attendance/trips/")
    row = phone.locator(f"tr[data-trip='{trip.pk}']")
    assert row.locator("text=待确认").count() == 1
    shot(phone, "trip-secretary-list-phone")
    row.locator("a", has_text="张三").click()
    phone.wait_for_load_state("load")
    assert phone.locator("#confirm-return-form").count() == 1
    assert phone.locator("#confirm-return-form input[name=returned_on]").input_value() == returned.isoformat()
    shot(phone, "trip-secretary-confirm-phone")
    submit(phone, "#confirm-return-form button[type=submit]")
    assert phone.locator("[data-testid=trip-status]").inner_text() == "已返岗"
    assert returned.isoformat() in phone.locator("#returned-on").inner_text()
    shot(phone, "trip-secretary-confirmed-phone")
    trip.refresh_from_db()
    assert trip.status == "returned" and trip.returned_on == returned
    assert trip.confirmed_by == world.users[Role.VILLAGE_SECRETARY]
