"""What the attendance pages share: the user's own cadre, the cadres they record leave for, the month asked."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from attendance import permissions
from cadres.models import Cadre
from cadres.selectors import cadre_list
from core.dates import parse_month
from core.errors import Conflict
from core.listexport import list_page
from core.registry import cadre_source
from core.scope import get_scope


@cadre_source("attendance.leave")
def _leave_source(request):
    return recorder_cadres(request.user)


def recorder_cadres(user):
    """Active cadres of the villages where the user may record leave (secretary or liaison there)."""
    villages = permissions.recorder_village_ids(get_scope(user))
    return active_cadres(user).filter(village_id__in=villages)


def own_cadre(user):
    scope = get_scope(user)
    if not scope.cadre_ids:
        return None
    return Cadre.objects.select_related("village__township").filter(pk__in=scope.cadre_ids).order_by("pk").first()


def month_param(request, today):
    try:
        return parse_month(request.GET.get("month") or f"{today:%Y-%m}")
    except ValueError:
        return today.year, today.month


def month_or_current(request, today) -> tuple[int, int]:
    """``?month=YYYY-MM`` (issue 17 pages); anything else shows the current month and says so."""
    raw = request.GET.get("month")
    if raw:
        try:
            return parse_month(raw)
        except ValueError:
            messages.warning(request, _("月份格式应为“年-月”，如 %(m)s；已显示本月。") % {"m": f"{today:%Y-%m}"})
    return today.year, today.month


def active_cadres(user):
    """The active cadres in the user's scope, for the forms that name one."""
    return cadre_list(user=user).filter(status=Cadre.Status.ACTIVE).order_by("village__code", "name")


cadre_source("attendance.active")(lambda request: active_cadres(request.user))


def filtered_page(request, filter_class, queryset, per_page=25):
    """A list page's FilterSet (the API's own) and the page of rows it keeps (all rows when it is invalid)."""
    flt = filter_class(request.GET or None, queryset=queryset, user=request.user)
    rows = flt.qs if flt.is_bound and flt.is_valid() else queryset
    return flt, list_page(request, rows, per_page)  # every row when exported (issue 17)


def action_view(fn, form_class, ok, *, records, noun: str, detail: str):
    """The view of a POST on one record (a leave, a trip): validate ``form_class`` (None: no form), call the
    service ``fn(<noun>=record, by=user, **cleaned_data)``, say how it went (errors as messages), back to the
    record's page ``detail``. ``records(user=...)`` is the selector that scopes the record (404 outside)."""

    @login_required
    @require_POST
    def view(request, pk):
        record = get_object_or_404(records(user=request.user), pk=pk)
        kwargs = {}
        if form_class is not None:
            form = form_class(request.POST)
            if not form.is_valid():
                for field, errs in form.errors.items():
                    for e in errs:
                        messages.error(request, f"{form.fields[field].label if field in form.fields else ''}：{e}")
                return redirect(detail, pk=pk)
            kwargs = form.cleaned_data
        try:
            fn(**{noun: record}, by=request.user, **kwargs)
        except ValidationError as exc:
            for m in exc.messages:
                messages.error(request, m)
        except Conflict as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, ok)
        return redirect(detail, pk=pk)

    return view
