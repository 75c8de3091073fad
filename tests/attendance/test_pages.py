"""The HTML pages: asking for leave, deciding, the attendance grid (R-24), calendar overrides (R-20)."""

import datetime as dt

import pytest

from attendance import services
from attendance.models import AttendanceDay, LeaveRequest
from core.models import CalendarOverride
from core.roles import Role
from tests.factories import CadreFactory, home_page

D = dt.date
pytestmark = pytest.mark.django_db


def test_cadre_asks_on_the_page_and_sees_field_errors(world, client):
    client.force_login(world.users[Role.CADRE])
    r = client.post("/attendance/leave/new/", {"start_date": "2026-10-03", "start_half": "am",
                                                "end_date": "2026-10-04", "end_half": "pm", "reason": "探亲"})
    assert r.status_code == 200
    assert "没有工作日" in r.content.decode()
    r = client.post("/attendance/leave/new/", {"start_date": "2026-03-04", "start_half": "pm",
                                                "end_date": "2026-03-05", "end_half": "pm", "reason": ""})
    assert 'data-field="reason"' in r.content.decode()
    r = client.post("/attendance/leave/new/", {"start_date": "2026-03-04", "start_half": "pm",
                                                "end_date": "2026-03-05", "end_half": "pm", "reason": "探亲"})
    leave = LeaveRequest.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/attendance/leave/{leave.pk}/"
    page = client.get(r["Location"]).content.decode()
    assert "1.5" in page and "乡镇包村领导" in page and "撤回请假" in page


def test_days_preview_tells_who_approves(world, client):
    client.force_login(world.users[Role.CADRE])
    r = client.get("/attendance/leave/days/", {"start_date": "2026-03-04", "end_date": "2026-03-04",
                                               "start_half": "am", "end_half": "pm"})
    assert "共 1.0 个工作日，由村党组织书记审批" in r.content.decode()
    r = client.get("/attendance/leave/days/", {"start_date": "2026-03-04", "end_date": "2026-03-05",
                                               "start_half": "pm", "end_half": "pm"})
    assert "共 1.5 个工作日，由乡镇包村领导审批" in r.content.decode()


def test_only_the_approver_sees_the_decision_form_and_can_decide(world, client):
    leave = services.leave_submit(cadre=world.cadre, by=world.users[Role.CADRE], start_date=D(2026, 3, 4),
                                  end_date=D(2026, 3, 5), reason="探亲")
    client.force_login(world.users[Role.VILLAGE_SECRETARY])
    page = client.get(f"/attendance/leave/{leave.pk}/").content.decode()
    assert "decide-form" not in page
    r = client.post(f"/attendance/leave/{leave.pk}/approve/", {"comment": "同意"})
    assert r.status_code == 403
    client.force_login(world.users[Role.TOWNSHIP_LIAISON])
    assert "decide-form" in client.get(f"/attendance/leave/{leave.pk}/").content.decode()
    r = client.post(f"/attendance/leave/{leave.pk}/approve/", {"comment": "同意"}, follow=True)
    assert "已批准" in r.content.decode()
    client.force_login(world.users["township_party_b"])
    assert client.get(f"/attendance/leave/{leave.pk}/").status_code == 404


def test_home_panels_show_the_work_of_each_role(world, client):
    services.leave_submit(cadre=world.cadre, by=world.users[Role.CADRE], start_date=D(2026, 3, 4),
                          end_date=D(2026, 3, 5), reason="探亲")
    page = home_page(client, world.users[Role.TOWNSHIP_LIAISON])
    assert "待我审批的请假" in page and "张三" in page
    page = home_page(client, world.users[Role.CADRE])
    assert "我的请假" in page and "待审批" in page
    page = home_page(client, world.users[Role.VILLAGE_SECRETARY])
    assert "考勤" in page


def test_leave_list_page_queries_do_not_grow(world, client, django_assert_max_num_queries):
    client.force_login(world.users[Role.COUNTY_ORG])
    for _ in range(2):
        services.leave_submit(cadre=CadreFactory(village=world.village2), by=None, start_date=D(2026, 3, 4),
                              end_date=D(2026, 3, 4), reason="x")
    with django_assert_max_num_queries(40) as few:
        assert client.get("/attendance/leave/").status_code == 200
    for _ in range(20):
        services.leave_submit(cadre=CadreFactory(village=world.other_village), by=None, start_date=D(2026, 3, 4),
                              end_date=D(2026, 3, 4), reason="x")
    with django_assert_max_num_queries(len(few.captured_queries)):
        r = client.get("/attendance/leave/", {"q": "干部"})
    assert r.status_code == 200


def test_secretary_marks_a_whole_week_with_htmx(world, client):
    client.force_login(world.users[Role.VILLAGE_SECRETARY])
    leave = services.leave_submit(cadre=world.cadre, by=None, start_date=D(2026, 3, 4), end_date=D(2026, 3, 4),
                                  reason="体检")
    services.leave_approve(leave=leave, by=None)
    services.leave_return(leave=leave, by=None, returned_on=D(2026, 3, 5))
    week = ",".join(f"2026-03-{d:02d}" for d in range(2, 9))  # Mon–Sun
    r = client.post("/attendance/grid/mark/", {"village": world.village.pk, "status": "present",
                                               "target": f"{world.cadre.pk}:{week}"}, HTTP_HX_REQUEST="true")
    assert r.status_code == 200
    html = r.content.decode()
    assert f'id="cadre-{world.cadre.pk}"' in html
    # four working days present; Wednesday stays leave (from the approved request); the weekend untouched
    marks = dict(AttendanceDay.objects.filter(cadre=world.cadre).values_list("date", "status"))
    assert marks == {D(2026, 3, d): "present" for d in (2, 3, 5, 6)}
    assert "出勤 4 · 公出 0 · 请假 1 · 旷工 0" in html
    r = client.post("/attendance/grid/mark/", {"village": world.village.pk, "status": "absent",
                                               "target": f"{world.cadre.pk}:2026-03-05", "excused": "on"},
                    HTTP_HX_REQUEST="true")
    assert "请写明理由" in r.content.decode()
    r = client.post("/attendance/grid/mark/", {"village": world.village.pk, "status": "absent",
                                               "target": f"{world.cadre.pk}:2026-03-05"})
    assert r.status_code == 302
    assert AttendanceDay.objects.get(cadre=world.cadre, date=D(2026, 3, 5)).status == "absent"
    page = client.get("/attendance/grid/", {"month": "2026-03"}).content.decode()
    assert "出勤 3 · 公出 0 · 请假 1 · 旷工 1" in page


def test_grid_marking_is_for_the_village_only(world, client):
    body = {"village": world.village.pk, "status": "present", "target": f"{world.cadre.pk}:2026-03-02"}
    for who, code in [(Role.CADRE, 404), (Role.COUNTY_FINANCE, 403), (Role.TOWNSHIP_LIAISON, 403)]:
        client.force_login(world.users[who])
        assert client.post("/attendance/grid/mark/", body).status_code == code, who
    client.force_login(world.users["village_secretary_b"])
    r = client.post("/attendance/grid/mark/", {"village": world.village.pk, "status": "present",
                                               "target": f"{world.cadre.pk}:2026-03-02"})
    assert r.status_code == 404
    assert not AttendanceDay.objects.exists()


def test_grid_queries_do_not_grow_with_cadres(world, client, django_assert_max_num_queries):
    client.force_login(world.users[Role.VILLAGE_SECRETARY])
    with django_assert_max_num_queries(40) as few:
        assert client.get("/attendance/grid/", {"month": "2026-03"}).status_code == 200
    days = [D(2026, 3, d) for d in (2, 3, 4, 5, 6, 9, 10)]
    for _ in range(10):
        c = CadreFactory(village=world.village)
        AttendanceDay.objects.bulk_create([AttendanceDay(cadre=c, county_id=c.county_id, township_id=c.township_id, date=d, status="present") for d in days])
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get("/attendance/grid/", {"month": "2026-03"}).content.decode()
    assert page.count('class="card mb-2" id="cadre-') == 11


def test_absence_api_by_secretary_or_township(world, api):
    body = {"cadre": world.cadre.pk, "start_date": "2026-03-06", "end_date": "2026-03-10", "kind": "absent"}
    r = api(world.users[Role.VILLAGE_SECRETARY]).post("/api/v1/absences/", body, format="json")
    assert r.status_code == 201 and r.json()["days"] == "3.0" and r.json()["excused"] is False
    assert api(world.users[Role.CADRE]).post("/api/v1/absences/", body, format="json").status_code == 403
    assert api(world.users[Role.COUNTY_FINANCE]).post("/api/v1/absences/", body, format="json").status_code == 403
    assert api(world.users["township_party_b"]).post("/api/v1/absences/", body, format="json").status_code == 400
    r = api(world.users[Role.TOWNSHIP_PARTY]).post("/api/v1/absences/", {**body, "excused": True}, format="json")
    assert r.status_code == 400 and "理由" in r.json()["note"][0]
    r = api(world.users[Role.TOWNSHIP_PARTY]).post("/api/v1/absences/", {**body, "kind": "overstay", "excused": True,
                                                                         "note": "洪水封路"}, format="json")
    assert r.status_code == 201
    assert api(world.users[Role.CADRE]).get("/api/v1/absences/").json()["count"] == 2
    excused = api(world.users[Role.TOWNSHIP_PARTY]).get("/api/v1/absences/", {"excused": "true"}).json()
    assert [a["kind"] for a in excused["results"]] == ["overstay"]
    assert api(world.users["township_party_b"]).get("/api/v1/absences/").json()["count"] == 0


def test_county_edits_calendar_overrides(world, client):
    client.force_login(world.users[Role.TOWNSHIP_PARTY])
    assert client.get("/attendance/calendar/").status_code == 200  # may read
    r = client.post("/attendance/calendar/", {"county": world.county.pk, "date": "2026-10-09", "is_workday": "0",
                                              "note": "县庆"})
    assert r.status_code == 403
    client.force_login(world.users[Role.COUNTY_ORG])
    r = client.post("/attendance/calendar/", {"county": world.county.pk, "date": "2026-10-09", "is_workday": "0",
                                              "note": ""})
    assert "请写明调整原因" in r.content.decode()
    r = client.post("/attendance/calendar/", {"county": world.county.pk, "date": "2026-10-09", "is_workday": "0",
                                              "note": "县庆放假"}, follow=True)
    page = r.content.decode()
    assert "县庆放假" in page and "国庆节" in page
    o = CalendarOverride.objects.get()
    assert not o.is_workday and o.history.first().history_user == world.users[Role.COUNTY_ORG]
    client.post("/attendance/calendar/", {"county": world.county.pk, "delete": o.pk})
    assert not CalendarOverride.objects.exists()
    page = client.get("/attendance/calendar/", {"year": "2099"}).content.decode()
    assert "尚未公布" in page and "暂定" in page and "元旦" in page


# R-25, docs/rules.md "Scheduled jobs"
def test_threshold_check_can_be_run_from_the_absences_page(world, client):
    from django.utils import timezone

    from cadres.models import DisciplineCase
    from core import calendar

    today = timezone.localdate()
    days = calendar.working_days(today - dt.timedelta(days=60), today)[-16:]
    AttendanceDay.objects.bulk_create([AttendanceDay(cadre=world.cadre, county_id=world.cadre.county_id, township_id=world.cadre.township_id, date=d, status="absent") for d in days])
    client.force_login(world.users[Role.VILLAGE_SECRETARY])
    assert client.post("/attendance/absences/check/").status_code == 403
    client.force_login(world.users[Role.TOWNSHIP_PARTY])
    r = client.post("/attendance/absences/check/", follow=True)
    assert "新立案 1 件" in r.content.decode()
    assert DisciplineCase.objects.filter(cadre=world.cadre, category="absence").count() == 1
    # the township's home page shows the case
    assert "旷工超过规定天数" in client.get("/").content.decode()


def test_an_overdue_cadre_is_offered_an_extension(world, client):
    leave = services.leave_submit(cadre=world.cadre, by=None, start_date=D(2026, 3, 4), end_date=D(2026, 3, 6),
                                  reason="探亲")
    services.leave_approve(leave=leave, by=None)
    client.force_login(world.users[Role.CADRE])
    page = client.get(f"/attendance/leave/{leave.pk}/").content.decode()
    assert "申请续假" in page and "start_date=2026-03-09" in page
    assert "已逾期" in page
    form = client.get("/attendance/leave/new/", {"start_date": "2026-03-09"}).content.decode()
    assert 'value="2026-03-09"' in form


def test_absence_and_incapacity_lists_do_not_grow_in_queries(world, client, api, django_assert_max_num_queries):
    org = world.users[Role.COUNTY_ORG]
    client.force_login(org)

    def add(n):
        for _ in range(n):
            c = CadreFactory(village=world.village2)
            services.absence_create(cadre=c, start_date=D(2026, 3, 2), end_date=D(2026, 3, 3), by=None)
            services.incapacity_report_save(cadre=c, discovered_on=D(2026, 3, 2), description="x", by=None)

    add(2)
    with django_assert_max_num_queries(40) as a:
        api(org).get("/api/v1/absences/")
    with django_assert_max_num_queries(40) as b:
        client.get("/attendance/absences/")
    with django_assert_max_num_queries(40) as c:
        client.get("/attendance/incapacity/")
    add(15)
    with django_assert_max_num_queries(len(a.captured_queries)):
        assert api(org).get("/api/v1/absences/").json()["count"] == 17
    with django_assert_max_num_queries(len(b.captured_queries)):
        client.get("/attendance/absences/")
    with django_assert_max_num_queries(len(c.captured_queries)):
        client.get("/attendance/incapacity/")


def test_absence_summary_shows_who_is_close_to_the_thresholds(world, client):
    from django.utils import timezone

    from core import calendar

    today = timezone.localdate()
    days = calendar.working_days(today - dt.timedelta(days=60), today)[-12:]
    AttendanceDay.objects.bulk_create([AttendanceDay(cadre=world.cadre, county_id=world.cadre.county_id, township_id=world.cadre.township_id, date=d, status="absent") for d in days])
    client.force_login(world.users[Role.TOWNSHIP_PARTY])
    page = client.get("/attendance/absences/").content.decode()
    assert 'data-summary="张三"' in page
    assert "12 / 30" in page and "12 / 15" in page and "接近规定天数" in page
    client.force_login(world.users["township_party_b"])
    assert 'data-summary="张三"' not in client.get("/attendance/absences/").content.decode()


def test_a_cadre_reads_their_own_month(world, client):
    AttendanceDay.objects.create(cadre=world.cadre, date=D(2026, 3, 2), status="present")
    AttendanceDay.objects.create(cadre=world.cadre, date=D(2026, 3, 3), status="absent")
    client.force_login(world.users[Role.CADRE])
    page = client.get("/attendance/grid/", {"month": "2026-03"}).content.decode()
    assert "出勤 1 · 公出 0 · 请假 0 · 旷工 1" in page
    assert 'id="pen"' not in page and "hx-post" not in page  # read-only
    assert "李四" not in page
