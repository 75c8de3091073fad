"""Leave pages (R-21…R-23): the list, asking, the days preview, the request with its actions, the PDF form
and the village's register. Views parse, ask ``attendance.permissions``, call one service, render."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from attendance import exports, permissions, policies, services
from attendance.forms import ConfirmReturnForm, DecisionForm, ExcuseForm, LeaveRequestForm, ReturnForm
from attendance.models import LeaveRequest
from attendance.selectors import (
    LEAVE_PEOPLE,
    LeaveFilter,
    approver_context,
    attendance_limits,
    leave_approver,
    leave_list,
    leave_overstay,
    leave_pending_for,
)
from attendance.views._common import action_view, filtered_page, month_param, own_cadre, recorder_cadres
from core import calendar
from core import dates as date_bounds
from core.audit import history_rows
from core.excel import xlsx_response
from core.filters import cadre_pick
from core.listexport import visible_list_export
from core.pdf import pdf_response, render_pdf
from core.roles import Role
from core.scope import get_scope
from core.selectors import village_list
from core.web import apply_errors, int_param

S = LeaveRequest.Status


@login_required
def attendance_home(request):
    return redirect("attendance:leave_list")


@visible_list_export  # issue 17: ?export=xlsx answers the filtered rows
@login_required
def leave_index(request):
    scope = get_scope(request.user)
    mine = request.GET.get("mine") == "pending"
    base = leave_pending_for(user=request.user) if mine else leave_list(user=request.user)
    flt, page = filtered_page(request, LeaveFilter, base.order_by("-start_date", "-pk"))
    return render(request, "attendance/leave_list.html", {
        "filter": flt, "page_obj": page, "mine": mine, "today": timezone.localdate(),
        "bulk": mine and page.paginator.count > 0,  # issue 17: the pending list decides several at once
        "filter_skip": ["cadre"], "filter_hidden": [("mine", "pending")] if mine else [],
        "pending_count": leave_pending_for(user=request.user).count() if permissions.decides_leave(scope) else 0,
        "can_ask": permissions.can_ask_own_leave(scope, own_cadre(request.user))
        or recorder_cadres(request.user).exists(),
        "is_cadre": permissions.can_ask_own_leave(scope, own_cadre(request.user)),
        "can_register": permissions.can_download_register(scope),
    })


@login_required
def leave_create(request):
    own = own_cadre(request.user)
    if not permissions.can_ask_own_leave(get_scope(request.user), own):
        own = None  # no longer serving: no leave of their own to ask for
    cadres = recorder_cadres(request.user)
    on_behalf = request.GET.get("for") == "other" or own is None
    if on_behalf and not cadres.exists():
        raise PermissionDenied(_("只有后备干部本人、本村党组织书记或包村领导可以登记请假。"))
    initial = {k: request.GET[k] for k in ("start_date", "end_date", "reason") if request.GET.get(k)}
    form = LeaveRequestForm(request.POST or None, cadres=cadres, for_self=not on_behalf, initial=initial or None)
    cadre_pick(form, "attendance.leave")
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
        "form": form, "own": own, "on_behalf": on_behalf, "can_record": cadres.exists(),
        "secretary_max_days": attendance_limits(own.village.township.county_id if own else None).secretary_max_days})


def _preview_days(request, cadre):
    """The working days of the dates being typed, or None when they are not (yet) a valid period."""
    try:
        start = dt.date.fromisoformat(request.GET.get("start_date", ""))
        end = dt.date.fromisoformat(request.GET.get("end_date", ""))
        if date_bounds.period_errors(start, end):  # issue 16: year 9999 would count for half a minute
            raise ValueError(end)
        days = calendar.count_working_days(start, end, start_half=request.GET.get("start_half", "am"),
                                           end_half=request.GET.get("end_half", "pm"),
                                           county=cadre.village.township.county_id if cadre else None)
    except (ValueError, TypeError):
        return None, None, None
    return start, end, days


@login_required
def leave_days_preview(request):
    """htmx: the working days of the dates being typed, and who will approve (R-22)."""
    cadre = own = own_cadre(request.user)
    cadre_id = int_param(request, "cadre")
    if cadre_id is not None:
        cadre = recorder_cadres(request.user).filter(pk=cadre_id).first() or own
    text, level = "", "secondary"
    start, end, days = _preview_days(request, cadre)
    if days is not None and days <= 0:
        text, level = _("所选日期没有工作日，不需要请假。"), "danger"
    elif days is not None:
        if cadre is not None:  # issue 12 item 5: nobody holds that role at the village → one tier up
            role, escalated = leave_approver(village=cadre.village, days=days)
            role = escalated or role
        else:
            role = policies.approver_role_for(days, secretary_max_days=policies.DEFAULTS.secretary_max_days)
        text, level = _("共 %(d)s 个工作日，由%(r)s审批。") % {"d": days, "r": Role(role).label}, "info"
        note = calendar.provisional_note(start, end)
        if note:
            text, level = f"{text}{note}", "warning"
    return render(request, "attendance/_days_preview.html", {"text": text, "level": level})


@login_required
def leave_detail(request, pk):
    leave = get_object_or_404(leave_list(user=request.user).select_related(*LEAVE_PEOPLE), pk=pk)
    scope = get_scope(request.user)
    today = timezone.localdate()
    county = leave.cadre.village.township.county_id
    ctx = {"leave": leave, "decision_form": DecisionForm(), "return_form": ReturnForm(initial={"returned_on": today}),
           "confirm_form": ConfirmReturnForm(initial={"returned_on": leave.return_reported_on or today}),
           "excuse_form": ExcuseForm(), **permissions.leave_actions(scope, leave, today=today),
           "calendar_note": calendar.provisional_note(leave.start_date, leave.end_date)}
    if leave.status == S.APPROVED:
        nxt = calendar.working_days(leave.end_date + dt.timedelta(days=1), leave.end_date + dt.timedelta(days=40),
                                    county=county)
        if nxt:
            ctx["extend_from"] = nxt[0]
    # issue 12 item 2: the same day statuses as the grid, the absence page and the R-25 job
    overstay = leave_overstay(leave, as_of=today)
    ctx["overdue_days"] = len(overstay["days"])
    ctx["excused_days"] = len(overstay["excused"])
    if leave.return_pending:
        reported_day = timezone.localdate(leave.return_reported_at)
        lag = policies.report_lag(calendar.working_days(leave.return_reported_on, reported_day, county=county),
                                  returned_on=leave.return_reported_on, reported_on=reported_day)
        ctx["report_lag"] = lag
        ctx["report_late"] = policies.report_is_late(lag)
    if ctx.get("can_decide") and leave.status == S.PENDING:  # issue 17: the approver's context
        ctx["context"] = approver_context(leave, as_of=today)
    if permissions.can_read_leave_history(scope, leave):
        ctx["history"] = history_rows(leave)
    return render(request, "attendance/leave_detail.html", ctx)


def _action_view(fn, form_class, ok):
    """A POST on one request: validate the form, call the service, say how it went, back to the request."""
    return action_view(fn, form_class, ok, records=leave_list, noun="leave", detail="attendance:leave_detail")


leave_approve = _action_view(services.leave_approve, DecisionForm, gettext_lazy("已批准。"))
leave_reject = _action_view(services.leave_reject, DecisionForm, gettext_lazy("已不予批准。"))
leave_cancel = _action_view(services.leave_cancel, None, gettext_lazy("已撤回请假。"))
leave_return = _action_view(services.leave_return, ReturnForm, gettext_lazy("已报告销假，等待审批方确认。"))
leave_return_confirm = _action_view(services.leave_return_confirm, ConfirmReturnForm,
                                    gettext_lazy("已确认销假，请假已结束。"))
leave_excuse = _action_view(services.leave_excuse_overstay, ExcuseForm,
                            gettext_lazy("已登记正当理由，逾期天数不计旷工。"))


@login_required
def leave_pdf(request, pk):
    leave = get_object_or_404(leave_list(user=request.user).select_related(*LEAVE_PEOPLE), pk=pk)
    content = render_pdf("pdf/attendance_leave_form.html", exports.leave_form_context(leave), request=request)
    return pdf_response(content, f"请假审批表-{leave.cadre.name}-{leave.start_date}.pdf")


@login_required
def leave_register(request):
    """R-23 记录备案: the leave register of one village and month, as Excel."""
    year, month = month_param(request, timezone.localdate())
    village = get_object_or_404(village_list(user=request.user), pk=int_param(request, "village") or 0)
    content = exports.leave_register_xlsx(user=request.user, village=village, year=year, month=month)
    return xlsx_response(content, f"请销假登记簿-{village.name}-{year}年{month}月.xlsx")


@login_required
@require_POST
def leave_bulk_decide(request):
    """Issue 17: 批量批准 / 批量驳回 on the requests waiting for the user; each one decided on its own (the
    single-decision service and all its checks), the refused ones listed with their reasons."""
    ids = [int(v) for v in request.POST.getlist("ids") if v.isdigit() and len(v) < 12]
    decision = request.POST.get("decision", "")
    back = f"{reverse('attendance:leave_list')}?mine=pending"
    try:
        results = services.leave_decide_many(ids=ids, by=request.user, decision=decision,
                                             comment=request.POST.get("comment", ""))
    except ValidationError as exc:
        for m in exc.messages:
            messages.error(request, m)
        return redirect(back)
    done = [r for r in results if r["ok"]]
    refused = [r for r in results if not r["ok"]]
    word = _("批准") if decision == "approve" else _("驳回")
    if done:
        messages.success(request, _("已%(w)s %(n)s 条请假：%(names)s。") % {
            "w": word, "n": len(done), "names": "、".join(r["cadre"] for r in done)})
    if refused:
        messages.warning(request, _("%(n)s 条未能%(w)s，原因如下。") % {"n": len(refused), "w": word})
        for r in refused:
            who = f"{r['cadre']}（{r['period']}）" if r["cadre"] else _("编号 %(id)s") % {"id": r["id"]}
            messages.error(request, f"{who}：{r['message']}")
    return redirect(back)
