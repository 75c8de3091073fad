"""Discipline cases (R-30, R-31): records of the cadres app, listed and handled here."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from cadres import services as cadre_services
from cadres.models import Cadre, DisciplineCase
from cadres.selectors import cadre_list, discipline_case_list
from core.audit import history_rows
from core.dates import today
from core.errors import Conflict
from core.filters import cadre_pick
from core.listexport import visible_list_export
from core.registry import cadre_source
from core.scope import get_scope
from supervision import forms
from supervision import permissions as perms
from supervision.filters import CaseFilter
from supervision.views.common import filtered, form_page, page, submit


@visible_list_export  # issue 17: ?export=xlsx answers the filtered rows
@login_required
def case_index(request):
    qs = discipline_case_list(user=request.user).order_by("-opened_on", "-pk")
    flt = CaseFilter(request.GET or None, queryset=qs, user=request.user)
    return render(request, "supervision/case_list.html", {
        "filter": flt, "skip": [], "page_obj": page(request, filtered(flt)),
        "can_create": perms.can_open_cases(get_scope(request.user)),
    })


@cadre_source("supervision.case")
def case_cadres(request):
    """Active cadres the user may open a discipline case on (where a case-managing role applies)."""
    scope = get_scope(request.user)
    cadres = cadre_list(user=request.user).filter(status=Cadre.Status.ACTIVE).order_by("village__code", "name")
    return cadres.filter(scope.q_holding(perms.CASE_MANAGERS, village="village", township="township",
                                         county="county"))


@login_required
def case_create(request):
    scope = get_scope(request.user)
    perms.require(perms.can_open_cases(scope), _("只有县委组织部或乡（镇）党委可以立案。"))
    form = forms.CaseOpenForm(request.POST or None, cadres=case_cadres(request),
                              initial={"opened_on": today(), "cadre": request.GET.get("cadre")})
    cadre_pick(form, "supervision.case")

    def write(d):
        perms.require(perms.can_manage_case(scope, d["cadre"]))  # the cadres app's service does not ask
        return cadre_services.discipline_case_open(by=request.user, **d)[0]

    done = submit(request, form, write, done=_("已立案。"),
                  to=lambda case: reverse("supervision:case_detail", args=[case.pk]))
    return done or form_page(request, form, _("纪律案件立案"), "supervision:case_list")


@login_required
def case_detail(request, pk):
    case = get_object_or_404(discipline_case_list(user=request.user), pk=pk)
    scope = get_scope(request.user)
    may_manage = perms.can_manage_case(scope, case.cadre)
    form = forms.CaseDecideForm(request.POST or None, initial={"decided_on": today()})
    here = reverse("supervision:case_detail", args=[case.pk])
    if request.method == "POST":
        perms.require(may_manage)
        try:
            done = submit(request, form, lambda d: cadre_services.discipline_case_decide(
                case=case, by=request.user, **d), done=_("已办结。"), to=here)
        except Conflict as exc:
            messages.error(request, exc.message)
            return redirect(here)
        if done:
            return done
    ctx = {"case": case, "form": form, "can_decide": may_manage and case.status == DisciplineCase.Status.OPEN}
    if perms.can_see_history(scope, village=case.cadre.village):
        ctx["history"] = history_rows(case)
    return render(request, "supervision/case_detail.html", ctx)
