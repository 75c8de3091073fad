"""The county information ledger (R-06) in Excel and PDF, and the per-cadre dossier (一人一档) in PDF."""

from __future__ import annotations

import datetime as dt
import functools
from decimal import Decimal

import xlsxwriter
from django.utils.functional import Promise
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from cadres.models import Cadre
from core.excel import FORMULA_TRIGGERS
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


@functools.lru_cache(maxsize=8)
def _labels(language: str | None) -> dict:
    """The words of the ledger's coded columns in one language, translated once per export instead of per
    cell (``get_FOO_display`` re-hashes the lazy choice labels on every call: at 4,500 rows that and the
    per-row gettext were over a third of the job's time)."""
    def of(name):
        return {k: str(v) for k, v in Cadre._meta.get_field(name).flatchoices}

    return {"gender": of("gender"), "education": of("education"), "post": of("post"),
            "status": {k: str(v) for k, v in STATUS_LABELS.items()},
            "result": {k: str(v) for k, v in RESULT_LABELS.items()},
            "yes": _("是"), "no": _("否"), "missing": _("未落实")}


def ledger_values(cadre, index: int, *, pay: dict, full_personal, pay_known: bool) -> list:
    """One ledger row as cell values (R-06). ID number and phone masked below county_org (R-03):
    ``full_personal`` is a bool, or ``Scope.sees_personal_data`` itself, asked with the row's county."""
    if callable(full_personal):
        full_personal = full_personal(cadre.village.township.county_id)
    words = _labels(get_language())
    pairing = getattr(cadre, "pairing", None) if _has_pairing(cadre) else None
    leader = str(pairing.contact_leader) if pairing and pairing.contact_leader_id else words["missing"]
    paired = (pairing.paired_display if pairing else "") or words["missing"]
    assessment = (f"{cadre.assessment_year}年 {words['result'].get(cadre.assessment_result, '')}"
                  if cadre.assessment_year else "")
    p = pay.get(cadre.pk, {})
    return [str(v) if isinstance(v, Promise) else v for v in [
        index, cadre.village.township.name, cadre.village.name, cadre.name,
        words["gender"].get(cadre.gender, cadre.gender), cadre.birth_date,
        words["education"].get(cadre.education, cadre.education),
        shown(cadre.id_number, "id_number", full=full_personal),
        shown(cadre.phone, "phone", full=full_personal),
        words["post"].get(cadre.post, cadre.post), cadre.appointed_on, words["status"].get(cadre.status, cadre.status),
        words["yes"] if cadre.is_serving_village_cadre else words["no"], leader, paired,
        cadre.talks_year, cadre.last_talk_on, cadre.training_year, cadre.year_days, assessment, cadre.open_cases,
        (p.get("total", Decimal("0.00")) if pay_known else ""), (p.get("unpaid", 0) if pay_known else ""),
    ]]


def _has_pairing(cadre) -> bool:
    try:
        cadre.pairing  # noqa: B018 - touching the relation is the test
    except Exception:  # noqa: BLE001 - RelatedObjectDoesNotExist
        return False
    return True


def _chunks(rows, size: int):
    batch = []
    for row in rows.iterator(chunk_size=size):
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _waiver_sheet(wb, waivers, *, year: int, full_personal, put) -> None:
    """R-17: the ban waivers of the year's rounds on a sheet of their own (the ledger never hides one)."""
    ws = wb.add_worksheet(_("禁选期豁免"))
    for i, w in enumerate((16, 24, 22, 30, 40, 24, 18)):
        ws.set_column(i, i, w)
    put(ws, 0, [_("禁选期豁免（%(y)s年度选拔批次）") % {"y": year}])
    put(ws, 1, [_("姓名"), _("身份证号"), _("原任职村"), _("选拔批次"), _("豁免理由"), _("文号"), _("登记时间")])
    n = 0
    for w in waivers:
        n += 1
        village = w.banned_cadre.village
        put(ws, n + 1, [
            w.name, shown(w.id_number, "id_number",
                          full=full_personal(w.round.county_id) if callable(full_personal) else full_personal),
            f"{village.township.name} {village.name}", w.round.title, w.reason, w.document_no,
            f"{w.granted_at:%Y-%m-%d}"])
    if not n:
        put(ws, 2, [_("本年度没有禁选期豁免。")])


#: rows between two progress reports of an export job
PROGRESS_EVERY = 1000


def write_ledger_xlsx(out, rows, *, year: int, title: str, pay, full_personal, pay_known: bool, waivers=(),
                      progress=None) -> int:
    """R-06: the ledger workbook written to ``out`` (a path or a binary file) in constant memory (XlsxWriter
    ``constant_memory``: each row goes to disk as it is written; measured about twice as fast as openpyxl's
    write-only mode). The synchronous download and the export job (core.exports) both call this, so the
    file is the same either way. Returns the number of cadre rows.

    ``pay``: a dict {cadre id: pay figures}, or a function ``pay(cadre_ids) -> dict`` called once per
    chunk of 2,000 rows, so the pay figures of 500,000 cadres are never all in memory (issue 8).
    ``progress(done)`` is called every ``PROGRESS_EVERY`` rows and at the end.
    Issue 16: strings are never formulas (``strings_to_formulas`` off); text that starts like one also gets
    Excel's quote prefix, and characters a worksheet cannot hold are dropped (as ``core.excel.safe_cell_value``)."""
    wb = xlsxwriter.Workbook(out, {"constant_memory": True, "strings_to_formulas": False,
                                   "strings_to_numbers": False, "strings_to_urls": False,
                                   "default_date_format": "yyyy-mm-dd"})
    border = {"border": 1}
    plain, quoted = wb.add_format(border), wb.add_format({**border, "quote_prefix": True})
    date_fmt = wb.add_format({**border, "num_format": "yyyy-mm-dd"})
    money_fmt = wb.add_format({**border, "num_format": "#,##0.00"})
    bare_quoted = wb.add_format({"quote_prefix": True})
    header_fmt = wb.add_format({**border, "bold": True, "bg_color": "#F2F2F2", "align": "center",
                                "valign": "vcenter", "text_wrap": True})

    def text(value: str) -> str:
        return ILLEGAL_CHARACTERS_RE.sub("", value)

    def put(ws, r, values, *, bordered=False):
        for col, v in enumerate(values):
            if isinstance(v, Promise):
                v = str(v)
            if isinstance(v, str):
                v = text(v)
                starts = v[:1] in FORMULA_TRIGGERS or v.lstrip()[:1] in FORMULA_TRIGGERS
                fmt = (quoted if bordered else bare_quoted) if starts else (plain if bordered else None)
                ws.write_string(r, col, v, fmt)
            elif v is None or v == "":
                if bordered:
                    ws.write_blank(r, col, None, plain)
            elif isinstance(v, dt.date):
                ws.write_datetime(r, col, v, date_fmt if bordered else None)
            elif bordered and col == 21:
                ws.write_number(r, col, v, money_fmt)
            else:
                ws.write_number(r, col, v, plain if bordered else None)

    ws = wb.add_worksheet(_("信息台账"))
    for i, w in enumerate(LEDGER_WIDTHS):
        ws.set_column(i, i, w)
    ws.freeze_panes(2, 0)
    ws.write_string(0, 0, text(title), wb.add_format({"bold": True, "font_size": 14}))
    for col, h in enumerate(LEDGER_HEADERS):
        ws.write_string(1, col, str(h), header_fmt)
    n = 0
    for batch in _chunks(rows, 2000):
        batch_pay = pay([c.pk for c in batch]) if callable(pay) else pay
        for cadre in batch:
            n += 1
            put(ws, n + 1, ledger_values(cadre, n, pay=batch_pay, full_personal=full_personal,
                                         pay_known=pay_known), bordered=True)
            if progress is not None and n % PROGRESS_EVERY == 0:
                progress(n)
    ws.write_string(n + 2, 0, _("合计：%(n)s 人（%(y)s年度）") % {"n": n, "y": year})
    ws.autofilter(1, 0, n + 1, len(LEDGER_HEADERS) - 1)  # issue 17: filter, one page wide
    ws.set_landscape()
    ws.fit_to_pages(1, 0)
    _waiver_sheet(wb, waivers, year=year, full_personal=full_personal, put=put)
    wb.close()
    if progress is not None:
        progress(n)
    return n
