"""Absences (R-24, the R-25 check run now), incapacity reports (R-26) and the county's working calendar
(R-20)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from attendance import permissions, policies, services
from attendance.forms import AbsenceCorrectionForm, AbsenceForm, ArrangementForm, CalendarOverrideForm, IncapacityForm
from attendance.selectors import (
    AbsenceFilter,
    IncapacityFilter,
    absence_list,
    absence_summary,
    attendance_limits,
    calendar_override_list,
    incapacity_list,
    limits_by_county,
    user_county,
)
from attendance.views._common import active_cadres, filtered_page, own_cadre
from core import calendar
from core.audit import history_rows
from core.filters import cadre_pick
from core.listexport import visible_list_export
from core.models import County
from core.scope import get_scope
from core.web import apply_errors, int_param, require_scope, submit

# -- absences (R-24) ------------------------------------------------------------------------


@visible_list_export  # issue 17: ?export=xlsx answers the filtered rows
@login_required
def absence_index(request):
    scope = get_scope(request.user)
    flt, page = filtered_page(request, AbsenceFilter, absence_list(user=request.user).order_by("-start_date", "-pk"))
    for a in page:
        a.can_edit = permissions.can_record_absence(scope, a.cadre.village)
        a.can_view = a.can_edit or permissions.can_read_absence_history(scope, a.cadre.village)
    can_create = permissions.records_absences(scope)
    form = AbsenceForm(request.POST or None, cadres=active_cadres(request.user)) if can_create else None
    if form is not None:
        cadre_pick(form, "attendance.active")
    if request.method == "POST" and not can_create:
        raise PermissionDenied
    done = submit(request, form, lambda d: services.absence_create(by=request.user, **d),
                  done=_("已登记。"), to=reverse("attendance:absences")) if form is not None else None
    return done or render(request, "attendance/absence_list.html", {
        "filter": flt, "filter_skip": ["cadre"], "page_obj": page, "form": form, "year": timezone.localdate().year,
        "summary": absence_summary(user=request.user, as_of=timezone.localdate())[:50],
        "limits": attendance_limits(user_county(request.user)),
        "can_run": permissions.can_run_absence_check(scope), "can_edit_settings": permissions.edits_settings(scope)})


@login_required
def absence_edit(request, pk):
    """Issue 12 item 3: correct a recorded absence range; the old values stay in the history (shown to the
    county) and the cadre's absence case follows the corrected dates."""
    absence = get_object_or_404(absence_list(user=request.user), pk=pk)
    scope = get_scope(request.user)
    may_edit = permissions.can_record_absence(scope, absence.cadre.village)
    sees_history = permissions.can_read_absence_history(scope, absence.cadre.village)
    if not may_edit and (request.method == "POST" or not sees_history):
        raise PermissionDenied(_("只有本村党组织书记或乡（镇）党委可以更正缺勤。"))
    form = AbsenceCorrectionForm(request.POST or None, instance=absence) if may_edit else None
    done = submit(request, form, lambda d: services.absence_update(absence=absence, by=request.user, **d),
                  done=_("已更正。"), to=reverse("attendance:absences")) if form is not None else None
    if done:
        return done
    absence.refresh_from_db()
    ctx = {"form": form, "absence": absence}
    if sees_history:
        ctx["history"] = history_rows(absence)
    return render(request, "attendance/absence_form.html", ctx, status=400 if form is not None and form.errors else 200)


@login_required
@require_POST
def run_threshold_check(request):
    """docs/rules.md "Scheduled jobs": the R-25 check, run now by the county or a township party
    committee."""
    opened = services.run_daily_checks_now(by=request.user, as_of=timezone.localdate())
    messages.success(request, _("旷工检查已完成，新立案 %(n)s 件。") % {"n": opened})
    return redirect("attendance:absences")


# -- incapacity (R-26) ----------------------------------------------------------------------

@visible_list_export  # issue 17: ?export=xlsx answers the filtered rows
@login_required
def incapacity_index(request):
    scope = require_scope(request, permissions.can_read_incapacity,
                          message=_("无法正常履职报告由村党组织书记登记，乡（镇）党委和县委组织部查看。"))
    today = timezone.localdate()
    flt, page = filtered_page(request, IncapacityFilter,
                              incapacity_list(user=request.user).order_by("-discovered_on", "-pk"))
    limits = limits_by_county({r.cadre.village.township.county_id for r in page})  # issue 12 item 7
    for r in page:
        r.report_days = limits[r.cadre.village.township.county_id].incapacity_report_days
        r.state = policies.incapacity_state(discovered_on=r.discovered_on, reported_on=r.reported_on, as_of=today,
                                            report_days=r.report_days)
    return render(request, "attendance/incapacity_list.html", {
        "filter": flt, "page_obj": page, "can_create": permissions.reports_incapacity(scope),
        "limits": attendance_limits(user_county(request.user))})


@login_required
def incapacity_edit(request, pk=None):
    report = get_object_or_404(incapacity_list(user=request.user), pk=pk) if pk else None
    if not permissions.reports_incapacity(get_scope(request.user)):
        raise PermissionDenied(_("只有村党组织书记或乡（镇）党委可以登记。"))
    form = IncapacityForm(request.POST or None, instance=report, cadres=active_cadres(request.user),
                          report_days=attendance_limits(user_county(request.user)).incapacity_report_days)
    cadre_pick(form, "attendance.active")
    if request.method == "POST" and form.is_valid():
        try:
            services.incapacity_report_save(by=request.user, report=report, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect("attendance:incapacity_list")
    return render(request, "attendance/incapacity_form.html", {"form": form, "report": report})


# -- calendar (R-20) ------------------------------------------------------------------------

def _year_param(request, today) -> int:
    try:
        year = int(request.GET.get("year") or today.year)
    except ValueError:
        year = today.year
    if not 1901 <= year <= 2099:  # the lunar and official calendars' range
        messages.warning(request, _("年份须在1901至2099之间，已显示今年。"))
        year = today.year
    return year


def _county_param(request, scope):
    counties = County.objects.all() if scope.is_superuser else County.objects.filter(pk__in=sorted(scope.county_ids))
    wanted = int_param(request, "county") or int_param(request, "county", source=request.POST) or 0
    county = counties.filter(pk=wanted).first() or counties.first()
    if county is None:
        county = County.objects.filter(pk__in=sorted(scope.visible_county_ids())).first()
    if county is None and (mine := own_cadre(request.user)) is not None:
        county = mine.village.township.county  # a cadre reads the holidays of their own county (issue 17)
    if county is None:
        raise PermissionDenied(_("您的账号没有所属的县。"))
    return county


def _calendar_url(year, county) -> str:
    return f"{reverse('attendance:calendar')}?year={year}&county={county.pk}"


@login_required
def calendar_index(request):
    scope = get_scope(request.user)
    today = timezone.localdate()
    year = _year_param(request, today)
    county = _county_param(request, scope)
    can_edit = permissions.can_edit_calendar(scope, county)
    form = CalendarOverrideForm(request.POST or None) if can_edit else None
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied(_("只有县委组织部可以调整工作日历。"))
        if request.POST.get("arrangement") is not None:
            arrangement = ArrangementForm(request.POST, year=year)
            if arrangement.is_valid():
                try:
                    n = services.calendar_arrangement_save(county=county, days=arrangement.cleaned_data["text"],
                                                           by=request.user)
                except ValidationError as exc:
                    arrangement.add_error("text", exc.messages)
                else:
                    messages.success(request, _("已登记%(y)s年放假安排，共 %(n)s 天。") % {"y": year, "n": n})
                    return redirect(_calendar_url(year, county))
            form = CalendarOverrideForm()
            return _calendar_page(request, year, county, can_edit, today, form, arrangement, status=400)
        if request.POST.get("delete"):
            override = get_object_or_404(calendar_override_list(user=request.user), pk=request.POST["delete"],
                                         county=county)
            services.calendar_override_delete(override=override, by=request.user)
            messages.success(request, _("已删除调整。"))
            return redirect(_calendar_url(year, county))
        done = submit(request, form, lambda d: services.calendar_override_save(county=county, by=request.user, **d),
                      done=_("已保存工作日调整。"), to=lambda _override: _calendar_url(form.cleaned_data["date"].year, county))
        if done:
            return done
    arrangement = ArrangementForm(year=year) if can_edit else None
    return _calendar_page(request, year, county, can_edit, today, form, arrangement)


def _calendar_page(request, year, county, can_edit, today, form, arrangement, status=200):
    overrides = calendar_override_list(user=request.user).filter(county=county, date__year=year).order_by("date")
    page = Paginator(overrides, 50).get_page(request.GET.get("page"))
    return render(request, "attendance/calendar.html", {
        "year": year, "county": county, "page_obj": page, "form": form, "can_edit": can_edit,
        "arrangement": arrangement,
        "official": calendar.year_is_official(year), "holidays": calendar.official_holidays(year),
        "years": range(today.year - 1, today.year + 2)}, status=status)
