"""R-43 outputs: pay sheets in Excel (totals equal the run's), PDF with embedded CJK font, pay slips."""

import io
import shutil
import subprocess
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from payroll import services
from payroll.models import PayLine

pytestmark = pytest.mark.django_db


def _cells(ws):
    return [[c for c in row] for row in ws.iter_rows(values_only=True)]


def _row_starting(rows, text):
    return next(r for r in rows if r and r[0] == text)


def test_excel_pay_sheets_totals_equal_the_run(world, api, build):
    # one sheet per township with subtotals per funding source and a signature block
    import datetime as dt

    services.bonus_set(cadre=world.cadre, month=dt.date(2025, 3, 1), amount="333.33", by=None)
    run = build()
    r = api(world.users["county_org"]).get(f"/api/v1/pay-runs/{run.pk}/export/?format=xlsx")
    assert r.status_code == 200
    assert r["Content-Type"].startswith("application/vnd.openxmlformats")
    wb = load_workbook(io.BytesIO(r.content))
    assert wb.sheetnames == ["全县汇总", "龙津镇", "嵩溪镇"]
    grand = Decimal("0")
    sources = {"县人才工作经费": Decimal("0"), "乡镇财政": Decimal("0"), "村财": Decimal("0")}
    for name in ("龙津镇", "嵩溪镇"):
        rows = _cells(wb[name])
        assert "村级后备干部报酬发放表（%s）" % name in rows[0][0]
        total_row = _row_starting(rows, "合计")
        sheet_total = Decimal(str(total_row[9]))
        lines = PayLine.objects.filter(run=run, township__name=name)
        assert sheet_total == sum(line.total for line in lines)
        subtotal = Decimal("0")
        for label in sources:
            value = Decimal(str(_row_starting(rows, label)[4]))
            sources[label] += value
            subtotal += value
        assert subtotal == sheet_total  # the funding sources add up to the sheet's total
        grand += sheet_total
        assert any(r and r[0] and "制表人" in str(r[0]) for r in rows)
        assert any(r and r[0] and "盖章" in str(r[0]) for r in rows)
    assert grand == run.total == Decimal("4653.33")
    summary = _cells(wb["全县汇总"])
    total_row = _row_starting(summary, "合计")
    assert Decimal(str(total_row[5])) == run.total
    assert (Decimal(str(total_row[2])), Decimal(str(total_row[3])), Decimal(str(total_row[4]))) == (
        run.county_fund_total, run.township_fund_total, run.village_fund_total)
    assert sources["村财"] == run.village_fund_total


def test_township_export_has_only_its_lines_and_masks_id_numbers(world, api, build):
    # R-43 per township; R-03 masking below county_org
    run = build()
    r = api(world.users["township_party"]).get(f"/api/v1/pay-runs/{run.pk}/export/?format=xlsx")
    wb = load_workbook(io.BytesIO(r.content))
    assert wb.sheetnames == ["龙津镇"]  # issue 17: no 全县汇总 in a township's export
    rows = _cells(wb["龙津镇"])
    person = next(r for r in rows if r and r[2] == "张三")
    assert person[3] == world.cadre.id_number[:6] + "********" + world.cadre.id_number[-4:]
    full = load_workbook(io.BytesIO(api(world.users["county_org"]).get(
        f"/api/v1/pay-runs/{run.pk}/export/").content))
    assert any(r and r[3] == world.cadre.id_number for r in _cells(full["龙津镇"]))
    assert api(world.users["cadre"]).get(f"/api/v1/pay-runs/{run.pk}/export/?format=xlsx").status_code == 403
    assert api(world.users["county_org"]).get(
        f"/api/v1/pay-runs/{run.pk}/export/?format=csv").status_code == 400


def test_county_export_of_one_township_has_no_county_summary(world, client, build):
    # issue 17: the 本乡发放表 a county official downloads for one township carried a 全县汇总 sheet
    run = build()
    client.force_login(world.users["county_org"])
    r = client.get(f"/payroll/runs/{run.pk}/export/", {"format": "xlsx", "township": world.township.pk})
    assert r.status_code == 200
    assert load_workbook(io.BytesIO(r.content)).sheetnames == ["龙津镇"]


def test_pay_sheet_has_an_autofilter_and_prints_one_page_wide(world, api, build):
    # issue 17: no autofilter, and the 12 columns ran over two pages in print
    run = build()
    wb = load_workbook(io.BytesIO(api(world.users["county_org"]).get(
        f"/api/v1/pay-runs/{run.pk}/export/?format=xlsx").content))
    ws = wb["龙津镇"]
    rows = _cells(ws)
    header = next(i for i, r in enumerate(rows, start=1) if r[0] == "序号")
    last = next(i for i, r in enumerate(rows, start=1) if r[0] == "合计") - 1
    assert ws.auto_filter.ref == f"A{header}:L{last}"  # the data rows, not the total below them
    assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.orientation == "landscape"


def _pdf_checks(tmp_path, content, *texts):
    path = tmp_path / "out.pdf"
    path.write_bytes(content)
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    # poppler prints the embedded name with hyphens ("XXXXXX+Source-Han-Sans-SC")
    embedded = [line for line in fonts.replace("-", "").splitlines() if "SourceHanSans" in line]
    assert embedded, fonts
    assert all(line.split()[-5] == "yes" for line in embedded)  # the "emb" column: embedded
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    for t in texts:
        assert t in text, t
    return text


@pytest.mark.skipif(not shutil.which("pdffonts"), reason="poppler-utils missing")
def test_pdf_pay_sheet_embeds_cjk_font_and_extracts_chinese(world, api, build, tmp_path):
    run = build()
    r = api(world.users["county_org"]).get(f"/api/v1/pay-runs/{run.pk}/export/?format=pdf")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    _pdf_checks(tmp_path, r.content, "村级后备干部报酬发放表", "张三", "李四", "按经费来源小计", "4320.00")


@pytest.mark.skipif(not shutil.which("pdffonts"), reason="poppler-utils missing")
def test_cadre_downloads_own_pay_slip_only(world, client, approved, tmp_path):
    # a cadre sees their own slips
    run = approved()
    mine = PayLine.objects.get(run=run, cadre=world.cadre)
    other = PayLine.objects.get(run=run, cadre=world.other_cadre)
    client.force_login(world.users["cadre"])
    r = client.get(f"/payroll/lines/{mine.pk}/slip/")
    assert r.status_code == 200
    _pdf_checks(tmp_path, r.content, "报酬发放单", "张三", "县级补助", "2160.00", "县人才工作经费")
    assert client.get(f"/payroll/lines/{other.pk}/slip/").status_code == 404
    page = client.get("/payroll/my/")
    assert "2160.00" in page.content.decode()
