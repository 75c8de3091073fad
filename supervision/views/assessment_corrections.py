"""Issue 13: county_org corrects or withdraws a year-end assessment (R-55); a 不称职 undone reinstates the cadre."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _

from cadres.web import flash_reinstated
from core.scope import get_scope
from core.web import submit
from supervision import forms, selectors, services
from supervision import permissions as perms


def _correctable(request, pk):
    """The assessment (404 outside the scope), 403 unless county_org of its county."""
    row = get_object_or_404(selectors.assessment_list(user=request.user), pk=pk)
    perms.require(perms.can_correct_assessment(get_scope(request.user), row), services.CORRECT_DENIED)
    return row


def _reinstated(request, change) -> None:
    """A correction that lifts an INCOMPETENT result reinstates the cadre it disqualified: say so."""
    r = change.reinstatement
    if r is not None:
        messages.success(request, _("%(n)s的取消资格已撤销，恢复后备干部资格，禁选限制解除，报酬恢复发放。") % {
            "n": r.cadre.name})
        flash_reinstated(request, r)


def _page(request, row, form, write, *, title, done):
    back = reverse("supervision:assessment_list")
    answer = submit(request, form, write, done=done, to=back, conflict_to=back,
                    then=lambda change: _reinstated(request, change))
    return answer or render(request, "supervision/assessment_correct.html", {"form": form, "row": row, "title": title},
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
