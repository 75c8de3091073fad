"""The county's live state (issue 6 §10), unpaid stipends (R-44, from the payroll app) and the settings."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext as _

from core.filters import ChoicePick
from core.listexport import visible_list_export
from core.scope import get_scope
from core.selectors import county_list, township_list
from supervision import forms, selectors, services
from supervision import permissions as perms
from supervision.filters import UnpaidFilter
from supervision.metrics import dashboard as dashboard_data
from supervision.views.common import as_of, filtered, form_page, int_or_none, page, submit, with_township


@login_required
def dashboard(request):
    """Each number links to its list; a township narrows every number."""
    scope = get_scope(request.user)
    perms.require(perms.can_view_dashboard(scope), _("工作看板供县、乡（镇）、村工作人员使用。"))
    townships = township_list(user=request.user)
    township_id = int_or_none(request.GET.get("township"))
    if township_id and not townships.filter(pk=township_id).exists():
        township_id = None
    data = dashboard_data(user=request.user, as_of=as_of(request), township_id=township_id)
    chart = {  # issue 17: side by side, never stacked: a vacancy and an overdue talk do not add up
        "stacked": False,
        "labels": [t.name for t in data["townships"]],
        "datasets": [{"label": m.label, "data": [m.by_township.get(t.pk, 0) for t in data["townships"]]}
                     for m in data["metrics"] if m.by_township or m.total],
    }
    table = [{"township": t, "cells": [{"label": m.label, "n": m.by_township.get(t.pk, 0),
                                        "url": with_township(m.url, t.pk)} for m in data["metrics"]]}
             for t in data["townships"]]
    return render(request, "supervision/dashboard.html", {
        **data, "chart": chart, "table": table, "township_id": township_id,
        "all_townships": ChoicePick("township", queryset=townships.order_by("code"), value=township_id),
        "is_county": scope.county_wide,
        "visits": (selectors.last_visits(user=request.user, year=as_of(request).year)
                   if perms.can_view_visits(scope) else None),
        "can_edit_settings": any(perms.can_edit_settings(scope, c) for c in county_list(user=request.user)),
    })


@visible_list_export  # issue 17: ?export=xlsx answers the filtered rows
@login_required
def unpaid(request):
    qs = selectors.unpaid_lines(user=request.user, as_of=as_of(request)).select_related(
        "cadre", "cadre__village", "cadre__village__township", "run").order_by("cadre__village__code", "run__month")
    flt = UnpaidFilter(request.GET or None, queryset=qs, user=request.user)
    return render(request, "supervision/unpaid.html", {
        "filter": flt, "skip": [], "page_obj": page(request, filtered(flt)),
        "can_notice": perms.can_issue_notices(get_scope(request.user)),
    })


@login_required
def settings_edit(request):
    scope = get_scope(request.user)
    counties = [c for c in county_list(user=request.user) if perms.can_edit_settings(scope, c)]
    perms.require(bool(counties), _("只有县委组织部可以修改设置。"))
    county = counties[0]
    form = forms.SettingForm(request.POST or None, instance=selectors.setting_for(county))
    done = submit(request, form, lambda d: services.setting_update(
        county=county, by=request.user, **{k: d[k] for k in form.Meta.fields}),
        done=_("已保存设置。"), to="supervision:dashboard")
    return done or form_page(request, form, _("培养监督设置（%(c)s）") % {"c": county}, "supervision:dashboard")
