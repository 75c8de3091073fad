"""HTML pages of selection: rounds, the round page, applications and each step, imports and exports."""

import base64

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import excel
from core.audit import MAX_SUBJECTS, history_rows, log_personal_data
from core.errors import Conflict
from core.listexport import filter_page, filtered_list_view, visible_list_export
from core.pdf import pdf_response
from core.scope import get_scope
from core.web import apply_errors, perform, submit
from selection import exports, permissions, policies, services
from selection.forms import (
    ApplicationForm,
    BanWaiverForm,
    CoReviewForm,
    DecideForm,
    ReviewForm,
    RoundForm,
    ScoresForm,
    UploadForm,
)
from selection.models import Application, Round
from selection.permissions import APPLICATION_ENTRY, SCORERS
from selection.selectors import (
    ApplicationFilter,
    RoundFilter,
    application_counts,
    application_list,
    managed_counties,
    round_list,
    round_list_with_counts,
    round_vacancies,
    villages_for,
    waiver_list,
)


def _round(request, pk) -> Round:
    return get_object_or_404(round_list(user=request.user), pk=pk)


round_index = filtered_list_view(
    lambda user: round_list_with_counts(user=user).order_by("-year", "-announced_on", "-pk"),
    "selection/round_list.html", RoundFilter, 20, may_create=permissions.can_run_rounds)


@login_required
def round_create(request):
    permissions.deny_unless(permissions.can_run_rounds(get_scope(request.user)), permissions.ROUND_DENIED)
    counties = managed_counties(user=request.user)
    form = RoundForm(request.POST or None, counties=counties)
    done = submit(request, form, lambda d: services.round_create(by=request.user, **d),
                  done=lambda rnd: _("已发布选拔公告“%(t)s”。") % {"t": rnd.title},
                  to=lambda rnd: reverse("selection:round", args=[rnd.pk]))
    return done or render(request, "selection/form.html", {"form": form, "title": _("发布选拔公告"),
                                                   "back": "selection:rounds"})


@login_required
def round_edit(request, pk):
    rnd = _round(request, pk)
    permissions.deny_unless(permissions.can_manage_round(get_scope(request.user), county=rnd.county))
    form = RoundForm(request.POST or None, instance=rnd)
    done = submit(request, form,
                  lambda d: services.round_update(round=Round.objects.get(pk=rnd.pk), by=request.user, **d),
                  done=_("已保存。"), to=reverse("selection:round", args=[rnd.pk]), conflict_on=NON_FIELD_ERRORS)
    return done or render(request, "selection/form.html", {"form": form, "title": _("修改选拔批次"), "round": rnd})


@login_required
@require_POST
def round_close(request, pk):
    rnd = _round(request, pk)
    permissions.deny_unless(permissions.can_manage_round(get_scope(request.user), county=rnd.county))
    perform(request, lambda: services.round_close(round=rnd, by=request.user), done=_("选拔批次已结束。"))
    return redirect("selection:round", pk=rnd.pk)


@visible_list_export  # issue 17: ?export=xlsx answers the filtered rows
@login_required
def round_detail(request, pk):
    """R-10: where every applicant stands, and the villages still without a reserve cadre (R-01)."""
    rnd = _round(request, pk)
    scope = get_scope(request.user)
    qs = application_list(user=request.user).filter(round=rnd).order_by(
        "village__township__code", "village__code", "rank", "pk")
    flt, page = filter_page(request, ApplicationFilter, qs, 30, rnd=rnd)
    manager = permissions.can_manage_round(scope, county=rnd.county)
    counts = application_counts(rnd.applications.all() if manager else
                                application_list(user=request.user).filter(round=rnd))
    ctx = {
        "round": rnd, "filter": flt, "page_obj": page,
        "counts": [(s, label, counts.get(s, 0)) for s, label in Application.Status.choices],
        "total": counts.get("total", 0),
        "vacancies": list(round_vacancies(user=request.user, rnd=rnd)[:200]),
        "is_manager": manager and rnd.status == Round.Status.ANNOUNCED,
        "can_enter": rnd.status == Round.Status.ANNOUNCED and villages_for(
            user=request.user, roles=APPLICATION_ENTRY, county_id=rnd.county_id).exists(),
        "can_score": rnd.status == Round.Status.ANNOUNCED and villages_for(
            user=request.user, roles=SCORERS, county_id=rnd.county_id).exists(),
        "interview_weight": 1 - rnd.written_weight,
    }
    ctx["waivers"] = [(w, services.waiver_note(w)) for w in waiver_list(user=request.user).filter(round=rnd)[:200]]
    ctx["can_waive"] = rnd.status == Round.Status.ANNOUNCED and permissions.can_waive_ban(scope, rnd)
    if permissions.can_see_round_history(scope, rnd):
        ctx["history"] = history_rows(rnd)
    return render(request, "selection/round_detail.html", ctx)


@login_required
def waiver_create(request, pk):
    """R-17: county_org records a waiver of the five-year ban for one person in this round."""
    rnd = _round(request, pk)
    permissions.deny_unless(permissions.can_waive_ban(get_scope(request.user), rnd), permissions.WAIVER_DENIED)
    form = BanWaiverForm(request.POST or None)
    done = submit(request, form, lambda d: services.ban_waive(round=rnd, by=request.user, **d),
                  done=lambda waiver: _("已登记%(n)s的禁选期豁免（%(d)s），此人可报名本批次。") % {
                      "n": waiver.name, "d": waiver.document_no},
                  to=reverse("selection:round", args=[rnd.pk]), conflict_on=NON_FIELD_ERRORS)
    return done or render(request, "selection/form.html", {"form": form, "title": _("登记禁选期豁免"), "round": rnd})


@visible_list_export  # issue 17: ?export=xlsx answers the filtered rows
@login_required
def application_index(request):
    qs = application_list(user=request.user).order_by("-round__year", "round_id", "village__code", "rank", "pk")
    flt, page = filter_page(request, ApplicationFilter, qs, 30)
    return render(request, "selection/application_list.html", {"filter": flt, "page_obj": page})


@login_required
def application_create(request, pk):
    rnd = _round(request, pk)
    villages = villages_for(user=request.user, roles=APPLICATION_ENTRY, county_id=rnd.county_id).order_by("code")
    if not villages.exists():
        raise PermissionDenied(_("只有县委组织部或乡（镇）党委可以登记报名。"))
    initial = {"village": request.GET.get("village")} if request.GET.get("village") else None
    form = ApplicationForm(request.POST or None, villages=villages, initial=initial)
    done = submit(request, form,
                  lambda _d: services.application_submit(round=rnd, by=request.user, **form.service_data()),
                  done=lambda app: _("已登记%(n)s的报名（%(v)s），等待乡（镇）党委初审。") % {"n": app.name, "v": app.village},
                  to=lambda app: reverse("selection:application", args=[app.pk]), conflict_on=NON_FIELD_ERRORS)
    return done or render(request, "selection/application_form.html", {"form": form, "round": rnd})


@login_required
def application_edit(request, pk):
    """Correct an application while it waits for the preliminary review."""
    app = get_object_or_404(application_list(user=request.user), pk=pk)
    permissions.deny_unless(permissions.can_enter_application(get_scope(request.user), village=app.village),
                            permissions.EDIT_DENIED)
    if app.status != Application.Status.SUBMITTED:
        messages.error(request, _("报名已进入后续步骤，不能再修改报名信息。"))
        return redirect("selection:application", pk=app.pk)
    villages = villages_for(user=request.user, roles=APPLICATION_ENTRY, county_id=app.round.county_id).order_by("code")
    form = ApplicationForm(request.POST or None, instance=app, villages=villages,
                           full_personal=get_scope(request.user).sees_personal_data(app.round.county_id))
    done = _on_application(request, app, form, _("已保存。"), lambda _d: services.application_update(
        application=app, by=request.user, **form.service_data()))
    return done or render(request, "selection/application_form.html", {"form": form, "round": app.round, "app": app})


def _on_application(request, app, form, success, write):
    """``submit`` for a step on ``app``: field errors go back onto the form (None: show it again); a Conflict
    (a step taken meanwhile) or success goes to the application page with a message."""
    here = reverse("selection:application", args=[app.pk])
    return submit(request, form, write, done=success, to=here, conflict_to=here)


def _steps(app):
    """The R-11 steps of one application with who and when, for the timeline."""
    return [
        (_("个人申请"), app.submitted_by, app.submitted_at, _("报名日期 %(d)s") % {"d": app.applied_on}),
        (_("乡（镇）党委初审"), app.reviewed_by, app.reviewed_at,
         "" if app.review_passed is None else (_("通过") if app.review_passed else _("不通过"))),
        (_("笔试、面试"), app.scored_by, app.scored_at,
         _("笔试 %(w)s，面试 %(i)s，综合 %(c)s") % {"w": app.written_score, "i": app.interview_score,
                                                 "c": app.composite_score} if app.scored_at else ""),
        (_("有关部门协审"), app.co_reviewed_by, app.co_reviewed_at,
         "" if app.co_review_passed is None else (_("通过") if app.co_review_passed else _("不通过"))),
        (_("县委人才工作领导小组研究决定"), app.decided_by, app.decided_at,
         f"{app.get_status_display()} · {app.decided_on} · {app.document_no}" if app.decided_at else ""),
    ]


#: the page of the next step of an application in each status: (step, url name, button)
STEP_VIEWS = {
    Application.Status.SUBMITTED: ("review", "selection:review", _("初审")),
    Application.Status.REVIEWED: ("scores", "selection:scores", _("录入成绩")),
    Application.Status.SCORED: ("co_review", "selection:co_review", _("登记协审结果")),
    Application.Status.CO_REVIEWED: ("decide", "selection:decide", _("登记研究决定")),
}


@login_required
def application_detail(request, pk):
    app = get_object_or_404(application_list(user=request.user), pk=pk)
    scope = get_scope(request.user)
    next_step = None
    step = STEP_VIEWS.get(app.status)
    if step and app.round.status == Round.Status.ANNOUNCED and permissions.can_step(scope, step[0], app):
        next_step = {"url_name": step[1], "label": step[2]}
    ctx = {"app": app, "steps": _steps(app), "next_step": next_step,
           "can_edit": permissions.can_edit_application(scope, app),
           "negative": [(k, t, bool(app.negative_list.get(k))) for k, t in policies.NEGATIVE_LIST.items()],
           "conditions": [(k, t, app.basic_conditions[k]) for k, t in policies.BASIC_CONDITIONS.items()
                          if k in (app.basic_conditions or {})],
           "waiting_for": Application.NEXT_STEP.get(app.status),
           "waiver": services.waiver_note(app.ban_waiver) if app.ban_waiver_id else ""}
    if permissions.can_see_application_history(scope, app):
        ctx["history"] = history_rows(app, full_personal=scope.sees_personal_data(app.round.county_id))
    if scope.sees_personal_data(app.round.county_id):  # issue 14 item 5: the page shows the full numbers
        log_personal_data(request, kind="pd_application_view", what=_("报名信息：%(n)s") % {"n": app.name},
                          people=1, fields=("id_number", "phone"), subjects=[(app.pk, app.name)],
                          scope_label=f"{app.round.title}，{app.village.name}")
    return render(request, "selection/application_detail.html", ctx)


def _step_view(request, pk, *, step, form_class, service, title, template="selection/step.html"):
    app = get_object_or_404(application_list(user=request.user), pk=pk)
    permissions.require_step(get_scope(request.user), step, app)
    form = form_class(request.POST or None)
    done = _on_application(request, app, form, _("已办理：%(t)s（%(n)s）。") % {"t": title, "n": app.name},
                           lambda d: service(application=app, by=request.user, **d))
    return done or render(request, template, {"form": form, "app": app, "title": title,
                                      "below_standard": app.education in policies.BELOW_STANDARD})


@login_required
def application_review(request, pk):
    return _step_view(request, pk, step="review", form_class=ReviewForm, service=services.application_review,
                      title=_("乡（镇）党委初审"))


@login_required
def application_scores(request, pk):
    return _step_view(request, pk, step="scores", form_class=ScoresForm, service=services.application_score,
                      title=_("录入笔试、面试成绩"))


@login_required
def application_co_review(request, pk):
    return _step_view(request, pk, step="co_review", form_class=CoReviewForm,
                      service=services.application_co_review, title=_("有关部门协审"))


@login_required
def application_decide(request, pk):
    return _step_view(request, pk, step="decide", form_class=DecideForm, service=services.application_decide,
                      title=_("县委人才工作领导小组研究决定"))


# -- bulk ------------------------------------------------------------------------------------

def _import_view(request, pk, *, kind):
    rnd = _round(request, pk)
    villages = villages_for(user=request.user, roles=permissions.entry_roles(kind), county_id=rnd.county_id)
    if not villages.exists():
        raise PermissionDenied(_("您的角色无权导入。"))
    title = _("导入报名人员") if kind == "applicants" else _("导入笔试、面试成绩")
    form = UploadForm(request.POST, request.FILES) if request.method == "POST" else UploadForm()
    if request.method == "POST" and excel.upload_form_valid(request, form):
        upload = form.cleaned_data["file"]
        columns = exports.APPLICANT_COLUMNS if kind == "applicants" else exports.SCORE_COLUMNS
        try:
            optional = exports.APPLICANT_OPTIONAL if kind == "applicants" else ()
            result = excel.read_upload(upload, columns, max_rows=settings.MAX_SELECTION_IMPORT_ROWS,
                                       optional=optional)
            if kind == "applicants":
                done = services.applications_import(round=rnd, by=request.user, result=result, villages=villages)
            else:
                apps = application_list(user=request.user).filter(village__in=villages)
                done = services.scores_import(round=rnd, by=request.user, result=result, applications=apps)
        except ValidationError as exc:
            apply_errors(form, exc)
        except Conflict as exc:
            form.add_error(None, exc.message)
        else:
            if result.errors:
                # nothing was imported: show why row by row, and hand back the sheet with the bad rows marked
                marked = excel.error_workbook(upload, result)
                return render(request, "selection/import.html", {
                    "form": UploadForm(), "round": rnd, "kind": kind, "title": title,
                    "error_rows": sorted(result.errors.items()), "error_file": marked,
                    "error_file_b64": base64.b64encode(marked).decode(),
                    "error_filename": _("导入未成功-请按标红说明修改-%(n)s") % {"n": upload.name},
                }, status=400)
            messages.success(request, _("导入成功：共 %(n)s 行。") % {"n": len(done)})
            return redirect("selection:round", pk=rnd.pk)
    return render(request, "selection/import.html", {"form": form, "round": rnd, "kind": kind, "title": title},
                  status=400 if request.method == "POST" else 200)  # here after a POST only when it was refused


@login_required
def import_applicants(request, pk):
    return _import_view(request, pk, kind="applicants")


@login_required
def import_scores(request, pk):
    return _import_view(request, pk, kind="scores")


@login_required
def template_download(request, pk, kind):
    rnd = _round(request, pk)
    if kind == "applicants":
        return excel.xlsx_response(exports.applicant_template(rnd), _("报名人员导入模板-%(t)s.xlsx") % {"t": rnd.title})
    villages = villages_for(user=request.user, roles=SCORERS, county_id=rnd.county_id)
    apps = application_list(user=request.user).filter(village__in=villages)
    full = get_scope(request.user).sees_personal_data(rnd.county_id)
    if full:  # issue 14 item 5: the template lists the applicants' full ID numbers
        rows = exports.score_rows(rnd, apps)
        log_personal_data(request, kind="pd_score_template", what=_("成绩导入模板：%(t)s") % {"t": rnd.title},
                          people=rows.count(), fields=("id_number",), scope_label=rnd.title,
                          subjects=rows.values_list("pk", "name")[:MAX_SUBJECTS])
    return excel.xlsx_response(exports.score_template(rnd, apps, full_id=full),
                               _("成绩导入模板-%(t)s.xlsx") % {"t": rnd.title})


@login_required
def export(request, pk, what, fmt):
    rnd = _round(request, pk)
    apps = application_list(user=request.user).filter(round=rnd)
    if what == "ranking":
        rows = exports.ranking_rows(apps)
        name = _("综合成绩排名-%(t)s") % {"t": rnd.title}
        builder = exports.ranking_xlsx if fmt == "xlsx" else exports.ranking_pdf
    else:
        rows = exports.publicity_rows(apps)
        name = _("公示名单-%(t)s") % {"t": rnd.title}
        builder = exports.publicity_xlsx if fmt == "xlsx" else exports.publicity_pdf
    content = builder(rnd, rows)
    if fmt == "xlsx":
        return excel.xlsx_response(content, f"{name}.xlsx")
    return pdf_response(content, f"{name}.pdf")
