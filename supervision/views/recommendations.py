"""R-61: priority recommendations followed to their outcome — one list per kind (search, filters, Excel),
the outcome form, and the county report (per township: recommended, accepted, not accepted, pending)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from openpyxl import Workbook

from core import excel
from core.dates import today
from core.scope import get_scope
from supervision import forms, selectors
from supervision import permissions as perms
from supervision.filters import RecommendationFilter
from supervision.models import Recommendation, RecommendationOutcome
from supervision.services import recommendations as rec_services
from supervision.views.common import filtered, form_page, int_or_none, page, submit

KINDS_OUTCOME = dict(RecommendationOutcome.Outcome.choices)


def _kind(request) -> str:
    kind = request.GET.get("kind") or Recommendation.PARTY
    return kind if kind in Recommendation.values else Recommendation.PARTY


@login_required
def recommendation_index(request):
    scope = get_scope(request.user)
    perms.require(perms.can_view_ledger(scope), _("优先推荐情况供县、乡（镇）、村工作人员查看。"))
    kind = _kind(request)
    qs = selectors.recommendation_rows(user=request.user, kind=kind).order_by(
        "-year", "cadre__village__township__code", "cadre__village__code", "cadre__name")
    flt = RecommendationFilter(request.GET or None, queryset=qs, user=request.user)
    year = int_or_none(request.GET.get("year"))
    if request.GET.get("export") == "xlsx":
        return _report(request, year)
    rows = page(request, filtered(flt))
    for a in rows:
        a.can_record = perms.can_record_recommendation(scope, a.cadre)
    return render(request, "supervision/recommendation_list.html", {
        "filter": flt, "page_obj": rows, "kind": kind, "kinds": Recommendation.choices, "kind_label": Recommendation(kind).label,
        "kind_hidden": [("kind", kind)],
        "summary": selectors.recommendation_summary(user=request.user, year=year if year and 2000 <= year <= 2100 else None),
        "query": request.GET.urlencode()})


def _report(request, year):
    """The county report: a summary sheet per township and kind, then one sheet per kind with every person."""
    wb = Workbook()
    ws = wb.active
    ws.title = _("汇总")
    headers = [_("乡（镇）")]
    for _k, label in Recommendation.choices:
        headers += [f"{label}·{_('推荐')}", f"{label}·{_('已采纳')}", f"{label}·{_('未采纳')}", f"{label}·{_('待落实')}"]
    excel.write_title(ws, _("村级后备干部优先推荐落实情况") + (f"（{year}{_('年度评估')}）" if year else ""), len(headers))
    excel.write_header(ws, headers, row=2, widths=[12] + [11] * (len(headers) - 1))
    r = 3
    for entry in selectors.recommendation_summary(user=request.user, year=year):
        values = [entry["township"]]
        for k in Recommendation.values:
            c = entry["kinds"].get(k, {})
            values += [c.get("n", 0), c.get("accepted", 0), c.get("refused", 0), c.get("pending", 0)]
        excel.write_row(ws, r, values)
        r += 1
    for k, label in Recommendation.choices:
        sheet = wb.create_sheet(str(label)[:31].replace("“", "").replace("”", ""))
        cols = [_("评估年度"), _("乡（镇）"), _("村"), _("姓名"), _("评估结果"), _("结果"), _("日期"), _("说明")]
        excel.write_header(sheet, cols, widths=[10, 12, 12, 10, 10, 10, 12, 40])
        qs = selectors.recommendation_rows(user=request.user, kind=k).order_by(
            "-year", "cadre__village__township__code", "cadre__village__code", "cadre__name")
        if year:
            qs = qs.filter(year=year)
        for i, a in enumerate(qs[:20000], start=2):
            excel.write_row(sheet, i, [a.year, a.cadre.village.township.name, a.cadre.village.name, a.cadre.name,
                                       a.get_result_display(),
                                       KINDS_OUTCOME.get(a.outcome, _("待落实")), a.outcome_on or "", a.outcome_note or ""])
        sheet.auto_filter.ref = sheet.dimensions
    return excel.xlsx_response(excel.workbook_bytes(wb), f"{_('优先推荐落实情况')}-{today():%Y%m%d}.xlsx")


@login_required
def recommendation_outcome(request, pk, kind):
    assessment = get_object_or_404(selectors.assessment_list(user=request.user), pk=pk)
    if kind not in Recommendation.values:
        kind = Recommendation.PARTY
    perms.require(perms.can_record_recommendation(get_scope(request.user), assessment.cadre),
                  _("推荐结果由本乡（镇）党委或县委组织部登记。"))
    current = assessment.recommendation_outcomes.filter(kind=kind).first()
    initial = ({"outcome": current.outcome, "decided_on": current.decided_on, "note": current.note} if current
               else {"decided_on": today()})
    form = forms.RecommendationOutcomeForm(request.POST or None, initial=initial)
    done = submit(request, form, lambda d: rec_services.recommendation_outcome_set(
        assessment=assessment, kind=kind, by=request.user, **d),
        done=_("已登记推荐结果。"), to=f"{reverse('supervision:recommendation_list')}?kind={kind}")
    title = _("%(n)s · %(y)s年度 · %(k)s 的结果") % {"n": assessment.cadre.name, "y": assessment.year,
                                                   "k": Recommendation(kind).label}
    return done or form_page(request, form, title, "supervision:recommendation_list")
