"""Suggestions for a filter's county, township or village when the user's choices are too many for a select
(issue 19): ``/lists/choices/<kind>/?q=…`` answers the first matches in the user's own scope as JSON
``{"results": [{"id": 12, "text": "清流县 · 龙津镇"}]}``; ``county=`` / ``township=`` narrow them.
``/lists/choices/cadre/?source=<name>&q=…`` answers the cadres a record form offers (its registered
``core.registry.cadre_source``), by name or village, as "姓名（乡镇村）"."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404, JsonResponse
from django.views.decorators.http import require_GET

from core.filters import cadre_label, choice_label, is_id
from core.registry import cadre_source_for
from core.selectors import county_list, township_list, village_list

#: how many suggestions one answer holds
LIMIT = 20


@require_GET
@login_required
def list_choices(request, kind: str):
    q = (request.GET.get("q") or "").strip()[:50]
    county, township = str(request.GET.get("county") or ""), str(request.GET.get("township") or "")
    if kind == "county":
        qs = county_list(user=request.user).order_by("code")
    elif kind == "township":
        qs = township_list(user=request.user).order_by("code")
        if is_id(county):
            qs = qs.filter(county_id=int(county))
    elif kind == "village":
        qs = village_list(user=request.user).order_by("code")
        if is_id(township):
            qs = qs.filter(township_id=int(township))
        elif is_id(county):
            qs = qs.filter(township__county_id=int(county))
    elif kind == "cadre":
        source = cadre_source_for(str(request.GET.get("source") or ""))
        if source is None:
            raise Http404
        qs = source(request).select_related("village__township")
        if q:
            qs = qs.filter(Q(name__icontains=q) | Q(village__name__icontains=q))
        return JsonResponse({"results": [{"id": c.pk, "text": cadre_label(c)} for c in qs[:LIMIT]]})
    else:
        raise Http404
    if q:
        qs = qs.filter(name__icontains=q)
    rows = [{"id": obj.pk, "text": choice_label(obj)} for obj in qs[:LIMIT]]
    return JsonResponse({"results": rows})
