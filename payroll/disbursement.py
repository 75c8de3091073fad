"""R-45: the bank's disbursement file (代发文件) of a pay run, per funding source and township.

One row per payee — 户名, the full account number (as text, so Excel keeps every digit), 开户行/类别, the amount
that source owes the cadre in the run (regular and adjustment lines summed) and 用途 — and a total row equal
to the run's total for that source and township. A bank cannot pay a row without an account, so a run with
such lines is refused, naming the people. Only county_org and county_finance download it (full numbers);
every download is recorded as an ``AuditEvent``.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from openpyxl import Workbook

from cadres.models import Cadre
from core import excel
from core.audit import log_personal_data
from core.money import MoneySum, money
from payroll import permissions
from payroll.models import FundingSource, PayLine, PayRun

SOURCE_LABELS = {value: str(label) for value, label in FundingSource.choices}
#: R-45: sources whose file may cover the whole county at once (the county fund pays every township)
COUNTY_WIDE_SOURCES = (FundingSource.COUNTY,)


@dataclass
class PayeeRow:
    cadre: Cadre
    amount: Decimal


class MissingAccounts(Exception):  # noqa: N818 - a refusal a page shows, not a programming error
    """R-45: lines to pay whose cadre has no payee account; ``cadres`` are those people."""

    def __init__(self, cadres: list[Cadre]):
        self.cadres = cadres
        self.message = _("以下 %(n)s 人没有登记收款账户，银行无法代发，请先登记后再下载：%(names)s") % {
            "n": len(cadres), "names": "、".join(f"{c.name}（{c.village.name}）" for c in cadres)}
        super().__init__(self.message)


def check_request(run: PayRun, source: str | None, township) -> None:
    """The file's parameters: a known source; a township of the run's county unless the county fund."""
    if source not in FundingSource.values:
        raise ValidationError({"source": [_("请选择经费来源：县人才工作经费、乡镇财政或村财。")]})
    if township is None and source not in COUNTY_WIDE_SOURCES:
        raise ValidationError({"township": [_("%(s)s的代发文件按乡（镇）下载，请选择乡（镇）。") % {
            "s": SOURCE_LABELS[source]}]})
    if township is not None and township.county_id != run.county_id:
        raise ValidationError({"township": [_("该乡（镇）不属于本次发放的县。")]})


def run_lines(run: PayRun, township=None):
    lines = PayLine.objects.filter(run=run)
    return lines.filter(township=township) if township is not None else lines


def payee_rows(run: PayRun, source: str, township=None) -> list[PayeeRow]:
    """R-45: what ``source`` pays each cadre in the run (regular and adjustment lines summed), amounts of 0
    left out, in pay-sheet order (township, village, name). Two queries."""
    field = f"{source}_fund"
    sums = {row["cadre_id"]: money(row["amount"]) for row in
            run_lines(run, township).order_by().values("cadre_id").annotate(amount=MoneySum(field))}
    cadres = (Cadre.objects.filter(pk__in=[pk for pk, amount in sums.items() if amount != 0])
              .select_related("village", "village__township", "payee_account")
              .order_by("village__township__code", "village__code", "name", "pk"))
    return [PayeeRow(cadre=c, amount=sums[c.pk]) for c in cadres]


def account_of(cadre):
    try:
        return cadre.payee_account
    except Cadre.payee_account.RelatedObjectDoesNotExist:
        return None


def purpose(run: PayRun, source: str) -> str:
    return _("%(y)s年%(m)s月村级后备干部报酬（%(s)s）") % {"y": run.month.year, "m": run.month.month,
                                                       "s": SOURCE_LABELS[source]}


def disbursement_workbook(run: PayRun, source: str, township, rows: list[PayeeRow]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = _("代发清单")
    headers = [_("序号"), _("户名"), _("收款账户"), _("开户行/类别"), _("金额（元）"), _("用途")]
    title = _("%(c)s%(y)s年%(m)s月村级后备干部报酬代发清单") % {
        "c": run.county.name, "y": run.month.year, "m": run.month.month}
    if not run.is_locked:
        title += _("（草稿，仅供核对）")
    excel.write_title(ws, title, len(headers))
    excel.write_cell(ws, 2, 1, _("县：%(c)s　月份：%(m)s　经费来源：%(s)s　乡镇：%(t)s") % {
        "c": run.county.name, "m": run.month_label, "s": SOURCE_LABELS[source],
        "t": township.name if township is not None else _("全部乡镇")})
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=len(headers))
    excel.write_header(ws, headers, row=3, widths=[6, 12, 24, 26, 14, 40])
    text = purpose(run, source)
    r = 4
    for i, row in enumerate(rows, start=1):
        account = account_of(row.cadre)
        excel.write_row(ws, r, [i, account.holder, account.number, account.bank_or_kind, row.amount, text],
                        money_cols={5})
        ws.cell(row=r, column=3).number_format = "@"
        r += 1
    total = money(sum((row.amount for row in rows), money(0)))
    excel.write_row(ws, r, [_("合计"), _("%(n)s 人") % {"n": len(rows)}, "", "", total, ""], bold=True,
                    money_cols={5})
    ws.print_title_rows = "3:3"
    return excel.workbook_bytes(wb)


def disbursement_file(*, run: PayRun, source: str | None, township, by, request=None) -> tuple[bytes, str]:
    """R-45: the bank file and its name. 403 unless county_org/county_finance of the run's county; a bad
    source or township is a ``ValidationError``; people without an account raise ``MissingAccounts``.
    Every download is audited (who, run, source, township, rows)."""
    permissions.enforce(by, permissions.can_download_disbursement, run,
                        message=_("代发文件含完整账号，只有县委组织部和县财政局可以下载。"))
    check_request(run, source, township)
    rows = payee_rows(run, source, township)
    missing = [row.cadre for row in rows if account_of(row.cadre) is None]
    if missing:
        raise MissingAccounts(missing)
    content = disbursement_workbook(run, source, township, rows)
    place = township.name if township is not None else _("全部乡镇")
    log_personal_data(request if request is not None else by, kind="pd_disbursement", fields=("account",),
                      people=len({row.cadre.pk for row in rows}), scope_label=f"{place}，{SOURCE_LABELS[source]}",
                      subjects=[(row.cadre.pk, row.cadre.name) for row in rows], what=_(
        "%(r)s（#%(id)s，%(st)s）代发文件：%(s)s，%(t)s，%(n)s 行，合计 %(a)s 元") % {
        "r": run, "id": run.pk, "st": run.get_status_display(), "s": SOURCE_LABELS[source], "t": place,
        "n": len(rows), "a": money(sum((row.amount for row in rows), money(0)))})
    name = f"{run.county.name}{run.month:%Y年%m月}报酬代发文件-{SOURCE_LABELS[source]}-{place}"
    if not run.is_locked:
        name += "（草稿）"
    return content, f"{name}.xlsx"
