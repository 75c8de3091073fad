"""Runs (R-41…R-43): the list, the build, one run's page, approval, the pay sheet and the slips."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.audit import history_rows, log_personal_data
from core.dates import today as local_today
from core.errors import Conflict
from core.filters import is_id
from core.listexport import list_page, visible_list_export
from core.pdf import pdf_response
from core.scope import get_scope
from core.selectors import township_list
from core.web import apply_errors, perform, require_scope
from payroll import exports, permissions, policies, selectors, services
from payroll.filters import PayLineFilter, PayRunFilter
from payroll.forms import BuildForm, DisbursementForm
from payroll.models import FundingSource, PayRun
from payroll.staleness import stale_reason
from payroll.views.common import org_counties
from payroll.views.payments import bulk_form


def _run_list_page(request, build_form, *, status=200):
    qs = selectors.pay_run_list(user=request.user).order_by("-month", "county__code")
    flt = PayRunFilter(request.GET, queryset=qs, user=request.user)
    page = list_page(request, flt.qs, 24)
    return render(request, "payroll/run_list.html", {
        "page_obj": page, "build_form": build_form, "filter": flt, "filter_skip": ["month", "county"],
    }, status=status)


@visible_list_export  # issue 17: ?export=xlsx answers the filtered rows
@login_required
def run_list(request):
    scope = get_scope(request.user)
    if scope.is_empty:
        raise PermissionDenied(_("您的账号尚未分配角色。"))
    if scope.is_cadre_only:
        return redirect("payroll:my")
    counties = org_counties(request.user)
    form = BuildForm(counties=counties, initial={"month": f"{policies.last_month(local_today()):%Y-%m}"}
                     ) if counties.exists() else None
    return _run_list_page(request, form)


@login_required
@require_POST
def run_build(request):
    counties = org_counties(request.user)
    if not counties.exists():
        raise PermissionDenied(_("只有县委组织部可以生成报酬发放。"))
    form = BuildForm(request.POST, counties=counties)
    if form.is_valid():
        try:
            run = services.pay_run_queue(county=form.cleaned_data["county"], month=form.cleaned_data["month"],
                                         by=request.user)
        except ValidationError as exc:
            apply_errors(form, exc)
        except Conflict as exc:
            messages.error(request, exc.message)
            return redirect("payroll:runs")
        else:
            messages.info(request, _("已开始生成%(r)s。") % {"r": run})
            return redirect("payroll:run", pk=run.pk)
    return _run_list_page(request, form, status=400)


@visible_list_export  # issue 17: ?export=xlsx answers the filtered rows
@login_required
def run_detail(request, pk):
    run = get_object_or_404(selectors.pay_run_list(user=request.user), pk=pk)
    scope = get_scope(request.user)
    lines = selectors.pay_line_list(user=request.user).filter(run=run)
    flt = PayLineFilter(request.GET or None, queryset=lines, user=request.user)
    shown = (flt.qs if flt.is_bound else lines).order_by("township__code", "village__code", "kind", "cadre__name", "pk")
    page = list_page(request, shown, 50)
    is_org = permissions.can_manage_county(scope, run.county)
    ctx = {
        "stale_reason": stale_reason(run) if is_org else "",
        "is_preview": not run.is_locked and not policies.month_has_ended(run.month, local_today()),
        "run": run, "filter": flt, "filter_skip": ["cadre"], "page_obj": page, "summary": selectors.run_summary(lines),
        "totals": selectors.totals(lines), "is_org": is_org, "can_approve": is_org and not run.is_locked,
        "can_record": permissions.can_record_on_run(scope, run),
        "sources": FundingSource.choices, "townships": township_list(user=request.user).filter(county=run.county),
    }
    if ctx["can_record"]:
        ctx["bulk_form"] = bulk_form(request, run)
    if permissions.can_download_disbursement(scope, run):
        ctx["disbursement_form"] = DisbursementForm(townships=ctx["townships"].order_by("code"))
    if is_org:
        ctx["history"] = history_rows(run)
    return render(request, "payroll/run_detail.html", ctx)


@login_required
def run_progress(request, pk):
    """htmx: the build state of a run; tells the page to reload once the build has finished."""
    run = get_object_or_404(selectors.pay_run_list(user=request.user), pk=pk)
    response = render(request, "payroll/_progress.html", {"run": run, "polling": True})
    if run.build_state not in (PayRun.BuildState.QUEUED, PayRun.BuildState.RUNNING) and request.GET.get("was") in (
            PayRun.BuildState.QUEUED, PayRun.BuildState.RUNNING):
        response["HX-Refresh"] = "true"
    return response


@login_required
@require_POST
def run_rebuild(request, pk):
    run = get_object_or_404(selectors.pay_run_list(user=request.user), pk=pk)
    try:
        services.pay_run_queue(county=run.county, month=run.month, by=request.user)
    except (Conflict, ValidationError) as exc:
        messages.error(request, exc.message if isinstance(exc, Conflict) else "；".join(exc.messages))
    else:
        messages.info(request, _("已开始重新生成。"))
    return redirect("payroll:run", pk=run.pk)


@login_required
@require_POST
def run_approve(request, pk):
    run = get_object_or_404(selectors.pay_run_list(user=request.user), pk=pk)
    perform(request, lambda: services.pay_run_approve(run=run, by=request.user),
            done=lambda _result: _("已审定%(r)s，明细已锁定。") % {"r": run})
    return redirect("payroll:run", pk=run.pk)


@login_required
def run_export(request, pk):
    """R-43: the run's 工资发放表 (whole scope, or one township with ?township=) as xlsx or pdf."""
    run = get_object_or_404(selectors.pay_run_list(user=request.user), pk=pk)
    scope = require_scope(request, permissions.is_staff, message=_("发放表由县、乡、村工作人员导出。"))
    lines = selectors.pay_line_list(user=request.user).filter(run=run)
    township = request.GET.get("township")
    suffix = ""
    if township and is_id(township):
        lines = lines.filter(township_id=int(township))
        t = township_list(user=request.user).filter(pk=int(township)).first()
        suffix = t.name if t else ""
    return exports.sheet_response(run, lines, scope=scope, kind=request.GET.get("format"), suffix=suffix,
                                  request=request)

@login_required
def line_slip(request, pk):
    """R-43: a cadre's pay slip (PDF). A cadre gets own slips of approved runs."""
    line = get_object_or_404(selectors.pay_line_list(user=request.user).select_related("run__policy"), pk=pk)
    scope = require_scope(request, permissions.can_download_slip, line,
                          message=_("本月报酬尚未审定，审定后可下载发放单。"))
    content = exports.pay_slip_pdf(line, full_personal_data=permissions.sees_slip_in_full(scope, line))
    if scope.sees_personal_data(line.run.county_id) and line.cadre_id not in scope.cadre_ids:
        log_personal_data(request, kind="pd_pay_slip", fields=("id_number",), people=1,
                          what=_("%(r)s 报酬发放单：%(n)s") % {"r": line.run, "n": line.cadre.name},
                          scope_label=line.village.name if line.village_id else "",
                          subjects=[(line.cadre_id, line.cadre.name)])
    return pdf_response(content, f"{line.cadre.name}{line.run.month:%Y年%m月}报酬发放单.pdf")


@login_required
def my_pay(request):
    scope = get_scope(request.user)
    qs = selectors.pay_line_list(user=request.user).filter(
        cadre_id__in=sorted(scope.cadre_ids), run__status=PayRun.Status.APPROVED).order_by("-run__month", "pk")
    page = list_page(request, qs, 24)
    return render(request, "payroll/my_pay.html", {"page_obj": page})


