"""Issue 12 item 7: the county's attendance settings — the R-25 thresholds (15/30) and whether an excused day
breaks a run, the R-26 report days, the R-22 secretary's limit — per county, edited by county_org with history,
read at the time of use."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from attendance import services
from attendance.models import AttendanceDay, AttendanceSetting, IncapacityReport
from attendance.tasks import check_absence_thresholds
from cadres.models import DisciplineCase
from core.models import Notification
from core.roles import Role
from tests.attendance.conftest import workdays_from
from tests.factories import CadreFactory, CountyFactory, TownshipFactory, VillageFactory
from tests.masking import pdf_as_html  # noqa: F401

D = dt.date
URL = "/attendance/settings/"
pytestmark = pytest.mark.django_db

GOOD = {"run_limit": "15", "year_limit": "30", "excused_breaks_run": "on", "incapacity_report_days": "5",
        "secretary_max_days": "1.0"}


def mark(cadre, days, excused=False):
    AttendanceDay.objects.bulk_create([AttendanceDay(cadre=cadre, county_id=cadre.county_id, township_id=cadre.township_id, date=d, status="absent", excused=excused,
                                                     note="病假条" if excused else "") for d in days])


def cases(cadre):
    return list(DisciplineCase.objects.filter(cadre=cadre, category="absence"))


@pytest.fixture
def ten_county(world):
    """A second county that opens a case after more than 10 consecutive days, with one cadre."""
    county = CountyFactory(name="宁化县", code="350424")
    village = VillageFactory(township=TownshipFactory(county=county))
    AttendanceSetting.objects.create(county=county, run_limit=10)
    return CadreFactory(village=village, name="赵六")


# -- the rules read the county's values --------------------------------------------------------------------

def test_a_county_with_run_limit_10_opens_a_case_after_11_days_the_default_county_does_not(world, ten_county):
    days = workdays_from(D(2026, 3, 2), 11)
    mark(world.cadre, days)
    mark(ten_county, days)
    assert check_absence_thresholds(as_of=days[-1]) == 1
    assert cases(world.cadre) == []  # 清流县 keeps 15: 11 is not over
    (case,) = cases(ten_county)
    assert "11个工作日" in case.details and "连续10天" in case.details
    # ten days are not over ten
    DisciplineCase.objects.all().delete()
    AttendanceDay.objects.filter(cadre=ten_county, date=days[-1]).delete()
    assert check_absence_thresholds(as_of=days[-1]) == 0


def test_a_county_year_limit_counts_its_own_days(world):
    AttendanceSetting.objects.create(county=world.county, run_limit=5, year_limit=12)
    days = workdays_from(D(2026, 3, 2), 30)
    mark(world.cadre, days[0:5] + days[10:15] + days[20:23])  # runs of 5, 5, 3: 13 in the year
    assert check_absence_thresholds(as_of=days[-1]) == 1
    (case,) = cases(world.cadre)
    assert case.key == "absence-year:2026" and "一年累计12天" in case.details


def test_secretary_max_days_2_routes_a_two_day_leave_to_the_secretary(world, ten_county):
    AttendanceSetting.objects.create(county=world.county, secretary_max_days=Decimal("2.0"))
    two = services.leave_submit(cadre=world.cadre, by=world.users[Role.CADRE], reason="探亲",
                                start_date=D(2026, 3, 4), end_date=D(2026, 3, 5))
    assert two.days == Decimal("2.0") and two.approver_role == "village_secretary" and two.escalated_to == ""
    with pytest.raises(PermissionDenied):
        services.leave_approve(leave=two, by=world.users[Role.TOWNSHIP_LIAISON])
    assert services.leave_approve(leave=two, by=world.users[Role.VILLAGE_SECRETARY]).status == "approved"
    longer = services.leave_submit(cadre=world.cadre, by=world.users[Role.CADRE], reason="探亲",
                                   start_date=D(2026, 3, 9), end_date=D(2026, 3, 11), end_half="am")
    assert longer.days == Decimal("2.5") and longer.approver_role == "township_liaison"
    # the county's cadre sees its own limit on the form
    from django.test import Client

    client = Client()
    client.force_login(world.users[Role.CADRE])
    assert "请假2天以内由村党组织书记审批" in client.get("/attendance/leave/new/").content.decode()


def test_the_pending_leave_form_states_the_countys_limit(world, client, pdf_as_html):
    import re

    AttendanceSetting.objects.create(county=world.county, secretary_max_days=Decimal("1.5"))
    leave = services.leave_submit(cadre=world.cadre, by=world.users[Role.CADRE], reason="体检",
                                  start_date=D(2026, 3, 4), end_date=D(2026, 3, 4))
    client.force_login(world.users[Role.VILLAGE_SECRETARY])
    html = client.get(f"/attendance/leave/{leave.pk}/pdf/").content.decode()
    text = re.sub(r"\s+", "", re.sub(r"<[^>]+>", "", html))
    assert "请假1.5天以内由村党组织书记审批，1.5天以上由乡（镇）包村领导审批" in text


def test_changing_excused_breaks_run_changes_the_run(world):
    days = workdays_from(D(2026, 3, 2), 17)
    mark(world.cadre, days[:8] + days[9:])
    mark(world.cadre, [days[8]], excused=True)
    assert check_absence_thresholds(as_of=days[-1]) == 0  # default: the excused day breaks 8 + 8
    AttendanceSetting.objects.create(county=world.county, excused_breaks_run=False)
    assert check_absence_thresholds(as_of=days[-1]) == 1  # now 16 absence days in one run
    (case,) = cases(world.cadre)
    assert "16个工作日" in case.details


def test_the_incapacity_days_setting_changes_the_flag(world, client):
    def report(discovered, reported=None):
        return services.incapacity_report_save(cadre=world.cadre, discovered_on=discovered, reported_on=reported,
                                               description="长期外出务工，无法到岗", by=None)

    four_days = report(D(2026, 5, 1), D(2026, 5, 5))     # in time by 5 days
    waiting = report(D(2026, 5, 6))                        # 4 days by 10 May
    assert services.flag_overdue_incapacity(as_of=D(2026, 5, 10)) == 0
    AttendanceSetting.objects.create(county=world.county, incapacity_report_days=3)
    assert services.flag_overdue_incapacity(as_of=D(2026, 5, 10)) == 2
    party = world.users[Role.TOWNSHIP_PARTY]
    titles = sorted(Notification.objects.filter(user=party, kind="incapacity_overdue").values_list("title", flat=True))
    assert any("迟报" in t and "超过3日" in t for t in titles)
    assert any("超过3日仍未报告" in t for t in titles)
    assert set(IncapacityReport.objects.filter(flagged_on__isnull=False).values_list("pk", flat=True)) == {
        four_days.pk, waiting.pk}
    client.force_login(party)
    page = client.get("/attendance/incapacity/").content.decode()
    assert "迟报（超过3日）" in page and "超过3日未报告" in page and "发现之日起3日内" in page


def test_the_absences_page_shows_the_countys_limits(world, client):
    from django.utils import timezone

    from attendance.selectors import absence_summary
    from core import calendar

    AttendanceSetting.objects.create(county=world.county, run_limit=10, year_limit=20)
    today = timezone.localdate()
    mark(world.cadre, calendar.working_days(today - dt.timedelta(days=30), today, county=world.county.pk)[-4:])
    party = world.users[Role.TOWNSHIP_PARTY]
    (row,) = absence_summary(user=party, as_of=today)
    assert (row["current_run"], row["run_limit"], row["year_limit"]) == (4, 10, 20)
    client.force_login(party)
    page = client.get("/attendance/absences/").content.decode()
    assert "超过10个工作日" in page and "累计超过20个工作日" in page
    assert f"{row['year_days']} / 20" in page and "4 / 10" in page
    assert "修改考勤设置" not in page  # the link is for county_org
    client.force_login(world.users[Role.COUNTY_ORG])
    assert "修改考勤设置" in client.get("/attendance/absences/").content.decode()


# -- who edits, what is refused, what is recorded ---------------------------------------------------------

def test_only_county_org_edits(world, client):
    client.force_login(world.users[Role.COUNTY_ORG])
    page = client.get(URL)
    assert page.status_code == 200
    assert "清流县 · 考勤设置" in page.content.decode() and "连续旷工立案天数" in page.content.decode()
    assert URL in client.get("/").content.decode()  # the nav link
    for who in (Role.COUNTY_FINANCE, Role.COUNTY_HRSS, Role.TOWNSHIP_PARTY, Role.TOWNSHIP_LIAISON,
                Role.VILLAGE_SECRETARY, Role.CADRE):
        client.force_login(world.users[who])
        assert client.get(URL).status_code == 403, who
        assert client.post(URL, {**GOOD, "run_limit": "3"}).status_code == 403, who
        assert URL not in client.get("/").content.decode(), who
        with pytest.raises(PermissionDenied):
            services.attendance_setting_update(county=world.county, by=world.users[who], run_limit=3)
    # the county_org of another county edits its own county, never this one
    stranger = world.users["stranger"]
    with pytest.raises(PermissionDenied):
        services.attendance_setting_update(county=world.county, by=stranger, run_limit=3)
    client.force_login(stranger)
    assert client.post(URL, {**GOOD, "run_limit": "3", "county": str(world.county.pk)}).status_code == 302
    assert not AttendanceSetting.objects.filter(county=world.county).exists()
    assert AttendanceSetting.objects.get().run_limit == 3 and AttendanceSetting.objects.get().county.name == "明溪县"
    client.logout()
    assert client.get(URL).status_code == 302  # to the login page


def test_saving_records_history_shown_on_the_page(world, client):
    org = world.users[Role.COUNTY_ORG]
    client.force_login(org)
    assert "暂无记录" in client.get(URL).content.decode()
    response = client.post(URL, {**GOOD, "run_limit": "10"})
    assert response.status_code == 302
    page = client.get(response.url).content.decode()
    assert "已保存考勤设置" in page
    assert "连续旷工立案天数</strong>：15 → 10" in page  # the first change shows old → new too
    client.post(URL, {**GOOD, "run_limit": "10", "secretary_max_days": "1.5", "excused_breaks_run": ""})
    setting = AttendanceSetting.objects.get(county=world.county)
    assert (setting.run_limit, setting.secretary_max_days, setting.excused_breaks_run) == (10, Decimal("1.5"), False)
    assert setting.history.count() == 3  # the defaults, then the two changes
    assert {h.history_user for h in setting.history.all()} == {org}
    page = client.get(URL).content.decode()
    assert "变更记录" in page and str(org) in page
    assert "村党组织书记审批的最长请假天数</strong>：1.0 → 1.5" in page
    assert "有正当理由的缺勤中断连续旷工</strong>：是 → 否" in page
    # saving the same values again records nothing new
    client.post(URL, {**GOOD, "run_limit": "10", "secretary_max_days": "1.5", "excused_breaks_run": ""})
    assert setting.history.count() == 3


@pytest.mark.parametrize(("field", "value", "message"), [
    ("run_limit", "0", "连续旷工立案天数至少为1天"),
    ("run_limit", "101", "连续旷工立案天数不能超过100天"),
    ("year_limit", "10", "一年累计天数（10）不能少于连续天数（15）"),
    ("incapacity_report_days", "0", "报告期限至少为1天"),
    ("incapacity_report_days", "31", "报告期限不能超过30天"),
    ("secretary_max_days", "1.3", "天数须以半天为单位"),
    ("secretary_max_days", "0", "村党组织书记审批天数至少为0.5天"),
    ("secretary_max_days", "12", "村党组织书记审批天数不能超过10天"),
])
def test_bad_values_are_refused_with_a_message_and_change_nothing(world, client, field, value, message):
    org = world.users[Role.COUNTY_ORG]
    setting = services.attendance_setting_update(county=world.county, by=org, run_limit=15, incapacity_report_days=4)
    recorded = setting.history.count()
    client.force_login(org)
    response = client.post(URL, {**GOOD, "incapacity_report_days": "4", field: value})
    assert response.status_code == 400
    assert message in response.content.decode()
    setting = AttendanceSetting.objects.get(county=world.county)
    assert (setting.run_limit, setting.year_limit, setting.incapacity_report_days, setting.secretary_max_days) == (
        15, 30, 4, Decimal("1.0"))
    assert setting.history.count() == recorded
    with pytest.raises(ValidationError) as exc:
        services.attendance_setting_update(county=world.county, by=org, **{field: Decimal(value)})
    assert field in exc.value.message_dict and message in " ".join(exc.value.message_dict[field])


def test_a_missing_value_is_refused(world, client):
    client.force_login(world.users[Role.COUNTY_ORG])
    response = client.post(URL, {**GOOD, "run_limit": ""})
    assert response.status_code == 400 and "该字段是必填项" in response.content.decode()
    assert not AttendanceSetting.objects.exists()
    # a county without a row yet: a refused first change leaves no row (nor history) behind
    response = client.post(URL, {**GOOD, "run_limit": "0"})
    assert response.status_code == 400 and "连续旷工立案天数至少为1天" in response.content.decode()
    assert not AttendanceSetting.objects.exists() and not AttendanceSetting.history.exists()


# -- read at the time of use ---------------------------------------------------------------------------------

def test_values_are_read_at_use_and_later_checks_only(world):
    days = workdays_from(D(2026, 3, 2), 11)
    mark(world.cadre, days)
    assert check_absence_thresholds(as_of=days[-1]) == 0
    org = world.users[Role.COUNTY_ORG]
    setting = services.attendance_setting_update(county=world.county, by=org, run_limit=10)
    assert check_absence_thresholds(as_of=days[-1]) == 1  # no reload, no restart: the next check uses 10
    # raising it again leaves the case already opened as it is
    AttendanceSetting.objects.filter(pk=setting.pk).update(run_limit=15)
    assert check_absence_thresholds(as_of=days[-1]) == 0
    (case,) = cases(world.cadre)
    assert case.status == "open"

    first = services.leave_submit(cadre=world.cadre, by=world.users[Role.CADRE], reason="探亲",
                                  start_date=D(2026, 4, 1), end_date=D(2026, 4, 2))
    assert first.approver_role == "township_liaison"
    AttendanceSetting.objects.filter(pk=setting.pk).update(secretary_max_days=Decimal("2.0"))
    second = services.leave_submit(cadre=world.cadre, by=world.users[Role.CADRE], reason="探亲",
                                   start_date=D(2026, 4, 7), end_date=D(2026, 4, 8))
    assert second.approver_role == "village_secretary"
    first.refresh_from_db()
    assert first.approver_role == "township_liaison"  # fixed at submission


# -- the API (GET/PATCH /api/v1/attendance-settings/) -------------------------------------------------------

API = "/api/v1/attendance-settings/"


def test_api_reads_and_changes_the_countys_values(world, api):
    org = api(world.users[Role.COUNTY_ORG])
    body = org.get(API).json()
    assert body == {"county": world.county.pk, "run_limit": 15, "year_limit": 30, "excused_breaks_run": True,
                    "incapacity_report_days": 5, "secretary_max_days": "1.0"}
    response = org.patch(API, {"run_limit": 10, "secretary_max_days": "1.5"}, format="json")
    assert response.status_code == 200
    assert response.json()["run_limit"] == 10 and response.json()["secretary_max_days"] == "1.5"
    setting = AttendanceSetting.objects.get(county=world.county)
    assert {h.history_user for h in setting.history.all()} == {world.users[Role.COUNTY_ORG]}
    # bad values: 400 naming the field, nothing changed
    response = org.patch(API, {"year_limit": 5, "secretary_max_days": "0.7"}, format="json")
    assert response.status_code == 400
    assert "一年累计天数（5）不能少于连续天数（10）" in response.json()["year_limit"][0]
    assert "半天为单位" in response.json()["secretary_max_days"][0]
    setting.refresh_from_db()
    assert (setting.year_limit, setting.secretary_max_days) == (30, Decimal("1.5"))
    assert org.patch(API, {"run_limit": "很多"}, format="json").status_code == 400
    assert org.get(API, {"county": world.county.pk + 999}).status_code == 404


def test_api_is_for_county_org_only(world, api):
    for who in (Role.COUNTY_FINANCE, Role.TOWNSHIP_PARTY, Role.VILLAGE_SECRETARY, Role.CADRE):
        client = api(world.users[who])
        assert client.get(API).status_code == 403, who
        assert client.patch(API, {"run_limit": 3}, format="json").status_code == 403, who
    stranger = api(world.users["stranger"])
    assert stranger.get(API, {"county": world.county.pk}).status_code == 404  # another county's: not found
    assert stranger.patch(API, {"run_limit": 3}, format="json").json()["county"] != world.county.pk
    assert not AttendanceSetting.objects.filter(county=world.county).exists()
    assert api().get(API).status_code in (401, 403)
