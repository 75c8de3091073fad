"""HTML pages: leave (R-21…R-23), the attendance month grid (R-24), absences, incapacity reports (R-26)
and the county's calendar overrides (R-20). Views parse, check scope, call one service, render."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from attendance import exports, policies, services
from attendance.forms import (
    AbsenceForm,
    ArrangementForm,
    CalendarOverrideForm,
    DecisionForm,
    ExcuseForm,
    IncapacityForm,
    LeaveRequestForm,
    ReturnForm,
)
from attendance.models import AttendanceDay, LeaveRequest
from attendance.selectors import (
    AbsenceFilter,
    IncapacityFilter,
    LeaveFilter,
    absence_list,
    calendar_override_list,
    day_statuses,
    incapacity_list,
    leave_list,
    leave_pending_for,
    staffed_approver_roles,
)
from cadres.models import Cadre
from cadres.selectors import cadre_list
from core import calendar
from core import dates as date_bounds
from core.audit import history_rows
from core.dates import month_bounds, parse_month
from core.errors import Conflict
from core.excel import xlsx_response
from core.models import County
from core.pdf import pdf_response, render_pdf
from core.roles import Role
from core.scope import get_scope
from core.selectors import village_list
from core.web import apply_errors, int_param

S = LeaveRequest.Status
RECORDER_ROLES = {Role.VILLAGE_SECRETARY, Role.TOWNSHIP_LIAISON}


def _recorder_cadres(user):
    """Active cadres of the villages where the user may record leave (secretary or liaison there)."""
    scope = get_scope(user)
    villages = [vid for vid, roles in scope.village_roles.items() if roles & RECORDER_ROLES]
    return cadre_list(user=user).filter(village_id__in=villages, status=Cadre.Status.ACTIVE).order_by("village__code", "name")


def _own_cadre(user):
    scope = get_scope(user)
    if not scope.cadre_ids:
        return None
    return Cadre.objects.select_related("village__township").filter(pk__in=scope.cadre_ids).order_by("pk").first()


# -- leave ----------------------------------------------------------------------------------

@login_required
def attendance_home(request):
    return redirect("attendance:leave_list")


@login_required
def leave_index(request):
    scope = get_scope(request.user)
    mine = request.GET.get("mine") == "pending"
    base = leave_pending_for(user=request.user) if mine else leave_list(user=request.user)
    qs = base.order_by("-start_date", "-pk")
    flt = LeaveFilter(request.GET or None, queryset=qs, user=request.user)
    page = Paginator(flt.qs if flt.is_bound and flt.is_valid() else qs, 25).get_page(request.GET.get("page"))
    return render(request, "attendance/leave_list.html", {
        "filter": flt, "page_obj": page, "mine": mine, "today": timezone.localdate(),
        "pending_count": leave_pending_for(user=request.user).count() if (
            scope.village_roles or scope.townships_holding(Role.TOWNSHIP_PARTY)) else 0,
        "can_ask": bool(scope.cadre_ids) or _recorder_cadres(request.user).exists(),
        "is_cadre": bool(scope.cadre_ids),
        "can_register": scope.has_any(Role.VILLAGE_SECRETARY, Role.TOWNSHIP_LIAISON, Role.TOWNSHIP_PARTY,
                                      Role.COUNTY_ORG),
    })


@login_required
def leave_create(request):
    own = _own_cadre(request.user)
    cadres = _recorder_cadres(request.user)
    on_behalf = request.GET.get("for") == "other" or own is None
    if on_behalf and not cadres.exists():
        raise PermissionDenied(_("只有后备干部本人、本村党组织书记或包村领导可以登记请假。"))
    initial = {k: request.GET[k] for k in ("start_date", "end_date", "reason") if request.GET.get(k)}
    form = LeaveRequestForm(request.POST or None, cadres=cadres, for_self=not on_behalf, initial=initial or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        cadre = data.pop("cadre", None) or own
        try:
            leave = services.leave_submit(cadre=cadre, by=request.user, **data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已提交请假 %(d)s 个工作日，等待%(r)s审批。") % {
                "d": leave.days, "r": leave.get_escalated_to_display() or leave.get_approver_role_display()})
            return redirect("attendance:leave_detail", pk=leave.pk)
    return render(request, "attendance/leave_form.html", {
        "form": form, "own": own, "on_behalf": on_behalf, "can_record": cadres.exists()})


@login_required
def leave_days_preview(request):
    """htmx: the working days of the dates being typed, and who will approve (R-22)."""
    own = _own_cadre(request.user)
    cadre = own
    cadre_id = int_param(request, "cadre")
    if cadre_id is not None:
        cadre = _recorder_cadres(request.user).filter(pk=cadre_id).first() or own
    text, level = "", "secondary"
    try:
        start = dt.date.fromisoformat(request.GET.get("start_date", ""))
        end = dt.date.fromisoformat(request.GET.get("end_date", ""))
        if date_bounds.period_errors(start, end):  # issue 16: year 9999 would count for half a minute
            raise ValueError(end)
        days = calendar.count_working_days(start, end, start_half=request.GET.get("start_half", "am"),
                                           end_half=request.GET.get("end_half", "pm"),
                                           county=cadre.village.township.county_id if cadre else None)
    except (ValueError, TypeError):
        days = None
    if days is not None:
        if days <= 0:
            text, level = _("所选日期没有工作日，不需要请假。"), "danger"
        else:
            role = policies.approver_role_for(days)
            if cadre is not None:  # issue 12 item 5: nobody holds that role at the village → one tier up
                role = policies.escalation_for(role, staffed_approver_roles(village=cadre.village)) or role
            role = Role(role).label
            text, level = _("共 %(d)s 个工作日，由%(r)s审批。") % {"d": days, "r": role}, "info"
            note = calendar.provisional_note(start, end)
            if note:
                text, level = f"{text}{note}", "warning"
    return render(request, "attendance/_days_preview.html", {"text": text, "level": level})


def _leave_actions(request, leave):
    scope = get_scope(request.user)
    village_roles = scope.village_roles.get(leave.cadre.village_id, frozenset())
    own = leave.cadre_id in scope.cadre_ids
    return {
        "can_decide": leave.status == S.PENDING and bool(services.deciding_role(leave, request.user)),
        "can_cancel": leave.status == S.PENDING and (own or leave.submitted_by_id == request.user.pk),
        "can_return": leave.status == S.APPROVED and leave.start_date <= timezone.localdate() and (
            own or bool(village_roles & services.RETURN_ROLES)),
        "can_excuse": leave.status in (S.APPROVED, S.RETURNED) and scope.can(services.EXCUSE_ROLES,
                                                                              village=leave.cadre.village),
        "can_extend": leave.status == S.APPROVED and own,
    }


@login_required
def leave_detail(request, pk):
    leave = get_object_or_404(leave_list(user=request.user), pk=pk)
    today = timezone.localdate()
    ctx = {"leave": leave, "decision_form": DecisionForm(), "return_form": ReturnForm(initial={"returned_on": today}),
           "excuse_form": ExcuseForm(), **_leave_actions(request, leave),
           "calendar_note": calendar.provisional_note(leave.start_date, leave.end_date)}
    if leave.status == S.APPROVED:
        nxt = calendar.working_days(leave.end_date + dt.timedelta(days=1), leave.end_date + dt.timedelta(days=40),
                                    county=leave.cadre.village.township.county_id)
        if nxt:
            ctx["extend_from"] = nxt[0]
    if leave.status == S.APPROVED and leave.end_date < today:
        over = calendar.working_days(leave.end_date + dt.timedelta(days=1), today,
                                     county=leave.cadre.village.township.county_id)
        ctx["overdue_days"] = len(over)
    if get_scope(request.user).can({Role.COUNTY_ORG}, village=leave.cadre.village):
        ctx["history"] = history_rows(leave)
    return render(request, "attendance/leave_detail.html", ctx)


def _leave_action(request, pk, fn, form_class=None, ok=""):
    leave = get_object_or_404(leave_list(user=request.user), pk=pk)
    kwargs = {}
    if form_class is not None:
        form = form_class(request.POST)
        if not form.is_valid():
            for field, errs in form.errors.items():
                for e in errs:
                    messages.error(request, f"{form.fields[field].label if field in form.fields else ''}：{e}")
            return redirect("attendance:leave_detail", pk=pk)
        kwargs = form.cleaned_data
    try:
        fn(leave=leave, by=request.user, **kwargs)
    except ValidationError as exc:
        for m in exc.messages:
            messages.error(request, m)
    except Conflict as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, ok)
    return redirect("attendance:leave_detail", pk=pk)


@login_required
@require_POST
def leave_approve(request, pk):
    return _leave_action(request, pk, services.leave_approve, DecisionForm, _("已批准。"))


@login_required
@require_POST
def leave_reject(request, pk):
    return _leave_action(request, pk, services.leave_reject, DecisionForm, _("已不予批准。"))


@login_required
@require_POST
def leave_cancel(request, pk):
    return _leave_action(request, pk, services.leave_cancel, None, _("已撤回请假。"))


@login_required
@require_POST
def leave_return(request, pk):
    return _leave_action(request, pk, services.leave_return, ReturnForm, _("已销假。"))


@login_required
@require_POST
def leave_excuse(request, pk):
    return _leave_action(request, pk, services.leave_excuse_overstay, ExcuseForm, _("已登记正当理由，逾期天数不计旷工。"))


@login_required
def leave_pdf(request, pk):
    leave = get_object_or_404(leave_list(user=request.user), pk=pk)
    content = render_pdf("pdf/attendance_leave_form.html", exports.leave_form_context(leave), request=request)
    return pdf_response(content, f"请假审批表-{leave.cadre.name}-{leave.start_date}.pdf")


def _month_param(request, today):
    try:
        return parse_month(request.GET.get("month") or f"{today:%Y-%m}")
    except ValueError:
        return today.year, today.month


@login_required
def leave_register(request):
    """R-23 记录备案: the leave register of one village and month, as Excel."""
    today = timezone.localdate()
    year, month = _month_param(request, today)
    village = get_object_or_404(village_list(user=request.user), pk=int_param(request, "village") or 0)
    content = exports.leave_register_xlsx(user=request.user, village=village, year=year, month=month)
    return xlsx_response(content, f"请销假登记簿-{village.name}-{year}年{month}月.xlsx")


# -- attendance grid (R-24) -----------------------------------------------------------------

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
    labels = {"present": _("勤"), "official": _("公"), "absent": _("旷"), "leave": _("假"), "overstay": _("逾"),
              "excused": _("免"), "off": _("休"), "": ""}
    cards = []
    for cadre in cadres:
        st = statuses.get(cadre.pk, {})
        weeks, week = [], []
        day = first - dt.timedelta(days=first.weekday())
        counts = {"present": 0, "official": 0, "absent": 0, "leave": 0}
        while day <= last or day.weekday() != 0:
            if day.weekday() == 0 and week:
                weeks.append(week)
                week = []
            cell = {"date": day, "in_month": first <= day <= last, "kind": "", "editable": False}
            if cell["in_month"]:
                mark = marks.get((cadre.pk, day))
                status = st.get(day)
                if day not in workdays:
                    cell["kind"] = "off"
                elif status == policies.LEAVE:
                    cell["kind"] = "leave"
                elif mark is not None:
                    cell["kind"] = "excused" if mark.excused else mark.status
                    cell["note"] = mark.note
                elif status == policies.ABSENT:
                    cell["kind"] = "overstay"
                elif status == policies.EXCUSED:
                    cell["kind"] = "excused"
                cell["editable"] = day in workdays and day <= today and cell["kind"] != "leave" and (
                    day >= cadre.appointed_on)
                if cell["kind"] in counts:
                    counts[cell["kind"]] += 1
                if cell["kind"] in ("overstay",):
                    counts["absent"] += 1
            cell["label"] = labels.get(cell["kind"], "")
            week.append(cell)
            day += dt.timedelta(days=1)
        if week:
            weeks.append(week)
        for w in weeks:
            w_dates = [c["date"].isoformat() for c in w if c["editable"]]
            w.append({"week_dates": ",".join(w_dates)})
        cards.append({"cadre": cadre, "weeks": weeks, "counts": counts})
    return {"village": village, "year": year, "month": month, "cards": cards, "today": today,
            "prev": f"{(first - dt.timedelta(days=1)):%Y-%m}", "next": f"{(last + dt.timedelta(days=1)):%Y-%m}",
            "official_year": calendar.year_is_official(year),
            "can_mark": get_scope(request.user).can(services.MARK_ROLES, village=village),
            "weekdays": [_("一"), _("二"), _("三"), _("四"), _("五"), _("六"), _("日")]}


def _default_village(request):
    scope = get_scope(request.user)
    villages = village_list(user=request.user)
    wanted = int_param(request, "village") or int_param(request, "village", source=request.POST)
    if wanted:
        return get_object_or_404(villages, pk=wanted)
    mine = [vid for vid, roles in scope.village_roles.items() if Role.VILLAGE_SECRETARY in roles]
    if mine:
        return villages.get(pk=sorted(mine)[0])
    own = _own_cadre(request.user)
    if own is not None:
        raise PermissionDenied(_("考勤由村党组织书记记录。"))
    village = villages.order_by("code").first()
    if village is None:
        raise Http404
    return village


@login_required
def attendance_grid(request):
    today = timezone.localdate()
    year, month = _month_param(request, today)
    scope = get_scope(request.user)
    own = _own_cadre(request.user)
    if own is not None and not scope.village_roles and not scope.township_roles and not scope.county_roles:
        # a cadre reads their own month (read-only)
        ctx = _grid_context(request, own.village, year, month, cadres=[own])
        return render(request, "attendance/grid.html", {**ctx, "own_only": True})
    village = _default_village(request)
    ctx = _grid_context(request, village, year, month)
    ctx["villages"] = village_list(user=request.user).order_by("code") if not get_scope(request.user).village_roles \
        or len(get_scope(request.user).village_roles) > 1 else None
    return render(request, "attendance/grid.html", ctx)


@login_required
@require_POST
def attendance_mark(request):
    """Mark one day or a whole week for one cadre; htmx gets the cadre's card back."""
    village = _default_village(request)
    target = request.POST.get("target", "")
    try:
        cadre_id, dates = target.split(":", 1)
        days = [dt.date.fromisoformat(d) for d in dates.split(",") if d]
    except ValueError as exc:
        raise Http404 from exc
    cadre = get_object_or_404(cadre_list(user=request.user).select_related("village__township"), pk=cadre_id,
                              village=village)
    status = request.POST.get("status", "present")
    excused = request.POST.get("excused") == "on" and status == AttendanceDay.Status.ABSENT
    error = None
    try:
        services.attendance_mark(cadre=cadre, dates=days, status=status, by=request.user, excused=excused,
                                 note=request.POST.get("note", "") if status == "absent" else "")
    except ValidationError as exc:
        error = " ".join(exc.messages)
    year, month = (days[0].year, days[0].month) if days else _month_param(request, timezone.localdate())
    if request.headers.get("HX-Request"):
        ctx = _grid_context(request, village, year, month, cadres=[cadre])
        return render(request, "attendance/_grid_card.html", {**ctx, "card": ctx["cards"][0], "error": error})
    if error:
        messages.error(request, error)
    return redirect(f"{reverse('attendance:grid')}?village={village.pk}&month={year}-{month:02d}")


# -- absences (R-24) ------------------------------------------------------------------------

@login_required
def absence_index(request):
    scope = get_scope(request.user)
    qs = absence_list(user=request.user).order_by("-start_date", "-pk")
    flt = AbsenceFilter(request.GET or None, queryset=qs, user=request.user)
    page = Paginator(flt.qs if flt.is_bound and flt.is_valid() else qs, 25).get_page(request.GET.get("page"))
    cadres = cadre_list(user=request.user).filter(status=Cadre.Status.ACTIVE).order_by("village__code", "name")
    can_create = scope.has_any(*services.ABSENCE_ROLES)
    form = AbsenceForm(request.POST or None, cadres=cadres) if can_create else None
    if request.method == "POST":
        if not can_create:
            raise PermissionDenied
        if form.is_valid():
            data = dict(form.cleaned_data)
            try:
                services.absence_create(by=request.user, **data)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("已登记。"))
                return redirect("attendance:absences")
    from attendance.selectors import absence_summary

    return render(request, "attendance/absence_list.html", {
        "filter": flt, "page_obj": page, "form": form, "year": timezone.localdate().year,
        "summary": absence_summary(user=request.user, as_of=timezone.localdate())[:50],
        "run_limit": policies.RUN_LIMIT, "year_limit": policies.YEAR_LIMIT,
        "can_run": scope.has_any(Role.COUNTY_ORG, Role.TOWNSHIP_PARTY)})


@login_required
@require_POST
def run_threshold_check(request):
    """docs/rules.md "Scheduled jobs": the R-25 check, run now by the county or a township party
    committee."""
    scope = get_scope(request.user)
    if not scope.has_any(Role.COUNTY_ORG, Role.TOWNSHIP_PARTY):
        raise PermissionDenied(_("只有县委组织部或乡（镇）党委可以立即运行旷工检查。"))
    opened = services.run_daily_checks(as_of=timezone.localdate())
    messages.success(request, _("旷工检查已完成，新立案 %(n)s 件。") % {"n": opened})
    return redirect("attendance:absences")


# -- incapacity (R-26) ----------------------------------------------------------------------

@login_required
def incapacity_index(request):
    scope = get_scope(request.user)
    if not scope.has_any(Role.COUNTY_ORG, Role.TOWNSHIP_PARTY, Role.VILLAGE_SECRETARY, Role.TOWNSHIP_LIAISON):
        raise PermissionDenied(_("无法正常履职报告由村党组织书记登记，乡（镇）党委和县委组织部查看。"))
    today = timezone.localdate()
    qs = incapacity_list(user=request.user).order_by("-discovered_on", "-pk")
    flt = IncapacityFilter(request.GET or None, queryset=qs, user=request.user)
    page = Paginator(flt.qs if flt.is_bound and flt.is_valid() else qs, 25).get_page(request.GET.get("page"))
    for r in page:
        r.state = policies.incapacity_state(discovered_on=r.discovered_on, reported_on=r.reported_on, as_of=today)
    return render(request, "attendance/incapacity_list.html", {
        "filter": flt, "page_obj": page, "can_create": scope.has_any(*services.INCAPACITY_ROLES)})


@login_required
def incapacity_edit(request, pk=None):
    scope = get_scope(request.user)
    report = get_object_or_404(incapacity_list(user=request.user), pk=pk) if pk else None
    if not scope.has_any(*services.INCAPACITY_ROLES):
        raise PermissionDenied(_("只有村党组织书记或乡（镇）党委可以登记。"))
    cadres = cadre_list(user=request.user).filter(status=Cadre.Status.ACTIVE).order_by("village__code", "name")
    form = IncapacityForm(request.POST or None, instance=report, cadres=cadres)
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

@login_required
def calendar_index(request):
    scope = get_scope(request.user)
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year") or today.year)
    except ValueError:
        year = today.year
    if not 1901 <= year <= 2099:  # the lunar and official calendars' range
        messages.warning(request, _("年份须在1901至2099之间，已显示今年。"))
        year = today.year
    counties = County.objects.filter(pk__in=sorted(scope.county_ids)) if not scope.is_superuser else County.objects.all()
    wanted = int_param(request, "county") or int_param(request, "county", source=request.POST) or 0
    county = counties.filter(pk=wanted).first() or counties.first()
    if county is None:
        county_ids = scope.visible_county_ids()
        county = County.objects.filter(pk__in=sorted(county_ids)).first()
    if county is None:
        raise PermissionDenied(_("您的账号没有所属的县。"))
    can_edit = scope.can({Role.COUNTY_ORG}, county=county)
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
                    return redirect(f"{reverse('attendance:calendar')}?year={year}&county={county.pk}")
            form = CalendarOverrideForm()
            return _calendar_page(request, year, county, can_edit, today, form, arrangement, status=400)
        if request.POST.get("delete"):
            override = get_object_or_404(calendar_override_list(user=request.user), pk=request.POST["delete"],
                                         county=county)
            services.calendar_override_delete(override=override, by=request.user)
            messages.success(request, _("已删除调整。"))
            return redirect(f"{reverse('attendance:calendar')}?year={year}&county={county.pk}")
        if form.is_valid():
            try:
                services.calendar_override_save(county=county, by=request.user, **form.cleaned_data)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("已保存工作日调整。"))
                return redirect(f"{reverse('attendance:calendar')}?year={form.cleaned_data['date'].year}&county={county.pk}")
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
