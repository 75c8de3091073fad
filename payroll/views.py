"""Pages of the stipend app (R-40…R-44). Reads through selectors, writes through services."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cadres.selectors import cadre_list
from core.audit import history_rows
from core.dates import today as local_today
from core.dates import year_errors
from core.errors import Conflict
from core.excel import error_workbook, upload_form_valid, xlsx_response
from core.pdf import pdf_response
from core.roles import Role
from core.scope import get_scope
from core.selectors import county_list, township_list, village_list
from core.web import apply_errors
from payroll import exports, policies, selectors, services
from payroll.forms import (
    AdjustmentForm,
    BonusForm,
    BuildForm,
    BulkPaidForm,
    PaidForm,
    PayPolicyForm,
    PayrollSettingForm,
    UploadForm,
)
from payroll.models import FundingSource, PayRun

STAFF = {Role.COUNTY_ORG, Role.COUNTY_FINANCE, Role.COUNTY_HRSS, Role.TOWNSHIP_PARTY, Role.TOWNSHIP_LIAISON,
         Role.VILLAGE_SECRETARY}


def _org_counties(user):
    scope = get_scope(user)
    qs = county_list(user=user)
    if scope.is_superuser:
        return qs
    return qs.filter(pk__in=scope.counties_holding(Role.COUNTY_ORG))


def _bonus_cadres(user):
    """Cadres whose bonus the user may set: county_org's county, township_party's township."""
    scope = get_scope(user)
    from cadres.views import scope_manage_q

    return cadre_list(user=user).filter(village__in=village_list(user=user).filter(scope_manage_q(scope)))


def _recordable_sources(scope, line) -> list[str]:
    return [s for s in FundingSource.values
            if line.fund(s) != 0 and scope.can(services.PAID_RECORDERS[s], village=line.village)]


def _notice_url(*, township=None, village=None, title="", body="", due_on=None) -> str | None:
    """R-44 → R-56: a link that opens the supervision app's notice form filled in. None until it exists."""
    try:
        base = reverse("supervision:notice_create")
    except NoReverseMatch:
        return None
    params = {"title": title, "body": body}
    if township is not None:
        params["township"] = township
    if village is not None:
        params["village"] = village
    if due_on is not None:
        params["due_on"] = due_on.isoformat()
    return f"{base}?{urlencode(params)}"


def unpaid_notice_url(row, months, as_of):
    import datetime as dt

    place = f"{row['township__name']}{row['village__name']}"
    return _notice_url(
        township=row["township_id"], village=row["village_id"],
        title=_("关于%(p)s村级后备干部报酬未按时发放的通报") % {"p": place},
        body=_("经检查，%(p)s有 %(n)s 条村级后备干部报酬（%(m)s）在月末后仍未全部发放，尚欠 %(a)s 元。"
               "请按照管理办法第十三条、第十五条要求，及时足额发放，并将整改情况报县委组织部。") % {
            "p": place, "n": row["lines"], "m": "、".join(months), "a": f"{row['amount']:.2f}"},
        due_on=as_of + dt.timedelta(days=15),
    )


# -- runs ------------------------------------------------------------------------------------

@login_required
def run_list(request):
    scope = get_scope(request.user)
    if scope.is_empty:
        raise PermissionDenied(_("您的账号尚未分配角色。"))
    if scope.roles <= {Role.CADRE} and not scope.is_superuser:
        return redirect("payroll:my")
    qs = selectors.pay_run_list(user=request.user).order_by("-month", "county__code")
    status, year = request.GET.get("status") or "", request.GET.get("year") or ""
    if status in PayRun.Status.values:
        qs = qs.filter(status=status)
    if year.isdigit() and not year_errors(int(year)):  # issue 16: month__year=99999 was a 500
        qs = qs.filter(month__year=int(year))
    page = Paginator(qs, 24).get_page(request.GET.get("page"))
    counties = _org_counties(request.user)
    form = BuildForm(counties=counties, initial={"month": f"{policies.add_months(policies.first_of_month(local_today()), -1):%Y-%m}"}) if counties.exists() else None
    return render(request, "payroll/run_list.html", {
        "page_obj": page, "build_form": form, "statuses": PayRun.Status.choices, "status": status, "year": year,
    })


@login_required
@require_POST
def run_build(request):
    counties = _org_counties(request.user)
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
    page = Paginator(selectors.pay_run_list(user=request.user).order_by("-month"), 24).get_page(1)
    return render(request, "payroll/run_list.html", {"page_obj": page, "build_form": form,
                                                     "statuses": PayRun.Status.choices}, status=400)


@login_required
def run_detail(request, pk):
    run = get_object_or_404(selectors.pay_run_list(user=request.user), pk=pk)
    scope = get_scope(request.user)
    lines = selectors.pay_line_list(user=request.user).filter(run=run)
    flt = selectors.PayLineFilter(request.GET or None, queryset=lines, user=request.user)
    shown = (flt.qs if flt.is_bound else lines).order_by("township__code", "village__code", "kind", "cadre__name", "pk")
    page = Paginator(shown, 50).get_page(request.GET.get("page"))
    is_org = scope.can({Role.COUNTY_ORG}, county=run.county)
    from payroll.staleness import stale_reason

    ctx = {
        "stale_reason": stale_reason(run) if is_org else "",
        "is_preview": not run.is_locked and not policies.month_has_ended(run.month, local_today()),
        "run": run, "filter": flt, "page_obj": page, "summary": selectors.run_summary(lines),
        "totals": selectors.totals(lines), "is_org": is_org, "can_approve": is_org and not run.is_locked,
        "can_record": run.is_locked and scope.has_any(Role.TOWNSHIP_PARTY, Role.VILLAGE_SECRETARY),
        "sources": FundingSource.choices, "townships": township_list(user=request.user).filter(county=run.county),
    }
    if ctx["can_record"]:
        ctx["bulk_form"] = _bulk_form(request, run)
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
    get_scope(request.user).require({Role.COUNTY_ORG}, county=run.county, message=_("只有县委组织部可以生成报酬发放。"))
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
    get_scope(request.user).require({Role.COUNTY_ORG}, county=run.county, message=_("只有县委组织部可以审定报酬发放。"))
    try:
        services.pay_run_approve(run=run, by=request.user)
    except Conflict as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已审定%(r)s，明细已锁定。") % {"r": run})
    return redirect("payroll:run", pk=run.pk)


@login_required
def run_export(request, pk):
    """R-43: the run's 工资发放表 (whole scope, or one township with ?township=) as xlsx or pdf."""
    run = get_object_or_404(selectors.pay_run_list(user=request.user), pk=pk)
    scope = get_scope(request.user)
    if not scope.has_any(*STAFF):
        raise PermissionDenied(_("发放表由县、乡、村工作人员导出。"))
    lines = selectors.pay_line_list(user=request.user).filter(run=run)
    township = request.GET.get("township")
    suffix = ""
    if township and township.isdigit():
        lines = lines.filter(township_id=int(township))
        t = township_list(user=request.user).filter(pk=int(township)).first()
        suffix = t.name if t else ""
    full = scope.sees_personal_data(run.county_id)
    name = f"{run.county.name}{run.month:%Y年%m月}报酬发放表{suffix}"
    if request.GET.get("format") == "pdf":
        return pdf_response(exports.pay_sheet_pdf(run, lines, full_personal_data=full), f"{name}.pdf")
    return xlsx_response(exports.pay_sheet_workbook(run, lines, full_personal_data=full), f"{name}.xlsx")


# -- paid state (R-44) -----------------------------------------------------------------------

@login_required
def line_paid(request, pk):
    line = get_object_or_404(selectors.pay_line_list(user=request.user), pk=pk)
    scope = get_scope(request.user)
    sources = _recordable_sources(scope, line)
    if not sources:
        raise PermissionDenied(_("您无权登记这条报酬的发放日期。"))
    form = PaidForm(request.POST or None, line=line, sources=sources)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():  # every date or none
                for source in sources:
                    if form.cleaned_data[source] != line.paid_on(source):
                        line = services.line_mark_paid(line=line, source=source,
                                                       paid_on=form.cleaned_data[source], by=request.user)
        except ValidationError as exc:
            if hasattr(exc, "error_dict") and "paid_on" in exc.error_dict:
                form.add_error(source, exc.error_dict["paid_on"][0].messages[0])
            else:
                apply_errors(form, exc)
        except Conflict as exc:
            messages.error(request, exc.message)
            return redirect("payroll:run", pk=line.run_id)
        else:
            messages.success(request, _("已登记%(n)s的发放日期。") % {"n": line.cadre.name})
            return redirect(f"{reverse('payroll:run', args=[line.run_id])}?{urlencode({'village': line.village_id})}")
    return render(request, "payroll/line_paid.html", {"form": form, "line": line})


def _bulk_form(request, run, data=None):
    scope = get_scope(request.user)
    villages = village_list(user=request.user).filter(township__county=run.county)
    if not scope.is_superuser:
        from django.db.models import Q

        villages = villages.filter(Q(township_id__in=[t for t, r in scope.township_roles.items()
                                                      if Role.TOWNSHIP_PARTY in r])
                                   | Q(pk__in=[v for v, r in scope.village_roles.items() if Role.VILLAGE_SECRETARY in r]))
    sources = [s for s in FundingSource.values
               if scope.has_any(*services.PAID_RECORDERS[s]) and (
                   scope.is_superuser or Role.TOWNSHIP_PARTY in scope.roles or s == FundingSource.VILLAGE)]
    return BulkPaidForm(data, villages=villages, sources=sources, prefix="bulk")


@login_required
@require_POST
def run_mark_paid(request, pk):
    """R-44: the township (or the village, for 村财) records one date for a whole village."""
    run = get_object_or_404(selectors.pay_run_list(user=request.user), pk=pk)
    form = _bulk_form(request, run, request.POST)
    if not form.is_valid():
        messages.error(request, "；".join(f"{form.fields[k].label}：{v[0]}" if k in form.fields else v[0]
                                          for k, v in form.errors.items()))
        return redirect("payroll:run", pk=run.pk)
    village, source = form.cleaned_data["village"], form.cleaned_data["source"]
    get_scope(request.user).require(services.PAID_RECORDERS[source], village=village,
                                    message=_("您无权登记此项经费的发放日期。"))
    lines = selectors.pay_line_list(user=request.user).filter(village=village)
    try:
        n = services.mark_paid_bulk(run=run, lines=lines, source=source, paid_on=form.cleaned_data["paid_on"],
                                    by=request.user)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    except Conflict as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已为%(v)s %(n)s 人登记“%(s)s”发放日期 %(d)s。") % {
            "v": village.name, "n": n, "s": FundingSource(source).label, "d": form.cleaned_data["paid_on"]})
    return redirect(f"{reverse('payroll:run', args=[run.pk])}?{urlencode({'village': village.pk})}")


@login_required
def payments_import(request, pk):
    run = get_object_or_404(selectors.pay_run_list(user=request.user), pk=pk)
    scope = get_scope(request.user)
    if not scope.has_any(Role.TOWNSHIP_PARTY, Role.VILLAGE_SECRETARY):
        raise PermissionDenied(_("发放日期由乡（镇）党委和村党组织书记登记。"))
    lines = selectors.pay_line_list(user=request.user).filter(run=run)
    if request.GET.get("template"):
        return xlsx_response(exports.payments_template(run, lines), f"{run.month:%Y-%m}发放登记模板.xlsx")
    form = UploadForm(request.POST, request.FILES) if request.method == "POST" else UploadForm()
    if request.method == "POST" and upload_form_valid(request, form):
        upload = form.cleaned_data["file"]
        try:
            result = services.payments_import(
                run=run, upload=upload, lines=lines, by=request.user,
                can_record=lambda line, source: scope.can(services.PAID_RECORDERS[source], village=line.village))
        except ValidationError as exc:
            apply_errors(form, exc)
        except Conflict as exc:
            form.add_error(None, exc.message)
        else:
            if not result.ok:
                response = xlsx_response(error_workbook(upload, result), "发放登记-错误行已标红.xlsx")
                response.status_code = 400
                return response
            messages.success(request, _("已导入 %(n)s 个发放日期。") % {"n": result.saved})
            return redirect("payroll:run", pk=run.pk)
    return render(request, "payroll/import.html", {
        "form": form, "title": _("导入发放日期"), "back": reverse("payroll:run", args=[run.pk]),
        "template_url": f"{reverse('payroll:payments_import', args=[run.pk])}?template=1",
        "help": _("下载模板（已列出本次发放中您管辖的人员），在“发放日期”列填写日期（如 2026-03-10），再上传。"
                  "任何一行有错误时不会保存任何数据，系统会返回标红错误行的表格。"),
    }, status=400 if request.method == "POST" else 200)  # here after a POST only when it was refused


@login_required
def line_slip(request, pk):
    """R-43: a cadre's pay slip (PDF). A cadre gets own slips of approved runs."""
    line = get_object_or_404(selectors.pay_line_list(user=request.user).select_related("run__policy"), pk=pk)
    scope = get_scope(request.user)
    if line.cadre_id in scope.cadre_ids and not scope.has_any(*STAFF) and not line.run.is_locked:
        raise PermissionDenied(_("本月报酬尚未审定，审定后可下载发放单。"))
    content = exports.pay_slip_pdf(line, full_personal_data=scope.sees_personal_data(line.run.county_id)
                                   or line.cadre_id in scope.cadre_ids)
    return pdf_response(content, f"{line.cadre.name}{line.run.month:%Y年%m月}报酬发放单.pdf")


@login_required
def my_pay(request):
    scope = get_scope(request.user)
    qs = selectors.pay_line_list(user=request.user).filter(
        cadre_id__in=sorted(scope.cadre_ids), run__status=PayRun.Status.APPROVED).order_by("-run__month", "pk")
    page = Paginator(qs, 24).get_page(request.GET.get("page"))
    return render(request, "payroll/my_pay.html", {"page_obj": page})


# -- policies and settings (R-40, R-44) ---------------------------------------------------------

@login_required
def policy_list(request):
    scope = get_scope(request.user)
    if not scope.has_any(*STAFF):
        raise PermissionDenied(_("您无权查看报酬标准。"))
    qs = selectors.pay_policy_list(user=request.user).order_by("county__code", "-valid_from")
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    counties = _org_counties(request.user)
    form = setting_form = None
    if counties.exists():
        form = PayPolicyForm(request.POST if request.POST.get("form") == "policy" else None, counties=counties,
                             initial={"county": counties[0].pk})
        county = counties[0]
        setting = selectors.payroll_setting_for(county)
        setting_form = PayrollSettingForm(request.POST if request.POST.get("form") == "setting" else None,
                                          instance=setting)
        if request.method == "POST" and request.POST.get("form") == "policy" and form.is_valid():
            data = {k: v for k, v in form.cleaned_data.items() if k not in ("county", "valid_from")}
            try:
                services.pay_policy_create(county=form.cleaned_data["county"],
                                           valid_from=form.cleaned_data["valid_from"], by=request.user, **data)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("已保存报酬标准。"))
                return redirect("payroll:policies")
        if request.method == "POST" and request.POST.get("form") == "setting" and setting_form.is_valid():
            services.payroll_setting_update(county=county, unpaid_days=setting_form.cleaned_data["unpaid_days"],
                                            by=request.user)
            messages.success(request, _("已保存。"))
            return redirect("payroll:policies")
    elif request.method == "POST":
        raise PermissionDenied(_("只有县委组织部可以设置报酬标准。"))
    return render(request, "payroll/policy_list.html", {"page_obj": page, "form": form, "setting_form": setting_form})


@login_required
def policy_detail(request, pk):
    """One standard: county_org corrects it (audited) and sees who changed what."""
    policy = get_object_or_404(selectors.pay_policy_list(user=request.user), pk=pk)
    scope = get_scope(request.user)
    is_org = scope.can({Role.COUNTY_ORG}, county=policy.county)
    form = None
    if is_org:
        form = PayPolicyForm(request.POST or None, instance=policy, counties=county_list(user=request.user).filter(
            pk=policy.county_id))
        form.fields["county"].disabled = True
        form.fields["valid_from"].disabled = True
        if request.method == "POST" and form.is_valid():
            data = {k: v for k, v in form.cleaned_data.items() if k in services.POLICY_FIELDS}
            try:
                services.pay_policy_update(policy=policy, by=request.user, **data)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("已保存。已审定月份的金额不受影响，草稿需重新生成。"))
                return redirect("payroll:policy", pk=policy.pk)
    elif request.method == "POST":
        raise PermissionDenied(_("只有县委组织部可以修改报酬标准。"))
    return render(request, "payroll/policy_detail.html", {
        "policy": policy, "form": form, "history": history_rows(policy) if is_org else None})


# -- bonuses (R-40) --------------------------------------------------------------------------

@login_required
def bonus_list(request):
    scope = get_scope(request.user)
    if not scope.has_any(*STAFF):
        raise PermissionDenied(_("您无权查看业绩考核奖。"))
    qs = selectors.bonus_list(user=request.user).order_by("-month", "cadre__village__code", "cadre__name")
    month_text = request.GET.get("month") or ""
    month = None
    if month_text:
        try:
            month = policies.month_from_text(month_text)
            qs = qs.filter(month=month)
        except ValidationError:
            messages.error(request, _("月份格式应为“年-月”，如 2026-03。"))
    q = (request.GET.get("q") or "").strip()
    if q:
        qs = qs.filter(cadre__name__icontains=q)
    township = request.GET.get("township") or ""
    if township.isdigit():
        qs = qs.filter(cadre__village__township_id=int(township))
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    can_set = scope.has_any(Role.COUNTY_ORG, Role.TOWNSHIP_PARTY)
    form = None
    if can_set:
        cadres = _bonus_cadres(request.user).filter(status="active")
        form = BonusForm(request.POST or None, cadres=cadres, initial={"month": month or policies.add_months(
            policies.first_of_month(local_today()), -1)})
        if request.method == "POST" and form.is_valid():
            d = form.cleaned_data
            try:
                services.bonus_set(cadre=d["cadre"], month=d["month"], amount=d["amount"], note=d["note"],
                                   by=request.user)
            except ValidationError as exc:
                apply_errors(form, exc)
            except Conflict as exc:
                form.add_error("month", exc.message)
            else:
                messages.success(request, _("已登记%(n)s %(m)s的业绩考核奖。") % {"n": d["cadre"].name,
                                                                          "m": f"{d['month']:%Y-%m}"})
                return redirect(f"{reverse('payroll:bonuses')}?month={d['month']:%Y-%m}")
    elif request.method == "POST":
        raise PermissionDenied(_("业绩考核奖由乡（镇）党委登记。"))
    return render(request, "payroll/bonus_list.html", {
        "page_obj": page, "form": form, "month": month_text, "q": q, "township": township,
        "townships": township_list(user=request.user), "can_set": can_set,
    })


@login_required
def bonus_import(request):
    scope = get_scope(request.user)
    if not scope.has_any(Role.COUNTY_ORG, Role.TOWNSHIP_PARTY):
        raise PermissionDenied(_("业绩考核奖由乡（镇）党委登记。"))
    cadres = _bonus_cadres(request.user)
    if request.GET.get("template"):
        try:
            month = policies.month_from_text(request.GET.get("month") or "")
        except ValidationError:
            month = policies.add_months(policies.first_of_month(local_today()), -1)
        paid = cadres.filter(policies.eligible_q(month))
        return xlsx_response(exports.bonus_template(paid, month), f"业绩考核奖导入模板{month:%Y-%m}.xlsx")
    form = UploadForm(request.POST, request.FILES) if request.method == "POST" else UploadForm()
    if request.method == "POST" and upload_form_valid(request, form):
        upload = form.cleaned_data["file"]
        try:
            result = services.bonus_import(upload=upload, cadres=cadres, by=request.user)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            if not result.ok:
                response = xlsx_response(error_workbook(upload, result), "业绩考核奖-错误行已标红.xlsx")
                response.status_code = 400
                return response
            messages.success(request, _("已导入 %(n)s 条业绩考核奖。") % {"n": result.saved})
            return redirect("payroll:bonuses")
    last = policies.add_months(policies.first_of_month(local_today()), -1)
    return render(request, "payroll/import.html", {
        "form": form, "title": _("导入业绩考核奖"), "back": reverse("payroll:bonuses"),
        "template_url": f"{reverse('payroll:bonus_import')}?template=1&month={last:%Y-%m}",
        "help": _("下载模板（已列出该月发放报酬的人员，月份可在链接中修改），填写“业绩考核奖（元）”后上传。"
                  "任何一行有错误时不会保存任何数据，系统会返回标红错误行的表格。"),
    }, status=400 if request.method == "POST" else 200)  # here after a POST only when it was refused


# -- adjustments (R-42) ----------------------------------------------------------------------

@login_required
def adjustment_list(request):
    scope = get_scope(request.user)
    if not scope.has_any(*STAFF):
        raise PermissionDenied(_("您无权查看报酬更正。"))
    qs = selectors.adjustment_list(user=request.user).order_by("-month", "-pk")
    q = (request.GET.get("q") or "").strip()
    if q:
        qs = qs.filter(cadre__name__icontains=q)
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    counties = _org_counties(request.user)
    form = None
    if counties.exists():
        cadres = cadre_list(user=request.user).filter(village__township__county__in=counties)
        form = AdjustmentForm(request.POST or None, cadres=cadres)
        if request.method == "POST" and form.is_valid():
            d = dict(form.cleaned_data)
            try:
                services.adjustment_create(cadre=d.pop("cadre"), corrects_month=d.pop("corrects_month"),
                                           month=d.pop("month"), reason=d.pop("reason"), by=request.user, **d)
            except ValidationError as exc:
                apply_errors(form, exc)
            except Conflict as exc:
                form.add_error("month", exc.message)
            else:
                messages.success(request, _("已登记报酬更正。"))
                return redirect("payroll:adjustments")
    elif request.method == "POST":
        raise PermissionDenied(_("只有县委组织部可以登记报酬更正。"))
    return render(request, "payroll/adjustment_list.html", {"page_obj": page, "form": form, "q": q})


# -- the county's check (R-44) -----------------------------------------------------------------

@login_required
def unpaid(request):
    scope = get_scope(request.user)
    if not scope.has_any(*STAFF):
        raise PermissionDenied(_("您无权查看此页面。"))
    as_of = local_today()
    qs = selectors.unpaid_line_list(user=request.user, as_of=as_of)
    township = request.GET.get("township") or ""
    if township.isdigit():
        qs = qs.filter(township_id=int(township))
    rows = selectors.unpaid_summary(qs, as_of)
    months = selectors.unpaid_months(qs)
    for row in rows:
        row["months"] = months.get(row["village_id"], [])
        row["notice_url"] = unpaid_notice_url(row, row["months"], as_of) if scope.has_any(Role.COUNTY_ORG) else None
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(request, "payroll/unpaid.html", {
        "page_obj": page, "townships": township_list(user=request.user), "township": township, "as_of": as_of,
    })

