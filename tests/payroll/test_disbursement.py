"""R-45: the bank's disbursement file of a pay run — rows and total per funding source and township, people
without an account refused by name, county_org/county_finance only, every download audited."""

import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from core.models import AuditEvent
from core.roles import Role
from payroll import services
from payroll.accounts import luhn_digit
from payroll.models import PayeeAccount, PayLine
from payroll.selectors import totals

pytestmark = pytest.mark.django_db

CARD = "622848001234567" + luhn_digit("622848001234567")


@pytest.fixture
def accounts(world, org):
    services.payee_account_set(cadre=world.cadre, by=org, kind="bank_card", bank="农业银行清流县支行", number=CARD)
    services.payee_account_set(cadre=world.other_cadre, by=org, kind="one_card", number="35042310120100001")


@pytest.fixture
def april(world, org, approved, build, accounts):
    """2025-04 approved, with corrections of March for 张三: +400 业绩考核奖 (村财) and −1000 县级补助, so the
    county fund owes 张三 nothing in April (his row is left out of that file)."""
    approved("2025-03")
    build("2025-04")
    services.adjustment_create(cadre=world.cadre, corrects_month="2025-03", month="2025-04",
                               performance_bonus="400", county_subsidy="-1000", reason="3月更正", by=org)
    return approved("2025-04")


def _download(client, run, **params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return client.get(f"/payroll/runs/{run.pk}/disbursement/?{query}")


def _sheet(response):
    assert response.status_code == 200, response.content[:500]
    return load_workbook(io.BytesIO(response.content)).active


def _rows(ws):
    """Payee rows (序号 is a number) and the total row."""
    rows = [list(r) for r in ws.iter_rows(min_row=4, values_only=True)]
    return [r for r in rows if isinstance(r[0], int)], next(r for r in rows if r[0] == "合计")


def test_village_fund_file_of_one_township(world, client, org, april):
    client.force_login(org)
    ws = _sheet(_download(client, april, source="village", township=world.township.pk))
    assert ws["A1"].value == "清流县2025年4月村级后备干部报酬代发清单"
    assert ws["A2"].value == "县：清流县　月份：2025-04　经费来源：村财　乡镇：龙津镇"
    assert [c.value for c in ws[3]] == ["序号", "户名", "收款账户", "开户行/类别", "金额（元）", "用途"]
    rows, total = _rows(ws)
    # regular line (养老 150 + 意外 10) and the adjustment (+400) summed into one row
    assert rows == [[1, "张三", CARD, "农业银行清流县支行", 560, "2025年4月村级后备干部报酬（村财）"]]
    lines = PayLine.objects.filter(run=april, township=world.township)
    assert Decimal(str(total[4])) == totals(lines)["village_fund"] == Decimal("560.00")
    cell = ws.cell(row=4, column=3)
    assert cell.data_type == "s" and cell.number_format == "@"  # Excel keeps every digit
    assert ws.cell(row=4, column=5).number_format == "#,##0.00"


def test_county_fund_file_of_all_townships_leaves_out_zero_rows(world, client, org, april):
    client.force_login(world.users[Role.COUNTY_FINANCE])
    ws = _sheet(_download(client, april, source="county"))
    assert "乡镇：全部乡镇" in ws["A2"].value and "经费来源：县人才工作经费" in ws["A2"].value
    rows, total = _rows(ws)
    assert [(r[1], r[2], r[3], r[4]) for r in rows] == [("李四", "35042310120100001", "一卡通", 1000)]
    assert Decimal(str(total[4])) == april.county_fund_total == Decimal("1000.00")  # 张三: 1000 − 1000 = 0


def test_township_fund_file_per_township_equals_the_run(world, client, org, april):
    client.force_login(org)
    for township, name in ((world.township, "张三"), (world.other_township, "李四")):
        rows, total = _rows(_sheet(_download(client, april, source="township", township=township.pk)))
        assert [r[1] for r in rows] == [name]
        lines = PayLine.objects.filter(run=april, township=township)
        assert Decimal(str(total[4])) == totals(lines)["township_fund"]


def test_draft_is_marked(world, client, org, build, accounts):
    run = build("2025-03")
    client.force_login(org)
    response = _download(client, run, source="county")
    assert "（草稿）" in response["Content-Disposition"] or "%EF%BC%88%E8%8D%89%E7%A8%BF" in response[
        "Content-Disposition"]
    assert "草稿，仅供核对" in _sheet(response)["A1"].value


def test_missing_accounts_refuse_naming_the_people(world, client, org, api, april):
    PayeeAccount.objects.filter(cadre=world.other_cadre).delete()
    client.force_login(org)
    r = _download(client, april, source="county")
    page = r.content.decode()
    assert r.status_code == 400 and "没有登记收款账户" in page and "李四（嵩溪村）" in page
    assert "/payroll/payees/?missing=true" in page
    assert not AuditEvent.objects.filter(action="pd_disbursement").exists()
    # the other township's file is not held up
    assert _download(client, april, source="township", township=world.township.pk).status_code == 200
    r = api(org).get(f"/api/v1/pay-runs/{april.pk}/disbursement/?source=county")
    assert r.status_code == 400
    assert r.json()["missing"] == [{"cadre": world.other_cadre.pk, "name": "李四", "village": "嵩溪村"}]


def test_bad_parameters(world, client, org, api, april):
    client.force_login(org)
    r = _download(client, april, source="township")
    assert r.status_code == 400 and "请选择乡（镇）" in r.content.decode()
    assert _download(client, april, source="bank").status_code == 400
    r = api(org).get(f"/api/v1/pay-runs/{april.pk}/disbursement/?source=village")
    assert r.status_code == 400 and "请选择乡（镇）" in r.json()["township"][0]
    r = api(org).get(f"/api/v1/pay-runs/{april.pk}/disbursement/?source=village&township=99999999999999999999")
    assert r.status_code == 400


@pytest.mark.parametrize(("who", "status"), [
    (Role.COUNTY_ORG, 200), (Role.COUNTY_FINANCE, 200), (Role.COUNTY_HRSS, 403), (Role.TOWNSHIP_PARTY, 403),
    (Role.VILLAGE_SECRETARY, 403), ("stranger", 404),
])
def test_who_downloads(world, client, api, april, who, status):
    user = world.users[who]
    client.force_login(user)
    assert _download(client, april, source="county").status_code == status
    r = api(user).get(f"/api/v1/pay-runs/{april.pk}/disbursement/?source=county")
    assert r.status_code == status
    if status == 200:
        assert r["Content-Type"].startswith("application/vnd.openxmlformats")


def test_every_download_is_audited(world, client, org, api, april):
    client.force_login(org)
    _download(client, april, source="village", township=world.township.pk)
    api(world.users[Role.COUNTY_FINANCE]).get(f"/api/v1/pay-runs/{april.pk}/disbursement/?source=county")
    events = list(AuditEvent.objects.filter(action="pd_disbursement").order_by("pk"))
    assert [e.user for e in events] == [org, world.users[Role.COUNTY_FINANCE]]
    assert f"#{april.pk}" in events[0].detail and "村财" in events[0].detail and "龙津镇" in events[0].detail
    assert "1 行" in events[0].detail and "560.00" in events[0].detail
    assert "全部乡镇" in events[1].detail and "1 行" in events[1].detail


def test_run_page_offers_the_file_to_county_org_and_finance_only(world, client, april):
    for role, shown in ((Role.COUNTY_ORG, True), (Role.COUNTY_FINANCE, True), (Role.TOWNSHIP_PARTY, False)):
        client.force_login(world.users[role])
        page = client.get(f"/payroll/runs/{april.pk}/").content.decode()
        assert ("下载代发文件" in page) is shown, role


def test_download_queries_do_not_grow(world, client, org, build, accounts, django_assert_max_num_queries):
    from tests.factories import CadreFactory

    for i in range(8):
        cadre = CadreFactory(village=world.village, name=f"王{i}")
        services.payee_account_set(cadre=cadre, by=org, kind="one_card", number=f"12345678{i:02d}")
    run = build("2025-03")
    client.force_login(org)
    with django_assert_max_num_queries(25):
        rows, _total = _rows(_sheet(_download(client, run, source="county")))
    assert len(rows) == 10
