"""Issue 12 item 3: attendance corrections with history, and an absence case that belongs to its absence
(R-24, R-25, R-30)."""

import datetime as dt
import json

import pytest

from attendance import services
from attendance.models import Absence, AttendanceDay
from attendance.tasks import check_absence_thresholds
from cadres.models import DisciplineCase
from core.models import Notification
from core.roles import Role
from tests.attendance.conftest import workdays_from

D = dt.date
pytestmark = pytest.mark.django_db


def mark(cadre, days, status="absent"):
    AttendanceDay.objects.bulk_create([AttendanceDay(cadre=cadre, county_id=cadre.county_id, township_id=cadre.township_id, date=d, status=status) for d in days])


def cases(cadre):
    return list(DisciplineCase.objects.filter(cadre=cadre, category="absence").order_by("pk"))


def put_day(client, cadre, date, status, **extra):
    return client.put("/api/v1/attendance-days/", {"cadre": cadre.pk, "date": date.isoformat(), "status": status,
                                                   **extra}, format="json")


def test_a_corrected_first_day_keeps_one_case(world, api):  # R-25, issue 12 item 3
    days = workdays_from(D(2026, 3, 2), 21)
    mark(world.cadre, days)
    assert check_absence_thresholds(as_of=days[-1]) == 1
    (case,) = cases(world.cadre)
    assert (case.absence_start, case.absence_end) == (days[0], days[-1])
    # the first day was a mistake: the cadre was at work
    r = put_day(api(world.users[Role.VILLAGE_SECRETARY]), world.cadre, days[0], "present")
    assert r.status_code == 200, r.content
    assert check_absence_thresholds(as_of=days[-1]) == 0
    assert check_absence_thresholds(as_of=days[-1] + dt.timedelta(days=1)) == 0
    (case,) = cases(world.cadre)  # still the one case, now linked to the corrected run
    assert (case.absence_start, case.absence_end) == (days[1], days[-1])
    assert case.review_note == "" and case.status == "open"


def test_a_run_across_new_year_with_a_make_up_sunday_opens_a_case(world):
    start, end = D(2025, 12, 15), D(2026, 1, 6)
    days = workdays_from(start, 16)
    assert days[-1] == end and D(2026, 1, 4) in days  # Sunday 4 January 2026 is a working day (调休)
    assert D(2026, 1, 1) not in days and D(2026, 1, 3) not in days
    mark(world.cadre, days[:-1])
    assert check_absence_thresholds(as_of=end) == 0  # 15 working days: not over
    mark(world.cadre, [end])
    assert check_absence_thresholds(as_of=end) == 1
    (case,) = cases(world.cadre)
    assert "2025-12-15" in case.details and "16个工作日" in case.details
    assert (case.absence_start, case.absence_end) == (start, end)


def test_a_correction_below_the_threshold_flags_the_case_and_never_deletes_it(world, api, client):
    days = workdays_from(D(2026, 3, 2), 16)
    mark(world.cadre, days)
    assert check_absence_thresholds(as_of=days[-1]) == 1
    (case,) = cases(world.cadre)
    r = put_day(api(world.users[Role.VILLAGE_SECRETARY]), world.cadre, days[0], "official", note="县里开会")
    assert r.status_code == 200, r.content
    (case,) = cases(world.cadre)  # kept, flagged at once
    assert case.status == "open" and case.needs_review
    assert "15个工作日" in case.review_note and "未超过" in case.review_note
    org = world.users[Role.COUNTY_ORG]
    note = Notification.objects.get(user=org, kind="absence_case_review")
    assert "张三" in note.title and note.url.endswith(f"/supervision/cases/{case.pk}/")
    assert check_absence_thresholds(as_of=days[-1]) == 0  # the job neither opens nor notifies again
    assert Notification.objects.filter(user=org, kind="absence_case_review").count() == 1
    # what the county sees: the case page, the case list and the home page say it needs review
    client.force_login(org)
    page = client.get(f"/supervision/cases/{case.pk}/").content.decode()
    assert "需复核" in page and case.review_note in page
    assert "需复核" in client.get("/supervision/cases/").content.decode()
    manual = DisciplineCase.objects.create(cadre=world.cadre, category="complaints", opened_on=days[-1], details="群众反映")
    listed = client.get("/supervision/cases/", {"needs_review": "true"}).content.decode()
    assert f"/supervision/cases/{case.pk}/" in listed and f"/supervision/cases/{manual.pk}/" not in listed
    listed = client.get("/supervision/cases/", {"needs_review": "false"}).content.decode()
    assert f"/supervision/cases/{case.pk}/" not in listed and f"/supervision/cases/{manual.pk}/" in listed
    assert "需复核" in client.get("/").content.decode()
    # marked absent again: over the threshold again, the flag clears, still one case
    assert put_day(api(world.users[Role.VILLAGE_SECRETARY]), world.cadre, days[0], "absent").status_code == 200
    (case,) = cases(world.cadre)
    assert not case.needs_review and (case.absence_start, case.absence_end) == (days[0], days[-1])


def test_a_run_split_by_a_correction_keeps_its_case_and_the_other_part_gets_its_own(world):
    days = workdays_from(D(2026, 3, 2), 40)
    mark(world.cadre, days)
    assert check_absence_thresholds(as_of=days[-1]) == 2  # the run, and the year (40 > 30)
    services.attendance_mark(cadre=world.cadre, dates=[days[20]], status="present",
                             by=world.users[Role.VILLAGE_SECRETARY])
    assert check_absence_thresholds(as_of=days[-1]) == 1  # 20 + 19: the second run is a new absence
    first, second = [c for c in cases(world.cadre) if c.key.startswith("absence-run:")]
    assert (first.absence_start, first.absence_end) == (days[0], days[19])
    assert (second.absence_start, second.absence_end) == (days[21], days[39])
    assert check_absence_thresholds(as_of=days[-1]) == 0


def test_patch_absence_recomputes_days_and_keeps_history(world, api):  # R-24, issue 12 item 3
    secretary = world.users[Role.VILLAGE_SECRETARY]
    client = api(secretary)
    r = client.post("/api/v1/absences/", {"cadre": world.cadre.pk, "start_date": "2026-03-02",
                                          "end_date": "2026-03-06"}, format="json")
    assert r.status_code == 201 and r.json()["days"] == "5.0"
    pk = r.json()["id"]
    r = client.patch(f"/api/v1/absences/{pk}/", {"end_date": "2026-03-10", "note": "补登"}, format="json")
    assert r.status_code == 200, r.content
    assert r.json()["days"] == "7.0" and r.json()["end_date"] == "2026-03-10" and r.json()["note"] == "补登"
    absence = Absence.objects.get(pk=pk)
    old = absence.history.order_by("history_id").first()
    assert (old.end_date, old.days) == (D(2026, 3, 6), 5) and absence.history.count() == 2
    assert absence.history.order_by("-history_id").first().history_user == secretary
    # bad input: a clear Chinese error, nothing changed
    r = client.patch(f"/api/v1/absences/{pk}/", {"start_date": "2026-03-20"}, format="json")
    assert r.status_code == 400 and "结束日期不能早于开始日期" in r.json()["end_date"][0]
    r = client.patch(f"/api/v1/absences/{pk}/", {"excused": True, "note": ""}, format="json")
    assert r.status_code == 400 and "理由" in r.json()["note"][0]
    r = client.patch(f"/api/v1/absences/{pk}/", {"cadre": world.other_cadre.pk}, format="json")
    assert r.status_code == 400 and "cadre" in r.json()
    r = client.patch(f"/api/v1/absences/{pk}/", {"start_date": "2026-03-07", "end_date": "2026-03-08"}, format="json")
    assert r.status_code == 400 and "没有工作日" in r.json()["end_date"][0]
    assert Absence.objects.get(pk=pk).days == 7 and absence.history.count() == 2
    # who may correct: as for recording; out of scope is 404; PUT is not the correction
    assert api(world.users[Role.TOWNSHIP_PARTY]).patch(f"/api/v1/absences/{pk}/", {"note": "乡里核实"},
                                                       format="json").status_code == 200
    assert api(world.users[Role.CADRE]).patch(f"/api/v1/absences/{pk}/", {"note": "x"}, format="json").status_code == 403
    assert api(world.users[Role.COUNTY_FINANCE]).patch(f"/api/v1/absences/{pk}/", {"note": "x"},
                                                       format="json").status_code == 403
    assert api(world.users["township_party_b"]).patch(f"/api/v1/absences/{pk}/", {"note": "x"},
                                                      format="json").status_code == 404
    assert client.put(f"/api/v1/absences/{pk}/", {"note": "x"}, format="json").status_code == 405


def test_patch_absence_excused_flags_the_case_it_brought_below(world, api):
    secretary = world.users[Role.VILLAGE_SECRETARY]
    days = workdays_from(D(2026, 3, 2), 17)
    absence = services.absence_create(cadre=world.cadre, start_date=days[0], end_date=days[-1], by=secretary)
    assert check_absence_thresholds(as_of=days[-1]) == 1
    r = api(secretary).patch(f"/api/v1/absences/{absence.pk}/", {"start_date": days[2].isoformat()}, format="json")
    assert r.status_code == 200 and r.json()["days"] == "15.0"
    (case,) = cases(world.cadre)
    assert case.needs_review and DisciplineCase.objects.count() == 1


def test_put_attendance_days_is_idempotent_and_scoped(world, api):  # R-24, issue 12 item 3
    secretary = world.users[Role.VILLAGE_SECRETARY]
    client = api(secretary)
    day = D(2026, 3, 3)
    r = put_day(client, world.cadre, day, "absent", excused=True, note="发烧就医")
    assert r.status_code == 200, r.content
    assert r.json() == {"cadre": world.cadre.pk, "date": "2026-03-03", "status": "absent", "excused": True,
                        "note": "发烧就医"}
    assert put_day(client, world.cadre, day, "absent", excused=True, note="发烧就医").json() == r.json()
    row = AttendanceDay.objects.get(cadre=world.cadre, date=day)
    assert row.history.count() == 1  # the second PUT changed nothing
    r = client.get("/api/v1/attendance-days/", {"cadre": world.cadre.pk, "month": "2026-03"})
    assert r.status_code == 200 and [d["date"] for d in r.json()] == ["2026-03-03"]
    # null clears the mark; clearing twice is fine
    assert put_day(client, world.cadre, day, None).json()["status"] is None
    assert put_day(client, world.cadre, day, None).status_code == 200
    assert not AttendanceDay.objects.filter(cadre=world.cadre).exists()
    assert client.get("/api/v1/attendance-days/", {"cadre": world.cadre.pk, "month": "2026-03"}).json() == []
    # scope: who may write, who sees
    assert put_day(api(world.users[Role.TOWNSHIP_PARTY]), world.cadre, day, "present").status_code == 200
    for role in (Role.CADRE, Role.TOWNSHIP_LIAISON, Role.COUNTY_FINANCE):
        assert put_day(api(world.users[role]), world.cadre, day, "absent").status_code == 403
    r = put_day(api(world.users["village_secretary_b"]), world.cadre, day, "absent")
    assert r.status_code == 400 and "管辖范围" in r.json()["cadre"][0]
    assert AttendanceDay.objects.get(cadre=world.cadre, date=day).status == "present"
    assert api(world.users["village_secretary_b"]).get(
        "/api/v1/attendance-days/", {"cadre": world.cadre.pk, "month": "2026-03"}).status_code == 404
    assert len(api(world.users[Role.CADRE]).get(
        "/api/v1/attendance-days/", {"cadre": world.cadre.pk, "month": "2026-03"}).json()) == 1


def test_put_attendance_days_refuses_bad_input_with_the_reason(world, api):
    client = api(world.users[Role.VILLAGE_SECRETARY])
    r = put_day(client, world.cadre, D(2026, 3, 7), "absent")  # a Saturday
    assert r.status_code == 400 and "不是工作日" in r.json()["date"][0]
    r = put_day(client, world.cadre, D(2026, 3, 3), "late")
    assert r.status_code == 400 and "status" in r.json()
    r = put_day(client, world.cadre, D(2026, 3, 3), "absent", excused=True)
    assert r.status_code == 400 and "理由" in r.json()["note"][0]
    r = put_day(client, world.cadre, D(2099, 3, 3), "absent")
    assert r.status_code == 400 and "date" in r.json()
    r = client.get("/api/v1/attendance-days/", {"cadre": world.cadre.pk, "month": "2026-13"})
    assert r.status_code == 400 and "YYYY-MM" in r.json()["month"][0]
    r = client.get("/api/v1/attendance-days/", {"month": "2026-03"})
    assert r.status_code == 400 and "cadre" in r.json()
    assert not AttendanceDay.objects.exists()


def test_the_new_endpoints_are_in_the_openapi_schema(world, client):
    client.force_login(world.users[Role.COUNTY_ORG])
    r = client.get("/api/schema/", {"format": "json"}, HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert r.status_code == 200
    schema = json.loads(r.content)
    assert "patch" in schema["paths"]["/api/v1/absences/{id}/"]
    assert "put" not in schema["paths"]["/api/v1/absences/{id}/"]
    days = schema["paths"]["/api/v1/attendance-days/"]
    assert {"get", "put"} <= set(days)
    assert {p["name"] for p in days["get"]["parameters"]} >= {"cadre", "month"}


# -- issue 12 item 4: near the threshold ----------------------------------------------------------

TODAY = D(2026, 3, 31)  # a Tuesday


@pytest.fixture
def on_today(monkeypatch):
    from django.utils import timezone

    real = timezone.localdate
    monkeypatch.setattr(timezone, "localdate", lambda value=None, timezone=None: TODAY if value is None
                        else real(value, timezone))
    return TODAY


def summary_row(html, name):
    start = html.index(f'data-summary="{name}"')
    return html[start:html.index("</tr>", start)]


def test_the_absences_page_shows_the_current_run_and_its_list_agrees(world, client, on_today):
    days = workdays_from(D(2026, 3, 2), 21)
    assert days[-1] == D(2026, 3, 30)  # up to yesterday; today (a working day) not marked yet
    mark(world.cadre, days)
    client.force_login(world.users[Role.VILLAGE_SECRETARY])
    html = client.get("/attendance/absences/").content.decode()
    row = summary_row(html, "张三")
    assert "21 / 15" in row and "21 / 30" in row  # current run and the year agree
    assert "2026-03-02～2026-03-30（21天）" in row
    assert "没有缺勤记录。" not in html and "来自考勤表中的旷工" in html
    # today marked absent: it counts; marked present: the run is over
    services.attendance_mark(cadre=world.cadre, dates=[TODAY], status="absent", by=world.users[Role.VILLAGE_SECRETARY])
    assert "22 / 15" in summary_row(client.get("/attendance/absences/").content.decode(), "张三")
    services.attendance_mark(cadre=world.cadre, dates=[TODAY], status="present", by=world.users[Role.VILLAGE_SECRETARY])
    row = summary_row(client.get("/attendance/absences/").content.decode(), "张三")
    assert "0 / 15" in row and "21 / 30" in row


def test_the_current_run_policy(world):
    from attendance import policies

    days = workdays_from(D(2026, 3, 2), 5)  # Mon 2 … Fri 6 March
    absent = {d: policies.ABSENT for d in days[:4]}
    assert policies.current_run(days, absent, today=days[4], excused_breaks_run=True).days == 4  # today unmarked
    assert policies.current_run(days, {**absent, days[4]: policies.ABSENT}, today=days[4], excused_breaks_run=True).days == 5
    assert policies.current_run(days, {**absent, days[4]: policies.PRESENT}, today=days[4], excused_breaks_run=True) is None
    assert policies.current_run(days, {days[0]: policies.ABSENT}, today=days[4], excused_breaks_run=True) is None  # ended on Tuesday
    # on Saturday, the run up to Friday is the current one
    assert policies.current_run(days, absent | {days[4]: policies.ABSENT}, today=D(2026, 3, 7), excused_breaks_run=True).days == 5


def test_the_absences_page_is_in_the_navigation_for_those_who_act(world, client):
    for who in (Role.VILLAGE_SECRETARY, Role.TOWNSHIP_PARTY, Role.TOWNSHIP_LIAISON, Role.COUNTY_ORG):
        client.force_login(world.users[who])
        assert 'href="/attendance/absences/"' in client.get("/").content.decode(), who
    for who in (Role.CADRE, Role.COUNTY_FINANCE):
        client.force_login(world.users[who])
        assert 'href="/attendance/absences/"' not in client.get("/").content.decode(), who


def test_an_absence_is_corrected_in_the_browser_with_history_for_the_county(world, client):
    secretary = world.users[Role.VILLAGE_SECRETARY]
    absence = services.absence_create(cadre=world.cadre, start_date=D(2026, 3, 2), end_date=D(2026, 3, 6), by=secretary)
    client.force_login(secretary)
    assert f'href="/attendance/absences/{absence.pk}/"' in client.get("/attendance/absences/").content.decode()
    r = client.post(f"/attendance/absences/{absence.pk}/", {"start_date": "2026-03-09", "end_date": "2026-03-06",
                                                           "note": ""})
    assert r.status_code == 400 and "结束日期不能早于开始日期" in r.content.decode()
    r = client.post(f"/attendance/absences/{absence.pk}/", {"start_date": "2026-03-02", "end_date": "2026-03-04",
                                                           "note": "周四周五在岗，登记有误"}, follow=True)
    assert "已更正" in r.content.decode()
    absence.refresh_from_db()
    assert (absence.end_date, absence.days) == (D(2026, 3, 4), 3)
    client.force_login(world.users[Role.COUNTY_ORG])
    page = client.get(f"/attendance/absences/{absence.pk}/").content.decode()
    assert "变更记录" in page and "2026年3月6日" in page and "保存更正" not in page  # the old value, read-only
    client.force_login(world.users[Role.COUNTY_FINANCE])
    assert client.get(f"/attendance/absences/{absence.pk}/").status_code == 403
    client.force_login(world.users["village_secretary_b"])
    assert client.get(f"/attendance/absences/{absence.pk}/").status_code == 404
