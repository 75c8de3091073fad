"""Excel imports (all rows or none, bad rows marked) and the pages: build with progress, approve, mark paid."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from payroll import services
from payroll.models import LinePayment, PayLine, PayRun, PerformanceBonus

pytestmark = pytest.mark.django_db


def xlsx(rows, name="import.xlsx"):
    wb = Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return SimpleUploadedFile(name, buf.getvalue())


def test_bonus_template_and_import(world, client, policy):
    # the township downloads the template, fills amounts, uploads
    client.force_login(world.users["township_party"])
    r = client.get("/payroll/bonuses/import/?template=1&month=2025-03")
    assert r.status_code == 200
    ws = load_workbook(io.BytesIO(r.content)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][:5] == ("编号", "乡（镇）", "村（社区）", "姓名", "月份")
    assert [row[3] for row in rows[1:]] == ["张三"]  # own township only
    upload = xlsx([list(rows[0]), [world.cadre.pk, "龙津镇", "城东村", "张三", "2025-03", 456.7, "优秀"]])
    r = client.post("/payroll/bonuses/import/", {"file": upload})
    assert r.status_code == 302
    bonus = PerformanceBonus.objects.get(cadre=world.cadre, month=dt.date(2025, 3, 1))
    assert bonus.amount == Decimal("456.70") and bonus.history.first().history_user == world.users["township_party"]


def test_bonus_import_with_a_bad_row_changes_nothing_and_marks_it(world, client, policy):
    client.force_login(world.users["township_party"])
    header = ["编号", "乡（镇）", "村（社区）", "姓名", "月份", "业绩考核奖（元）", "说明"]
    upload = xlsx([header,
                   [world.cadre.pk, "龙津镇", "城东村", "张三", "2025-03", 300, ""],
                   [world.other_cadre.pk, "嵩溪镇", "嵩溪村", "李四", "2025-03", 300, ""],  # not their township
                   [world.cadre.pk, "龙津镇", "城东村", "张三", "2025-04", "三百", ""]])
    r = client.post("/payroll/bonuses/import/", {"file": upload})
    assert r.status_code == 400
    ws = load_workbook(io.BytesIO(r.content)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][-1] == "错误说明"
    assert rows[1][-1] is None
    assert "不在您的管辖范围内" in rows[2][-1]
    assert "金额" in rows[3][-1]
    assert not PerformanceBonus.objects.exists()


def test_payments_import(world, client, approved):
    # R-44 by Excel: dates per funding source; a bad row changes nothing
    run = approved()
    line = PayLine.objects.get(run=run, cadre=world.cadre)
    client.force_login(world.users["township_party"])
    r = client.get(f"/payroll/runs/{run.pk}/payments-import/?template=1")
    rows = list(load_workbook(io.BytesIO(r.content)).active.iter_rows(values_only=True))
    assert [row[0] for row in rows[1:]] == [line.pk]
    header = list(rows[0])
    bad = xlsx([header, [line.pk, "", "", "张三", 2160, "2025-04-03", "2025-04-04", "2099-01-01"]])
    r = client.post(f"/payroll/runs/{run.pk}/payments-import/", {"file": bad})
    assert r.status_code == 400 and not LinePayment.objects.exists()
    good = xlsx([header, [line.pk, "", "", "张三", 2160, "2025-04-03", dt.datetime(2025, 4, 4), "2025-04-05"]])
    r = client.post(f"/payroll/runs/{run.pk}/payments-import/", {"file": good})
    assert r.status_code == 302
    line.refresh_from_db()
    assert (line.county_paid_on, line.township_paid_on, line.village_paid_on) == (
        dt.date(2025, 4, 3), dt.date(2025, 4, 4), dt.date(2025, 4, 5))
    assert LinePayment.objects.filter(line=line).count() == 3
    # the village secretary may record only 村财
    client.force_login(world.users["village_secretary"])
    r = client.post(f"/payroll/runs/{run.pk}/payments-import/",
                    {"file": xlsx([header, [line.pk, "", "", "张三", 2160, "2025-04-09", "", ""]])})
    assert r.status_code == 400


def test_build_from_the_page_shows_progress_and_finishes(world, client, policy,
                                                         django_capture_on_commit_callbacks):
    # started by hand → a run row with progress, built by the worker task (eager in tests)
    client.force_login(world.users["county_org"])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        r = client.post("/payroll/runs/build/", {"county": world.county.pk, "month": "2025-03"})
    run = PayRun.objects.get(county=world.county, month=dt.date(2025, 3, 1))
    assert run.build_state == PayRun.BuildState.QUEUED and run.lines_count == 0
    queued = client.get(f"/payroll/runs/{run.pk}/").content.decode()
    assert "排队中" in queued and 'hx-trigger="every 1s"' in queued
    for callback in callbacks:
        callback()  # the worker picks the task up after the commit
    run.refresh_from_db()
    assert r.status_code == 302 and r["Location"] == f"/payroll/runs/{run.pk}/"
    assert run.build_state == PayRun.BuildState.DONE and run.lines_count == 2
    page = client.get(f"/payroll/runs/{run.pk}/").content.decode()
    assert "张三" in page and "4320.00" in page and "审定并锁定" in page
    # while queued, the fragment polls; when done it tells the page to reload
    PayRun.objects.filter(pk=run.pk).update(build_state=PayRun.BuildState.QUEUED)
    frag = client.get(f"/payroll/runs/{run.pk}/progress/", HTTP_HX_REQUEST="true")
    assert 'hx-trigger="every 1s"' in frag.content.decode() and "排队中" in frag.content.decode()
    PayRun.objects.filter(pk=run.pk).update(build_state=PayRun.BuildState.DONE)
    frag = client.get(f"/payroll/runs/{run.pk}/progress/?was=queued", HTTP_HX_REQUEST="true")
    assert frag["HX-Refresh"] == "true"


def test_build_form_errors_are_shown_on_fields(world, client):
    client.force_login(world.users["county_org"])
    r = client.post("/payroll/runs/build/", {"county": world.county.pk, "month": "2025-03"})
    assert r.status_code == 400 and "报酬标准" in r.content.decode()  # no policy yet
    r = client.post("/payroll/runs/build/", {"county": world.county.pk, "month": "三月"})
    assert r.status_code == 400 and "年-月" in r.content.decode()
    client.force_login(world.users["township_party"])
    assert client.post("/payroll/runs/build/", {"county": world.county.pk, "month": "2025-03"}).status_code == 403


def test_approve_and_mark_paid_pages(world, client, build):
    run = build()
    client.force_login(world.users["county_finance"])
    assert client.post(f"/payroll/runs/{run.pk}/approve/").status_code == 403
    client.force_login(world.users["county_org"])
    client.post(f"/payroll/runs/{run.pk}/approve/")
    assert PayRun.objects.get(pk=run.pk).status == "approved"
    line = PayLine.objects.get(run=run, cadre=world.cadre)
    client.force_login(world.users["village_secretary"])
    form = client.get(f"/payroll/lines/{line.pk}/paid/").content.decode()
    assert 'name="village"' in form and 'name="county"' not in form
    client.force_login(world.users["township_party"])
    r = client.post(f"/payroll/lines/{line.pk}/paid/", {"county": "2025-04-03", "township": "2099-01-01",
                                                       "village": ""})
    assert r.status_code == 200 and "不能晚于今天" in r.content.decode()
    r = client.post(f"/payroll/lines/{line.pk}/paid/", {"county": "2025-04-03", "township": "2025-04-03",
                                                       "village": "2025-04-05"})
    assert r.status_code == 302
    line.refresh_from_db()
    assert line.is_fully_paid
    client.force_login(world.users["township_party_b"])
    assert client.get(f"/payroll/lines/{line.pk}/paid/").status_code == 404


@pytest.mark.parametrize("role", ["county_org", "county_finance", "township_party", "village_secretary"])
def test_pages_render_for_each_role(world, client, approved, role):
    run = approved()
    client.force_login(world.users[role])
    for url in ("/payroll/", f"/payroll/runs/{run.pk}/", "/payroll/policies/", "/payroll/bonuses/",
                "/payroll/adjustments/", "/payroll/unpaid/", f"/payroll/runs/{run.pk}/export/?format=xlsx"):
        assert client.get(url).status_code == 200, url


def test_policy_page_creates_policy_and_setting(world, client):
    client.force_login(world.users["county_org"])
    r = client.post("/payroll/policies/", {
        "form": "policy", "county": world.county.pk, "valid_from": "2022-11-01", "county_subsidy": "1000",
        "township_subsidy": "1000", "pension_subsidy": "150", "accident_insurance": "10",
        "county_subsidy_source": "county", "township_subsidy_source": "township",
        "performance_bonus_source": "village", "pension_subsidy_source": "village",
        "accident_insurance_source": "village", "note": ""})
    assert r.status_code == 302
    r = client.post("/payroll/policies/", {"form": "setting", "unpaid_days": "20"})
    assert r.status_code == 302
    assert world.county.payroll_setting.unpaid_days == 20
    assert "150.00" in client.get("/payroll/policies/").content.decode()


def test_run_list_query_count_does_not_grow(world, client, policy, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    services.pay_run_build(county=world.county, month="2025-01", by=None)
    client.force_login(world.users["township_party"])
    with CaptureQueriesContext(connection) as few:
        client.get("/payroll/")
    for m in ("2025-02", "2025-03", "2025-04", "2025-05"):
        services.pay_run_build(county=world.county, month=m, by=None)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert "2025年5月" in client.get("/payroll/").content.decode()


@pytest.mark.parametrize("page", ["run", "bonuses", "unpaid", "my", "api_runs"])
def test_list_pages_query_count_does_not_grow_with_rows(world, client, policy, page,
                                                       django_assert_max_num_queries):
    # STYLE: no N+1 on list pages
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import CadreFactory, VillageFactory

    def setup(approved_months):
        for m in approved_months:
            services.pay_run_approve(run=services.pay_run_build(county=world.county, month=m, by=None), by=None)
        for c in world.cadre.__class__.objects.filter(status="active"):
            services.bonus_set(cadre=c, month=dt.date(2025, 3, 1), amount="100", by=None)
        return services.pay_run_build(county=world.county, month="2025-03", by=None)

    user = world.users["cadre"] if page == "my" else world.users["county_org"]
    client.force_login(user)

    def url(run):
        return {"run": f"/payroll/runs/{run.pk}/", "bonuses": "/payroll/bonuses/", "unpaid": "/payroll/unpaid/",
                "my": "/payroll/my/", "api_runs": "/api/v1/pay-runs/"}[page]

    run = setup(["2025-01"])
    with CaptureQueriesContext(connection) as few:
        assert client.get(url(run)).status_code == 200
    for v in [VillageFactory(township=world.township) for _ in range(4)]:
        for _ in range(5):
            CadreFactory(village=v)
    run = setup(["2024-11", "2024-12", "2025-02"])
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url(run)).status_code == 200


def test_bulk_mark_paid_for_a_village(world, client, approved):
    # one date for one source on all lines of a village; the village secretary only for 村财
    from tests.factories import CadreFactory

    CadreFactory(village=world.village, name="王五")
    run = approved()
    client.force_login(world.users["village_secretary"])
    page = client.get(f"/payroll/runs/{run.pk}/").content.decode()
    assert 'id="bulk-paid"' in page and '<option value="township">' not in page
    r = client.post(f"/payroll/runs/{run.pk}/mark-paid/", {"bulk-village": world.village.pk, "bulk-source": "township",
                                                          "bulk-paid_on": "2025-04-05"})
    assert r.status_code == 302 and not PayLine.objects.filter(township_paid_on__isnull=False).exists()
    r = client.post(f"/payroll/runs/{run.pk}/mark-paid/", {"bulk-village": world.village.pk, "bulk-source": "village",
                                                          "bulk-paid_on": "2025-04-05"})
    assert r.status_code == 302
    assert set(PayLine.objects.filter(village_paid_on=dt.date(2025, 4, 5)).values_list("cadre__name", flat=True)) == {
        "张三", "王五"}
    assert PayLine.objects.get(cadre=world.other_cadre).village_paid_on is None
    client.force_login(world.users["township_party"])
    r = client.post(f"/payroll/runs/{run.pk}/mark-paid/", {"bulk-village": world.other_village.pk,
                                                          "bulk-source": "county", "bulk-paid_on": "2025-04-05"})
    assert r.status_code == 302 and PayLine.objects.get(cadre=world.other_cadre).county_paid_on is None
    r = client.post(f"/payroll/runs/{run.pk}/mark-paid/", {"bulk-village": world.village.pk, "bulk-source": "county",
                                                          "bulk-paid_on": "2099-04-05"})
    assert not PayLine.objects.filter(county_paid_on__isnull=False).exists()


def test_policy_correction_is_audited_and_shown_to_the_county(world, client, policy):
    # "Everything is recorded": who changed the standard, old → new
    client.force_login(world.users["county_org"])
    data = {"county_subsidy": "1000", "township_subsidy": "1000", "pension_subsidy": "155", "accident_insurance": "10",
            "county_subsidy_source": "county", "township_subsidy_source": "township",
            "performance_bonus_source": "village", "pension_subsidy_source": "village",
            "accident_insurance_source": "village", "note": "更正"}
    r = client.post(f"/payroll/policies/{policy.pk}/", data)
    assert r.status_code == 302
    policy.refresh_from_db()
    assert policy.pension_subsidy == Decimal("155.00")
    html = client.get(f"/payroll/policies/{policy.pk}/").content.decode()
    assert "150.00 → 155.00" in html and world.users["county_org"].full_name in html
    client.force_login(world.users["township_party"])
    assert client.get(f"/payroll/policies/{policy.pk}/").status_code == 200
    assert client.post(f"/payroll/policies/{policy.pk}/", data).status_code == 403
