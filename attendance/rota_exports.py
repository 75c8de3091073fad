"""R-28: the printable duty rota of a township's villages for a month (PDF with the CJK font, Excel) and
the missed duties (Excel)."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook

from core.excel import finish_sheet, workbook_bytes, write_header, write_row, write_title
from core.pdf import render_pdf

#: villages side by side in one printed table (more go into the next table)
PDF_COLUMNS = 6


def _cell(cell) -> str:
    text = "、".join(cell["people"])
    if cell["missed"]:
        text += "（" + _("缺岗：%(n)s") % {"n": "、".join(cell["missed"])} + "）"
    return text


def rota_xlsx(title: str, villages, rows) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = _("值班表")
    headers = [_("日期"), _("星期")] + [f"{v.township.name}·{v.name}" for v in villages]
    write_title(ws, title, len(headers))
    write_header(ws, headers, row=2, widths=[12, 6] + [16] * len(villages))
    for i, r in enumerate(rows, start=3):
        write_row(ws, i, [f"{r['date']:%Y-%m-%d}", str(r["weekday"])] + [_cell(c) for c in r["cells"]])
    finish_sheet(ws)
    return workbook_bytes(wb)


def rota_pdf(title: str, villages, rows) -> bytes:
    blocks = []
    for start in range(0, max(len(villages), 1), PDF_COLUMNS):
        cols = villages[start:start + PDF_COLUMNS]
        blocks.append({"villages": cols, "rows": [
            {"date": r["date"], "weekday": r["weekday"], "workday": r["workday"],
             "cells": [_cell(c) for c in r["cells"][start:start + PDF_COLUMNS]]} for r in rows]})
    return render_pdf("pdf/attendance_rota.html", {"title": title, "blocks": blocks,
                                                    "printed_on": timezone.localdate()})


MISS_HEADERS = [gettext_lazy("日期"), gettext_lazy("乡（镇）"), gettext_lazy("村"), gettext_lazy("值班人员"),
                gettext_lazy("情况说明"), gettext_lazy("计为缺勤"), gettext_lazy("状态"), gettext_lazy("登记人")]


def misses_xlsx(rows) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = _("值班缺岗")
    write_title(ws, _("值班缺岗登记"), len(MISS_HEADERS))
    write_header(ws, [str(h) for h in MISS_HEADERS], row=2, widths=[12, 12, 12, 10, 30, 9, 8, 12])
    for i, m in enumerate(rows, start=3):
        write_row(ws, i, [f"{m.date:%Y-%m-%d}", m.village.township.name, m.village.name, m.person, m.note,
                          _("是") if m.counts_as_absence else _("否"), _("已撤销") if m.undone else _("有效"),
                          str(m.recorded_by or "")])
    finish_sheet(ws)
    return workbook_bytes(wb)
