"""R-45: accident insurance paid as a yearly premium to an insurer instead of a monthly line — the county
setting, pay runs without the monthly accident amount (build and monthly job: the same SQL on SQLite and
PostgreSQL, this file runs on both), the note on the pay sheets, the premium list (generate, idempotent,
newcomers), payment to the insurer, the Excel export, and who may see and do it."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from openpyxl import load_workbook

from cadres.models import Cadre
from core.roles import Role
from payroll import services, staleness
from payroll.models import AccidentMode, InsurancePremium, PayLine, PayrollSetting, PayRun
from tests.factories import CadreFactory

pytestmark = pytest.mark.django_db

YEARLY = {"accident_mode": AccidentMode.YEARLY, "accident_from_year": 2025, "insurer": "中国人寿清流支公司",
          "premium_per_year": "120.00"}


@pytest.fixture
def yearly(world, policy):
    """清流县 pays the accident insurance yearly from 2025 (120.00 per cadre to 中国人寿)."""
    return services.insurance_setting_update(county=world.county, by=world.users[Role.COUNTY_FINANCE], **YEARLY)


def client_for(user):
    c = Client(raise_request_exception=False)
    c.force_login(user)
    return c


# -- the setting --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("role", [Role.COUNTY_ORG, Role.COUNTY_FINANCE])
def test_r45_county_org_and_finance_set_the_yearly_premium_with_history(world, role):
    setting = services.insurance_setting_update(county=world.county, by=world.users[role], **YEARLY)
    setting.refresh_from_db()
    assert (setting.accident_mode, setting.accident_from_year, setting.insurer, setting.premium_per_year) == (
        "yearly", 2025, "中国人寿清流支公司", Decimal("120.00"))
    assert setting.accident_yearly(2026) and setting.accident_yearly(2025) and not setting.accident_yearly(2024)
    assert setting.history.latest().history_user == world.users[role]


@pytest.mark.parametrize("who", [Role.COUNTY_HRSS, Role.TOWNSHIP_PARTY, "stranger"])
def test_r45_others_may_not_change_the_setting(world, who):
    with pytest.raises(PermissionDenied):
        services.insurance_setting_update(county=world.county, by=world.users[who], **YEARLY)
    assert not PayrollSetting.objects.filter(county=world.county, accident_mode="yearly").exists()


@pytest.mark.parametrize(("change", "field", "words"), [
    ({"insurer": " "}, "insurer", "保险公司"),
    ({"premium_per_year": "0"}, "premium_per_year", "大于 0"),
    ({"premium_per_year": "abc"}, "premium_per_year", "金额"),
    ({"accident_from_year": None}, "accident_from_year", "起按年缴纳"),
    ({"accident_from_year": 1899}, "accident_from_year", "年度须在"),
    ({"accident_mode": "weekly"}, "accident_mode", "缴纳方式"),
])
def test_r45_bad_setting_is_refused_in_chinese_and_changes_nothing(world, change, field, words):
    with pytest.raises(ValidationError) as exc:
        services.insurance_setting_update(county=world.county, by=world.users[Role.COUNTY_ORG],
                                          **(YEARLY | change))
    assert words in exc.value.message_dict[field][0]
    assert not PayrollSetting.objects.filter(county=world.county, accident_mode="yearly").exists()


def test_r45_a_year_with_approved_monthly_runs_cannot_become_yearly(world, approved):
    approved("2025-03")  # paid the accident insurance monthly
    with pytest.raises(ValidationError) as exc:
        services.insurance_setting_update(county=world.county, by=world.users[Role.COUNTY_ORG], **YEARLY)
    assert exc.value.message_dict["accident_from_year"] == [
        "2025年03月的报酬已审定，其中已按月发放意外伤害保险；请从 2026 年度起改为按年缴纳。"]
    services.insurance_setting_update(county=world.county, by=world.users[Role.COUNTY_ORG],
                                      **(YEARLY | {"accident_from_year": 2026}))


def test_r45_the_setting_form_on_the_page(world, policy):
    finance = client_for(world.users[Role.COUNTY_FINANCE])
    bad = finance.post("/payroll/insurance/", {"form": "setting", "accident_mode": "yearly",
                                               "accident_from_year": "2026", "insurer": "", "premium_per_year": ""})
    assert bad.status_code == 400 and "请填写承保的保险公司。" in bad.content.decode()
    ok = finance.post("/payroll/insurance/?year=2026", {
        "form": "setting", "accident_mode": "yearly", "accident_from_year": "2026", "insurer": "人保清流支公司",
        "premium_per_year": "96"}, follow=True)
    text = ok.content.decode()
    assert "已保存意外保险设置。" in text and "自 2026 年度起按年向人保清流支公司缴纳，每人每年 96.00 元" in text
    assert "变更记录" in text  # history on the page
    assert client_for(world.users[Role.TOWNSHIP_PARTY]).post("/payroll/insurance/", {
        "form": "setting", "accident_mode": "monthly"}).status_code == 403


# -- the pay run --------------------------------------------------------------------------------------------

def _line(run, cadre):
    return PayLine.objects.get(run=run, cadre=cadre, kind=PayLine.Kind.REGULAR)


def test_r45_a_yearly_year_builds_lines_without_the_accident_amount(world, build, yearly):
    run = build("2025-03")
    line = _line(run, world.cadre)
    # policy: 1000 + 1000 + pension 150 + accident 10 (村财): the accident 10.00 is not on the monthly line
    assert line.accident_insurance == Decimal("0.00")
    assert (line.total, line.village_fund) == (Decimal("2150.00"), Decimal("150.00"))
    assert run.accident_yearly and run.total == Decimal("4300.00") and run.village_fund_total == Decimal("300.00")


def test_r45_a_year_before_the_switch_keeps_the_monthly_line(world, build, yearly):
    run = build("2024-12")
    assert _line(run, world.cadre).accident_insurance == Decimal("10.00") and not run.accident_yearly


def test_r45_monthly_job_and_build_give_the_same_lines_on_this_database(world, build, yearly):
    """The monthly job (settings read for every county at once) and the build by hand insert the same rows,
    on SQLite and on PostgreSQL (the suite runs on both)."""
    fields = ("cadre_id", "accident_insurance", "total", "village_fund")
    by_hand = build("2025-04")
    expected = sorted(PayLine.objects.filter(run=by_hand).values_list(*fields))
    PayLine.objects.filter(run=by_hand).delete()
    result = services.run_monthly_payroll(month="2025-04")
    assert world.county.code in result["built"]
    run = PayRun.objects.get(county=world.county, month=dt.date(2025, 4, 1))
    assert sorted(PayLine.objects.filter(run=run).values_list(*fields)) == expected
    assert all(row[1] == Decimal("0.00") for row in expected) and run.accident_yearly


def test_r45_switching_after_a_build_makes_the_draft_stale(world, build, policy):
    run = build("2025-05")
    assert _line(run, world.cadre).accident_insurance == Decimal("10.00")
    services.insurance_setting_update(county=world.county, by=world.users[Role.COUNTY_ORG], **YEARLY)
    flagged = staleness.with_change_flags(PayRun.objects.filter(pk=run.pk)).get()
    assert flagged.inputs_changed
    assert "意外伤害保险的缴纳方式已变更" in staleness.compare(run).reason()
    rebuilt = build("2025-05")
    assert _line(rebuilt, world.cadre).accident_insurance == Decimal("0.00") and not staleness.compare(rebuilt)


def test_r45_approved_monthly_runs_are_never_changed(world, approved, build):
    run = approved("2025-03")
    before = sorted(PayLine.objects.filter(run=run).values_list("cadre_id", "accident_insurance", "total"))
    services.insurance_setting_update(county=world.county, by=world.users[Role.COUNTY_ORG],
                                      **(YEARLY | {"accident_from_year": 2026}))
    services.run_monthly_payroll(month="2025-03")
    run.refresh_from_db()
    assert run.status == PayRun.Status.APPROVED and not run.accident_yearly
    assert sorted(PayLine.objects.filter(run=run).values_list("cadre_id", "accident_insurance", "total")) == before
    assert before[0][1] == Decimal("10.00")


def test_r45_pay_sheets_say_the_insurance_is_paid_yearly(world, build, yearly):
    run = build("2025-03")
    org = client_for(world.users[Role.COUNTY_ORG])
    page = org.get(f"/payroll/runs/{run.pk}/").content.decode()
    assert "本年度人身意外伤害保险由县里按年统一向保险公司缴纳，不在月度报酬中发放。" in page
    assert "按年缴纳" in page
    response = org.get(f"/payroll/runs/{run.pk}/export/?format=xlsx")
    wb = load_workbook(io.BytesIO(response.content))
    ws = wb["龙津镇"]
    assert "按年统一向保险公司缴纳" in ws.cell(row=2, column=1).value
    header = [c.value for c in ws[3]]
    col = header.index("人身意外伤害保险") + 1
    assert ws.cell(row=4, column=col).value == "按年缴纳"


def test_r45_pay_sheets_of_a_monthly_year_have_no_note(world, build):
    run = build("2025-03")
    page = client_for(world.users[Role.COUNTY_ORG]).get(f"/payroll/runs/{run.pk}/").content.decode()
    assert "按年统一向保险公司缴纳" not in page and "10.00" in page


# -- the premium list ----------------------------------------------------------------------------------------

def _names(year=2025):
    return sorted(InsurancePremium.objects.filter(year=year).values_list("cadre__name", flat=True))


def test_r45_generate_lists_the_eligible_cadres_once(world, yearly):
    gone = CadreFactory(village=world.village2, name="王五", appointed_on=dt.date(2020, 1, 1))
    Cadre.objects.filter(pk=gone.pk).update(left_on=dt.date(2024, 12, 31), status=Cadre.Status.DISQUALIFIED)
    left_mid_year = CadreFactory(village=world.village2, name="赵六", appointed_on=dt.date(2020, 1, 1))
    Cadre.objects.filter(pk=left_mid_year.pk).update(left_on=dt.date(2025, 2, 3), status=Cadre.Status.RESIGNED)
    finance = world.users[Role.COUNTY_FINANCE]
    assert services.premium_generate(county=world.county, year=2025, by=finance) == {"added": 3, "total": 3}
    assert _names() == ["张三", "李四", "赵六"]  # 王五 left before 2025: not paid any day of the year
    premium = InsurancePremium.objects.get(cadre=world.cadre, year=2025)
    assert (premium.insurer, premium.amount, premium.paid_on) == ("中国人寿清流支公司", Decimal("120.00"), None)
    assert premium.history.count() == 1 and premium.history.first().history_user == finance
    # idempotent: again, nothing added, nothing duplicated
    assert services.premium_generate(county=world.county, year=2025, by=finance) == {"added": 0, "total": 3}
    assert InsurancePremium.objects.filter(year=2025).count() == 3


def test_r45_a_newcomer_mid_year_is_added_by_regenerating(world, yearly):
    finance = world.users[Role.COUNTY_FINANCE]
    services.premium_generate(county=world.county, year=2025, by=finance)
    InsurancePremium.objects.filter(cadre=world.cadre).update(paid_on=dt.date(2025, 2, 1), voucher="P-1")
    CadreFactory(village=world.village2, name="新人", appointed_on=dt.date(2025, 7, 15))
    CadreFactory(village=world.village2, name="明年", appointed_on=dt.date(2026, 1, 5))
    assert services.premium_generate(county=world.county, year=2025, by=finance) == {"added": 1, "total": 3}
    assert _names() == ["张三", "新人", "李四"]
    assert InsurancePremium.objects.get(cadre=world.cadre).voucher == "P-1"  # listed rows keep their payment


def test_r45_a_monthly_year_has_no_premium_list(world, yearly):
    with pytest.raises(ValidationError) as exc:
        services.premium_generate(county=world.county, year=2024, by=world.users[Role.COUNTY_ORG])
    assert "按月随报酬发放" in exc.value.message_dict["year"][0]
    assert not InsurancePremium.objects.exists()


def test_r45_generate_is_for_county_org_and_finance_only(world, yearly):
    for who in (Role.COUNTY_HRSS, Role.TOWNSHIP_PARTY, "stranger"):
        with pytest.raises(PermissionDenied):
            services.premium_generate(county=world.county, year=2025, by=world.users[who])
    assert not InsurancePremium.objects.exists()


# -- payment, page, export ----------------------------------------------------------------------------------

def test_r45_payment_to_the_insurer_on_the_page(world, yearly):
    CadreFactory(village=world.village2, name="王五")
    finance = client_for(world.users[Role.COUNTY_FINANCE])
    r = finance.post("/payroll/insurance/?year=2025", {"form": "generate"}, follow=True)
    assert "新增 3 人，共 3 人" in r.content.decode()
    # bad input: no voucher, a date in the future → Chinese errors, nothing recorded
    bad = finance.post("/payroll/insurance/?year=2025&township=%d" % world.township.pk, {
        "form": "pay", "paid_on": "2099-01-01", "voucher": ""})
    assert bad.status_code == 400
    assert '<div class="field-error" data-field="voucher">该字段是必填项。</div>' in bad.content.decode()
    assert not InsurancePremium.objects.filter(paid_on__isnull=False).exists()
    future = finance.post("/payroll/insurance/?year=2025", {"form": "pay", "paid_on": "2099-01-01", "voucher": "X"})
    assert future.status_code == 400 and "日期不能晚于" in future.content.decode()
    # pay the 龙津镇 ones (the filter on the page): 张三 and 王五, not 李四 of 嵩溪镇
    ok = finance.post("/payroll/insurance/?year=2025&township=%d" % world.township.pk, {
        "form": "pay", "paid_on": "2025-03-10", "voucher": "财付2025-031", "policy_number": "GP2025001"}, follow=True)
    assert "已登记 2 人的保费缴纳。" in ok.content.decode()
    paid = dict(InsurancePremium.objects.values_list("cadre__name", "voucher"))
    assert paid == {"张三": "财付2025-031", "王五": "财付2025-031", "李四": ""}
    page = finance.get("/payroll/insurance/?year=2025&paid=unpaid").content.decode()
    assert "李四" in page and "张三" not in page and "未缴费 1 人（120.00 元）" in page


def test_r45_premium_export_has_one_row_per_cadre_and_a_total(world, yearly):
    services.premium_generate(county=world.county, year=2025, by=world.users[Role.COUNTY_ORG])
    response = client_for(world.users[Role.COUNTY_ORG]).get("/payroll/insurance/?year=2025&format=xlsx")
    assert response.status_code == 200
    ws = load_workbook(io.BytesIO(response.content)).active
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=3)]
    assert [r[3] for r in rows[:-1]] == ["张三", "李四"]
    assert rows[0][4] == "中国人寿清流支公司" and rows[0][7] == "未缴费"
    assert rows[-1][0] == "合计" and rows[-1][6] == 240 and rows[-1][3] == "2 人"


def test_r45_page_of_a_monthly_year_says_so_and_junk_parameters_answer_normally(world, yearly):
    org = client_for(world.users[Role.COUNTY_ORG])
    assert "2024 年度的意外伤害保险按月随报酬发放" in org.get("/payroll/insurance/?year=2024").content.decode()
    for junk in ("year=abc", "year=99999", "county=99999999999999999999", "township=x&paid=maybe", "page=-1"):
        assert org.get(f"/payroll/insurance/?{junk}").status_code == 200, junk


# -- scope ----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("who", [Role.COUNTY_HRSS, Role.TOWNSHIP_PARTY, Role.VILLAGE_SECRETARY, Role.CADRE])
def test_r45_only_county_org_and_finance_open_the_page_and_the_tab(world, yearly, who):
    c = client_for(world.users[who])
    assert c.get("/payroll/insurance/").status_code == 403
    assert c.get("/api/v1/insurance-premiums/?year=2025").status_code == 403
    assert c.post("/api/v1/insurance-premiums/generate/", {"county": world.county.pk, "year": 2025},
                  content_type="application/json").status_code == 403
    if who != Role.CADRE:
        assert "意外保险" not in c.get("/payroll/").content.decode()
    assert "意外保险" in client_for(world.users[Role.COUNTY_FINANCE]).get("/payroll/").content.decode()


def test_r45_api_lists_a_year_and_generates(world, yearly, api):
    finance = api(world.users[Role.COUNTY_FINANCE])
    r = finance.post("/api/v1/insurance-premiums/generate/", {"county": world.county.pk, "year": 2025},
                     format="json")
    assert r.status_code == 200 and r.json() == {"county": world.county.pk, "year": 2025, "added": 2, "total": 2}
    body = finance.get("/api/v1/insurance-premiums/?year=2025").json()
    assert body["count"] == 2 and {row["cadre_name"] for row in body["results"]} == {"张三", "李四"}
    assert body["results"][0]["amount"] == "120.00" and body["results"][0]["paid"] is False
    assert finance.get("/api/v1/insurance-premiums/?year=2026").json()["count"] == 0
    assert finance.get("/api/v1/insurance-premiums/?year=abc").status_code == 400
    filtered = finance.get(f"/api/v1/insurance-premiums/?year=2025&township={world.other_township.pk}").json()
    assert [row["cadre_name"] for row in filtered["results"]] == ["李四"]
    bad = finance.post("/api/v1/insurance-premiums/generate/", {"county": world.county.pk, "year": 2024},
                       format="json")
    assert bad.status_code == 400 and "按月随报酬发放" in bad.json()["year"][0]
    # another county's county_org sees none of it and cannot generate for 清流县
    stranger = api(world.users["stranger"])
    assert stranger.get("/api/v1/insurance-premiums/?year=2025").json()["count"] == 0
    assert stranger.post("/api/v1/insurance-premiums/generate/", {"county": world.county.pk, "year": 2025},
                         format="json").status_code == 400
    assert "/api/v1/insurance-premiums/generate/" in api(world.users[Role.COUNTY_ORG]).get("/api/schema/").content.decode()
