"""Official trip pages (R-27, 因公外出): the list (search, filters, Excel), recording one, and the trip with
its return reported by the cadre and confirmed (or corrected) by the recording side. Views parse, ask
``attendance.permissions``, call one service, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook

from attendance import permissions, policies, services
from attendance.forms import TripCancelForm, TripConfirmForm, TripForm, TripReturnForm
from attendance.models import OfficialTrip
from attendance.selectors import TripFilter, trip_list, trip_overstay
from attendance.views._common import action_view, active_cadres, filtered_page
from core import calendar, excel
from core.audit import history_rows
from core.filters import cadre_pick
from core.registry import cadre_source
from core.scope import get_scope
from core.web import apply_errors

T = OfficialTrip.Status
EXPORT_LIMIT = 20000


@cadre_source("attendance.trip")
def _trip_source(request):
    return _recordable_cadres(request.user)


def _recordable_cadres(user):
    """Active cadres of the villages where the user records trips (R-27)."""
    scope = get_scope(user)
    return active_cadres(user).filter(scope.q_holding(permissions.TRIP_ROLES, township="township", county="county")).exclude(pk__in=scope.cadre_ids)


def _require_reader(user):
    if not permissions.reads_trips(get_scope(user)):
        raise PermissionDenied(_("因公外出记录供村党组织书记、乡（镇）和县委组织部查看。"))


@login_required
def trip_index(request):
    _require_reader(request.user)
    scope = get_scope(request.user)
    base = trip_list(user=request.user).order_by("-start_date", "-pk")
    flt, page = filtered_page(request, TripFilter, base)
    if request.GET.get("export") == "xlsx":
        rows = flt.qs if flt.is_bound and flt.is_valid() else base
        return _export(rows)
    query = request.GET.copy()
    query.pop("page", None)
    query["export"] = "xlsx"
    return render(request, "attendance/trips/list.html", {
        "filter": flt, "page_obj": page, "today": timezone.localdate(), "filter_skip": ["cadre"],
        "can_record": permissions.records_trips(scope), "export_query": query.urlencode()})


def _export(rows):
    wb = Workbook()
    ws = wb.active
    ws.title = _("因公外出")
    headers = [_("序号"), _("乡（镇）"), _("村"), _("姓名"), _("外出事由"), _("外出地点"), _("开始日期"), _("结束日期"),
               _("状态"), _("报告返岗日期"), _("确认返岗日期"), _("登记人"), _("确认人")]
    excel.write_title(ws, _("因公外出登记"), len(headers))
    excel.write_header(ws, headers, row=2, widths=[6, 12, 12, 10, 30, 16, 12, 12, 10, 14, 14, 12, 12])
    today = timezone.localdate()
    for i, t in enumerate(rows[:EXPORT_LIMIT], start=1):
        status = t.get_status_display()
        if t.status == T.OPEN and t.end_date < today:
            status = _("逾期未返岗")
        excel.write_row(ws, i + 2, [i, t.cadre.village.township.name, t.cadre.village.name, t.cadre.name, t.purpose,
                                    t.destination, t.start_date, t.end_date, status, t.return_reported_on,
                                    t.returned_on, str(t.recorded_by or ""), str(t.confirmed_by or "")])
    return excel.xlsx_response(excel.workbook_bytes(wb), f"{_('因公外出')}-{today:%Y%m%d}.xlsx")


@login_required
def trip_create(request):
    cadres = _recordable_cadres(request.user)
    if not permissions.records_trips(get_scope(request.user)) or not cadres.exists():
        raise PermissionDenied(_("只有本村党组织书记、包村领导或乡（镇）党委可以登记因公外出。"))
    form = TripForm(request.POST or None, cadres=cadres)
    cadre_pick(form, "attendance.trip")
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            trip = services.trip_record(by=request.user, **data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已登记%(n)s因公外出（%(a)s 至 %(b)s）。") % {
                "n": trip.cadre.name, "a": trip.start_date, "b": trip.end_date})
            return redirect("attendance:trip_detail", pk=trip.pk)
    return render(request, "attendance/trips/form.html", {"form": form})


@login_required
def trip_detail(request, pk):
    trip = get_object_or_404(trip_list(user=request.user), pk=pk)
    scope = get_scope(request.user)
    today = timezone.localdate()
    ctx = {"trip": trip, **permissions.trip_actions(scope, trip, today=today),
           "return_form": TripReturnForm(initial={"returned_on": today}),
           "confirm_form": TripConfirmForm(initial={"returned_on": trip.return_reported_on or today}),
           "cancel_form": TripCancelForm(),
           "overdue_days": len(trip_overstay(trip, as_of=today))}
    if trip.return_pending:
        reported_day = timezone.localdate(trip.return_reported_at)
        lag = policies.report_lag(calendar.working_days(trip.return_reported_on, reported_day,
                                                        county=trip.cadre.village.township.county_id),
                                  returned_on=trip.return_reported_on, reported_on=reported_day)
        ctx["report_lag"] = lag
        ctx["report_late"] = policies.report_is_late(lag)
    if permissions.can_read_trip_history(scope, trip):
        ctx["history"] = history_rows(trip)
    return render(request, "attendance/trips/detail.html", ctx)


def _action_view(fn, form_class, ok):
    """A POST on one trip: validate the form, call the service, say how it went, back to the trip."""
    return action_view(fn, form_class, ok, records=trip_list, noun="trip", detail="attendance:trip_detail")


trip_return = _action_view(services.trip_report_return, TripReturnForm,
                           gettext_lazy("已报告返岗，等待村党组织书记或乡（镇）确认。"))
trip_return_confirm = _action_view(services.trip_confirm_return, TripConfirmForm,
                                   gettext_lazy("已确认返岗，因公外出已结束。"))
trip_cancel = _action_view(services.trip_cancel, TripCancelForm, gettext_lazy("已取消这次外出登记。"))
