"""R-58: the township's 跟班培养计划 — per cadre the planned periods of a year; the list compares the days
served with the plan and the county's minimum (search, filters, Excel)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import F, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from openpyxl import Workbook

from cadres.selectors import cadre_list
from core import dates, excel
from core.dates import today
from core.filters import TownshipPick
from core.forms import BootstrapMixin, DateInput
from core.scope import get_scope
from core.web import submit
from supervision import permissions as perms
from supervision import selectors
from supervision.models import AttachmentPlan
from supervision.services import plans as plan_services
from supervision.views.common import as_of, int_or_none, page

FLAGS = {"behind": gettext_lazy("未按计划完成"), "short": gettext_lazy("计划少于规定天数"),
         "none": gettext_lazy("尚未制定计划")}


class PlanForm(BootstrapMixin, forms.Form):
    start_date = forms.DateField(label=gettext_lazy("计划开始日期"), widget=DateInput())
    end_date = forms.DateField(label=gettext_lazy("计划结束日期"), widget=DateInput())
    department = forms.CharField(label=gettext_lazy("跟班科室/岗位"), max_length=100,
                                 help_text=gettext_lazy("如：党政办、综治办、农业服务中心"))
    note = forms.CharField(label=gettext_lazy("说明"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._style()


def _rows(request):
    day = as_of(request)
    year = dates.parse_year(request.GET.get("year") or day.year, default=day.year)
    setting = selectors.setting_for_user(request.user)
    qs = selectors.attachment_plan_overview(user=request.user, year=year, as_of=day).select_related(
        "village", "village__township").order_by("village__code", "name", "pk")
    township_id = int_or_none(request.GET.get("township"))
    if township_id:
        qs = qs.filter(village__township_id=township_id)
    q = (request.GET.get("q") or "").strip()
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(village__name__icontains=q))
    flag = request.GET.get("flag") or ""
    if flag == "behind":
        qs = qs.filter(year_days__lt=F("due_days"))
    elif flag == "short":
        qs = qs.filter(planned_days__lt=setting.attachment_min_days)
    elif flag == "none":
        qs = qs.filter(planned_days=0)
    return qs, {"year": year, "setting": setting, "township_id": township_id, "q": q, "flag": flag, "as_of": day}


@login_required
def plan_index(request):
    perms.require(perms.can_view_ledger(get_scope(request.user)), _("跟班培养计划供县、乡（镇）、村工作人员查看。"))
    qs, ctx = _rows(request)
    if request.GET.get("export") == "xlsx":
        return _export(qs, ctx)
    rows = page(request, qs)
    selectors.plan_flags(rows, min_days=ctx["setting"].attachment_min_days)
    return render(request, "supervision/plan_list.html", {
        **ctx, "page_obj": rows, "flags": FLAGS, "townships": TownshipPick(user=request.user, data=request.GET),
        "can_plan": perms.can_record_somewhere(get_scope(request.user)), "query": request.GET.urlencode()})


def _export(qs, ctx):
    wb = Workbook()
    ws = wb.active
    ws.title = _("跟班培养计划")
    headers = [_("乡（镇）"), _("村"), _("姓名"), _("计划天数"), _("已到期计划天数"), _("已跟班天数"), _("情况")]
    excel.write_title(ws, _("%(y)s年度跟班培养计划执行情况（规定不少于%(d)s天）") % {
        "y": ctx["year"], "d": ctx["setting"].attachment_min_days}, len(headers))
    excel.write_header(ws, headers, row=2, widths=[12, 12, 10, 10, 14, 12, 30])
    rows = list(qs[:20000])
    selectors.plan_flags(rows, min_days=ctx["setting"].attachment_min_days)
    for i, c in enumerate(rows, start=3):
        notes = [str(FLAGS["behind"])] if c.behind else []
        if c.planned_days == 0:
            notes.append(str(FLAGS["none"]))
        elif c.short_plan:
            notes.append(str(FLAGS["short"]))
        excel.write_row(ws, i, [c.village.township.name, c.village.name, c.name, c.planned_days, c.due_days,
                                c.year_days, "；".join(notes)])
    return excel.xlsx_response(excel.workbook_bytes(wb), f"{_('跟班培养计划')}-{ctx['year']}.xlsx")


@login_required
def plan_cadre(request, pk):
    cadre = get_object_or_404(cadre_list(user=request.user).select_related("village__township"), pk=pk)
    may_plan = perms.can_record_for(get_scope(request.user), cadre)
    form = PlanForm(request.POST or None, initial={"start_date": today()})
    if request.method == "POST":
        perms.require(may_plan, _("跟班培养计划由本乡（镇）党委制定。"))
    done = submit(request, form, lambda d: plan_services.plan_add(cadre=cadre, by=request.user, **d),
                  done=_("已加入跟班计划。"), to=reverse("supervision:plan_cadre", args=[cadre.pk]))
    if done:
        return done
    plans = AttachmentPlan.objects.filter(cadre=cadre).order_by("-start_date", "pk")
    served = selectors.attachment_list(user=request.user).filter(cadre=cadre).order_by("-start_date")
    return render(request, "supervision/plan_cadre.html", {
        "cadre": cadre, "plans": plans, "served": served, "form": form, "may_plan": may_plan,
        "back": reverse("supervision:plan_list")}, status=400 if request.method == "POST" else 200)


@login_required
@require_POST
def plan_delete(request, pk):
    plan = get_object_or_404(AttachmentPlan.objects.filter(cadre__in=cadre_list(user=request.user)), pk=pk)
    plan_services.plan_delete(plan=plan, by=request.user)
    messages.success(request, _("已删除该计划时段。"))
    return redirect("supervision:plan_cadre", pk=plan.cadre_id)
