"""R-45 pages: the 收款账户 list (with its Excel export), one cadre's account form, and the bank file of a run."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from openpyxl import Workbook

from cadres.selectors import cadre_list
from core import excel
from core.audit import MAX_SUBJECTS, history_rows, log_personal_data
from core.keyset import page_of
from core.personal import shown
from core.selectors import township_list
from core.web import apply_errors, require_scope
from payroll import permissions, selectors, services
from payroll.disbursement import MissingAccounts, account_of, disbursement_file
from payroll.filters import PayeeCadreFilter
from payroll.forms import DisbursementForm, PayeeAccountForm


def _rows(cadres, scope):
    """Each cadre with the account as this user may see it (R-45 masking)."""
    for cadre in cadres:
        account = account_of(cadre)
        full = scope.sees_payee_accounts(cadre.village.township.county_id)
        yield cadre, account, shown(account.number, "account", full=full) if account else ""


def _filter_label(flt) -> str:
    """The filters of an export in words (the personal-data log's 范围)."""
    data = flt.form.cleaned_data if flt.is_valid() else {}
    place = data.get("village") or data.get("township")
    parts = [str(place) if place else str(_("全部乡镇"))]
    if data.get("q"):
        parts.append(_("搜索“%(q)s”") % {"q": data["q"][:40]})
    return "，".join(parts)


def _export(request, cadres, scope, label):
    wb = Workbook()
    ws = wb.active
    ws.title = _("收款账户")
    headers = [_("乡（镇）"), _("村（社区）"), _("姓名"), _("账户类别"), _("开户银行"), _("收款账号"), _("户名")]
    excel.write_header(ws, headers, widths=[14, 14, 10, 10, 24, 24, 10])
    full = []  # issue 14 item 5: the people whose account numbers the file carries in full
    for r, (cadre, account, number) in enumerate(_rows(cadres, scope), start=2):
        if account and number == account.number:
            full.append((cadre.pk, cadre.name))
        excel.write_row(ws, r, [cadre.village.township.name, cadre.village.name, cadre.name,
                                account.get_kind_display() if account else _("缺少账户"),
                                account.bank if account else "", number, account.holder if account else ""])
        ws.cell(row=r, column=6).number_format = "@"
    log_personal_data(request, kind="pd_payee_export", what=_("收款账户（Excel）"), people=len(full),
                      fields=("account",), subjects=full[:MAX_SUBJECTS],
                      scope_label=label)
    return excel.xlsx_response(excel.workbook_bytes(wb), _("收款账户") + ".xlsx")


@login_required
def payee_list(request):
    """R-45: the cadres in scope and their payee accounts, masked unless county_org/county_finance."""
    scope = require_scope(request, permissions.reads_payee_accounts, message=_("您无权查看收款账户。"))
    qs = selectors.payee_cadre_list(user=request.user).order_by("village__township__code", "village__code", "name",
                                                                "pk")
    flt = PayeeCadreFilter(request.GET, queryset=qs, user=request.user)
    if request.GET.get("format") == "xlsx":
        return _export(request, flt.qs, scope, _filter_label(flt))
    page = page_of(request, flt.qs, 50)
    return render(request, "payroll/payee_list.html", {
        "filter": flt, "filter_skip": ["cadre"], "page_obj": page, "rows": list(_rows(page, scope)),
        "can_write": permissions.writes_payee_accounts(scope),
        "export_query": urlencode({k: v for k, v in request.GET.items() if k != "page"} | {"format": "xlsx"}),
    })


@login_required
def payee_edit(request, cadre_pk):
    """R-45: enter or change one cadre's payee account (county_org, county_finance, the cadre's township)."""
    cadre = get_object_or_404(cadre_list(user=request.user).select_related("payee_account"), pk=cadre_pk)
    scope = require_scope(request, permissions.can_set_payee_account, cadre,
                          message=_("只有县委组织部、县财政局和本乡（镇）党委可以登记收款账户。"))
    account = account_of(cadre)
    full = scope.sees_payee_accounts(cadre.village.township.county_id)
    initial = {"holder": cadre.name}
    if account:
        initial = {"kind": account.kind, "bank": account.bank, "holder": account.holder,
                   "holder_note": account.holder_note, "number": shown(account.number, "account", full=full)}
    form = PayeeAccountForm(request.POST or None, initial=initial, masked=bool(account) and not full)
    if request.method == "POST" and form.is_valid():
        try:
            services.payee_account_set(cadre=cadre, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已保存%(n)s的收款账户。") % {"n": cadre.name})
            return redirect(reverse("payroll:payees") + "?" + urlencode({"township": cadre.village.township_id}))
    if account and full and request.method != "POST":  # issue 14 item 5: the form shows the full number
        log_personal_data(request, kind="pd_payee_view", what=_("收款账户：%(n)s") % {"n": cadre.name}, people=1,
                          fields=("account",), subjects=[(cadre.pk, cadre.name)],
                          scope_label=f"{cadre.village.township.name}{cadre.village.name}")
    return render(request, "payroll/payee_form.html", {
        "cadre": cadre, "form": form, "account": account,
        "history": history_rows(account, full_personal=full) if account and full else None,
    }, status=400 if request.method == "POST" else 200)


@login_required
def run_disbursement(request, pk):
    """R-45: the bank's disbursement file of a run (?source=&township=); refused with the names of the
    people who have no payee account."""
    run = get_object_or_404(selectors.pay_run_list(user=request.user), pk=pk)
    require_scope(request, permissions.can_download_disbursement, run,
                  message=_("代发文件含完整账号，只有县委组织部和县财政局可以下载。"))
    townships = township_list(user=request.user).filter(county=run.county).order_by("code")
    form = DisbursementForm(request.GET, townships=townships)
    error, missing = "", []
    if not form.is_valid():
        error = "；".join(e for errs in form.errors.values() for e in errs)
    else:
        township = form.cleaned_data["township"]
        try:
            content, name = disbursement_file(run=run, source=form.cleaned_data["source"], township=township,
                                              by=request.user, request=request)
        except ValidationError as exc:
            error = "；".join(exc.messages)
        except MissingAccounts as exc:
            error, missing = exc.message, exc.cadres
        else:
            return excel.xlsx_response(content, name)
    missing_url = reverse("payroll:payees") + "?" + urlencode({"missing": "true"})
    return render(request, "payroll/disbursement_refused.html", {
        "run": run, "error": error, "missing": missing, "missing_url": missing_url,
    }, status=400)
