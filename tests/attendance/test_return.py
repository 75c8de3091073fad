"""R-23 return (销假) over a real year (issue 12 items 1 and 2): the cadre's or the secretary's report, the
approving side's confirmation or correction, the late report (补报), and one story for a day across the
grid, the leave page, the absence page and the R-25 job."""

import datetime as dt
import re

import pytest

from attendance import policies, services
from attendance.models import AttendanceDay, LeaveRequest
from attendance.selectors import absence_summary, leave_overdue
from attendance.services.jobs import notify_overdue_returns
from attendance.tasks import check_absence_thresholds
from cadres.models import DisciplineCase
from core.models import Notification
from core.roles import Role
from tests.attendance.conftest import titles, today_is, workdays_from

D = dt.date
URL = "/api/v1/leave-requests/"
pytestmark = pytest.mark.django_db

#: the leave: Mon 2026-03-02 to Wed 2026-03-04, three working days (the township liaison decides, R-22)
START, END = D(2026, 3, 2), D(2026, 3, 4)
#: the working days after it: AFTER[0] = Thu 2026-03-05
AFTER = workdays_from(D(2026, 3, 5), 30)


def approved_leave(world, *, start=START, end=END):
    leave = services.leave_submit(cadre=world.cadre, by=world.users[Role.CADRE], start_date=start, end_date=end,
                                  reason="回老家探亲")
    approver = world.users[Role.TOWNSHIP_LIAISON if leave.approver_role == Role.TOWNSHIP_LIAISON
                           else Role.VILLAGE_SECRETARY]
    return services.leave_approve(leave=leave, by=approver)


def cell(html, day):
    """The grid cell of ``day``: (kind class, letter)."""
    m = re.search(r'class="att-cell k-(\w+)[^"]*"[^>]*data-date="%s".*?<span class="l">([^<]*)</span>'
                  % day.isoformat(), html, re.S)
    assert m, day
    return m.group(1), m.group(2)


# -- item 1: the report and the confirmation ---------------------------------------------------

def test_a_reported_return_awaiting_confirmation_is_not_told_overdue(world):
    leave = approved_leave(world)
    with today_is(AFTER[0]):
        services.leave_return(leave=leave, by=world.users[Role.CADRE], returned_on=AFTER[0])
    assert notify_overdue_returns(as_of=AFTER[3]) == 0
    assert not Notification.objects.filter(kind="leave_overdue").exists()
    assert titles(world.users[Role.TOWNSHIP_LIAISON], "leave_return_reported")  # the liaison is asked to confirm
    # a leave nobody reported is still flagged, once
    other = approved_leave(world, start=D(2026, 4, 7), end=D(2026, 4, 8))
    assert notify_overdue_returns(as_of=D(2026, 4, 14)) == 1
    assert notify_overdue_returns(as_of=D(2026, 4, 15)) == 0
    assert Notification.objects.filter(kind="leave_overdue", key=f"leave-overdue:{other.pk}").exists()


def test_a_cadres_report_keeps_the_leave_open_until_the_liaison_confirms(world, api):
    leave = approved_leave(world)
    with today_is(AFTER[0]):
        r = api(world.users[Role.CADRE]).post(f"{URL}{leave.pk}/return/", {"returned_on": AFTER[0].isoformat()},
                                              format="json")
        assert r.status_code == 200, r.json()
        body = r.json()
        assert body["status"] == "approved" and body["returned_on"] is None
        assert body["return_reported_on"] == AFTER[0].isoformat() and body["return_pending"] is True
        # the cadre cannot confirm their own return
        r = api(world.users[Role.CADRE]).post(f"{URL}{leave.pk}/confirm-return/", {}, format="json")
        assert r.status_code == 403
        # the liaison (who decided it) confirms the reported date
        r = api(world.users[Role.TOWNSHIP_LIAISON]).post(f"{URL}{leave.pk}/confirm-return/", {}, format="json")
    assert r.status_code == 200, r.json()
    body = r.json()
    assert body["status"] == "returned" and body["returned_on"] == AFTER[0].isoformat()
    assert body["return_confirmed_by"] == world.users[Role.TOWNSHIP_LIAISON].pk
    # a second return on a closed leave is a conflict
    with today_is(AFTER[1]):
        r = api(world.users[Role.CADRE]).post(f"{URL}{leave.pk}/return/", {"returned_on": AFTER[1].isoformat()},
                                              format="json")
    assert r.status_code == 409
    # history keeps every step: asked, approved, reported, confirmed
    assert [h.history_user for h in leave.history.order_by("history_date")] == [
        world.users[Role.CADRE], world.users[Role.TOWNSHIP_LIAISON], world.users[Role.CADRE],
        world.users[Role.TOWNSHIP_LIAISON]]


def test_the_secretary_reports_for_a_long_leave_but_records_a_short_one(world, api):
    long_leave = approved_leave(world)
    secretary = api(world.users[Role.VILLAGE_SECRETARY])
    with today_is(AFTER[0]):
        r = secretary.post(f"{URL}{long_leave.pk}/return/", {"returned_on": AFTER[0].isoformat()}, format="json")
        assert r.status_code == 200 and r.json()["status"] == "approved"  # a report: the liaison decided
        assert r.json()["return_reported_by"] == world.users[Role.VILLAGE_SECRETARY].pk
        short = approved_leave(world, start=AFTER[2], end=AFTER[2])  # one day: the secretary decided it
    assert short.approver_role == Role.VILLAGE_SECRETARY
    with today_is(AFTER[3]):
        r = secretary.post(f"{URL}{short.pk}/return/", {"returned_on": AFTER[3].isoformat()}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "returned"


def test_the_township_confirms_and_other_townships_see_nothing(world, api):
    leave = approved_leave(world)
    with today_is(AFTER[0]):
        services.leave_return(leave=leave, by=world.users[Role.CADRE], returned_on=AFTER[0])
        r = api(world.users["township_party_b"]).post(f"{URL}{leave.pk}/confirm-return/", {}, format="json")
        assert r.status_code == 404
        r = api(world.users[Role.COUNTY_FINANCE]).post(f"{URL}{leave.pk}/confirm-return/", {}, format="json")
        assert r.status_code == 403
        r = api(world.users[Role.TOWNSHIP_PARTY]).post(f"{URL}{leave.pk}/confirm-return/", {}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "returned"


def test_the_approving_side_corrects_a_report_with_a_note(world, api):
    leave = approved_leave(world)
    liaison = api(world.users[Role.TOWNSHIP_LIAISON])
    with today_is(AFTER[2]):
        services.leave_return(leave=leave, by=world.users[Role.CADRE], returned_on=AFTER[0])
        r = liaison.post(f"{URL}{leave.pk}/confirm-return/", {"returned_on": AFTER[2].isoformat()}, format="json")
        assert r.status_code == 400 and "更正的依据" in r.json()["note"][0]
        assert LeaveRequest.objects.get(pk=leave.pk).status == "approved"  # nothing changed
        r = liaison.post(f"{URL}{leave.pk}/confirm-return/",
                         {"returned_on": AFTER[2].isoformat(), "note": "考勤记录显示周一才到岗"}, format="json")
    assert r.status_code == 200
    body = r.json()
    assert body["returned_on"] == AFTER[2].isoformat() and body["return_reported_on"] == AFTER[0].isoformat()
    assert body["return_note"] == "考勤记录显示周一才到岗"
    # 记录备案: the village's register keeps the report and the correction
    from attendance.exports import register_rows

    (row,) = register_rows(user=world.users[Role.VILLAGE_SECRETARY], village=world.village, year=2026, month=3)
    assert row[-2] == AFTER[2]  # a date cell (issue 17)
    assert row[-1] == f"报告{AFTER[0]}回岗，确认更正为{AFTER[2]}：考勤记录显示周一才到岗"
    # the corrected date is what counts: two working days of overstay
    with today_is(AFTER[5]):
        from attendance.selectors import leave_overstay

        assert leave_overstay(LeaveRequest.objects.get(pk=leave.pk), as_of=AFTER[5])["days"] == AFTER[:2]


def test_a_late_report_needs_a_reason_and_shows_as_such_to_the_confirmer(world, api, client):
    leave = approved_leave(world)
    assert policies.RETURN_REPORT_LATE_DAYS == 3
    cadre = api(world.users[Role.CADRE])
    with today_is(AFTER[3]):  # three working days behind: not late yet
        r = cadre.post(f"{URL}{leave.pk}/return/", {"returned_on": AFTER[0].isoformat()}, format="json")
        assert r.status_code == 200
    with today_is(AFTER[4]):  # four: late, and without a reason it is refused and changes nothing
        r = cadre.post(f"{URL}{leave.pk}/return/", {"returned_on": AFTER[0].isoformat()}, format="json")
        assert r.status_code == 400
        assert "补报" in r.json()["reason"][0] and "4 个工作日" in r.json()["reason"][0]
        r = cadre.post(f"{URL}{leave.pk}/return/", {"returned_on": AFTER[0].isoformat(), "reason": "手机没电"},
                       format="json")
        assert r.status_code == 200 and r.json()["return_report_reason"] == "手机没电"
        client.force_login(world.users[Role.TOWNSHIP_LIAISON])
        page = client.get(f"/attendance/leave/{leave.pk}/").content.decode()
    assert "补报销假，待确认" in page and "手机没电" in page and "比报告当天早 4 个工作日" in page
    assert 'id="confirm-return-form"' in page and 'id="report-return-form"' not in page
    assert "已逾期 5 个工作日" in page  # overstay keeps counting until confirmed
    late = [t for t in titles(world.users[Role.TOWNSHIP_LIAISON], "leave_return_reported") if "补报销假" in t]
    assert late and "晚4个工作日" in late[0]


def test_a_backdated_self_report_does_not_erase_overstay(world, api):
    """The case of the issue: back 17 working days late, reported as back the day after the leave ended."""
    leave = approved_leave(world)
    back = AFTER[17]  # AFTER[0..16]: 17 working days away
    with today_is(back):
        r = api(world.users[Role.CADRE]).post(
            f"{URL}{leave.pk}/return/", {"returned_on": AFTER[0].isoformat(), "reason": "按时回来了，忘记销假"},
            format="json")
        assert r.status_code == 200 and r.json()["status"] == "approved"
        # the job still opens the case
        assert check_absence_thresholds(as_of=back) == 1
    (case,) = DisciplineCase.objects.filter(cadre=world.cadre, category="absence")
    assert "逾期不归" in case.details
    # the township sees the days on the absence page's summary, like the job
    (row,) = [r for r in absence_summary(user=world.users[Role.TOWNSHIP_PARTY], as_of=back)
              if r["cadre"] == world.cadre]
    assert row["current_run"] == 18 and row["over"]
    # the liaison corrects the date to the real one: 17 days of overstay stay on the record
    with today_is(back):
        services.leave_return_confirm(leave=leave, by=world.users[Role.TOWNSHIP_LIAISON], returned_on=back,
                                      note="村书记核实：当天才回村")
        assert check_absence_thresholds(as_of=back) == 0  # no second case
    (row,) = [r for r in absence_summary(user=world.users[Role.TOWNSHIP_PARTY], as_of=back)
              if r["cadre"] == world.cadre]
    assert row["year_days"] == 17


def test_everyone_involved_is_told(world, client):
    leave = approved_leave(world)
    cadre, secretary, liaison = (world.users[r] for r in (Role.CADRE, Role.VILLAGE_SECRETARY, Role.TOWNSHIP_LIAISON))
    with today_is(AFTER[1]):
        services.leave_return(leave=leave, by=secretary, returned_on=AFTER[1])
    (t,) = titles(liaison, "leave_return_reported")
    assert "张三报告已于2026-03-06回岗，请确认销假" == t
    # the list and the liaison's home page say the return waits for confirmation
    client.force_login(liaison)
    with today_is(AFTER[1]):
        assert "2026-03-06（待确认）" in client.get("/attendance/leave/").content.decode()
        assert "已报告2026-03-06回岗，待确认" in client.get("/").content.decode()
    (t,) = titles(cadre, "leave_return_reported")
    assert "等待审批方确认" in t
    assert titles(secretary, "leave_return_reported") == []  # the reporter is not told what they did
    assert titles(world.users["township_party_b"], "leave_return_reported") == []
    with today_is(AFTER[1]):
        services.leave_return_confirm(leave=leave, by=liaison)
    for who in (cadre, secretary):
        assert titles(who, "leave_returned") == ["张三的销假已确认：2026-03-06回岗"], who
    assert titles(liaison, "leave_returned") == []


# -- item 2: one story for a day --------------------------------------------------------------------

def test_the_grid_shows_overstay_on_days_marked_present_and_agrees_with_the_leave_page(world, client):
    leave = approved_leave(world)
    # the secretary had marked the days after the leave present (the issue: the grid said 勤)
    AttendanceDay.objects.bulk_create([AttendanceDay(cadre=world.cadre, county_id=world.cadre.county_id, township_id=world.cadre.township_id, date=d, status="present") for d in AFTER[:4]])
    client.force_login(world.users[Role.VILLAGE_SECRETARY])
    with today_is(AFTER[3]):
        grid = client.get("/attendance/grid/", {"month": "2026-03"}).content.decode()
        page = client.get(f"/attendance/leave/{leave.pk}/").content.decode()
    assert cell(grid, AFTER[0]) == ("overstay", "逾")
    assert cell(grid, AFTER[3]) == ("overstay", "逾")
    assert cell(grid, END) == ("leave", "假")
    assert "出勤 0 · 公出 0 · 请假 3 · 旷工 4" in grid
    assert "已逾期 4 个工作日" in page
    # confirmed return on AFTER[2]: the days before stay overstay, the days from it are at work — everywhere
    with today_is(AFTER[3]):
        services.leave_return(leave=leave, by=world.users[Role.TOWNSHIP_LIAISON], returned_on=AFTER[2])
        grid = client.get("/attendance/grid/", {"month": "2026-03"}).content.decode()
        page = client.get(f"/attendance/leave/{leave.pk}/").content.decode()
    assert [cell(grid, d)[1] for d in AFTER[:4]] == ["逾", "逾", "勤", "勤"]
    assert "出勤 2 · 公出 0 · 请假 3 · 旷工 2" in grid
    assert "逾期 2 个工作日后销假" in page


def test_marking_an_overstay_day_present_asks_whether_the_cadre_is_back(world, client):
    leave = approved_leave(world)
    client.force_login(world.users[Role.VILLAGE_SECRETARY])
    week = ",".join(d.isoformat() for d in AFTER[:5])
    body = {"village": world.village.pk, "status": "present", "target": f"{world.cadre.pk}:{week}"}
    with today_is(AFTER[6]):
        r = client.post("/attendance/grid/mark/", body, HTTP_HX_REQUEST="true")
        html = r.content.decode()
        assert r.status_code == 200 and "是否已回岗" in html and "已回岗：报告销假并标记" in html
        assert not AttendanceDay.objects.exists()  # asked, nothing marked yet
        # "not back": nothing is marked, the question goes away
        r = client.post("/attendance/grid/mark/", {"village": world.village.pk, "status": "present",
                                                   "cancel_return": f"{world.cadre.pk}:{week}"},
                        HTTP_HX_REQUEST="true")
        assert "是否已回岗" not in r.content.decode() and not AttendanceDay.objects.exists()
        # a date far behind today without a reason: asked again with the error, nothing written
        back = {"village": world.village.pk, "status": "present", "return_target": f"{world.cadre.pk}:{week}"}
        r = client.post("/attendance/grid/mark/", {**back, "returned_on": AFTER[0].isoformat()},
                        HTTP_HX_REQUEST="true")
        assert "属于补报销假" in r.content.decode() and "是否已回岗" in r.content.decode()
        assert not AttendanceDay.objects.exists()
        assert LeaveRequest.objects.get(pk=leave.pk).return_reported_on is None
        # back since AFTER[3]: the return is reported (the liaison decided this leave) and those days marked
        r = client.post("/attendance/grid/mark/", {**back, "returned_on": AFTER[3].isoformat()},
                        HTTP_HX_REQUEST="true")
        html = r.content.decode()
    leave.refresh_from_db()
    assert leave.status == "approved" and leave.return_reported_on == AFTER[3]
    assert leave.return_reported_by == world.users[Role.VILLAGE_SECRETARY]
    assert set(AttendanceDay.objects.values_list("date", flat=True)) == {AFTER[3], AFTER[4]}
    assert cell(html, AFTER[3])[1] == "逾"  # reported, not confirmed: still overstay
    assert titles(world.users[Role.TOWNSHIP_LIAISON], "leave_return_reported")
    with today_is(AFTER[6]):
        services.leave_return_confirm(leave=leave, by=world.users[Role.TOWNSHIP_LIAISON])
        html = client.get("/attendance/grid/", {"month": "2026-03"}).content.decode()
        # once returned, marking present asks nothing
        r = client.post("/attendance/grid/mark/", {"village": world.village.pk, "status": "present",
                                                   "target": f"{world.cadre.pk}:{AFTER[5].isoformat()}"},
                        HTTP_HX_REQUEST="true")
    assert [cell(html, d)[1] for d in AFTER[2:5]] == ["逾", "勤", "勤"]
    assert "是否已回岗" not in r.content.decode()
    assert AttendanceDay.objects.filter(date=AFTER[5], status="present").exists()


def test_the_secretary_who_approved_records_the_return_from_the_grid(world, client):
    leave = approved_leave(world, start=END, end=END)  # one day: the secretary's own decision
    client.force_login(world.users[Role.VILLAGE_SECRETARY])
    target = f"{world.cadre.pk}:{AFTER[1].isoformat()}"
    with today_is(AFTER[1]):
        r = client.post("/attendance/grid/mark/", {"village": world.village.pk, "status": "present",
                                                   "target": target})  # without htmx: the whole page asks
        assert r.status_code == 200 and "已回岗：确认销假并标记" in r.content.decode()
        r = client.post("/attendance/grid/mark/", {"village": world.village.pk, "status": "present",
                                                   "return_target": target, "returned_on": AFTER[1].isoformat()})
    assert r.status_code == 302
    leave.refresh_from_db()
    assert leave.status == "returned" and leave.returned_on == AFTER[1]


def test_an_extension_takes_over_from_an_unreturned_leave(world, client):
    leave = approved_leave(world)
    ext = services.leave_submit(cadre=world.cadre, by=world.users[Role.CADRE], start_date=AFTER[0],
                                end_date=AFTER[4], reason="续假")
    services.leave_approve(leave=ext, by=world.users[Role.TOWNSHIP_LIAISON])
    with today_is(AFTER[8]):
        services.leave_return(leave=ext, by=world.users[Role.TOWNSHIP_LIAISON], returned_on=AFTER[5])
        AttendanceDay.objects.bulk_create([AttendanceDay(cadre=world.cadre, county_id=world.cadre.county_id, township_id=world.cadre.township_id, date=d, status="present")
                                           for d in AFTER[5:9]])
        client.force_login(world.users[Role.VILLAGE_SECRETARY])
        grid = client.get("/attendance/grid/", {"month": "2026-03"}).content.decode()
        page = client.get(f"/attendance/leave/{leave.pk}/").content.decode()
        assert not leave_overdue(user=world.users[Role.VILLAGE_SECRETARY], as_of=AFTER[8]).exists()
    assert [cell(grid, d)[1] for d in AFTER[4:9]] == ["假", "勤", "勤", "勤", "勤"]
    assert "已逾期" not in page


def test_the_cadre_reports_on_the_leave_page_and_cannot_confirm(world, client):
    leave = approved_leave(world)
    client.force_login(world.users[Role.CADRE])
    with today_is(AFTER[5]):
        page = client.get(f"/attendance/leave/{leave.pk}/").content.decode()
        assert 'id="report-return-form"' in page and 'id="confirm-return-form"' not in page
        # late without a reason: told what to fix, nothing saved
        r = client.post(f"/attendance/leave/{leave.pk}/return/", {"returned_on": AFTER[0].isoformat()}, follow=True)
        assert "属于补报销假，请写明为何没有及时销假" in r.content.decode()
        assert LeaveRequest.objects.get(pk=leave.pk).return_reported_on is None
        r = client.post(f"/attendance/leave/{leave.pk}/return/", {"returned_on": AFTER[5].isoformat()}, follow=True)
        html = r.content.decode()
        assert "已报告销假，等待审批方确认。" in html and "销假已报告，待确认" in html
        assert client.post(f"/attendance/leave/{leave.pk}/return/confirm/", {"returned_on": AFTER[5].isoformat()}
                           ).status_code == 403
    assert LeaveRequest.objects.get(pk=leave.pk).status == "approved"


def test_a_malformed_grid_target_is_not_found(world, client):
    client.force_login(world.users[Role.VILLAGE_SECRETARY])
    for target in ("x:2026-03-05", "1", f"{world.cadre.pk}:2026-13-40"):
        r = client.post("/attendance/grid/mark/", {"village": world.village.pk, "status": "present",
                                                   "return_target": target})
        assert r.status_code == 404, target
