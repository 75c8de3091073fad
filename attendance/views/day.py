"""The day sheet (issue 17): a township's (or a village's) attendance for one day on one page, a card per
cadre with three choices, prefilled from what is recorded and from leave, saved through the one-day write
service of ``PUT /attendance-days/`` (R-24)."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from attendance import permissions, policies, services
from attendance.models import AttendanceDay
from attendance.selectors import day_sheet, day_sheet_cadres
from attendance.views.grid import LABELS
from core import calendar
from core import dates as date_bounds
from core.filters import ChoicePick
from core.roles import Role
from core.selectors import township_list, village_list
from core.web import int_param, require_scope


def _date_param(request, today):
    """The day asked (the form's on POST); junk or a date no calendar takes → today, with a note."""
    raw = (request.POST.get("date") if request.method == "POST" else request.GET.get("date")) or ""
    if not raw:
        return today, ""
    try:
        day = dt.date.fromisoformat(raw.strip())
    except ValueError:
        return today, _("日期格式不正确，已显示今天。")
    if date_bounds.event_errors(day, field="date"):
        return today, _("日期超出范围，已显示今天。")
    return day, ""


def _unit(request, scope):
    """(township, village): a township for those who hold one (the county picks any of its own), else the
    village of a village secretary. Unknown or foreign ids fall back to the first allowed unit."""
    params = request.POST if request.method == "POST" else request.GET
    townships = township_list(user=request.user).order_by("code")
    if not scope.at_county:
        townships = townships.filter(pk__in=scope.townships_holding(Role.TOWNSHIP_PARTY))
    villages = list(village_list(user=request.user).filter(pk__in=scope.villages_holding(Role.VILLAGE_SECRETARY))
                    .select_related("township").order_by("code"))
    wanted_v = int_param(request, "village", source=params)
    village = next((v for v in villages if v.pk == wanted_v), None)
    if village is not None:
        return None, village, townships, villages
    first = townships.first()  # a province holds thousands of townships: never all read (issue 19)
    if first is not None:
        wanted_t = int_param(request, "township", source=params)
        chosen = townships.filter(pk=wanted_t).first() if wanted_t else None
        return chosen or first, None, townships, villages
    return None, (villages[0] if villages else None), townships, villages


def _posted_marks(request, rows):
    marks = []
    for row in rows:
        if not row["markable"]:
            continue
        pk = row["cadre"].pk
        status = request.POST.get(f"status-{pk}", "")
        if status not in AttendanceDay.Status.values:
            status = row["mark"].status if row["mark"] else ""  # no (or an unknown) choice: left as it is
        marks.append({"cadre": row["cadre"], "status": status or None,
                      "excused": request.POST.get(f"excused-{pk}") == "on",
                      "note": request.POST.get(f"note-{pk}", "")[:200]})
    return marks


def _unit_q(township, village) -> str:
    if village is not None:
        return f"village={village.pk}"
    return f"township={township.pk}" if township is not None else ""


@login_required
def attendance_day(request):
    scope = require_scope(request, permissions.opens_day_sheet, message=_("按日记考勤由村党组织书记或乡（镇）党委办理。"))
    today = timezone.localdate()
    day, note = _date_param(request, today)
    township, village, townships, villages = _unit(request, scope)
    cadres = day_sheet_cadres(user=request.user, date=day, township_id=township.pk if township else None,
                              village_id=village.pk if village else None)
    county = (township or (village.township if village else None))
    county_id = county.county_id if county else None
    workday = calendar.is_workday(day, county=county_id)
    future = day > today
    rows = day_sheet(cadres, date=day, as_of=today) if not future else [
        {"cadre": c, "mark": None, "kind": "", "markable": False} for c in cadres]
    can_save = workday and not future and any(
        r["markable"] and permissions.can_mark_attendance(scope, r["cadre"].village) for r in rows)
    errors = {}
    if request.method == "POST":
        if not can_save:
            raise PermissionDenied(_("此日不能记考勤。"))
        marks = _posted_marks(request, rows)
        try:
            changed = services.attendance_day_sheet_save(date=day, marks=marks, by=request.user)
        except ValidationError as exc:
            errors = {int(k.split("-", 1)[1]): v for k, v in exc.message_dict.items() if k.startswith("cadre-")}
            messages.error(request, _("有 %(n)s 人的考勤未能保存，本次全部未保存，请按卡片上的提示修改后再提交。") % {
                "n": len(errors)} if errors else " ".join(exc.messages))
            posted = {m["cadre"].pk: m for m in marks}
            for row in rows:
                row["posted"] = posted.get(row["cadre"].pk)
        else:
            messages.success(request, _("已保存 %(d)s 的考勤：%(n)s 人有变更，其余未变。") % {
                "d": f"{day:%Y-%m-%d}", "n": changed})
            return redirect(f"{reverse('attendance:day')}?{_unit_q(township, village)}&date={day:%Y-%m-%d}")
    fill = request.GET.get("fill") == "present"
    for row in rows:
        mark, posted = row["mark"], row.get("posted")
        row["label"] = LABELS.get(row["kind"], "")
        row["errors"] = errors.get(row["cadre"].pk, [])
        row["status"] = (posted["status"] if posted else (mark.status if mark else ("present" if fill and row["markable"] else ""))) or ""
        row["excused"] = posted["excused"] if posted else bool(mark and mark.excused)
        row["note"] = posted["note"] if posted else (mark.note if mark else "")
        row["editable"] = can_save and row["markable"] and permissions.can_mark_attendance(scope, row["cadre"].village)
    return render(request, "attendance/day.html", {
        "day": day, "today": today, "unit_q": _unit_q(township, village), "township": township, "village": village,
        "townships": ChoicePick("township", queryset=townships, value=township.pk if township else None),
        "villages": villages if not townships.exists() else [], "rows": rows, "workday": workday, "future": future,
        "can_save": can_save, "date_note": note, "statuses": AttendanceDay.Status.choices,
        "prev": day - dt.timedelta(days=1), "next": day + dt.timedelta(days=1) if day < today else None,
        "leave_kind": policies.LEAVE, "unmarked": sum(1 for r in rows if r["editable"] and not r["mark"]),
    }, status=400 if errors else 200)
