"""R-59: the county's 调研 and 督查 visits — list (search, filters, Excel), record, detail with findings, and
a finding turned into a 通报 through the notice form."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from openpyxl import Workbook

from core import excel
from core.audit import history_rows
from core.dates import today
from core.scope import get_scope
from core.selectors import county_list, township_list, village_list
from supervision import forms, selectors
from supervision import permissions as perms
from supervision.filters import VisitFilter
from supervision.services import visits as visit_services
from supervision.views.common import filtered, form_page, page, submit


def _counties(request):
    scope = get_scope(request.user)
    return [c for c in county_list(user=request.user) if perms.can_record_visit(scope, c)]


@login_required
def visit_index(request):
    scope = get_scope(request.user)
    perms.require(perms.can_view_visits(scope), _("县级调研督查记录供县委组织部和乡（镇）党委查看。"))
    qs = selectors.visit_list(user=request.user).prefetch_related("findings").order_by("-visited_on", "-pk")
    flt = VisitFilter(request.GET or None, queryset=qs, user=request.user)
    if request.GET.get("export") == "xlsx":
        return _export(filtered(flt))
    return render(request, "supervision/visit_list.html", {
        "filter": flt, "page_obj": page(request, filtered(flt)),
        "can_create": perms.can_record_visits(scope), "query": request.GET.urlencode(),
        "overview": selectors.last_visits(user=request.user, year=today().year)})


def _export(visits):
    wb = Workbook()
    ws = wb.active
    ws.title = _("县级调研督查")
    headers = [_("日期"), _("类别"), _("乡（镇）"), _("村"), _("座谈、访谈对象"), _("情况记录"), _("发现的问题"),
               _("已转通报")]
    excel.write_title(ws, _("县级调研督查记录"), len(headers))
    excel.write_header(ws, headers, row=2, widths=[12, 8, 12, 12, 30, 50, 60, 10])
    row = 3
    for v in visits[:5000]:
        findings = list(v.findings.all())
        excel.write_row(ws, row, [v.visited_on, v.get_kind_display(), v.township.name,
                                  v.village.name if v.village_id else "", v.met, v.summary,
                                  "\n".join(f"{i}. {f.text}" for i, f in enumerate(findings, start=1)),
                                  sum(1 for f in findings if f.notice_id)])
        row += 1
    ws.auto_filter.ref = f"A2:H{max(row - 1, 2)}"
    return excel.xlsx_response(excel.workbook_bytes(wb), f"{_('县级调研督查')}-{today():%Y%m%d}.xlsx")


@login_required
def visit_create(request):
    scope = get_scope(request.user)
    perms.require(perms.can_record_visits(scope), _("县级调研督查由县委组织部登记。"))
    counties = _counties(request)
    ids = [c.pk for c in counties]
    form = forms.VisitForm(request.POST or None, initial={"visited_on": today(), "kind": "research"},
                           townships=township_list(user=request.user).filter(county_id__in=ids).order_by("code"),
                           villages=village_list(user=request.user).filter(township__county_id__in=ids)
                           .select_related("township").order_by("code"))

    def write(d):
        township = d["township"]
        return visit_services.visit_record(
            county=township.county, kind=d["kind"], visited_on=d["visited_on"], township=township,
            village=d.get("village"), met=d["met"], summary=d["summary"],
            findings=visit_services.split_findings(d["findings"]), by=request.user)

    done = submit(request, form, write, done=_("已登记县级调研督查。"),
                  to=lambda v: reverse("supervision:visit_detail", args=[v.pk]))
    return done or form_page(request, form, _("登记县级调研督查"), "supervision:visit_list")


@login_required
def visit_detail(request, pk):
    visit = get_object_or_404(selectors.visit_list(user=request.user), pk=pk)
    scope = get_scope(request.user)
    may_record = perms.can_record_visit(scope, visit.county)
    form = forms.FindingForm(request.POST or None)
    if request.method == "POST":
        perms.require(may_record, _("县级调研督查由县委组织部登记。"))
        done = submit(request, form, lambda d: visit_services.finding_add(visit=visit, text=d["text"], by=request.user),
                      done=_("已补充问题。"), to=reverse("supervision:visit_detail", args=[visit.pk]))
        if done:
            return done
    findings = []
    for f in visit.findings.select_related("notice").order_by("pk"):
        draft = {**visit_services.notice_draft(f), "finding": f.pk}
        findings.append((f, f"{reverse('supervision:notice_create')}?{urlencode(draft)}"))
    return render(request, "supervision/visit_detail.html", {
        "visit": visit, "findings": findings, "form": form, "may_record": may_record,
        "history": history_rows(visit) if may_record else None})
