"""The attendance month grid (R-24): one card per cadre, a week per row, marked by the village secretary
one day or a whole week at a time; a cadre reads their own month."""

from __future__ import annotations

import datetime as dt

from dateutil.relativedelta import relativedelta
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from attendance import permissions, policies, services
from attendance.models import AttendanceDay
from attendance.selectors import day_statuses, open_overstay_leave, open_overstay_trip, trip_days
from attendance.views._common import month_param, own_cadre
from cadres.models import Cadre
from cadres.selectors import cadre_list
from core import calendar
from core import dates as date_bounds
from core.dates import month_bounds
from core.errors import Conflict
from core.filters import ChoicePick
from core.roles import Role
from core.scope import get_scope
from core.selectors import village_list
from core.web import int_param

OFF = "off"
#: the letter each kind of day shows in its cell (kinds: ``policies.grid_kind``, and OFF for a day off)
LABELS = {"present": gettext_lazy("勤"), "official": gettext_lazy("公"), "absent": gettext_lazy("旷"),
          "leave": gettext_lazy("假"), "overstay": gettext_lazy("逾"), "excused": gettext_lazy("免"),
          OFF: gettext_lazy("休")}


def _card(cadre, statuses, marks, workdays, first, last, today, trips=frozenset()):
    """One cadre's month as weeks of cells; each working day shows the one R-24 status of
    ``day_statuses`` (``policies.grid_kind``), a day off shows 休."""
    counts = {"present": 0, "official": 0, "absent": 0, "leave": 0}
    weeks, monday = [], first - dt.timedelta(days=first.weekday())
    while monday <= last:
        week = []
        for day in (monday + dt.timedelta(days=i) for i in range(7)):
            cell = {"date": day, "in_month": first <= day <= last, "kind": "", "editable": False}
            if cell["in_month"]:
                mark = marks.get((cadre.pk, day))
                if day not in workdays:
                    cell["kind"] = OFF
                else:
                    # a day of a recorded official trip is official business (公), whatever the mark
                    on_trip = (cadre.pk, day) in trips
                    cell["kind"] = policies.grid_kind(statuses.get(day), AttendanceDay.Status.OFFICIAL if on_trip
                                                      else (mark.status if mark else None))
                    cell["note"] = mark.note if mark else ""
                cell["editable"] = (day in workdays and day <= today and cell["kind"] != policies.LEAVE
                                    and day >= cadre.appointed_on)
                kind = policies.ABSENT if cell["kind"] == policies.OVERSTAY else cell["kind"]
                if kind in counts:
                    counts[kind] += 1
            cell["label"] = LABELS.get(cell["kind"], "")
            week.append(cell)
        week.append({"week_dates": ",".join(c["date"].isoformat() for c in week if c["editable"])})
        weeks.append(week)
        monday += dt.timedelta(days=7)
    return {"cadre": cadre, "weeks": weeks, "counts": counts}


def _grid_context(request, village, year, month, cadres=None):
    today = timezone.localdate()
    first, last = month_bounds(year, month)
    if cadres is None:
        cadres = list(Cadre.objects.filter(village=village, appointed_on__lte=last)
                      .exclude(left_on__lt=first).select_related("village__township").order_by("name", "pk"))
    statuses = {c.pk: s for c, _w, s in day_statuses(cadres, start=first, end=last, as_of=today)}
    marks = {(m.cadre_id, m.date): m for m in AttendanceDay.objects.filter(
        cadre__in=cadres, date__gte=first, date__lte=last)}
    overrides = calendar.overrides(village.township.county_id, first, last)
    workdays = set(calendar.working_days(first, last, county_overrides=overrides))
    trips = trip_days(cadres, start=first, end=last)
    cards = [_card(c, statuses.get(c.pk, {}), marks, workdays, first, last, today, trips) for c in cadres]
    return {"village": village, "year": year, "month": month, "cards": cards, "today": today,
            "prev": f"{first - relativedelta(months=1):%Y-%m}", "next": f"{first + relativedelta(months=1):%Y-%m}",
            "official_year": calendar.year_is_official(year),
            "can_mark": permissions.can_mark_attendance(get_scope(request.user), village),
            "day_sheet": permissions.opens_day_sheet(get_scope(request.user)),  # issue 17
            "weekdays": [_("一"), _("二"), _("三"), _("四"), _("五"), _("六"), _("日")]}


def cadre_month_context(request, cadre, year: int, month: int) -> dict:
    """One cadre's month grid, read-only: the 考勤 tab of the cadre's page (issue 17). The same cells as the
    grid (``day_statuses``); ``may_mark`` says whether the viewer marks this village on the grid page."""
    ctx = _grid_context(request, cadre.village, year, month, cadres=[cadre])
    return {**ctx, "card": ctx["cards"][0], "may_mark": ctx["can_mark"], "can_mark": False}


def _default_village(request):
    villages = village_list(user=request.user)
    wanted = int_param(request, "village") or int_param(request, "village", source=request.POST)
    if wanted:
        return get_object_or_404(villages, pk=wanted)
    mine = get_scope(request.user).villages_holding(Role.VILLAGE_SECRETARY)
    if mine:
        return villages.get(pk=mine[0])
    if own_cadre(request.user) is not None:
        raise PermissionDenied(_("考勤由村党组织书记记录。"))
    village = villages.order_by("code").first()
    if village is None:
        raise Http404
    return village


def _village_pick(request, village):
    """The grid's village chooser: the user's villages, a search box when a select would hold too many
    (a province's 15,000, issue 19); none for a user of one village."""
    if len(get_scope(request.user).villages_holding()) == 1:
        return None
    return ChoicePick("village", queryset=village_list(user=request.user).select_related("township").order_by("code"),
                      value=village.pk)


@login_required
def attendance_grid(request):
    year, month = month_param(request, timezone.localdate())
    scope = get_scope(request.user)
    own = own_cadre(request.user)
    if own is not None and not scope.has_unit_role:
        # a cadre reads their own month (read-only)
        ctx = _grid_context(request, own.village, year, month, cadres=[own])
        return render(request, "attendance/grid.html", {**ctx, "own_only": True})
    ctx = _grid_context(request, _default_village(request), year, month)
    ctx["villages"] = _village_pick(request, ctx["village"])
    return render(request, "attendance/grid.html", ctx)


def _return_prompt(request, leave, cadre, days, status, *, returned_on=None, reason="", error=None):
    """Issue 12 item 2: marking an overstay day present first asks whether the cadre is back (R-23)."""
    scope = get_scope(request.user)
    overstay = sorted(d for d in days if d > leave.end_date)
    return {"leave": leave, "status": status, "dates": ",".join(d.isoformat() for d in days),
            "returned_on": returned_on or leave.return_reported_on or (overstay[0] if overstay else days[0]),
            "reason": reason, "error": error, "confirms": permissions.can_confirm_return(scope, leave),
            "late_days": policies.RETURN_REPORT_LATE_DAYS}


def _mark_response(request, village, cadre, days, *, error=None, prompt=None):
    year, month = (days[0].year, days[0].month) if days else month_param(request, timezone.localdate())
    if request.headers.get("HX-Request"):
        ctx = _grid_context(request, village, year, month, cadres=[cadre])
        card = {**ctx["cards"][0], "prompt": prompt}
        return render(request, "attendance/_grid_card.html", {**ctx, "card": card, "error": error})
    if prompt is not None:  # without htmx: the whole month, the question in the cadre's card
        ctx = _grid_context(request, village, year, month)
        for card in ctx["cards"]:
            if card["cadre"].pk == cadre.pk:
                card["prompt"] = prompt
        ctx["villages"] = _village_pick(request, village)
        return render(request, "attendance/grid.html", ctx, status=400 if prompt.get("error") else 200)
    if error:
        messages.error(request, error)
    return redirect(f"{reverse('attendance:grid')}?village={village.pk}&month={year}-{month:02d}")


def _parse_target(value: str):
    try:
        cadre_id, dates = value.split(":", 1)
        return int(cadre_id), [dt.date.fromisoformat(d) for d in dates.split(",") if d]
    except ValueError as exc:
        raise Http404 from exc


@login_required
@require_POST
def attendance_mark(request):
    """Mark one day or a whole week for one cadre; htmx gets the cadre's card back. Marking an overstay day
    present or official asks first whether the cadre is back, and records the return (issue 12 item 2)."""
    village = _default_village(request)
    back = request.POST.get("return_target", "")
    cancel = request.POST.get("cancel_return", "")
    cadre_id, days = _parse_target(back or cancel or request.POST.get("target", ""))
    cadre = get_object_or_404(cadre_list(user=request.user).select_related("village__township"), pk=cadre_id,
                              village=village)
    status = request.POST.get("status", "present")
    excused = request.POST.get("excused") == "on" and status == AttendanceDay.Status.ABSENT
    today = timezone.localdate()
    working = (status in (AttendanceDay.Status.PRESENT, AttendanceDay.Status.OFFICIAL)
               and permissions.can_mark_attendance(get_scope(request.user), village))
    past = [d for d in days if d <= today]
    if past and date_bounds.period_errors(min(past), max(past)):
        working = False  # not a period the service takes (issue 16): let it say so
    leave = open_overstay_leave(cadre, past, as_of=today) if working else None
    if cancel:
        return _mark_response(request, village, cadre, days)
    if leave is not None:
        if not back:
            return _mark_response(request, village, cadre, days,
                                  prompt=_return_prompt(request, leave, cadre, days, status))
        reason = request.POST.get("return_reason", "")
        try:
            returned_on = dt.date.fromisoformat(request.POST.get("returned_on", ""))
        except ValueError:
            return _mark_response(request, village, cadre, days, prompt=_return_prompt(
                request, leave, cadre, days, status, reason=reason, error=_("请填写回岗日期。")))
        try:
            services.leave_return_and_mark(leave=leave, by=request.user, returned_on=returned_on, dates=days,
                                           status=status, reason=reason)
        except (ValidationError, Conflict) as exc:
            text = exc.message if isinstance(exc, Conflict) else " ".join(exc.messages)
            return _mark_response(request, village, cadre, days, prompt=_return_prompt(
                request, leave, cadre, days, status, returned_on=returned_on, reason=reason, error=text))
        return _mark_response(request, village, cadre, days)
    trip = open_overstay_trip(cadre, past, as_of=today) if working else None
    if trip is not None:  # the days after an unclosed trip stay overstay until its return is confirmed
        return _mark_response(request, village, cadre, days, error=_(
            "%(n)s的因公外出已于%(d)s结束，尚未确认返岗，这些天按逾期不归计算。请先在因公外出记录中确认返岗日期，再记考勤。") % {
            "n": cadre.name, "d": trip.end_date})
    error = None
    try:
        services.attendance_mark(cadre=cadre, dates=days, status=status, by=request.user, excused=excused,
                                 note=request.POST.get("note", "") if status == "absent" else "")
    except ValidationError as exc:
        error = " ".join(exc.messages)
    return _mark_response(request, village, cadre, days, error=error)
