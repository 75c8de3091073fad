"""What the pages of the supervision app share: paging, the ``as_of`` date, the filtered list, the choices of
the record forms and the one way a form page runs its service."""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qsl, urlencode, urlsplit

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse

from cadres.models import Cadre
from cadres.selectors import cadre_list
from core import dates
from core.audit import history_rows
from core.dates import today
from core.filters import MAX_ID
from core.listexport import list_page, visible_list_export
from core.registry import cadre_source
from core.scope import get_scope
from core.selectors import township_list
from core.web import submit as submit  # re-exported: the supervision views import it from here
from supervision import permissions as perms

PAGE = 25


def page(request, qs, size=PAGE):
    """A list's page (every filtered row when the list is exported to Excel, issue 17)."""
    return list_page(request, qs, size)


def as_of(request) -> dt.date:
    value = request.GET.get("as_of")
    if value:
        try:
            day = dt.date.fromisoformat(value)
        except ValueError:
            pass
        else:
            if not dates.deadline_errors(day, field="as_of"):  # issue 16: no year 9999 in the checks
                return day
    return today()


def int_or_none(value):
    """A whole number an id column can hold, else None (issue 17: a 20-digit ?township= overflowed SQLite)."""
    try:
        number = int(value) if value not in (None, "") else None
    except ValueError:
        return None
    return number if number is None or abs(number) <= MAX_ID else None


def filtered(flt):
    """The rows a FilterSet keeps; all of them while its form is empty or invalid (errors are shown)."""
    return flt.qs if flt.is_bound and flt.is_valid() else flt.queryset


def record_list(request, template, qs, filterset, skip=("cadre",), may_create=perms.can_record_somewhere, **extra):
    """The list of one kind of record, filtered as its API is, with the "new" button for whom ``may_create``
    (the recorders)."""
    flt = filterset(request.GET or None, queryset=qs, user=request.user)
    return render(request, template, {
        "filter": flt, "skip": list(skip), "page_obj": page(request, filtered(flt)),
        "can_create": may_create(get_scope(request.user)), **extra,
    })


def record_list_view(rows, template, filterset, *, skip=("cadre",), may_create=perms.can_record_somewhere):
    """A ``record_list`` page of ``rows(user)`` (the records the user may see, in the list's order) that also
    answers ?export=xlsx (issue 17)."""

    @visible_list_export
    @login_required
    def view(request):
        return record_list(request, template, rows(request.user), filterset, skip=skip, may_create=may_create)

    return view


def with_township(url: str, township_id) -> str:
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k != "township"] + [("township", str(township_id))]
    return f"{parts.path}?{urlencode(query)}"


def managed_townships(request):
    """Townships where the user records (the choice lists of the forms)."""
    scope = get_scope(request.user)
    qs = township_list(user=request.user)
    return qs if scope.is_superuser else qs.filter(pk__in=perms.recorder_township_ids(scope))


@cadre_source("supervision.recordable")
def recordable_cadres(request, *, village_level=False):
    """Active cadres the user records for: at their township, or at their village (谈心谈话)."""
    scope = get_scope(request.user)
    qs = cadre_list(user=request.user).filter(status=Cadre.Status.ACTIVE).order_by("village__code", "name")
    if scope.is_superuser:
        return qs
    if village_level:
        return qs.filter(village_id__in=perms.recorder_village_ids(scope))
    return qs.filter(village__township_id__in=perms.recorder_township_ids(scope))


@cadre_source("supervision.talk")
def talk_cadres(request):
    """The cadres a talk is recorded for: at the user's township, or at their village (谈心谈话)."""
    return (recordable_cadres(request) | recordable_cadres(request, village_level=True)).distinct()


def form_page(request, form, title, back: str):
    return render(request, "supervision/form.html", {"form": form, "title": title, "back": reverse(back)})


def correction_history(request, row, *, may_correct: bool, village=None, county=None):
    """Issue 13: the changes of a record (who, when, what, why) for county_org and whoever may correct it;
    None for the others."""
    scope = get_scope(request.user)
    if perms.sees_record_history(scope, may_correct=may_correct, village=village, county=county):
        return history_rows(row)
    return None


def record_page(request, *, title, rows, back: str, edit_url=None, history=None, attach_to=None, attach_hint=""):
    """The page of one record: its fields, the "修改" button for who may correct it, its attachments (a record
    of a model registered with ``core.registry.attachable``) and its history."""
    return render(request, "supervision/record_detail.html", {
        "title": title, "rows": rows, "back": reverse(back), "edit_url": edit_url, "history": history,
        "attach_to": attach_to, "attach_hint": attach_hint})
