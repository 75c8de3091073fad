"""The county's standards (R-40, R-44), 业绩考核奖 (R-40) and corrections (R-42)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from cadres.selectors import cadre_list
from core.audit import history_rows
from core.dates import today as local_today
from core.excel import upload_form_valid, xlsx_response
from core.filters import cadre_pick
from core.listexport import list_page, visible_list_export
from core.registry import cadre_source
from core.scope import get_scope
from core.selectors import county_list, village_list
from core.web import apply_errors, require_scope, submit
from payroll import exports, permissions, policies, selectors, services
from payroll.filters import AdjustmentFilter, BonusFilter
from payroll.forms import AdjustmentForm, BonusForm, PayPolicyForm, PayrollSettingForm, UploadForm
from payroll.views.common import import_page, org_counties, refused_rows


@cadre_source("payroll.bonus")
def _bonus_source(request):
    return _bonus_cadres(request.user).filter(status="active")


@cadre_source("payroll.adjustment")
def _adjustment_cadres(request):
    return cadre_list(user=request.user).filter(county__in=org_counties(request.user))


def _bonus_cadres(user):
    """Cadres whose bonus the user may set: county_org's county, township_party's township."""
    villages = village_list(user=user).filter(permissions.bonus_villages_q(get_scope(user)))
    return cadre_list(user=user).filter(village__in=villages)

@login_required
def policy_list(request):
    require_scope(request, permissions.is_staff, message=_("您无权查看报酬标准。"))
    qs = selectors.pay_policy_list(user=request.user).order_by("county__code", "-valid_from")
    page = list_page(request, qs, 25)
    counties = org_counties(request.user)
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
    is_org = permissions.can_manage_county(scope, policy.county)
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

@visible_list_export  # issue 17: ?export=xlsx answers the filtered rows
@login_required
def bonus_list(request):
    scope = require_scope(request, permissions.is_staff, message=_("您无权查看业绩考核奖。"))
    qs = selectors.bonus_list(user=request.user).order_by("-month", "cadre__village__code", "cadre__name")
    flt = BonusFilter(request.GET, queryset=qs, user=request.user)
    qs = flt.qs
    month = flt.form.cleaned_data.get("month")  # after .qs: the valid fields are cleaned
    page = list_page(request, qs, 50)
    can_set = permissions.sets_bonuses(scope)
    form = None
    if can_set:
        form = BonusForm(request.POST or None, cadres=_bonus_source(request),
                         initial={"month": month or policies.last_month(local_today())})
        cadre_pick(form, "payroll.bonus")
        done = submit(request, form, lambda d: services.bonus_set(
            cadre=d["cadre"], month=d["month"], amount=d["amount"], note=d["note"], by=request.user),
            done=lambda _result: _("已登记%(n)s %(m)s的业绩考核奖。") % {
                "n": form.cleaned_data["cadre"].name, "m": f"{form.cleaned_data['month']:%Y-%m}"},
            to=lambda _result: f"{reverse('payroll:bonuses')}?month={form.cleaned_data['month']:%Y-%m}",
            conflict_on="month")
        if done:
            return done
    elif request.method == "POST":
        raise PermissionDenied(_("业绩考核奖由乡（镇）党委登记。"))
    return render(request, "payroll/bonus_list.html", {
        "page_obj": page, "form": form, "filter": flt, "filter_skip": ["cadre"], "can_set": can_set,
    })


@login_required
def bonus_import(request):
    require_scope(request, permissions.sets_bonuses, message=_("业绩考核奖由乡（镇）党委登记。"))
    cadres = _bonus_cadres(request.user)
    if request.GET.get("template"):
        try:
            month = policies.month_from_text(request.GET.get("month") or "")
        except ValidationError:
            month = policies.last_month(local_today())
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
                return refused_rows(upload, result, "业绩考核奖-错误行已标红.xlsx")
            messages.success(request, _("已导入 %(n)s 条业绩考核奖。") % {"n": result.saved})
            return redirect("payroll:bonuses")
    last = policies.last_month(local_today())
    return import_page(
        request, form, title=_("导入业绩考核奖"), back=reverse("payroll:bonuses"),
        template_url=f"{reverse('payroll:bonus_import')}?template=1&month={last:%Y-%m}",
        help_text=_("下载模板（已列出该月发放报酬的人员，月份可在链接中修改），填写“业绩考核奖（元）”后上传。"))


# -- adjustments (R-42) ----------------------------------------------------------------------

@visible_list_export  # issue 17: ?export=xlsx answers the filtered rows
@login_required
def adjustment_list(request):
    require_scope(request, permissions.is_staff, message=_("您无权查看报酬更正。"))
    flt = AdjustmentFilter(request.GET, queryset=selectors.adjustment_list(user=request.user).order_by("-month", "-pk"),
                           user=request.user)
    page = list_page(request, flt.qs, 25)
    counties = org_counties(request.user)
    form = None
    if counties.exists():
        form = AdjustmentForm(request.POST or None, cadres=_adjustment_cadres(request))
        cadre_pick(form, "payroll.adjustment")
        done = submit(request, form, lambda d: services.adjustment_create(
            cadre=d.pop("cadre"), corrects_month=d.pop("corrects_month"), month=d.pop("month"), reason=d.pop("reason"),
            by=request.user, **d), done=_("已登记报酬更正。"), to=reverse("payroll:adjustments"), conflict_on="month")
        if done:
            return done
    elif request.method == "POST":
        raise PermissionDenied(_("只有县委组织部可以登记报酬更正。"))
    return render(request, "payroll/adjustment_list.html", {"page_obj": page, "form": form, "filter": flt,
                                                            "filter_skip": ["cadre"]})


