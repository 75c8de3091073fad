"""Issue 16 (pen test): one cadre could stall the site with a 10,000-character reason or a leave to
year 9999. Bad input answers a Chinese field error (400 / form error) quickly and changes nothing."""

import datetime as dt
import time

import pytest
from django.urls import reverse

from attendance import services
from attendance.models import Absence, LeaveRequest
from core import dates, limits
from core.roles import Role

pytestmark = pytest.mark.django_db
CEILING = 5.0  # seconds; the pen test saw 30 s and then a 500


def workday(near: dt.date) -> dt.date:
    """The first working day from ``near`` on (the calendar knows the holidays)."""
    from core import calendar

    return calendar.working_days(near, near + dt.timedelta(days=20))[0]


def _post(client, url, body):
    # measured in CPU seconds of this process (time.process_time), not wall time: the bound is on the work the
    # code does, so a busy machine does not fail it (the renderer and, on SQLite, the queries run in-process)
    started = time.process_time()
    res = client.post(url, body, format="json")
    return res, time.process_time() - started


def test_api_leave_reason_of_10000_characters_is_refused_with_the_limit(world, api):
    cadre_user = world.users[Role.CADRE]
    start = dt.date.today() + dt.timedelta(days=7)
    res, took = _post(api(cadre_user), "/api/v1/leave-requests/", {
        "start_date": start.isoformat(), "end_date": start.isoformat(), "reason": "请" * 10_000})
    assert res.status_code == 400 and "reason" in res.json()
    assert str(limits.REASON) in res.json()["reason"][0]
    assert took < CEILING and not LeaveRequest.objects.exists()


def test_web_leave_form_refuses_a_reason_over_the_limit(world, client):
    client.force_login(world.users[Role.CADRE])
    start = dt.date.today() + dt.timedelta(days=7)
    res = client.post(reverse("attendance:leave_create"), {
        "start_date": start.isoformat(), "start_half": "am", "end_date": start.isoformat(), "end_half": "pm",
        "reason": "请" * (limits.REASON + 1)})
    assert res.status_code == 200 and str(limits.REASON) in res.content.decode()
    assert not LeaveRequest.objects.exists()


def test_service_refuses_a_reason_over_the_limit_whatever_the_caller(world):
    """Imports and the API's free-form fields end in the service: the model validator holds there."""
    start = dt.date.today() + dt.timedelta(days=7)
    with pytest.raises(Exception) as exc:
        services.leave_submit(cadre=world.cadre, by=None, start_date=start, end_date=start,
                              reason="请" * (limits.REASON + 1))
    assert "reason" in exc.value.message_dict and str(limits.REASON) in exc.value.message_dict["reason"][0]
    assert not LeaveRequest.objects.exists()


@pytest.mark.parametrize("start,end", [("2027-05-10", "9999-12-31"), ("0001-01-01", "2026-11-30"),
                                       ("9999-12-30", "9999-12-31")])
def test_api_leave_to_year_9999_is_a_quick_field_error(world, api, start, end):
    res, took = _post(api(world.users[Role.CADRE]), "/api/v1/leave-requests/",
                      {"start_date": start, "end_date": end, "reason": "探亲"})
    assert res.status_code == 400, res.content
    assert set(res.json()) & {"start_date", "end_date"}
    assert took < CEILING and not LeaveRequest.objects.exists()


def test_leave_longer_than_a_year_is_refused(world, api):
    start = dt.date.today() - dt.timedelta(days=30)
    res = api(world.users[Role.CADRE]).post("/api/v1/leave-requests/", {
        "start_date": start.isoformat(), "end_date": (start + dt.timedelta(days=dates.PERIOD_MAX_DAYS)).isoformat(),
        "reason": "探亲"}, format="json")
    assert res.status_code == 400 and "366" in res.json()["end_date"][0]


@pytest.mark.parametrize("start,end", [("2026-11-30", "9999-12-31"), ("0001-01-01", "0001-01-31")])
def test_api_absence_to_year_9999_is_a_quick_field_error(world, api, start, end):
    res, took = _post(api(world.users[Role.VILLAGE_SECRETARY]), "/api/v1/absences/",
                      {"cadre": world.cadre.pk, "start_date": start, "end_date": end})
    assert res.status_code == 400, res.content
    assert set(res.json()) & {"start_date", "end_date"}
    assert took < CEILING and not Absence.objects.exists()


def test_leave_days_preview_ignores_year_9999(world, client):
    client.force_login(world.users[Role.CADRE])
    started = time.process_time()
    res = client.get(reverse("attendance:leave_days"), {"start_date": "2027-05-10", "end_date": "9999-12-31"})
    assert res.status_code == 200 and time.process_time() - started < CEILING


@pytest.mark.parametrize("year", ["99999", "0", "1e9"])
def test_calendar_year_parameter_is_bounded(world, client, year):
    client.force_login(world.users[Role.COUNTY_ORG])
    assert client.get(reverse("attendance:calendar"), {"year": year}).status_code == 200


def test_leave_pdf_of_a_legacy_10000_character_reason_is_cut_and_quick(world, client):
    """Rows stored before the limit still print: cut at the limit with a visible marker, in bounded time."""
    start = workday(dt.date.today() - dt.timedelta(days=30))
    leave = services.leave_submit(cadre=world.cadre, by=None, start_date=start, end_date=start, reason="看病")
    LeaveRequest.objects.filter(pk=leave.pk).update(reason="请" * 10_000)
    client.force_login(world.users[Role.VILLAGE_SECRETARY])
    started = time.process_time()
    res = client.get(reverse("attendance:leave_pdf", args=[leave.pk]))
    assert res.status_code == 200 and res.content.startswith(b"%PDF")
    assert time.process_time() - started < 10.0  # was 31 s (and minutes on a busy machine)
