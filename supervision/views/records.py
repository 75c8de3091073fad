"""A cadre's yearly records: attachment (R-52), commitments (R-54) and the year-end assessment (R-55)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from core import dates
from core.dates import today
from core.errors import Conflict
from core.filters import SuggestWidget, TownshipPick, cadre_label, cadre_pick
from core.listexport import visible_list_export
from core.scope import get_scope
from core.web import apply_errors
from supervision import forms, policies, selectors, services
from supervision import permissions as perms
from supervision.filters import AssessmentFilter, AttachmentFilter, CadreRecordFilter
from supervision.models import Assessment
from supervision.views.common import (
    as_of,
    correction_history,
    form_page,
    int_or_none,
    page,
    record_list,
    record_list_view,
    record_page,
    recordable_cadres,
    submit,
)


def _require_recorder(request, message):
    perms.require(perms.can_record_somewhere(get_scope(request.user)), message)


# -- attachment (R-52) -------------------------------------------------------------------------------------

attachment_index = record_list_view(lambda user: selectors.attachment_list(user=user).order_by("-start_date", "-pk"),
                                    "supervision/attachment_list.html", AttachmentFilter)


@login_required
def attachment_create(request):
    _require_recorder(request, _("跟班学习由乡（镇）党委登记。"))
    form = forms.AttachmentForm(request.POST or None, cadres=recordable_cadres(request),
                                initial={"cadre": request.GET.get("cadre")})
    cadre_pick(form, "supervision.recordable")
    done = submit(request, form, lambda d: services.attachment_record(by=request.user, **d),
                  done=lambda row: _("已登记跟班学习 %(n)s 天。") % {"n": row.days}, to="supervision:attachment_list")
    return done or form_page(request, form, _("登记跟班学习"), "supervision:attachment_list")


def _attachment(request, pk):
    return get_object_or_404(selectors.attachment_list(user=request.user).select_related("cadre__village__township"),
                             pk=pk)


@login_required
def attachment_detail(request, pk):
    """R-52: one 跟班学习 period, with its corrections (issue 13)."""
    row = _attachment(request, pk)
    may = perms.can_correct_record(get_scope(request.user), row)
    village = row.cadre.village
    rows = [(_("后备干部"), f"{row.cadre.name}（{village.township.name}{village.name}）"),
            (_("跟班乡（镇）"), row.township), (_("开始日期"), row.start_date), (_("结束日期"), row.end_date),
            (_("天数"), row.days), (_("跟班科室/岗位"), row.department), (_("表现情况"), row.note)]
    return record_page(request, title=_("跟班学习：%(n)s") % {"n": row.cadre.name}, rows=rows,
                       back="supervision:attachment_list",
                       edit_url=reverse("supervision:attachment_edit", args=[row.pk]) if may else None,
                       history=correction_history(request, row, may_correct=may, village=village))


@login_required
def attachment_edit(request, pk):
    """R-52 (issue 13): correct a period, saying why; the days are counted again."""
    row = _attachment(request, pk)
    perms.require(perms.can_correct_record(get_scope(request.user), row), _("跟班学习由本乡（镇）党委登记和修改。"))
    form = forms.AttachmentCorrectForm(request.POST or None, initial={
        "start_date": row.start_date, "end_date": row.end_date, "department": row.department, "note": row.note})
    here = reverse("supervision:attachment_detail", args=[row.pk])
    done = submit(request, form, lambda d: services.attachment_correct(attachment=row, by=request.user, **d),
                  done=lambda a: _("已修改跟班学习，现为 %(n)s 天；修改原因已记入变更记录。") % {"n": a.days}, to=here)
    if done:
        return done
    return render(request, "supervision/form.html", {
        "form": form, "title": _("修改跟班学习：%(n)s") % {"n": row.cadre.name}, "back": here})


@login_required
def attachment_shortfall(request):
    """R-52: cadres whose 跟班学习 days in the year are under the county's minimum."""
    setting = selectors.setting_for_user(request.user)
    flagged_year, stage = policies.attachment_check(as_of(request), check_month=setting.attachment_check_month)
    year = dates.parse_year(request.GET.get("year") or flagged_year, default=flagged_year)
    qs = selectors.attachment_shortfall(user=request.user, year=year)
    township_id = int_or_none(request.GET.get("township"))
    if township_id:
        qs = qs.filter(village__township_id=township_id)
    page_obj = page(request, qs)
    for c in page_obj:
        c.missing_days = setting.attachment_min_days - c.year_days
    return render(request, "supervision/attachment_shortfall.html", {
        "page_obj": page_obj, "year": year, "setting": setting, "townships": TownshipPick(user=request.user, data=request.GET),
        "township_id": township_id, "flagged": year == flagged_year, "stage": stage,
    })


# -- assessments (R-55) --------------------------------------------------------------------------------------

@visible_list_export  # issue 17: ?export=xlsx answers the filtered rows
@login_required
def assessment_index(request):
    qs = selectors.assessment_list(user=request.user).order_by("-year", "cadre__village__code")
    return record_list(request, "supervision/assessment_list.html", qs, AssessmentFilter, skip=("cadre", "result"),
                       results=Assessment.Result.choices, result=request.GET.get("result"),
                       can_correct=perms.can_issue_notices(get_scope(request.user)))


@login_required
def assessment_create(request):
    _require_recorder(request, _("年底资格评估由乡（镇）党委登记。"))
    now = today()
    form = forms.AssessmentForm(request.POST or None, cadres=recordable_cadres(request), initial={
        "cadre": request.GET.get("cadre"), "assessed_on": now,
        "year": dates.parse_year(request.GET.get("year") or forms.default_year(now), default=forms.default_year(now))})
    cadre_pick(form, "supervision.recordable")
    if request.method == "POST" and form.is_valid():
        try:
            row = services.assessment_record(by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        except Conflict as exc:
            form.add_error("cadre", exc.message)
        else:
            if row.result == row.Result.INCOMPETENT:
                messages.warning(request, _("%(n)s评为不称职，已取消其后备干部资格；%(v)s现为空缺村，请及时物色人选。") % {
                    "n": row.cadre.name, "v": row.cadre.village.name})
            else:
                messages.success(request, _("已登记%(n)s的%(y)s年度评估：%(r)s。") % {
                    "n": row.cadre.name, "y": row.year, "r": row.get_result_display()})
            return redirect("supervision:assessment_list")
    return _assessment_page(request, form)


def _assessment_page(request, form):
    """R-55 with R-57: the assessment form and, once a cadre is chosen, the cadre's year on the same page
    (tasks and their evaluations, commitment, 跟班学习, talks, leave and absence)."""
    source = request.POST if request.method == "POST" else request.GET
    cadres = form.fields["cadre"].queryset
    cadre_id = int_or_none(source.get("cadre"))
    cadre = cadres.filter(pk=cadre_id).first() if cadre_id else None
    default = forms.default_year(today())
    year = dates.parse_year(source.get("year") or default, default=default)
    return render(request, "supervision/assessment_form.html", {
        "form": form, "title": _("登记年底资格评估"), "back": reverse("supervision:assessment_list"),
        "cadres": cadres, "chosen": cadre, "year": year,
        # too many cadres for a select: the chooser is the form's search box too (core.filters.cadre_pick)
        "cadre_suggest": form.fields["cadre"].widget if isinstance(form.fields["cadre"].widget, SuggestWidget) else None,
        "chosen_label": cadre_label(cadre) if cadre else "",
        "ctx": selectors.assessment_year_context(cadre, year) if cadre else None})


# -- commitments (R-54) ----------------------------------------------------------------------------------------

commitment_index = record_list_view(
    lambda user: selectors.commitment_list(user=user).order_by("-year", "cadre__village__code"),
    "supervision/commitment_list.html", CadreRecordFilter)


@login_required
def commitment_detail(request, pk):
    """R-54: one year's commitment, with its changes and their reasons (issue 13)."""
    row = get_object_or_404(selectors.commitment_list(user=request.user).select_related("cadre__village__township"),
                            pk=pk)
    may = perms.can_correct_record(get_scope(request.user), row)
    village = row.cadre.village
    rows = [(_("后备干部"), f"{row.cadre.name}（{village.township.name}{village.name}）"), (_("年度"), row.year),
            (_("承诺事项（亮承诺）"), row.promises), (_("工作成绩（晒成绩）"), row.results),
            (_("评议结果（评实效）"), row.get_evaluation_display()), (_("评议意见"), row.evaluation_note)]
    return record_page(request, title=_("承诺践诺：%(n)s %(y)s年") % {"n": row.cadre.name, "y": row.year}, rows=rows,
                       back="supervision:commitment_list",
                       edit_url=reverse("supervision:commitment_edit", args=[row.pk]) if may else None,
                       history=correction_history(request, row, may_correct=may, village=village))


@login_required
def commitment_edit(request, pk=None):
    row = get_object_or_404(selectors.commitment_list(user=request.user), pk=pk) if pk else None
    if row is not None:
        perms.require(perms.can_correct_record(get_scope(request.user), row), _("承诺践诺由乡（镇）党委登记和修改。"))
        form = forms.CommitmentEditForm(request.POST or None, initial={
            "promises": row.promises, "results": row.results, "evaluation": row.evaluation,
            "evaluation_note": row.evaluation_note})
    else:
        _require_recorder(request, _("承诺践诺由乡（镇）党委登记。"))
        form = forms.CommitmentNewForm(request.POST or None, cadres=recordable_cadres(request),
                                       initial={"year": today().year, "cadre": request.GET.get("cadre")})
        cadre_pick(form, "supervision.recordable")

    def write(d):
        if row is not None:  # issue 13: rewriting what was filled in needs a reason, kept in the history
            return services.commitment_correct(commitment=row, by=request.user, **d)
        return services.commitment_save(cadre=d.pop("cadre"), year=d.pop("year"), by=request.user, **d)

    done = submit(request, form, write, done=_("已保存。"), to="supervision:commitment_list")
    if done:
        return done
    if row is None:
        return form_page(request, form, _("登记年度承诺"), "supervision:commitment_list")
    return render(request, "supervision/form.html", {
        "form": form, "title": _("承诺践诺：%(n)s %(y)s年") % {"n": row.cadre.name, "y": row.year},
        "back": reverse("supervision:commitment_list"),
        "history": correction_history(request, row, may_correct=True, village=row.cadre.village)})
