"""R-45 意外保险 page: the county's accident-insurance setting and, when it is paid yearly, the year's premium
list (generate, record payment to the insurer, Excel export)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from openpyxl import Workbook

from core import excel
from core.audit import history_rows
from core.dates import parse_year
from core.dates import today as local_today
from core.filters import is_id
from core.keyset import page_of
from core.money import money
from core.scope import get_scope
from core.selectors import county_list
from core.web import apply_errors, require_scope
from payroll import permissions, selectors, services
from payroll.filters import PremiumFilter
from payroll.forms import InsuranceSettingForm, PremiumPayForm


def insurance_counties(user):
    """The counties whose accident insurance the user keeps (county_org, county_finance)."""
    scope = get_scope(user)
    qs = county_list(user=user).order_by("code")
    return qs if scope.is_superuser else qs.filter(pk__in=permissions.premium_county_ids(scope))


def _export(county, year, premiums):
    wb = Workbook()
    ws = wb.active
    ws.title = _("意外保险保费")
    headers = [_("序号"), _("乡（镇）"), _("村（社区）"), _("姓名"), _("保险公司"), _("保单号"), _("保费（元）"),
               _("缴费日期"), _("缴费凭证号")]
    excel.write_title(ws, _("%(c)s%(y)s年村级后备干部意外伤害保险保费清单") % {"c": county.name, "y": year},
                      len(headers))
    excel.write_header(ws, headers, row=2, widths=[6, 14, 14, 10, 24, 20, 12, 12, 18])
    r, total = 3, money(0)
    for i, p in enumerate(premiums, start=1):
        excel.write_row(ws, r, [i, p.cadre.village.township.name, p.cadre.village.name, p.cadre.name, p.insurer,
                                p.policy_number, p.amount, p.paid_on.isoformat() if p.paid_on else _("未缴费"),
                                p.voucher], money_cols={7})
        total += p.amount
        r += 1
    excel.write_row(ws, r, [_("合计"), "", "", _("%(n)s 人") % {"n": r - 3}, "", "", total, "", ""], bold=True,
                    money_cols={7})
    return excel.xlsx_response(excel.workbook_bytes(wb), f"{county.name}{year}年意外保险保费.xlsx")


@login_required
def insurance(request):
    """R-45: the setting (monthly line or yearly premium) and the year's premium list of one county."""
    scope = require_scope(request, permissions.reads_premiums, message=_("只有县委组织部和县财政局可以查看意外保险。"))
    counties = list(insurance_counties(request.user))
    if not counties:
        raise PermissionDenied(_("只有县委组织部和县财政局可以查看意外保险。"))
    wanted = str(request.GET.get("county") or "")
    county = next((c for c in counties if is_id(wanted) and c.pk == int(wanted)), counties[0])
    today = local_today()
    year = parse_year(request.GET.get("year"), default=today.year)
    setting = selectors.payroll_setting_for(county)
    yearly = setting.accident_yearly(year)
    can_manage = permissions.can_manage_insurance(scope, county)
    here = reverse("payroll:insurance") + "?" + urlencode({"county": county.pk, "year": year})

    setting_form = InsuranceSettingForm(
        request.POST if request.POST.get("form") == "setting" else None,
        initial={"accident_mode": setting.accident_mode, "accident_from_year": setting.accident_from_year,
                 "insurer": setting.insurer, "premium_per_year": setting.premium_per_year})
    pay_form = PremiumPayForm(request.POST if request.POST.get("form") == "pay" else None,
                              initial={"paid_on": today})
    qs = selectors.premium_list(user=request.user).filter(county=county, year=year).order_by(
        "cadre__village__township__code", "cadre__village__code", "cadre__name", "pk")
    flt = PremiumFilter(request.GET, queryset=qs, user=request.user)
    status = 200
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied(_("只有县委组织部和县财政局可以办理意外保险。"))
        action = request.POST.get("form")
        try:
            if action == "setting" and setting_form.is_valid():
                services.insurance_setting_update(county=county, by=request.user, **setting_form.cleaned_data)
                messages.success(request, _("已保存意外保险设置。"))
                return redirect(here)
            if action == "generate":
                result = services.premium_generate(county=county, year=year, by=request.user)
                messages.success(request, _("已生成 %(y)s 年度保费清单：新增 %(a)s 人，共 %(t)s 人。") % {
                    "y": year, "a": result["added"], "t": result["total"]})
                return redirect(here)
            if action == "pay" and not flt.is_valid():
                raise ValidationError({"paid_on": [_("筛选条件有误，请先修正筛选条件再登记缴费。")]})
            if action == "pay" and pay_form.is_valid():
                n = services.premiums_mark_paid(premiums=flt.qs, by=request.user, **pay_form.cleaned_data)
                messages.success(request, _("已登记 %(n)s 人的保费缴纳。") % {"n": n})
                return redirect(request.get_full_path())
        except ValidationError as exc:
            if action == "generate":
                messages.error(request, "；".join(exc.messages))
            else:
                apply_errors(setting_form if action == "setting" else pay_form, exc)
        status = 400
    if request.GET.get("format") == "xlsx":
        return _export(county, year, flt.qs)
    page = page_of(request, flt.qs, 50)
    sums = selectors.premium_totals(flt.qs)
    return render(request, "payroll/insurance.html", {
        "county": county, "counties": counties, "year": year, "years": range(today.year + 1, today.year - 5, -1),
        "setting": setting, "yearly": yearly, "can_manage": can_manage, "setting_form": setting_form,
        "pay_form": pay_form, "filter": flt, "page_obj": page, "sums": sums,
        "hidden": [("county", county.pk), ("year", year)],
        "export_query": urlencode({k: v for k, v in request.GET.items() if k != "page"} | {
            "county": county.pk, "year": year, "format": "xlsx"}),
        "history": history_rows(setting) if setting.pk and can_manage else None,
    }, status=status)
