"""R-27 official trips (因公外出): recorded by the village or the township for a cadre in their scope; the days
count as official business (公 on the grid); a trip not closed by its end turns the following working days into
overstay (逾) exactly as a leave does (R-23), counted by the R-25 job, until the recording side confirms the
return the cadre reported."""

import datetime as dt
import io
import json
import re

import pytest
from openpyxl import load_workbook

from attendance import services
from attendance.models import LeaveRequest, OfficialTrip
from attendance.selectors import absence_summary, trip_overstay
from attendance.services import run_daily_checks
from attendance.tasks import check_absence_thresholds
from cadres.models import Cadre, DisciplineCase
from core.roles import Role
from tests.attendance.conftest import titles, today_is, workdays_from

D = dt.date
URL = "/api/v1/official-trips/"
pytestmark = pytest.mark.django_db

#: the trip: Mon 2026-03-02 to Wed 2026-03-04 (three working days)
START, END = D(2026, 3, 2), D(2026, 3, 4)
#: the working days after it: AFTER[0] = Thu 2026-03-05
AFTER = workdays_from(D(2026, 3, 5), 30)


def record(world, *, by=Role.TOWNSHIP_PARTY, start=START, end=END, cadre=None, purpose="参加县委党校集中轮训"):
    return services.trip_record(cadre=cadre or world.cadre, by=world.users[by], purpose=purpose,
                                start_date=start, end_date=end)


def cell(html, day):
    """The grid cell of ``day``: (kind class, letter)."""
    m = re.search(r'class="att-cell k-(\w*)[^"]*"[^>]*data-date="%s".*?<span class="l">([^<]*)</span>'
                  % day.isoformat(), html, re.S)
    assert m, day
    return m.group(1), m.group(2)


# -- recording and scope ---------------------------------------------------------------------------

def test_r27_the_township_records_a_trip_and_the_grid_shows_official_business(world, client):
    with today_is(END):
        trip = record(world)
    assert trip.status == "open" and trip.recorded_by == world.users[Role.TOWNSHIP_PARTY]
    assert [h.history_user for h in trip.history.all()] == [world.users[Role.TOWNSHIP_PARTY]]
    # the cadre is told
    assert titles(world.users[Role.CADRE], "trip_recorded") == ["已为您登记因公外出：2026-03-02 至 2026-03-04"]
    client.force_login(world.users[Role.VILLAGE_SECRETARY])
    with today_is(END):
        grid = client.get("/attendance/grid/", {"month": "2026-03"}).content.decode()
    assert [cell(grid, d) for d in (START, D(2026, 3, 3), END)] == [("official", "公")] * 3
    assert "出勤 0 · 公出 3 · 请假 0 · 旷工 0" in grid


def test_r27_the_secretary_and_the_liaison_record_in_their_village_only(world, api):
    body = {"cadre": world.cadre.pk, "purpose": "到县农业农村局报送项目材料", "start_date": "2026-03-02",
            "end_date": "2026-03-03"}
    with today_is(END):
        r = api(world.users[Role.VILLAGE_SECRETARY]).post(URL, body, format="json")
        assert r.status_code == 201, r.json()
        assert {k: r.json()[k] for k in ("cadre", "purpose", "start_date", "end_date", "status", "returned_on")} == {
            **body, "status": "open", "returned_on": None}
        # another township's party committee: the cadre is not theirs (nothing written)
        r = api(world.users["township_party_b"]).post(URL, {**body, "start_date": "2026-03-04", "end_date": "2026-03-04"},
                                                      format="json")
        assert r.status_code == 400 and "不在您的管辖范围" in r.json()["cadre"][0]
        # the cadre does not record their own trip
        r = api(world.users[Role.CADRE]).post(URL, {**body, "start_date": "2026-03-04", "end_date": "2026-03-04"},
                                              format="json")
        assert r.status_code == 403
        # the county finance reads nothing and writes nothing
        r = api(world.users[Role.COUNTY_FINANCE]).post(URL, {**body, "start_date": "2026-03-04",
                                                             "end_date": "2026-03-04"}, format="json")
        assert r.status_code in (400, 403)
    assert OfficialTrip.objects.count() == 1


def test_r27_nobody_sees_or_acts_on_a_trip_outside_their_scope(world, api, client):
    with today_is(END):
        trip = record(world)
    for who in ("township_party_b", "village_secretary_b", "stranger"):
        user = world.users[who]
        assert api(user).get(f"{URL}{trip.pk}/").status_code == 404, who
        assert api(user).post(f"{URL}{trip.pk}/return/", {"returned_on": "2026-03-05"},
                              format="json").status_code == 404, who
        assert trip.pk not in [t["id"] for t in api(user).get(URL).json().get("results", [])]
        client.force_login(user)
        assert client.get(f"/attendance/trips/{trip.pk}/").status_code == 404, who
        assert client.post(f"/attendance/trips/{trip.pk}/return/confirm/",
                           {"returned_on": "2026-03-05"}).status_code == 404, who
    # the cadre sees their own trip; the county sees it
    assert [t["id"] for t in api(world.users[Role.CADRE]).get(URL).json()["results"]] == [trip.pk]
    assert [t["id"] for t in api(world.users[Role.COUNTY_ORG]).get(URL).json()["results"]] == [trip.pk]
    assert OfficialTrip.objects.get(pk=trip.pk).status == "open"


# -- validation ------------------------------------------------------------------------------------------

def test_r27_bad_input_is_refused_in_chinese_and_changes_nothing(world, api):
    client = api(world.users[Role.VILLAGE_SECRETARY])
    ok = {"cadre": world.cadre.pk, "purpose": "培训", "start_date": "2026-03-02", "end_date": "2026-03-04"}
    with today_is(END):
        r = client.post(URL, {**ok, "end_date": "2026-03-01"}, format="json")
        assert r.status_code == 400 and "结束日期不能早于开始日期" in json.dumps(r.json(), ensure_ascii=False)
        r = client.post(URL, {**ok, "purpose": "  "}, format="json")
        assert r.status_code == 400 and "purpose" in r.json()
        assert client.post(URL, ok, format="json").status_code == 201
        # overlapping another trip of the cadre
        r = client.post(URL, {**ok, "start_date": "2026-03-04", "end_date": "2026-03-06"}, format="json")
        assert r.status_code == 400 and "与已登记的因公外出" in r.json()["start_date"][0]
        # overlapping an approved leave
        leave = services.leave_submit(cadre=world.cadre, by=world.users[Role.CADRE], start_date=D(2026, 3, 9),
                                      end_date=D(2026, 3, 9), reason="看病")
        services.leave_approve(leave=leave, by=world.users[Role.VILLAGE_SECRETARY])
        r = client.post(URL, {**ok, "start_date": "2026-03-06", "end_date": "2026-03-10"}, format="json")
        assert r.status_code == 400 and "已批准的请假" in r.json()["start_date"][0]
        # and the other way round: a leave over a trip's days is refused
        with pytest.raises(Exception, match="已登记因公外出"):
            services.leave_submit(cadre=world.cadre, by=world.users[Role.CADRE], start_date=D(2026, 3, 3),
                                  end_date=D(2026, 3, 3), reason="私事")
        # a cadre who is no longer serving
        Cadre.objects.filter(pk=world.cadre.pk).update(status=Cadre.Status.RESIGNED)
        r = client.post(URL, {**ok, "start_date": "2026-03-20", "end_date": "2026-03-20"}, format="json")
        assert r.status_code == 400 and "不能登记因公外出" in r.json()["cadre"][0]
    assert OfficialTrip.objects.count() == 1
    assert LeaveRequest.objects.count() == 1


def test_r27_the_form_shows_errors_field_by_field(world, client):
    client.force_login(world.users[Role.TOWNSHIP_LIAISON])
    with today_is(END):
        page = client.get("/attendance/trips/new/").content.decode()
        assert "登记因公外出" in page and "张三" in page
        r = client.post("/attendance/trips/new/", {"cadre": world.cadre.pk, "purpose": "培训",
                                                   "start_date": "2026-03-04", "end_date": "2026-03-02"})
        assert r.status_code == 200 and "结束日期不能早于开始日期" in r.content.decode()
        assert not OfficialTrip.objects.exists()
        r = client.post("/attendance/trips/new/", {"cadre": world.cadre.pk, "purpose": "培训",
                                                   "start_date": "2026-03-02", "end_date": "2026-03-04"})
    trip = OfficialTrip.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/attendance/trips/{trip.pk}/"
    # the village 2 secretary has no cadre to record for (another village), the finance bureau no page
    client.force_login(world.users[Role.COUNTY_FINANCE])
    assert client.get("/attendance/trips/new/").status_code == 403
    assert client.get("/attendance/trips/").status_code == 403


# -- overstay after the end: 逾, counted by the job ------------------------------------------------------

def test_r27_an_unclosed_trip_turns_the_following_days_into_overstay_everywhere(world, client):
    trip = record(world)
    client.force_login(world.users[Role.VILLAGE_SECRETARY])
    with today_is(AFTER[3]):
        grid = client.get("/attendance/grid/", {"month": "2026-03"}).content.decode()
        page = client.get(f"/attendance/trips/{trip.pk}/").content.decode()
        listing = client.get("/attendance/trips/").content.decode()
    assert cell(grid, END) == ("official", "公")
    assert [cell(grid, d) for d in AFTER[:4]] == [("overstay", "逾")] * 4
    assert "出勤 0 · 公出 3 · 请假 0 · 旷工 4" in grid
    assert "尚未确认返岗，已逾期 4 个工作日" in page
    assert "逾期未返岗" in listing
    (row,) = [r for r in absence_summary(user=world.users[Role.TOWNSHIP_PARTY], as_of=AFTER[3])
              if r["cadre"] == world.cadre]
    assert row["current_run"] == 4 and row["year_days"] == 4


def test_r27_the_job_opens_a_case_past_the_threshold_like_a_leave(world):
    record(world)
    with today_is(AFTER[14]):  # 15 working days of overstay: not over the limit of 15
        assert check_absence_thresholds(as_of=AFTER[14]) == 0
    with today_is(AFTER[15]):  # 16: over it
        assert run_daily_checks(as_of=AFTER[15]) == 1
        assert check_absence_thresholds(as_of=AFTER[15]) == 0  # a rerun opens nothing new
    (case,) = DisciplineCase.objects.filter(cadre=world.cadre, category="absence")
    assert "16个工作日" in case.details
    assert titles(world.users[Role.TOWNSHIP_PARTY], "absence_case")


def test_r27_the_recorder_is_told_once_when_the_trip_is_overdue(world):
    record(world)
    with today_is(END):
        run_daily_checks(as_of=END)
    assert titles(world.users[Role.TOWNSHIP_PARTY], "trip_overdue") == []
    with today_is(AFTER[0]):
        run_daily_checks(as_of=AFTER[0])
        run_daily_checks(as_of=AFTER[0])
    assert titles(world.users[Role.TOWNSHIP_PARTY], "trip_overdue") == [
        "张三的因公外出已于2026-03-04到期，尚未确认返岗（逾期不归）"]
    assert len(titles(world.users[Role.CADRE], "trip_overdue")) == 1
    assert titles(world.users["township_party_b"], "trip_overdue") == []


# -- the return: reported by the cadre, confirmed by the recording side -----------------------------------

def test_r27_a_report_keeps_overstay_until_the_secretary_confirms(world, api, client):
    trip = record(world)
    with today_is(AFTER[3]):
        r = api(world.users[Role.CADRE]).post(f"{URL}{trip.pk}/return/", {"returned_on": AFTER[2].isoformat()},
                                              format="json")
        assert r.status_code == 200, r.json()
        assert r.json()["status"] == "open" and r.json()["returned_on"] is None and r.json()["return_pending"]
        # the recording side is told
        assert titles(world.users[Role.TOWNSHIP_PARTY], "trip_return_reported") == [
            f"张三报告已于{AFTER[2]}结束外出返岗，请确认"]
        assert titles(world.users[Role.VILLAGE_SECRETARY], "trip_return_reported")
        # reported is not back: the grid still says 逾 for every day
        client.force_login(world.users[Role.VILLAGE_SECRETARY])
        grid = client.get("/attendance/grid/", {"month": "2026-03"}).content.decode()
        assert [cell(grid, d)[1] for d in AFTER[:4]] == ["逾"] * 4
        page = client.get(f"/attendance/trips/{trip.pk}/").content.decode()
        assert "返岗已报告，待确认" in page and 'id="confirm-return-form"' in page
        assert 'id="report-return-form"' not in page
        # the cadre cannot confirm: their second call is a report again, still open
        r = api(world.users[Role.CADRE]).post(f"{URL}{trip.pk}/return/", {"returned_on": AFTER[2].isoformat()},
                                              format="json")
        assert r.json()["status"] == "open"
        # the secretary confirms the reported date through the API (no body: the reported date)
        r = api(world.users[Role.VILLAGE_SECRETARY]).post(f"{URL}{trip.pk}/return/", {}, format="json")
        assert r.status_code == 200 and r.json()["status"] == "returned"
        assert r.json()["returned_on"] == AFTER[2].isoformat()
        grid = client.get("/attendance/grid/", {"month": "2026-03"}).content.decode()
        page = client.get(f"/attendance/trips/{trip.pk}/").content.decode()
    # the days before the return stay overstay, the days from it are not
    assert [cell(grid, d)[1] for d in AFTER[:4]] == ["逾", "逾", "", ""]
    assert "逾期 2 个工作日后返岗" in page
    assert trip_overstay(OfficialTrip.objects.get(pk=trip.pk), as_of=AFTER[10]) == AFTER[:2]
    assert titles(world.users[Role.CADRE], "trip_returned") == [f"张三的因公外出已结束：{AFTER[2]}返岗"]
    # a closed trip takes no more returns
    with today_is(AFTER[4]):
        r = api(world.users[Role.VILLAGE_SECRETARY]).post(f"{URL}{trip.pk}/return/",
                                                          {"returned_on": AFTER[3].isoformat()}, format="json")
    assert r.status_code == 409
    assert [h.history_user for h in OfficialTrip.objects.get(pk=trip.pk).history.order_by("history_date")] == [
        world.users[Role.TOWNSHIP_PARTY], world.users[Role.CADRE], world.users[Role.CADRE],
        world.users[Role.VILLAGE_SECRETARY]]


def test_r27_a_late_report_needs_a_reason_and_a_correction_needs_a_note(world, client):
    trip = record(world)
    client.force_login(world.users[Role.CADRE])
    with today_is(AFTER[4]):  # back on AFTER[0], reported four working days later: late
        r = client.post(f"/attendance/trips/{trip.pk}/return/", {"returned_on": AFTER[0].isoformat()}, follow=True)
        assert "属于补报，请写明为何没有及时报告" in r.content.decode()
        assert OfficialTrip.objects.get(pk=trip.pk).return_reported_on is None
        r = client.post(f"/attendance/trips/{trip.pk}/return/", {"returned_on": AFTER[0].isoformat(),
                                                                 "reason": "在外地手机没信号"}, follow=True)
        assert "已报告返岗" in r.content.decode() and "补报返岗，待确认" in r.content.decode()
        assert client.post(f"/attendance/trips/{trip.pk}/return/confirm/",
                           {"returned_on": AFTER[0].isoformat()}).status_code == 403
        client.force_login(world.users[Role.VILLAGE_SECRETARY])
        r = client.post(f"/attendance/trips/{trip.pk}/return/confirm/", {"returned_on": AFTER[2].isoformat()},
                        follow=True)
        assert "请写明更正的依据" in r.content.decode()
        assert OfficialTrip.objects.get(pk=trip.pk).status == "open"
        r = client.post(f"/attendance/trips/{trip.pk}/return/confirm/",
                        {"returned_on": AFTER[2].isoformat(), "note": "走访核实周一才回村"}, follow=True)
    assert "已确认返岗" in r.content.decode()
    trip.refresh_from_db()
    assert (trip.status, trip.returned_on, trip.return_reported_on) == ("returned", AFTER[2], AFTER[0])
    assert trip.return_note == "走访核实周一才回村" and trip.confirmed_by == world.users[Role.VILLAGE_SECRETARY]


def test_r27_a_trip_recorded_in_error_is_cancelled_with_a_reason(world, client):
    trip = record(world)
    client.force_login(world.users[Role.VILLAGE_SECRETARY])
    with today_is(AFTER[3]):
        r = client.post(f"/attendance/trips/{trip.pk}/cancel/", {"reason": ""}, follow=True)
        assert OfficialTrip.objects.get(pk=trip.pk).status == "open"
        r = client.post(f"/attendance/trips/{trip.pk}/cancel/", {"reason": "培训改期，未外出"}, follow=True)
        assert "已取消这次外出登记" in r.content.decode()
        grid = client.get("/attendance/grid/", {"month": "2026-03"}).content.decode()
    assert cell(grid, START)[1] == "" and cell(grid, AFTER[0])[1] == ""  # neither 公 nor 逾 any more


# -- the list: search, filters, pagination, Excel; junk answered with the page ---------------------------

def test_r27_the_list_searches_filters_and_exports(world, client):
    with today_is(AFTER[3]):
        a = record(world)
        record(world, cadre=world.other_cadre, by="township_party_b", start=D(2026, 4, 1), end=D(2026, 4, 2),
               purpose="市里学习乡村旅游")
    client.force_login(world.users[Role.COUNTY_ORG])
    with today_is(AFTER[3]):
        html = client.get("/attendance/trips/").content.decode()
        assert "张三" in html and "李四" in html and "登记外出" not in html  # the county reads only
        html = client.get("/attendance/trips/", {"q": "旅游"}).content.decode()
        assert "李四" in html and "张三" not in html
        html = client.get("/attendance/trips/", {"month": "2026-03"}).content.decode()
        assert "张三" in html and "李四" not in html
        html = client.get("/attendance/trips/", {"overdue": "true"}).content.decode()
        assert f'data-trip="{a.pk}"' in html and "李四" not in html
        html = client.get("/attendance/trips/", {"status": "returned"}).content.decode()
        assert "没有符合条件的因公外出记录" in html
        r = client.get("/attendance/trips/", {"q": "张三", "export": "xlsx"})
    assert r["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = load_workbook(io.BytesIO(r.content)).active
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=3)]
    assert len(rows) == 1 and rows[0][3] == "张三" and rows[0][8] == "逾期未返岗"
    for junk in ({"month": "2026-13"}, {"month": "x"}, {"page": "999"}, {"status": "nope"}, {"village": "-4e124"},
                 {"overdue": "maybe"}, {"township": "abc"}):
        r = client.get("/attendance/trips/", junk)
        assert r.status_code == 200, junk


def test_r27_the_list_runs_in_constant_queries(world, client, django_assert_max_num_queries):
    for i in range(6):
        record(world, start=D(2026, 1, 5) + dt.timedelta(days=7 * i), end=D(2026, 1, 6) + dt.timedelta(days=7 * i))
    client.force_login(world.users[Role.TOWNSHIP_PARTY])
    with django_assert_max_num_queries(25):
        r = client.get("/attendance/trips/")
    assert r.content.decode().count("data-trip=") == 6


def test_r27_the_nav_link_only_for_who_may_open_it(world, client):
    for who, sees in ((Role.VILLAGE_SECRETARY, True), (Role.TOWNSHIP_PARTY, True), (Role.COUNTY_ORG, True),
                      (Role.CADRE, True), (Role.COUNTY_FINANCE, False)):
        client.force_login(world.users[who])
        home = client.get("/").content.decode()
        assert ('href="/attendance/trips/"' in home) is sees, who
        assert (client.get("/attendance/trips/").status_code == 200) is sees, who


def test_r27_the_api_is_in_the_openapi_schema(world, client):
    client.force_login(world.users[Role.COUNTY_ORG])
    r = client.get("/api/schema/", {"format": "json"}, HTTP_ACCEPT="application/vnd.oai.openapi+json")
    schema = json.loads(r.content)
    assert {"get", "post"} <= set(schema["paths"]["/api/v1/official-trips/"])
    assert "post" in schema["paths"]["/api/v1/official-trips/{id}/return/"]
    props = schema["components"]["schemas"]["OfficialTrip"]["properties"]
    assert {"id", "cadre", "purpose", "start_date", "end_date", "status", "returned_on"} <= set(props)
    assert props["returned_on"].get("readOnly") and props["status"].get("readOnly")


def test_r27_marking_an_overstay_day_present_asks_to_confirm_the_return_first(world, client):
    from attendance.models import AttendanceDay

    trip = record(world)
    client.force_login(world.users[Role.VILLAGE_SECRETARY])
    body = {"village": world.village.pk, "status": "present", "target": f"{world.cadre.pk}:{AFTER[1].isoformat()}"}
    with today_is(AFTER[2]):
        r = client.post("/attendance/grid/mark/", body, HTTP_HX_REQUEST="true")
        assert "尚未确认返岗" in r.content.decode() and cell(r.content.decode(), AFTER[1])[1] == "逾"
        assert not AttendanceDay.objects.exists()  # nothing marked
        services.trip_confirm_return(trip=trip, by=world.users[Role.VILLAGE_SECRETARY], returned_on=AFTER[1])
        r = client.post("/attendance/grid/mark/", body, HTTP_HX_REQUEST="true")
    assert cell(r.content.decode(), AFTER[1]) == ("present", "勤")
    assert cell(r.content.decode(), AFTER[0])[1] == "逾"
