"""The township leave calendar (issue 17): who is away on which day across a township's villages, a month at
a time — a grid on a wide screen, a list per day on a phone, and the same month in Excel. Every cell is read
from ``attendance.selectors.calendar_kinds`` (the one classification of R-23/R-24)."""

from __future__ import annotations

import datetime as dt
from itertools import groupby

from dateutil.relativedelta import relativedelta
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.styles import PatternFill

from attendance import permissions
from attendance.selectors import calendar_kinds
from attendance.views._common import month_or_current
from cadres.selectors import cadre_list
from core import calendar
from core.dates import month_bounds
from core.excel import workbook_bytes, write_cell, write_header, write_row, write_title, xlsx_response
from core.filters import ChoicePick
from core.roles import Role
from core.selectors import township_list
from core.web import int_param, require_scope

#: the letter of a cell and the words of the per-day list, by kind (``attendance.selectors.CAL_*``)
LETTERS = {"leave": gettext_lazy("假"), "pending": gettext_lazy("待"), "official": gettext_lazy("公"),
           "overstay": gettext_lazy("逾"), "absent": gettext_lazy("缺"), "excused": gettext_lazy("免")}
WORDS = {"leave": gettext_lazy("请假"), "pending": gettext_lazy("请假待批"), "official": gettext_lazy("因公外出"),
         "overstay": gettext_lazy("逾期未归"), "absent": gettext_lazy("缺勤"),
         "excused": gettext_lazy("缺勤（有正当理由）")}
WEEKDAYS = [gettext_lazy("一"), gettext_lazy("二"), gettext_lazy("三"), gettext_lazy("四"), gettext_lazy("五"),
            gettext_lazy("六"), gettext_lazy("日")]
OFF_FILL = PatternFill("solid", fgColor="E9ECEF")


def _township(request, scope, townships):
    """The township asked for (one in the user's scope), else the user's own, else the first of the county."""
    wanted = int_param(request, "township")
    found = townships.filter(pk=wanted).first() if wanted is not None else None  # never all read (issue 19)
    if found is not None:
        return found
    if wanted is not None:  # none such or not the user's: the same answer (nothing leaks)
        messages.warning(request, _("没有可查看的这个乡（镇），已显示默认乡（镇）。"))
    own = townships.filter(pk__in=scope.townships_holding(Role.TOWNSHIP_PARTY)).first()
    return own or townships.first()


def month_calendar(user, township, year: int, month: int, today: dt.date) -> dict:
    """The month of ``township`` as the user may see it: days (with weekends and holidays from the official
    calendar and the county's overrides), rows of cadres grouped by village, and the per-day list."""
    first, last = month_bounds(year, month)
    overrides = calendar.overrides(township.county_id, first, last)
    workdays = set(calendar.working_days(first, last, county_overrides=overrides))
    days = []
    day = first
    while day <= last:
        off = day not in workdays
        days.append({"date": day, "weekday": WEEKDAYS[day.weekday()], "off": off,
                     "holiday": off and day.weekday() < 5, "makeup": not off and day.weekday() >= 5,
                     "today": day == today})
        day += dt.timedelta(days=1)
    cadres = (cadre_list(user=user).filter(village__township=township, appointed_on__lte=last)
              .exclude(left_on__lt=first).order_by("village__code", "name", "pk"))
    rows = []
    by_day: dict[dt.date, list] = {}
    for cadre, _w, kinds in calendar_kinds(cadres, start=first, end=last, as_of=today):
        cells = []
        for d in days:
            kind = kinds.get(d["date"], "")
            cells.append({"date": d["date"], "kind": kind, "letter": LETTERS.get(kind, ""), "off": d["off"]})
            if kind:
                by_day.setdefault(d["date"], []).append({"cadre": cadre, "kind": kind, "words": WORDS[kind],
                                                         "letter": LETTERS[kind]})
        rows.append({"cadre": cadre, "cells": cells, "away": sum(1 for c in cells if c["kind"])})
    villages = [{"village": v, "rows": list(rs)} for v, rs in groupby(rows, key=lambda r: r["cadre"].village)]
    return {"days": days, "villages": villages, "cadre_count": len(rows), "first": first,
            "per_day": [{"date": d["date"], "weekday": d["weekday"], "entries": by_day[d["date"]]}
                        for d in days if d["date"] in by_day]}


def _xlsx(township, year, month, cal) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = _("请假日历")
    width = 2 + len(cal["days"])
    write_title(ws, _("%(t)s%(y)s年%(m)s月请假日历") % {"t": township.name, "y": year, "m": month}, width)
    headers = [_("村"), _("姓名")] + [f"{d['date'].day}\n{d['weekday']}" for d in cal["days"]]
    write_header(ws, headers, row=2, widths=[14, 10] + [4] * len(cal["days"]))
    row = 3
    for group in cal["villages"]:
        for r in group["rows"]:
            write_row(ws, row, [r["cadre"].village.name, r["cadre"].name] + [str(c["letter"]) for c in r["cells"]])
            for i, c in enumerate(r["cells"], start=3):
                if c["off"]:
                    ws.cell(row=row, column=i).fill = OFF_FILL
            row += 1
    legend = _("假=请假（已批准） 待=请假待批 公=因公外出 逾=逾期未归 缺=缺勤 免=缺勤有正当理由；灰色=休息日")
    write_cell(ws, row + 1, 1, legend)
    return workbook_bytes(wb)


@login_required
def leave_calendar(request):
    scope = require_scope(request, permissions.sees_leave_calendar,
                          message=_("请假日历供县委组织部、乡（镇）党委、包村领导和村党组织书记查看。"))
    today = timezone.localdate()
    year, month = month_or_current(request, today)
    townships = township_list(user=request.user).order_by("code", "pk")
    if not townships.exists():
        raise PermissionDenied(_("您的账号没有可查看的乡（镇）。"))
    township = _township(request, scope, townships)
    cal = month_calendar(request.user, township, year, month, today)
    if request.GET.get("export") == "xlsx":
        return xlsx_response(_xlsx(township, year, month, cal), f"请假日历-{township.name}-{year}-{month:02d}.xlsx")
    first = cal["first"]
    return render(request, "attendance/leave_calendar.html", {
        **cal, "township": township, "townships": ChoicePick("township", queryset=townships, value=township.pk),
        "year": year, "month": month, "month_value": f"{year}-{month:02d}",
        "prev": f"{first - relativedelta(months=1):%Y-%m}", "next": f"{first + relativedelta(months=1):%Y-%m}",
        "official_year": calendar.year_is_official(year),
    })
