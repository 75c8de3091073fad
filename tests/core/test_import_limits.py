"""Issue 16 (penetration test, MEDIUM): imports refuse what would tie up a worker, quickly and clearly.

A zip bomb, a sheet with too many rows, a header-only file and an oversize upload each get a Chinese
error on the page (HTTP 400) and change nothing in the database."""

import datetime as dt
import io
import time
import zipfile
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from core import excel
from payroll.models import LinePayment, PayLine, PerformanceBonus
from payroll.services import BONUS_COLUMNS, PAYMENT_COLUMNS
from selection import exports as selection_exports
from selection.models import Application
from tests.payroll.conftest import approved, build, policy  # noqa: F401 - fixtures
from tests.selection.conftest import rnd  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db

BONUS_HEADER = [BONUS_COLUMNS[k] for k in ("id", "name", "month", "amount", "note")]
SHEET = "xl/worksheets/sheet1.xml"


def _col(i):
    return chr(ord("A") + i)


def _row_xml(number, values):
    cells = "".join(f'<c r="{_col(i)}{number}" t="inlineStr"><is><t>{v}</t></is></c>' for i, v in enumerate(values))
    return f'<row r="{number}">{cells}</row>'


def xlsx_streamed(header, rows, *, name="import.xlsx", filler=None):
    """An .xlsx whose sheet XML is written piece by piece (fast, little memory): ``rows`` is an iterable of
    value lists; ``filler`` (bytes, count) appends that many copies of junk XML inside the sheet — the
    repetitive content of a zip bomb."""
    wb = Workbook()
    wb.active.append(header)
    base = io.BytesIO()
    wb.save(base)
    out = io.BytesIO()
    with zipfile.ZipFile(base) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as dst:
        for info in src.infolist():
            if info.filename != SHEET:
                dst.writestr(info, src.read(info))
                continue
            with dst.open(SHEET, "w", force_zip64=True) as sheet:
                sheet.write(b'<?xml version="1.0" encoding="UTF-8"?><worksheet '
                            b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
                sheet.write(_row_xml(1, header).encode())
                batch = []
                for n, values in enumerate(rows, start=2):
                    batch.append(_row_xml(n, values))
                    if len(batch) == 1000:
                        sheet.write("".join(batch).encode())
                        batch = []
                sheet.write("".join(batch).encode())
                if filler:
                    chunk, count = filler
                    for _ in range(count):
                        sheet.write(chunk)
                sheet.write(b"</sheetData></worksheet>")
    return SimpleUploadedFile(name, out.getvalue())


def bonus_rows(world, n):
    return ([world.cadre.pk, "张三", "2025-03", 100 + i % 7, ""] for i in range(n))


def post(client, url, upload):
    # measured in CPU seconds of this process (time.process_time), not wall time: the bound is on the work the
    # code does, so a busy machine does not fail it (the renderer and, on SQLite, the queries run in-process)
    started = time.process_time()
    r = client.post(url, {"file": upload})
    return r, time.process_time() - started


def _page_says(r, text):
    assert r.status_code == 400, r.status_code
    assert r["Content-Type"].startswith("text/html")
    html = r.content.decode()
    assert text in html and 'type="file"' in html  # the error on the page, the form there to try again
    return html


@pytest.fixture
def township(client, world):
    client.force_login(world.users["township_party"])
    return client


# -- zip bombs: refused from the zip's directory, before openpyxl reads a byte of XML ---------------------

def test_zip_bomb_is_refused_without_parsing(world, township, policy):
    # ~150 KB that would expand to ~30 MB of sheet XML (the finding: 728 KB → 191 MB)
    bomb = xlsx_streamed(BONUS_HEADER, bonus_rows(world, 1), filler=(b"<!-- " + b"A" * 1000 + b" -->", 30_000))
    assert bomb.size < 300 * 1024
    with mock.patch("core.excel.load_workbook") as openpyxl_load:
        r, seconds = post(township, "/payroll/bonuses/import/", bomb)
    _page_says(r, "文件解压后的内容异常大")
    assert "5000" in r.content.decode()  # names the row cap as the way out
    assert not openpyxl_load.called and seconds < 2
    assert not PerformanceBonus.objects.exists()


def test_member_compressed_too_well_is_refused_even_under_the_total(world, settings):
    # 5 MB at a ratio far above any real sheet (real ones: about 15)
    upload = xlsx_streamed(BONUS_HEADER, bonus_rows(world, 1), filler=(b" " * 1000, 5_000))
    with pytest.raises(ValidationError) as exc, mock.patch("core.excel.load_workbook") as openpyxl_load:
        excel.read_upload(upload, BONUS_COLUMNS)
    assert "异常大" in exc.value.message_dict["file"][0] and not openpyxl_load.called


def test_not_a_zip_is_unreadable(world):
    with pytest.raises(ValidationError) as exc:
        excel.read_upload(SimpleUploadedFile("a.xlsx", b"PK\x03\x04 not really"), BONUS_COLUMNS)
    assert "无法读取" in exc.value.message_dict["file"][0]


# -- row caps ----------------------------------------------------------------------------------------

def test_twenty_thousand_applicants_are_refused_at_the_cap(world, client, rnd, org):
    # the finding: 20k applicants ran 30 s and died; now refused after the 1,001st row, naming the cap
    # (applicants are checked one by one, so their import holds fewer rows than the payroll ones)
    header = list(selection_exports.APPLICANT_COLUMNS.values())
    rows = (["龙津镇", "城南村", f"王{i}", "350423199001011234", "13900002222", "大专", "群众", "否", "无"]
            for i in range(20_000))
    client.force_login(org)
    r, seconds = post(client, f"/selection/{rnd.pk}/import/applicants/", xlsx_streamed(header, rows))
    _page_says(r, "数据行超过 1000 行")
    assert seconds < 10 and not Application.objects.exists()


def test_hundred_thousand_rows_are_refused_before_reading(world, township, policy):
    # the finding: a 100k-row sheet; its XML alone is over the limit
    with mock.patch("core.excel.load_workbook") as openpyxl_load:
        r, seconds = post(township, "/payroll/bonuses/import/", xlsx_streamed(BONUS_HEADER, bonus_rows(world, 100_000)))
    _page_says(r, "每次最多导入 5000 行")
    assert not openpyxl_load.called and seconds < 2 and not PerformanceBonus.objects.exists()


def test_row_cap_is_a_setting_and_empty_rows_do_not_count(world, settings):
    settings.MAX_IMPORT_ROWS = 3
    rows = [[1, "张三", "2025-03", 1, ""], ["", "", "", "", ""], [1, "张三", "2025-04", 1, ""], [1, "张三", "2025-05", 1, ""]]
    assert len(excel.read_upload(xlsx_streamed(BONUS_HEADER, rows), BONUS_COLUMNS).rows) == 3
    with pytest.raises(ValidationError) as exc:
        excel.read_upload(xlsx_streamed(BONUS_HEADER, rows + [[1, "张三", "2025-06", 1, ""]]), BONUS_COLUMNS)
    assert "数据行超过 3 行（第 6 行起超出）" in exc.value.message_dict["file"][0]


# -- header only ---------------------------------------------------------------------------------------

def test_header_only_payments_file_changes_nothing(world, township, approved):
    run = approved()
    r, _seconds = post(township, f"/payroll/runs/{run.pk}/payments-import/",
                       xlsx_streamed([PAYMENT_COLUMNS["id"], "乡（镇）", "村（社区）", PAYMENT_COLUMNS["name"], "合计",
                                      PAYMENT_COLUMNS["county"], PAYMENT_COLUMNS["township"],
                                      PAYMENT_COLUMNS["village"]], []))
    _page_says(r, "文件里没有数据行")
    assert "已导入" not in r.content.decode()
    assert not LinePayment.objects.exists() and not PayLine.objects.filter(county_paid_on__isnull=False).exists()


def test_header_only_bonus_and_applicant_files(world, client, township, policy, rnd, org):
    _page_says(post(township, "/payroll/bonuses/import/", xlsx_streamed(BONUS_HEADER, []))[0], "文件里没有数据行")
    client.force_login(org)
    r, _seconds = post(client, f"/selection/{rnd.pk}/import/applicants/",
                       xlsx_streamed(list(selection_exports.APPLICANT_COLUMNS.values()), [["", "", ""]]))
    _page_says(r, "文件里没有数据行")
    assert not PerformanceBonus.objects.exists() and not Application.objects.exists()


# -- oversize uploads: not read, not spooled to disk -----------------------------------------------------

def _no_disk():
    return mock.patch("django.core.files.uploadhandler.TemporaryUploadedFile",
                      side_effect=AssertionError("spooled to disk"))


def test_oversize_upload_is_not_read_and_the_page_says_so(world, township, policy):
    big = SimpleUploadedFile("big.xlsx", b"x" * (6 * 1024 * 1024))
    with _no_disk():
        r, seconds = post(township, "/payroll/bonuses/import/", big)
    html = _page_says(r, "文件太大")
    assert 'data-field="file">文件太大（6144 KB），最大 5120 KB。请删除多余内容' in html
    assert html.count('class="field-error"') == 1  # not also "this field is required"
    assert not PerformanceBonus.objects.exists()


def test_upload_is_cut_off_while_streaming_when_the_length_does_not_tell(world, township, policy, settings, rnd):
    # just over the limit: the request's length is within the slack, so the counting of bytes stops it
    settings.MAX_IMPORT_BYTES = 64 * 1024
    with _no_disk():
        r, _seconds = post(township, "/payroll/bonuses/import/", SimpleUploadedFile("a.xlsx", b"x" * 80 * 1024))
    _page_says(r, "文件太大")
    with _no_disk():
        r, _seconds = post(township, f"/selection/{rnd.pk}/import/scores/", SimpleUploadedFile("a.xlsx", b"x" * 80 * 1024))
    assert r.status_code in (400, 403)


# -- other refusals are 400 with the page --------------------------------------------------------------

def test_import_errors_answer_400_with_the_form(world, township, policy, approved):
    _page_says(post(township, "/payroll/bonuses/import/", SimpleUploadedFile("a.csv", b"a,b"))[0], ".xlsx")
    _page_says(post(township, "/payroll/bonuses/import/", xlsx_streamed(["姓名"], [["张三"]]))[0], "缺少列")
    r = township.post("/payroll/bonuses/import/", {})
    assert r.status_code == 400
    assert township.get("/payroll/bonuses/import/").status_code == 200
    run = approved()
    _page_says(post(township, f"/payroll/runs/{run.pk}/payments-import/", xlsx_streamed(["x"], [[1]]))[0], "缺少列")


def test_normal_file_still_imports(world, township, policy):
    r, _seconds = post(township, "/payroll/bonuses/import/",
                       xlsx_streamed(BONUS_HEADER, [[world.cadre.pk, "张三", "2025-03", 250, "好"]]))
    assert r.status_code == 302
    assert PerformanceBonus.objects.get().month == dt.date(2025, 3, 1)
