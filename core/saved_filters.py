"""Saved filters of the list pages (issue 17): the control under every filter form (``includes/filters.html``
renders ``{% saved_filters %}``) and the two POSTs behind it. The page signs the list's path and its own filter
parameter names into the form, so a saved query keeps only those (no page, no export, nothing invented)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import Http404, QueryDict
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.selectors import saved_filter_list
from core.services import sanitise_filter_query, saved_filter_delete, saved_filter_save
from core.web import safe_next

SALT = "core.saved-filter"


def list_params(filterset, *, skip=(), hidden=()) -> list[str]:
    """The filter parameters of a list page: its FilterSet's fields less those the page skips, and the extra
    (name, value) pairs it keeps (e.g. the 待我审批 tab). A hand-written filter form names its parameters
    instead of a FilterSet: ``"q,year,township"``."""
    if isinstance(filterset, str):
        names = [n.strip() for n in filterset.split(",") if n.strip()]
    else:
        names = [f.html_name for f in filterset.form if f.name not in (skip or ())] if filterset is not None else []
    return names + [name for name, _value in (hidden or ()) if name not in names]


def control_context(request, filterset, *, skip=(), hidden=()) -> dict:
    """What the control shows: the user's saved filters of this page, and the signed form to save the current
    one (offered when a filter is set)."""
    allowed = list_params(filterset, skip=skip, hidden=hidden)
    path = request.path
    current = sanitise_filter_query(request.GET, allowed)
    hidden_names = {name for name, _v in (hidden or ())}
    return {
        "saved": list(saved_filter_list(user=request.user, path=path)),
        "token": signing.dumps({"p": path, "a": allowed}, salt=SALT, compress=True),
        "current": current,
        "has_filter": bool(sanitise_filter_query(request.GET, [a for a in allowed if a not in hidden_names])),
        "here": request.get_full_path(),
    }


def _signed(request):
    try:
        data = signing.loads(request.POST.get("token", ""), salt=SALT)
    except signing.BadSignature:
        raise Http404 from None
    path, allowed = data.get("p"), data.get("a")
    if not isinstance(path, str) or not path.startswith("/") or not isinstance(allowed, list):
        raise Http404
    return path, [a for a in allowed if isinstance(a, str)]


@login_required
@require_POST
def saved_filter_create(request):
    path, allowed = _signed(request)
    params = QueryDict(request.POST.get("query", "")[:2000])
    try:
        saved = saved_filter_save(user=request.user, path=path, name=request.POST.get("name", ""), params=params,
                                  allowed=allowed, by=request.user)
    except ValidationError as exc:
        for m in exc.messages:
            messages.error(request, m)
        query = sanitise_filter_query(params, allowed)
        return redirect(f"{path}?{query}" if query else path)
    messages.success(request, _("已保存筛选“%(n)s”，以后可在“已保存的筛选”中一键使用。") % {"n": saved.name})
    return redirect(saved.url)


@login_required
@require_POST
def saved_filter_remove(request, pk):
    saved = get_object_or_404(saved_filter_list(user=request.user), pk=pk)  # another's: not found
    saved_filter_delete(saved=saved, by=request.user)
    messages.success(request, _("已删除筛选“%(n)s”。") % {"n": saved.name})
    return redirect(safe_next(request, saved.path, source=request.POST))
