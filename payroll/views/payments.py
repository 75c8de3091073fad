"""Paid state (R-44): one line, a whole village, or from Excel; and the county's check of unpaid lines."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.dates import today as local_today
from core.errors import Conflict
from core.excel import upload_form_valid, xlsx_response
from core.listexport import list_page, visible_list_export
from core.scope import get_scope
from core.selectors import village_list
from core.web import apply_errors, require_scope
from payroll import exports, permissions, selectors, services
from payroll.filters import UnpaidFilter
from payroll.forms import BulkPaidForm, PaidForm, UploadForm
from payroll.models import FundingSource
from payroll.views.common import import_page, refused_rows


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
    place = f"{row['township__name']}{row['village__name']}"
    return _notice_url(
        township=row["township_id"], village=row["village_id"],
        title=_("关于%(p)s村级后备干部报酬未按时发放的通报") % {"p": place},
        body=_("经检查，%(p)s有 %(n)s 条村级后备干部报酬（%(m)s）在月末后仍未全部发放，尚欠 %(a)s 元。"
               "请按照管理办法第十三条、第十五条要求，及时足额发放，并将整改情况报县委组织部。") % {
            "p": place, "n": row["lines"], "m": "、".join(months), "a": f"{row['amount']:.2f}"},
        due_on=as_of + dt.timedelta(days=15),
    )


@login_required
def line_paid(request, pk):
    line = get_object_or_404(selectors.pay_line_list(user=request.user), pk=pk)
    scope = get_scope(request.user)
    sources = permissions.recordable_sources(scope, line)
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


def bulk_form(request, run, data=None):
    """R-44: one date for a whole village: the villages and sources the user records for."""
    scope = get_scope(request.user)
    villages = village_list(user=request.user).filter(township__county=run.county).filter(
        permissions.bulk_villages_q(scope))
    return BulkPaidForm(data, villages=villages, sources=permissions.bulk_sources(scope), prefix="bulk")


@login_required
@require_POST
def run_mark_paid(request, pk):
    """R-44: the township (or the village, for 村财) records one date for a whole village."""
    run = get_object_or_404(selectors.pay_run_list(user=request.user), pk=pk)
    form = bulk_form(request, run, request.POST)
    if not form.is_valid():
        messages.error(request, "；".join(f"{form.fields[k].label}：{v[0]}" if k in form.fields else v[0]
                                          for k, v in form.errors.items()))
        return redirect("payroll:run", pk=run.pk)
    village, source = form.cleaned_data["village"], form.cleaned_data["source"]
    lines = selectors.pay_line_list(user=request.user).filter(village=village)
    try:
        n = services.mark_paid_bulk(run=run, lines=lines, source=source, paid_on=form.cleaned_data["paid_on"],
                                    by=request.user, village=village)
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
    require_scope(request, permissions.records_payments, message=_("发放日期由乡（镇）党委和村党组织书记登记。"))
    lines = selectors.pay_line_list(user=request.user).filter(run=run)
    if request.GET.get("template"):
        return xlsx_response(exports.payments_template(run, lines), f"{run.month:%Y-%m}发放登记模板.xlsx")
    form = UploadForm(request.POST, request.FILES) if request.method == "POST" else UploadForm()
    if request.method == "POST" and upload_form_valid(request, form):
        upload = form.cleaned_data["file"]
        try:
            result = services.payments_import(run=run, upload=upload, lines=lines, by=request.user)
        except ValidationError as exc:
            apply_errors(form, exc)
        except Conflict as exc:
            form.add_error(None, exc.message)
        else:
            if not result.ok:
                return refused_rows(upload, result, "发放登记-错误行已标红.xlsx")
            messages.success(request, _("已导入 %(n)s 个发放日期。") % {"n": result.saved})
            return redirect("payroll:run", pk=run.pk)
    return import_page(
        request, form, title=_("导入发放日期"), back=reverse("payroll:run", args=[run.pk]),
        template_url=f"{reverse('payroll:payments_import', args=[run.pk])}?template=1",
        help_text=_("下载模板（已列出本次发放中您管辖的人员），在“发放日期”列填写日期（如 2026-03-10），再上传。"))


@visible_list_export  # issue 17: ?export=xlsx answers the filtered rows
@login_required
def unpaid(request):
    scope = require_scope(request, permissions.is_staff, message=_("您无权查看此页面。"))
    as_of = local_today()
    flt = UnpaidFilter(request.GET, queryset=selectors.unpaid_line_list(user=request.user, as_of=as_of),
                       user=request.user)
    qs = flt.qs
    rows = selectors.unpaid_summary(qs, as_of)
    months = selectors.unpaid_months(qs)
    for row in rows:
        row["months"] = months.get(row["village_id"], [])
        row["notice_url"] = (unpaid_notice_url(row, row["months"], as_of) if permissions.drafts_unpaid_notices(scope)
                             else None)
    page = list_page(request, rows, 50)
    return render(request, "payroll/unpaid.html", {
        "page_obj": page, "filter": flt, "as_of": as_of,
    })

