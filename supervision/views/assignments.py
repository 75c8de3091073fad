"""R-57: work assignments (工作任务) — the list (search, filters, Excel), giving a task, its page (the cadre
reports completion there, the assigning tier evaluates), and its correction with a reason."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from openpyxl import Workbook

from cadres.models import Cadre
from cadres.selectors import cadre_list
from core import excel
from core.dates import today
from core.errors import Conflict
from core.filters import cadre_pick
from core.registry import cadre_source
from core.scope import get_scope
from core.web import apply_errors
from supervision import forms, selectors
from supervision import permissions as perms
from supervision.filters import AssignmentFilter
from supervision.services import assignments as services
from supervision.views.common import correction_history, filtered, form_page, page, submit


@cadre_source("supervision.assignable")
def _assignable_cadres(request):
    """Active cadres the user assigns tasks to (where an assigning role applies)."""
    scope = get_scope(request.user)
    qs = cadre_list(user=request.user).filter(status=Cadre.Status.ACTIVE).select_related("village__township")
    if not scope.is_superuser:
        q = None
        for roles in perms.ASSIGNERS.values():
            part = scope.q_holding(roles, village="village", township="township", county="county")
            q = part if q is None else q | part
        qs = qs.filter(q)
    return qs.order_by("village__code", "name", "pk")


@login_required
def assignment_index(request):
    scope = get_scope(request.user)
    qs = selectors.assignment_list(user=request.user).order_by("-assigned_on", "-pk")
    flt = AssignmentFilter(request.GET or None, queryset=qs, user=request.user)
    if request.GET.get("export") == "xlsx":
        return _export(filtered(flt))
    page_obj = page(request, filtered(flt))
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("export", None)
    return render(request, "supervision/assignments/list.html", {
        "filter": flt, "page_obj": page_obj, "skip": ["cadre", "township", "village"] if scope.is_cadre_only else ["cadre"],
        "can_create": perms.can_assign_somewhere(scope), "query": query.urlencode(),
        "is_cadre": bool(scope.cadre_ids)})


def _export(rows):
    day = today()
    wb = Workbook()
    ws = wb.active
    ws.title = _("工作任务")
    headers = [_("乡（镇）"), _("村"), _("后备干部"), _("任务类别"), _("交办层级"), _("任务名称"), _("目标要求"),
               _("交办日期"), _("完成期限"), _("状态"), _("完成日期"), _("完成情况"), _("评价等次"), _("评价意见")]
    excel.write_title(ws, _("工作任务"), len(headers))
    excel.write_header(ws, headers, row=2, widths=[12, 12, 10, 12, 8, 24, 40, 12, 12, 8, 12, 40, 8, 30])
    r = 3
    for a in rows[:5000]:
        village = a.cadre.village
        excel.write_row(ws, r, [village.township.name, village.name, a.cadre.name, a.get_kind_display(),
                                a.get_tier_display(), a.title, a.goal, a.assigned_on, a.due_on,
                                str(a.Status(a.status).label), a.completed_on, a.completion_note,
                                a.get_evaluation_display(), a.evaluation_note])
        r += 1
    ws.auto_filter.ref = f"A2:N{max(r - 1, 2)}"
    return excel.xlsx_response(excel.workbook_bytes(wb), f"{_('工作任务')}-{day:%Y%m%d}.xlsx")


@login_required
def assignment_create(request):
    perms.require(perms.can_assign_somewhere(get_scope(request.user)), services.ASSIGN_DENIED)
    now = today()
    form = forms.AssignmentForm(request.POST or None, cadres=_assignable_cadres(request),
                                initial={"cadre": request.GET.get("cadre"), "assigned_on": now})
    cadre_pick(form, "supervision.assignable")
    done = submit(request, form, lambda d: services.assignment_create(by=request.user, **d),
                  done=lambda a: _("已向%(n)s交办任务“%(t)s”，完成期限 %(d)s。") % {
                      "n": a.cadre.name, "t": a.title, "d": a.due_on},
                  to=lambda a: reverse("supervision:assignment_detail", args=[a.pk]))
    return done or form_page(request, form, _("交办工作任务"), "supervision:assignment_list")


def _assignment(request, pk):
    return get_object_or_404(selectors.assignment_list(user=request.user), pk=pk)


def _run(request, form, write, done):
    """Run a completion or an evaluation: field errors on the form, a state conflict as a message."""
    try:
        write(dict(form.cleaned_data))
    except ValidationError as exc:
        apply_errors(form, exc)
        return False
    except Conflict as exc:
        messages.error(request, exc.message)
        return False
    messages.success(request, done)
    return True


@login_required
def assignment_detail(request, pk):
    """R-57: one task; the cadre reports completion here, the assigning tier evaluates it."""
    row = _assignment(request, pk)
    scope = get_scope(request.user)
    may_manage = perms.can_manage_assignment(scope, row)
    may_complete = perms.can_complete_assignment(scope, row) and not row.completed_on
    may_evaluate = may_manage and bool(row.completed_on) and not row.evaluation
    complete_form = forms.AssignmentCompleteForm(
        request.POST if request.POST.get("action") == "complete" else None, initial={"completed_on": today()},
        prefix="c")
    evaluate_form = forms.AssignmentEvaluateForm(
        request.POST if request.POST.get("action") == "evaluate" else None, prefix="e")
    here = reverse("supervision:assignment_detail", args=[row.pk])
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "complete":
            perms.require(perms.can_complete_assignment(scope, row), services.COMPLETE_DENIED)
            if complete_form.is_valid() and _run(
                    request, complete_form,
                    lambda d: services.assignment_complete(assignment=row, by=request.user, **d),
                    _("已报告完成情况。")):
                return redirect(here)
        elif action == "evaluate":
            perms.require(may_manage, services.MANAGE_DENIED)
            if evaluate_form.is_valid() and _run(
                    request, evaluate_form,
                    lambda d: services.assignment_evaluate(assignment=row, by=request.user, **d),
                    _("已评价。")):
                return redirect(here)
        else:
            messages.error(request, _("请选择要办理的事项。"))
    return render(request, "supervision/assignments/detail.html", {
        "a": row, "status": row.status, "may_complete": may_complete, "may_evaluate": may_evaluate,
        "complete_form": complete_form, "evaluate_form": evaluate_form,
        "edit_url": reverse("supervision:assignment_edit", args=[row.pk]) if may_manage else None,
        "history": correction_history(request, row, may_correct=may_manage, village=row.cadre.village)})


@login_required
def assignment_edit(request, pk):
    """R-57: the assigning tier corrects a task, saying why."""
    row = _assignment(request, pk)
    perms.require(perms.can_manage_assignment(get_scope(request.user), row), services.MANAGE_DENIED)
    form = forms.AssignmentCorrectForm(request.POST or None, initial={
        f: getattr(row, f) for f in services.CORRECTABLE})
    here = reverse("supervision:assignment_detail", args=[row.pk])

    def write(d):
        d = {k: ("" if v is None and k in ("completion_note", "evaluation_note", "evaluation") else v)
             for k, v in d.items()}
        return services.assignment_correct(assignment=row, by=request.user, **d)

    done = submit(request, form, write, done=_("已修改工作任务，修改原因已记入变更记录。"), to=here)
    if done:
        return done
    return render(request, "supervision/form.html", {
        "form": form, "title": _("修改工作任务：%(t)s") % {"t": row.title}, "back": here})
