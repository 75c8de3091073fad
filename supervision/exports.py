"""The county information ledger (R-06) in Excel and PDF, and the per-cadre dossier (一人一档) in PDF."""

from __future__ import annotations

import datetime as dt
import tempfile
from copy import copy
from decimal import Decimal

from django.http import FileResponse
from django.utils.encoding import escape_uri_path
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from cadres.models import Cadre
from core.excel import BORDER, XLSX, safe_cell_value
from core.personal import shown
from supervision.models import Assessment

LEDGER_HEADERS = [
    gettext_lazy("序号"), gettext_lazy("乡（镇）"), gettext_lazy("村（社区）"), gettext_lazy("姓名"), gettext_lazy("性别"), gettext_lazy("出生日期"), gettext_lazy("学历"), gettext_lazy("身份证号"), gettext_lazy("手机号"),
    gettext_lazy("岗位"), gettext_lazy("聘任日期"), gettext_lazy("状态"), gettext_lazy("在职村干部"), gettext_lazy("联系乡镇领导"), gettext_lazy("结对村干部"),
    gettext_lazy("本年谈话考察次数"), gettext_lazy("最近谈话日期"), gettext_lazy("本年培训次数"), gettext_lazy("本年跟班学习天数"), gettext_lazy("最近评估"),
    gettext_lazy("待处理案件"), gettext_lazy("本年报酬合计（元）"), gettext_lazy("未发放笔数"),
]
LEDGER_WIDTHS = [6, 12, 14, 10, 6, 12, 10, 22, 14, 16, 12, 10, 10, 14, 18, 10, 12, 10, 10, 14, 8, 14, 8]

RESULT_LABELS = dict(Assessment.Result.choices)
STATUS_LABELS = dict(Cadre.Status.choices)


def ledger_values(cadre, index: int, *, pay: dict, full_personal, pay_known: bool) -> list:
    """One ledger row as cell values (R-06). ID number and phone masked below county_org (R-03):
    ``full_personal`` is a bool, or ``Scope.sees_personal_data`` itself, asked with the row's county."""
    if callable(full_personal):
        full_personal = full_personal(cadre.village.township.county_id)
    pairing = getattr(cadre, "pairing", None) if _has_pairing(cadre) else None
    leader = str(pairing.contact_leader) if pairing and pairing.contact_leader_id else _("未落实")
    paired = (pairing.paired_display if pairing else "") or _("未落实")
    assessment = (f"{cadre.assessment_year}年 {RESULT_LABELS.get(cadre.assessment_result, '')}"
                  if cadre.assessment_year else "")
    p = pay.get(cadre.pk, {})
    return [str(v) if isinstance(v, Promise) else v for v in [
        index, cadre.village.township.name, cadre.village.name, cadre.name, cadre.get_gender_display(),
        cadre.birth_date, cadre.get_education_display(),
        shown(cadre.id_number, "id_number", full=full_personal),
        shown(cadre.phone, "phone", full=full_personal),
        cadre.get_post_display(), cadre.appointed_on, STATUS_LABELS.get(cadre.status, cadre.status),
        _("是") if cadre.is_serving_village_cadre else _("否"), leader, paired,
        cadre.talks_year, cadre.last_talk_on, cadre.training_year, cadre.year_days, assessment, cadre.open_cases,
        (p.get("total", Decimal("0.00")) if pay_known else ""), (p.get("unpaid", 0) if pay_known else ""),
    ]]


def _has_pairing(cadre) -> bool:
    try:
        cadre.pairing  # noqa: B018 - touching the relation is the test
    except Exception:  # noqa: BLE001 - RelatedObjectDoesNotExist
        return False
    return True


def _style_of(ws, number_format: str | None):
    """The style index array of a bordered cell (with a number format), registered once."""
    cell = WriteOnlyCell(ws, value=None)
    cell.border = BORDER
    if number_format:
        cell.number_format = number_format
    return cell._style


def _chunks(rows, size: int):
    batch = []
    for row in rows.iterator(chunk_size=size):
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _waiver_sheet(wb, waivers, *, year: int, full_personal) -> None:
    """R-17: the ban waivers of the year's rounds on a sheet of their own (the ledger never hides one)."""
    ws = wb.create_sheet(title=_("禁选期豁免"))
    for i, w in enumerate((16, 24, 22, 30, 40, 24, 18), start=1):
        ws.column_dimensions[get_column_letter(i)].width = w
    ws.append([safe_cell_value(WriteOnlyCell(ws), _("禁选期豁免（%(y)s年度选拔批次）") % {"y": year})])
    ws.append([safe_cell_value(WriteOnlyCell(ws), str(h)) for h in (
        _("姓名"), _("身份证号"), _("原任职村"), _("选拔批次"), _("豁免理由"), _("文号"), _("登记时间"))])
    n = 0
    for w in waivers:
        n += 1
        village = w.banned_cadre.village
        ws.append([safe_cell_value(WriteOnlyCell(ws), v) for v in (
            w.name, shown(w.id_number, "id_number",
                          full=full_personal(w.round.county_id) if callable(full_personal) else full_personal),
            f"{village.township.name} {village.name}", w.round.title, w.reason, w.document_no,
            f"{w.granted_at:%Y-%m-%d}")])
    if not n:
        ws.append([safe_cell_value(WriteOnlyCell(ws), _("本年度没有禁选期豁免。"))])


def ledger_xlsx_response(rows, *, year: int, title: str, pay, full_personal, pay_known: bool,
                         filename: str, waivers=()) -> FileResponse:
    """A write-only workbook (rows streamed from the queryset, constant memory), streamed back from a
    temporary file.

    ``pay``: a dict {cadre id: pay figures}, or a function ``pay(cadre_ids) -> dict`` called once per
    chunk of 2,000 rows, so the pay figures of 500,000 cadres are never all in memory (issue 8)."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=_("信息台账"))
    for i, w in enumerate(LEDGER_WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(i)].width = w
    ws.freeze_panes = "A3"
    head = safe_cell_value(WriteOnlyCell(ws), title)
    head.font = Font(size=14, bold=True)
    ws.append([head])
    header_cells = []
    for text in LEDGER_HEADERS:
        c = safe_cell_value(WriteOnlyCell(ws), str(text))
        c.font = Font(bold=True)
        c.fill = PatternFill("solid", fgColor="F2F2F2")
        c.border = BORDER
        c.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        header_cells.append(c)
    ws.append(header_cells)
    # The three cell styles are registered with the workbook once; each cell then gets a copy of the
    # style's index array (setting .border/.number_format per cell re-hashes the style objects: at
    # 500,000 rows × 23 cells that was most of the export's time — issue 8).
    plain, date_style, money_style = (_style_of(ws, fmt) for fmt in (None, "yyyy-mm-dd", "#,##0.00"))
    n = 0
    for batch in _chunks(rows, 2000):
        batch_pay = pay([c.pk for c in batch]) if callable(pay) else pay
        for cadre in batch:
            n += 1
            values = ledger_values(cadre, n, pay=batch_pay, full_personal=full_personal, pay_known=pay_known)
            cells = []
            for col, v in enumerate(values, start=1):
                c = WriteOnlyCell(ws)
                if col == 22 and v != "":
                    c._style = copy(money_style)
                elif isinstance(v, dt.date):
                    c._style = copy(date_style)
                else:
                    c._style = copy(plain)
                cells.append(safe_cell_value(c, v))  # after the style: it may add the quote prefix
            ws.append(cells)
    ws.append([safe_cell_value(WriteOnlyCell(ws), _("合计：%(n)s 人（%(y)s年度）") % {"n": n, "y": year})])
    ws.auto_filter.ref = f"A2:{get_column_letter(len(LEDGER_HEADERS))}{n + 2}"  # issue 17: filter, one page wide
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    _waiver_sheet(wb, waivers, year=year, full_personal=full_personal)
    tmp = tempfile.TemporaryFile()
    wb.save(tmp)
    tmp.seek(0)
    response = FileResponse(tmp, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{escape_uri_path(filename)}"
    return response
