"""R-43 outputs: 工资发放表 per township (Excel, PDF), the county summary, pay slips (PDF)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from core import excel
from core.audit import MAX_SUBJECTS, log_personal_data
from core.excel import xlsx_response
from core.money import money
from core.pdf import pdf_response, render_pdf
from core.personal import shown
from payroll import policies
from payroll.models import Component, FundingSource, PayLine, PayRun, PerformanceBonus
from payroll.selectors import run_summary, totals
from payroll.services import BONUS_COLUMNS, PAYMENT_COLUMNS

COMPONENT_LABELS = [str(label) for _value, label in Component.choices]
SOURCE_LABELS = {value: str(label) for value, label in FundingSource.choices}


def _title(run: PayRun, township_name: str | None = None) -> str:
    base = _("%(c)s%(y)s年%(m)s月村级后备干部报酬发放表") % {"c": run.county.name, "y": run.month.year,
                                                          "m": run.month.month}
    return f"{base}（{township_name}）" if township_name else base


def sheet_lines(lines):
    """Lines in pay-sheet order with what the sheet prints (one query)."""
    return lines.select_related("cadre", "village", "township").order_by(
        "township__code", "village__code", "kind", "cadre__name", "pk")


def township_groups(lines) -> list[tuple[object, list[PayLine]]]:
    groups: list[tuple[object, list[PayLine]]] = []
    for line in sheet_lines(lines):
        if not groups or groups[-1][0].pk != line.township_id:
            groups.append((line.township, []))
        groups[-1][1].append(line)
    return groups


def _component_cell(run: PayRun, line: PayLine, component: str):
    """R-45: a run whose year pays the accident insurance yearly says so in the column, not 0.00."""
    value = getattr(line, component)
    if component == Component.ACCIDENT_INSURANCE and run.accident_yearly and not value:
        return _("按年缴纳")
    return value


def _sum(lines, field):
    return money(sum((getattr(line, field) for line in lines), money(0)))


def pay_sheet_workbook(run: PayRun, lines, *, full_personal_data: bool, county_summary: bool = True) -> bytes:
    """One sheet per township (工资发放表) with subtotals per funding source and a signature block,
    then, for the county's own export (``county_summary``), the county summary by township and funding source
    (issue 17: a township's export carried a 全县汇总 sheet)."""
    wb = Workbook()
    wb.remove(wb.active)
    headers = [_("序号"), _("村（社区）"), _("姓名"), _("身份证号"), *COMPONENT_LABELS, _("合计"), _("类别"), _("说明")]
    money_cols = set(range(5, 5 + len(COMPONENT_LABELS) + 1))
    groups = township_groups(lines)
    for township, rows in groups:
        ws = wb.create_sheet(title=township.name[:31])
        excel.write_title(ws, _title(run, township.name), len(headers))
        excel.write_cell(ws, 2, 1, _("状态：%(s)s　单位：元") % {"s": run.get_status_display()}
                         + (f"　{run.accident_note}" if run.accident_yearly else ""))
        excel.write_header(ws, headers, row=3, widths=[6, 14, 10, 22, 11, 11, 11, 13, 15, 12, 8, 24])
        r = 4
        for i, line in enumerate(rows, start=1):
            number = shown(line.cadre.id_number, "id_number", full=full_personal_data)
            excel.write_row(ws, r, [i, line.village.name, line.cadre.name, number,
                                    *[_component_cell(run, line, c) for c in policies.COMPONENTS], line.total,
                                    line.get_kind_display(), line.reason], money_cols=money_cols)
            r += 1
        excel.write_row(ws, r, [_("合计"), "", _("%(n)s 行") % {"n": len(rows)}, "",
                                *[_sum(rows, c) for c in policies.COMPONENTS], _sum(rows, "total"), "", ""],
                        bold=True, money_cols=money_cols)
        r += 2
        excel.write_cell(ws, r, 1, _("按经费来源小计")).font = Font(bold=True)
        r += 1
        for source in FundingSource.values:
            excel.write_row(ws, r, [SOURCE_LABELS[source], "", "", "", _sum(rows, f"{source}_fund")],
                            money_cols={5})
            ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=4)
            r += 1
        r += 1
        for text in (_("制表人：　　　　　　　　审核人：　　　　　　　　乡（镇）党委负责人："),
                     _("乡（镇）党委（盖章）　　　　　　　　　　　　　　　　年　　月　　日")):
            excel.write_cell(ws, r, 1, text).alignment = Alignment(horizontal="left")
            ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=len(headers))
            r += 2
        ws.print_title_rows = "3:3"
        ws.page_setup.orientation = "landscape"
    if county_summary or not groups:
        _summary_sheet(wb, run, lines)
    return excel.workbook_bytes(wb)


def _summary_sheet(wb, run, lines):
    ws = wb.create_sheet(title=_("全县汇总"), index=0)
    headers = [_("乡（镇）"), _("人数"), *[SOURCE_LABELS[s] for s in FundingSource.values], _("合计")]
    excel.write_title(ws, _("%(c)s%(y)s年%(m)s月村级后备干部报酬汇总表") % {
        "c": run.county.name, "y": run.month.year, "m": run.month.month}, len(headers))
    excel.write_header(ws, headers, row=2, widths=[16, 8, 16, 14, 14, 14])
    money_cols = {3, 4, 5, 6}
    r = 3
    for row in run_summary(lines):
        excel.write_row(ws, r, [row["township__name"], row["people"], money(row["county_fund"]),
                                money(row["township_fund"]), money(row["village_fund"]), money(row["total"])],
                        money_cols=money_cols)
        r += 1
    t = totals(lines)
    excel.write_row(ws, r, [_("合计"), "", t["county_fund"], t["township_fund"], t["village_fund"], t["total"]],
                    bold=True, money_cols=money_cols)


def pay_sheet_pdf(run: PayRun, lines, *, full_personal_data: bool) -> bytes:
    groups = []
    for township, rows in township_groups(lines):
        groups.append({
            "township": township, "lines": rows, "title": _title(run, township.name),
            "sums": {c: _sum(rows, c) for c in policies.COMPONENTS + ["total"]},
            "sources": [(SOURCE_LABELS[s], _sum(rows, f"{s}_fund")) for s in FundingSource.values],
        })
    return render_pdf("pdf/payroll_sheet.html", {
        "run": run, "groups": groups, "summary": run_summary(lines), "totals": totals(lines),
        "component_labels": COMPONENT_LABELS, "components": policies.COMPONENTS,
        "full_personal_data": full_personal_data,
    })


def pay_slip_pdf(line: PayLine, *, full_personal_data: bool) -> bytes:
    """R-43: one cadre's pay slip for one month (or adjustment)."""
    rows = [(str(label), getattr(line, value), SOURCE_LABELS[line.run.policy.source_of(value)]
             if line.run.policy else "") for value, label in Component.choices]
    return render_pdf("pdf/payroll_slip.html", {
        "line": line, "run": line.run, "rows": rows, "full_personal_data": full_personal_data,
        "sources": [(SOURCE_LABELS[s], line.fund(s), line.paid_on(s)) for s in FundingSource.values],
    })


def bonus_template(cadres, month) -> bytes:
    """The import template: one row per cadre paid that month, the 编号 column identifies the cadre."""
    wb = Workbook()
    ws = wb.active
    ws.title = _("业绩考核奖")
    headers = [BONUS_COLUMNS["id"], _("乡（镇）"), _("村（社区）"), BONUS_COLUMNS["name"], BONUS_COLUMNS["month"],
               BONUS_COLUMNS["amount"], BONUS_COLUMNS["note"]]
    excel.write_header(ws, headers, widths=[8, 14, 14, 10, 10, 16, 30])
    existing = {b.cadre_id: b for b in month_bonuses(cadres, month)}
    for r, cadre in enumerate(cadres.order_by("village__township__code", "village__code", "name"), start=2):
        bonus = existing.get(cadre.pk)
        excel.write_row(ws, r, [cadre.pk, cadre.village.township.name, cadre.village.name, cadre.name,
                                f"{month:%Y-%m}", bonus.amount if bonus else None, bonus.note if bonus else ""],
                        money_cols={6})
    return excel.workbook_bytes(wb)


def month_bonuses(cadres, month):
    return PerformanceBonus.objects.filter(cadre__in=cadres, month=month)


def payments_template(run: PayRun, lines) -> bytes:
    """The paid-date import template for a run: one row per line in scope, dates filled where known."""
    wb = Workbook()
    ws = wb.active
    ws.title = _("发放登记")
    headers = [PAYMENT_COLUMNS["id"], _("乡（镇）"), _("村（社区）"), PAYMENT_COLUMNS["name"], _("合计"),
               PAYMENT_COLUMNS["county"], PAYMENT_COLUMNS["township"], PAYMENT_COLUMNS["village"]]
    excel.write_header(ws, headers, widths=[10, 14, 14, 10, 12, 20, 18, 16])
    for r, line in enumerate(sheet_lines(lines), start=2):
        excel.write_row(ws, r, [line.pk, line.township.name, line.village.name, line.cadre.name, line.total,
                                *[(line.paid_on(s).isoformat() if line.paid_on(s) else
                                   (None if line.fund(s) else "—")) for s in FundingSource.values]],
                        money_cols={5})
    return excel.workbook_bytes(wb)


def sheet_response(run, lines, *, scope, kind, suffix="", request=None):
    """R-43: the run's 工资发放表 as a download, ``kind`` "pdf" or else xlsx; full ID numbers and phones
    only for county_org (R-03), and then the download is in the personal-data log (issue 14 item 5)."""
    full = scope.sees_personal_data(run.county_id)
    name = f"{run.county.name}{run.month:%Y年%m月}报酬发放表{suffix}"
    if full and request is not None:
        people = lines.order_by().values("cadre_id").distinct()
        log_personal_data(
            request, kind="pd_pay_sheet", fields=("id_number",), people=people.count(),
            what=_("%(r)s 发放表（%(f)s）") % {"r": run, "f": "PDF" if kind == "pdf" else "Excel"},
            scope_label=suffix or run.county.name,
            subjects=lines.order_by("cadre__name", "cadre_id").values_list("cadre_id", "cadre__name")
            .distinct()[:MAX_SUBJECTS])
    if kind == "pdf":
        return pdf_response(pay_sheet_pdf(run, lines, full_personal_data=full), f"{name}.pdf")
    summary = scope.county_wide and not suffix  # one township's sheet (乡 user, or ?township=) has no county summary
    return xlsx_response(pay_sheet_workbook(run, lines, full_personal_data=full, county_summary=summary),
                         f"{name}.xlsx")
