"""Issue 13: county_org corrects or withdraws a year-end assessment (R-55); a 不称职 undone reinstates the cadre."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from core.errors import Conflict
from core.scope import get_scope
from core.web import apply_errors
from supervision import forms, selectors, services
from supervision import permissions as perms


def _correctable(request, pk):
    """The assessment (404 outside the scope), 403 unless county_org of its county."""
    row = get_object_or_404(selectors.assessment_list(user=request.user), pk=pk)
    perms.require(perms.can_correct_assessment(get_scope(request.user), row), services.CORRECT_DENIED)
    return row


def _page(request, row, form, write, *, title, done):
    if request.method == "POST" and form.is_valid():
        try:
            change = write(dict(form.cleaned_data))
        except ValidationError as exc:
            apply_errors(form, exc)
        except Conflict as exc:
            messages.error(request, exc.message)
            return redirect("supervision:assessment_list")
        else:
            messages.success(request, done)
            r = change.reinstatement
            if r is not None:
                messages.success(request, _("%(n)s的取消资格已撤销，恢复后备干部资格，禁选限制解除，报酬恢复发放。") % {
                    "n": r.cadre.name})
                for adj in r.adjustments:
                    messages.info(request, _("已登记补发%(c)s报酬 %(t)s 元，计入%(m)s发放。") % {
                        "c": adj["corrects_month"], "t": adj["total"], "m": adj["month"]})
                if r.over_quota:
                    messages.warning(request, _("注意：%(v)s现有在岗后备干部 %(a)s 名，超出名额 %(q)s 名，已通知县委组织部。") % {
                        "v": r.cadre.village.name, "a": r.active, "q": r.quota})
            return redirect("supervision:assessment_list")
    return render(request, "supervision/assessment_correct.html", {"form": form, "row": row, "title": title},
                  status=400 if form.errors else 200)


@login_required
def assessment_correct(request, pk):
    row = _correctable(request, pk)
    form = forms.AssessmentCorrectForm(request.POST or None, initial={"result": row.result, "notes": row.notes})
    return _page(request, row, form, lambda d: services.assessment_correct(assessment=row, by=request.user, **d),
                 title=_("更正年底资格评估"), done=_("已更正%(n)s的%(y)s年度评估。") % {"n": row.cadre.name, "y": row.year})


@login_required
def assessment_withdraw(request, pk):
    row = _correctable(request, pk)
    form = forms.AssessmentWithdrawForm(request.POST or None)
    return _page(request, row, form, lambda d: services.assessment_withdraw(assessment=row, by=request.user, **d),
                 title=_("撤销年底资格评估"), done=_("已撤销%(n)s的%(y)s年度评估。") % {"n": row.cadre.name, "y": row.year})
