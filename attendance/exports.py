"""The printable 请假审批表 (PDF) and the monthly leave register per village (Excel, 记录备案, R-23)."""

from __future__ import annotations

import re

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook

from attendance.models import LeaveRequest
from attendance.selectors import attendance_limits, leave_list
from core import calendar
from core.dates import month_bounds
from core.excel import workbook_bytes, write_header, write_row, write_title


def approver_name(user) -> str:
    """The approver's name alone: the role is printed beside it already, so a post some accounts carry in
    their name ("吴敏（横溪村书记）") is left off rather than printed twice (issue 17)."""
    if user is None:
        return ""
    name = str(user)
    return re.sub(r"\s*[（(][^（）()]*[）)]$", "", name) or name


def decision_opinion(leave: LeaveRequest) -> str:
    """同意 / 不同意 and the comment, the verdict said once: an approval without a comment is stored with the
    comment "同意" (leave_approve), and a comment that starts with the verdict is the whole opinion."""
    verdict = _("不同意") if leave.status == LeaveRequest.Status.REJECTED else _("同意")
    comment = (leave.decision_comment or "").strip()
    if comment.startswith(verdict):
        return comment
    return f"{verdict}。{comment}"


def leave_form_context(leave: LeaveRequest) -> dict:
    return {"leave": leave, "cadre": leave.cadre, "village": leave.cadre.village,
            "township": leave.cadre.village.township, "printed_on": timezone.localdate(),
            "opinion": decision_opinion(leave) if leave.decided_at else "",
            "approver_name": approver_name(leave.decided_by),
            # the county's R-22 limit, read now (issue 12 item 7)
            "secretary_max_days": attendance_limits(leave.cadre.village.township.county_id).secretary_max_days}


REGISTER_HEADERS = [gettext_lazy("序号"), gettext_lazy("姓名"), gettext_lazy("岗位"), gettext_lazy("请假起止"), gettext_lazy("天数（工作日）"), gettext_lazy("请假事由"),
                    gettext_lazy("请假方式"), gettext_lazy("审批人"), gettext_lazy("审批意见"), gettext_lazy("审批时间"), gettext_lazy("状态"), gettext_lazy("销假日期"), gettext_lazy("备注")]


def _return_notes(lv) -> list[str]:
    """R-23 记录备案 (issue 12 item 1): a return waiting for confirmation, a corrected report, a late report."""
    out = []
    if lv.return_pending:
        out.append(_("已报告%(d)s回岗，待审批方确认") % {"d": lv.return_reported_on})
    elif lv.returned_on and lv.return_reported_on and lv.return_reported_on != lv.returned_on:
        out.append(_("报告%(r)s回岗，确认更正为%(d)s：%(n)s") % {
            "r": lv.return_reported_on, "d": lv.returned_on, "n": lv.return_note})
    if lv.return_report_reason:
        out.append(_("补报原因：%(r)s") % {"r": lv.return_report_reason})
    return out


def _register_leaves(*, user, village, year: int, month: int):
    first, last = month_bounds(year, month)
    return (leave_list(user=user).filter(cadre__village=village, start_date__lte=last, end_date__gte=first)
            .exclude(status=LeaveRequest.Status.CANCELLED).select_related("cadre", "decided_by")
            .order_by("start_date", "pk"))


#: the leave a register's 合计 counts: granted (approved, then returned); pending and refused leave is listed only
COUNTED = (LeaveRequest.Status.APPROVED, LeaveRequest.Status.RETURNED)


def month_days(leave: LeaveRequest, year: int, month: int, county):
    """The working days of ``leave`` inside the month (a leave across the month's end counts its part)."""
    first, last = month_bounds(year, month)
    start, end = max(leave.start_date, first), min(leave.end_date, last)
    if start > end:
        return 0
    return calendar.count_working_days(
        start, end, start_half=leave.start_half if start == leave.start_date else "am",
        end_half=leave.end_half if end == leave.end_date else "pm", county=county)


def register_total(*, user, village, year: int, month: int) -> float:
    """Issue 17: the 合计 of the register, the month's working days of granted leave only."""
    county = village.township.county_id
    return float(sum(month_days(lv, year, month, county) for lv in _register_leaves(
        user=user, village=village, year=year, month=month) if lv.status in COUNTED))


def register_rows(*, user, village, year: int, month: int) -> list[list]:
    qs = _register_leaves(user=user, village=village, year=year, month=month)
    rows = []
    for i, lv in enumerate(qs, start=1):
        note = lv.channel_note
        for extra in _return_notes(lv):
            note = f"{note}；{extra}" if note else extra
        if lv.overstay_reason:
            excuse = _("逾期理由：%(r)s") % {"r": lv.overstay_reason}
            note = f"{note}；{excuse}" if note else excuse
        rows.append([
            i, lv.cadre.name, lv.cadre.get_post_display(), lv.period_display, float(lv.days), lv.reason,
            lv.get_channel_display(),
            f"{lv.get_approver_role_display()}{('（' + approver_name(lv.decided_by) + '）') if lv.decided_by else ''}"
            + (_("，%(r)s代为审批") % {"r": lv.get_decided_as_display()} if lv.decided_on_behalf else ""),
            lv.decision_comment,
            # real date cells (issue 17): Excel sorts and filters them; the time is local and naive
            timezone.localtime(lv.decided_at).replace(tzinfo=None, second=0, microsecond=0) if lv.decided_at else "",
            lv.get_status_display(), lv.returned_on or "", note,
        ])
    return rows


def leave_register_xlsx(*, user, village, year: int, month: int) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = f"{year}-{month:02d}"
    write_title(ws, _("%(t)s%(v)s村级后备干部请销假登记簿（%(y)s年%(m)s月）") % {
        "t": village.township.name, "v": village.name, "y": year, "m": month}, len(REGISTER_HEADERS))
    write_header(ws, [str(h) for h in REGISTER_HEADERS], row=2, widths=[6, 10, 14, 34, 10, 24, 12, 22, 18, 17, 9, 12, 24])
    rows = register_rows(user=user, village=village, year=year, month=month)
    for n, values in enumerate(rows, start=3):
        write_row(ws, n, values)
    total = len(rows) + 3
    write_row(ws, total, ["", _("合计"), "", _("%(n)s 人次；已批准的请假本月内共计") % {"n": len(rows)},
                          register_total(user=user, village=village, year=year, month=month),
                          "", "", "", "", "", "", "", ""], bold=True)
    return workbook_bytes(wb)
