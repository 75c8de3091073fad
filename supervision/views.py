"""Pages of the supervision app. Reads through selectors (404 outside scope), writes through services
(403 when the role may not act)."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from cadres import services as cadre_services
from cadres.models import CASE_CATEGORIES, Cadre, DisciplineCase
from cadres.selectors import cadre_list, discipline_case_list
from core.audit import history_rows
from core import dates
from core.dates import today
from core.errors import Conflict
from core.pdf import pdf_response, render_pdf
from core.roles import Role
from core.scope import get_scope
from core.selectors import county_list, township_list, village_list
from core.web import apply_errors
from supervision import forms, policies, selectors, services
from supervision.models import Notice, Talk

PAGE = 25


def _page(request, qs, size=PAGE):
    return Paginator(qs, size).get_page(request.GET.get("page"))


def _as_of(request) -> dt.date:
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


def _int(value):
    try:
        return int(value) if value not in (None, "") else None
    except ValueError:
        return None


def _managed_townships(request, roles=selectors.TOWNSHIP_RECORDERS):
    """Townships where the user holds one of ``roles`` (for the choice lists of the forms)."""
    scope = get_scope(request.user)
    qs = township_list(user=request.user)
    if scope.is_superuser:
        return qs
    return qs.filter(pk__in=[t for t, r in scope.township_roles.items() if r & set(roles)])


def _recordable_cadres(request, roles=selectors.TOWNSHIP_RECORDERS, village_level=False):
    scope = get_scope(request.user)
    qs = cadre_list(user=request.user).filter(status=Cadre.Status.ACTIVE).order_by("village__code", "name")
    if scope.is_superuser:
        return qs
    if village_level:
        return qs.filter(village_id__in=[v for v, r in scope.village_roles.items() if r & set(roles)])
    return qs.filter(village__township_id__in=[t for t, r in scope.township_roles.items() if r & set(roles)])


def _filter_form(request, flt):
    return flt.qs if flt.is_bound and flt.is_valid() else flt.queryset


def _with_township(url: str, township_id) -> str:
    from urllib.parse import parse_qsl, urlencode, urlsplit

    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k != "township"] + [("township", str(township_id))]
    return f"{parts.path}?{urlencode(query)}"


# -- dashboard -----------------------------------------------------------------------------------------

@login_required
def dashboard(request):
    """Issue 6 §10: the live state of the county (or one township), each number linking to its list."""
    scope = get_scope(request.user)
    if scope.is_empty or (scope.cadre_ids and not (scope.county_roles or scope.township_roles
                                                   or scope.village_roles)):
        raise PermissionDenied(_("工作看板供县、乡（镇）、村工作人员使用。"))
    as_of = _as_of(request)
    township_id = _int(request.GET.get("township"))
    if township_id and not township_list(user=request.user).filter(pk=township_id).exists():
        township_id = None
    data = selectors.dashboard(user=request.user, as_of=as_of, township_id=township_id)
    chart = {
        "labels": [t.name for t in data["townships"]],
        "datasets": [{"label": m.label, "data": [m.by_township.get(t.pk, 0) for t in data["townships"]]}
                     for m in data["metrics"] if m.by_township or m.total],
    }
    table = []
    for t in data["townships"]:
        cells = []
        for m in data["metrics"]:
            url = _with_township(m.url, t.pk)
            cells.append({"label": m.label, "n": m.by_township.get(t.pk, 0), "url": url})
        table.append({"township": t, "cells": cells})
    return render(request, "supervision/dashboard.html", {
        **data, "chart": chart, "table": table, "township_id": township_id, "all_townships": township_list(user=request.user),
        "is_county": bool(scope.county_roles) or scope.is_superuser,
    })


# -- talks (R-53) ----------------------------------------------------------------------------------------

@login_required
def talk_index(request):
    qs = selectors.talk_list(user=request.user).order_by("-held_on", "-pk")
    flt = selectors.TalkFilter(request.GET or None, queryset=qs, user=request.user)
    scope = get_scope(request.user)
    return render(request, "supervision/talk_list.html", {
        "filter": flt, "page_obj": _page(request, _filter_form(request, flt)),
        "can_create": scope.has_any(Role.TOWNSHIP_PARTY, Role.VILLAGE_SECRETARY),
    })


@login_required
def talk_create(request):
    scope = get_scope(request.user)
    kinds = []
    if scope.is_superuser or scope.has_any(Role.TOWNSHIP_PARTY):
        kinds += [Talk.Kind.INDIVIDUAL, Talk.Kind.COLLECTIVE]
    if scope.is_superuser or scope.has_any(Role.VILLAGE_SECRETARY):
        kinds += [Talk.Kind.HEART_TO_HEART]
    if not kinds:
        raise PermissionDenied(_("谈话考察、集体谈话由乡（镇）党委登记，谈心谈话由村党组织书记登记。"))
    cadres = _recordable_cadres(request) | _recordable_cadres(request, selectors.VILLAGE_RECORDERS, True)
    initial = {"held_on": today(), "kind": request.GET.get("kind") or kinds[0],
               "cadre": request.GET.get("cadre"), "township": request.GET.get("township")}
    form = forms.TalkForm(request.POST or None, cadres=cadres.distinct(), townships=_managed_townships(request),
                          kinds=kinds, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        cadre, township = d.get("cadre"), d.get("township")
        try:
            if d["kind"] == Talk.Kind.HEART_TO_HEART:
                scope.require(selectors.VILLAGE_RECORDERS, village=cadre.village,
                              message=_("谈心谈话由本村党组织书记登记。"))
            elif d["kind"] == Talk.Kind.INDIVIDUAL:
                scope.require(selectors.TOWNSHIP_RECORDERS, village=cadre.village,
                              message=_("谈话考察由本乡（镇）党委登记。"))
            else:
                scope.require(selectors.TOWNSHIP_RECORDERS, township=township)
            talk = services.talk_record(kind=d["kind"], cadre=cadre if d["kind"] != Talk.Kind.COLLECTIVE else None,
                                        township=township, held_on=d["held_on"], interviewer=d["interviewer"],
                                        record=d["record"], by=request.user)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已登记%(k)s（%(d)s）。") % {"k": talk.get_kind_display(), "d": talk.held_on})
            return redirect("supervision:talk_list")
    return render(request, "supervision/form.html", {"form": form, "title": _("登记谈话"),
                                                     "back": reverse("supervision:talk_list")})


@login_required
def talk_due(request):
    """R-53: who still needs a talk (due soon) and who was missed (overdue)."""
    as_of = _as_of(request)
    stage = request.GET.get("stage") or policies.OVERDUE
    township_id = _int(request.GET.get("township"))
    flags = [f for f in selectors.talk_flags(user=request.user, as_of=as_of) if f.stage == stage]
    sections = []
    for f in flags:
        rows = f.rows
        if township_id:
            rows = rows.filter(village__township_id=township_id) if f.kind == "individual" else rows.filter(
                pk=township_id)
        sections.append({"flag": f, "rows": list(rows[:500]), "count": rows.count()})
    scope = get_scope(request.user)
    return render(request, "supervision/talk_due.html", {
        "sections": sections, "stage": stage, "as_of": as_of, "township_id": township_id,
        "townships": township_list(user=request.user), "can_record": scope.has_any(Role.TOWNSHIP_PARTY),
    })


# -- attachment (R-52) -------------------------------------------------------------------------------------

@login_required
def attachment_index(request):
    qs = selectors.attachment_list(user=request.user).order_by("-start_date", "-pk")
    flt = selectors.CadreRecordFilter(request.GET or None, queryset=qs, user=request.user,
                                      year_field="start_date__year")
    return render(request, "supervision/attachment_list.html", {
        "filter": flt, "page_obj": _page(request, _filter_form(request, flt)),
        "can_create": get_scope(request.user).has_any(Role.TOWNSHIP_PARTY),
    })


@login_required
def attachment_create(request):
    scope = get_scope(request.user)
    if not scope.has_any(Role.TOWNSHIP_PARTY):
        raise PermissionDenied(_("跟班学习由乡（镇）党委登记。"))
    form = forms.AttachmentForm(request.POST or None, cadres=_recordable_cadres(request),
                                initial={"cadre": request.GET.get("cadre")})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            scope.require(selectors.TOWNSHIP_RECORDERS, village=d["cadre"].village)
            row = services.attachment_record(by=request.user, **d)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已登记跟班学习 %(n)s 天。") % {"n": row.days})
            return redirect("supervision:attachment_list")
    return render(request, "supervision/form.html", {"form": form, "title": _("登记跟班学习"),
                                                     "back": reverse("supervision:attachment_list")})


@login_required
def attachment_shortfall(request):
    """R-52: cadres whose 跟班学习 days in the year are under the county's minimum."""
    as_of = _as_of(request)
    setting = selectors.setting_for_user(request.user)
    flagged_year, stage = policies.attachment_check(as_of, check_month=setting.attachment_check_month)
    year = dates.parse_year(request.GET.get("year") or flagged_year, default=flagged_year)
    qs = selectors.attachment_shortfall(user=request.user, year=year)
    township_id = _int(request.GET.get("township"))
    if township_id:
        qs = qs.filter(village__township_id=township_id)
    page = _page(request, qs)
    for c in page:
        c.missing_days = setting.attachment_min_days - c.year_days
    return render(request, "supervision/attachment_shortfall.html", {
        "page_obj": page, "year": year, "setting": setting, "townships": township_list(user=request.user),
        "township_id": township_id, "flagged": year == flagged_year, "stage": stage,
    })


# -- assessments (R-55) --------------------------------------------------------------------------------------

@login_required
def assessment_index(request):
    qs = selectors.assessment_list(user=request.user).order_by("-year", "cadre__village__code")
    flt = selectors.CadreRecordFilter(request.GET or None, queryset=qs, user=request.user)
    result = request.GET.get("result")
    items = _filter_form(request, flt)
    if result:
        items = items.filter(result=result)
    from supervision.models import Assessment

    return render(request, "supervision/assessment_list.html", {
        "filter": flt, "page_obj": _page(request, items), "results": Assessment.Result.choices, "result": result,
        "can_create": get_scope(request.user).has_any(Role.TOWNSHIP_PARTY),
    })


@login_required
def assessment_create(request):
    scope = get_scope(request.user)
    if not scope.has_any(Role.TOWNSHIP_PARTY):
        raise PermissionDenied(_("年底资格评估由乡（镇）党委登记。"))
    now = today()
    form = forms.AssessmentForm(request.POST or None, cadres=_recordable_cadres(request), initial={
        "cadre": request.GET.get("cadre"), "year": forms.default_year(now), "assessed_on": now})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            scope.require(selectors.TOWNSHIP_RECORDERS, village=d["cadre"].village)
            row = services.assessment_record(by=request.user, **d)
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
    return render(request, "supervision/form.html", {"form": form, "title": _("登记年底资格评估"),
                                                     "back": reverse("supervision:assessment_list")})


# -- commitments (R-54) ----------------------------------------------------------------------------------------

@login_required
def commitment_index(request):
    qs = selectors.commitment_list(user=request.user).order_by("-year", "cadre__village__code")
    flt = selectors.CadreRecordFilter(request.GET or None, queryset=qs, user=request.user)
    return render(request, "supervision/commitment_list.html", {
        "filter": flt, "page_obj": _page(request, _filter_form(request, flt)),
        "can_create": get_scope(request.user).has_any(Role.TOWNSHIP_PARTY),
    })


@login_required
def commitment_edit(request, pk=None):
    scope = get_scope(request.user)
    row = get_object_or_404(selectors.commitment_list(user=request.user), pk=pk) if pk else None
    if row is not None:
        scope.require(selectors.TOWNSHIP_RECORDERS, village=row.cadre.village)
        form = forms.CommitmentForm(request.POST or None, initial={
            "promises": row.promises, "results": row.results, "evaluation": row.evaluation,
            "evaluation_note": row.evaluation_note})
    else:
        if not scope.has_any(Role.TOWNSHIP_PARTY):
            raise PermissionDenied(_("承诺践诺由乡（镇）党委登记。"))
        form = forms.CommitmentNewForm(request.POST or None, cadres=_recordable_cadres(request),
                                       initial={"year": today().year, "cadre": request.GET.get("cadre")})
    if request.method == "POST" and form.is_valid():
        d = dict(form.cleaned_data)
        cadre = row.cadre if row else d.pop("cadre")
        year = row.year if row else d.pop("year")
        try:
            scope.require(selectors.TOWNSHIP_RECORDERS, village=cadre.village)
            services.commitment_save(cadre=cadre, year=year, by=request.user, **d)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect("supervision:commitment_list")
    title = _("承诺践诺：%(n)s %(y)s年") % {"n": row.cadre.name, "y": row.year} if row else _("登记年度承诺")
    return render(request, "supervision/form.html", {"form": form, "title": title,
                                                     "back": reverse("supervision:commitment_list")})


# -- pairing and groups (R-50) ----------------------------------------------------------------------------------

@login_required
def pairing_index(request):
    qs = selectors.pairing_overview(user=request.user)
    township_id = _int(request.GET.get("township"))
    if township_id:
        qs = qs.filter(village__township_id=township_id)
    q = (request.GET.get("q") or "").strip()
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(village__name__icontains=q))
    if request.GET.get("missing"):
        qs = qs.filter(selectors.missing_pair_q())
    return render(request, "supervision/pairing_list.html", {
        "page_obj": _page(request, qs), "townships": township_list(user=request.user), "township_id": township_id,
        "missing_count": selectors.pairing_missing(user=request.user).count(),
        "can_edit": get_scope(request.user).has_any(Role.TOWNSHIP_PARTY),
    })


@login_required
def pairing_edit(request, cadre_pk):
    from core.models import User

    cadre = get_object_or_404(cadre_list(user=request.user), pk=cadre_pk)
    get_scope(request.user).require(selectors.TOWNSHIP_RECORDERS, village=cadre.village,
                                    message=_("结对帮带由本乡（镇）党委安排。"))
    from core.models import RoleAssignment

    township = cadre.village.township
    leader_ids = RoleAssignment.objects.filter(is_active=True).filter(
        services.models_q_township(township, Role)).values("user_id")
    leaders = User.objects.filter(pk__in=leader_ids).order_by("full_name")
    pairing = getattr(cadre, "pairing", None) if hasattr(cadre, "pairing") else None
    initial = {}
    if pairing:
        initial = {"contact_leader": pairing.contact_leader_id, "paired_user": pairing.paired_user_id,
                   "paired_name": pairing.paired_name,
                   "paired_post": pairing.paired_post, "note": pairing.note}
    from core.selectors import users_with_role

    village_users = users_with_role(Role.VILLAGE_SECRETARY, village=cadre.village).order_by("full_name")
    form = forms.PairingForm(request.POST or None, leaders=leaders, village_users=village_users, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.pairing_set(cadre=cadre, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已保存%(n)s的结对帮带。") % {"n": cadre.name})
            return redirect("supervision:pairing_list")
    return render(request, "supervision/form.html", {
        "form": form, "title": _("结对帮带：%(n)s（%(v)s）") % {"n": cadre.name, "v": cadre.village},
        "back": reverse("supervision:pairing_list")})


@login_required
def group_index(request):
    qs = selectors.area_group_list(user=request.user).order_by("township__code", "name")
    township_id = _int(request.GET.get("township"))
    if township_id:
        qs = qs.filter(township_id=township_id)
    q = (request.GET.get("q") or "").strip()
    if q:
        qs = qs.filter(name__icontains=q)
    return render(request, "supervision/group_list.html", {
        "page_obj": _page(request, qs), "townships": township_list(user=request.user), "township_id": township_id,
        "can_create": get_scope(request.user).has_any(Role.TOWNSHIP_PARTY),
    })


@login_required
def group_edit(request, pk=None):
    scope = get_scope(request.user)
    group = get_object_or_404(selectors.area_group_list(user=request.user), pk=pk) if pk else None
    if group:
        scope.require(selectors.TOWNSHIP_RECORDERS, township=group.township)
    elif not scope.has_any(Role.TOWNSHIP_PARTY):
        raise PermissionDenied(_("片区小组由乡（镇）党委设立。"))
    initial = {"township": group.township_id, "name": group.name, "leader": group.leader, "note": group.note,
               "members": list(group.members.values_list("pk", flat=True))} if group else {}
    form = forms.AreaGroupForm(request.POST or None, townships=_managed_townships(request),
                               cadres=_recordable_cadres(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            scope.require(selectors.TOWNSHIP_RECORDERS, township=d["township"])
            group = services.area_group_save(group=group, by=request.user, **d)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已保存片区小组“%(n)s”。") % {"n": group.name})
            return redirect("supervision:group_detail", pk=group.pk)
    return render(request, "supervision/form.html", {"form": form, "title": _("片区小组"),
                                                     "back": reverse("supervision:group_list")})


@login_required
def group_detail(request, pk):
    group = get_object_or_404(selectors.area_group_list(user=request.user), pk=pk)
    scope = get_scope(request.user)
    can_edit = scope.can(selectors.TOWNSHIP_RECORDERS, township=group.township)
    form = forms.GroupActivityForm(request.POST or None, initial={"held_on": today()})
    if request.method == "POST":
        scope.require(selectors.TOWNSHIP_RECORDERS, township=group.township)
        if form.is_valid():
            try:
                services.group_activity_record(group=group, by=request.user, **form.cleaned_data)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("已登记活动。"))
                return redirect("supervision:group_detail", pk=group.pk)
    return render(request, "supervision/group_detail.html", {
        "group": group, "members": group.members.select_related("village").order_by("village__code", "name"),
        "activities": _page(request, group.activities.all()), "form": form, "can_edit": can_edit,
    })


# -- training (R-51) ---------------------------------------------------------------------------------------

@login_required
def training_index(request):
    qs = selectors.training_session_list(user=request.user).order_by("-held_on", "-pk")
    township_id = _int(request.GET.get("township"))
    if township_id:
        qs = qs.filter(township_id=township_id)
    kind = request.GET.get("kind")
    if kind:
        qs = qs.filter(kind=kind)
    q = (request.GET.get("q") or "").strip()
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(place__icontains=q))
    from supervision.models import TrainingKind

    return render(request, "supervision/training_list.html", {
        "page_obj": _page(request, qs), "townships": township_list(user=request.user), "township_id": township_id,
        "kinds": TrainingKind.choices, "kind": kind,
        "can_create": get_scope(request.user).has_any(Role.TOWNSHIP_PARTY),
    })


@login_required
def training_create(request):
    scope = get_scope(request.user)
    if not scope.has_any(Role.TOWNSHIP_PARTY):
        raise PermissionDenied(_("培训由乡（镇）党委组织登记。"))
    form = forms.TrainingForm(request.POST or None, townships=_managed_townships(request),
                              initial={"held_on": today()})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            scope.require(selectors.TOWNSHIP_RECORDERS, township=d["township"])
            session = services.training_session_save(by=request.user, **d)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已登记培训，请勾选参加人员。"))
            return redirect("supervision:training_detail", pk=session.pk)
    return render(request, "supervision/form.html", {"form": form, "title": _("登记“清雁竞飞”培训"),
                                                     "back": reverse("supervision:training_list")})


@login_required
def training_detail(request, pk):
    session = get_object_or_404(selectors.training_session_list(user=request.user), pk=pk)
    scope = get_scope(request.user)
    can_edit = scope.can(selectors.TOWNSHIP_RECORDERS, township=session.township)
    cadres = list(cadre_list(user=request.user).filter(village__township=session.township).filter(
        Q(status=Cadre.Status.ACTIVE) | Q(training_attendance__session=session)).distinct()
        .order_by("village__code", "name"))
    marked = {a.cadre_id: a for a in session.attendance.all()}
    if request.method == "POST":
        scope.require(selectors.TOWNSHIP_RECORDERS, township=session.township)
        chosen = {int(x) for x in request.POST.getlist("present") if x.isdigit()}
        present = [c for c in cadres if c.pk in chosen]
        absent = [c for c in cadres if c.pk not in chosen and c.status == Cadre.Status.ACTIVE]
        try:
            services.training_attendance_set(session=session, present_cadres=present, absent_cadres=absent,
                                             by=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("已保存出勤：到场 %(n)s 人。") % {"n": len(present)})
            return redirect("supervision:training_detail", pk=session.pk)
    rows = [{"cadre": c, "att": marked.get(c.pk)} for c in cadres]
    return render(request, "supervision/training_detail.html", {"session": session, "rows": rows,
                                                                "can_edit": can_edit})


# -- discipline cases (R-30, R-31) ------------------------------------------------------------------------------

@login_required
def case_index(request):
    qs = discipline_case_list(user=request.user).order_by("-opened_on", "-pk")
    status = request.GET.get("status")
    category = request.GET.get("category")
    township_id = _int(request.GET.get("township"))
    q = (request.GET.get("q") or "").strip()
    if status:
        qs = qs.filter(status=status)
    if category:
        qs = qs.filter(category=category)
    if township_id:
        qs = qs.filter(cadre__village__township_id=township_id)
    if q:
        qs = qs.filter(Q(cadre__name__icontains=q) | Q(details__icontains=q))
    return render(request, "supervision/case_list.html", {
        "page_obj": _page(request, qs), "statuses": DisciplineCase.Status.choices, "categories": CASE_CATEGORIES,
        "townships": township_list(user=request.user), "township_id": township_id, "status": status,
        "category": category, "can_create": get_scope(request.user).has_any(*selectors.CASE_MANAGERS),
    })


@login_required
def case_create(request):
    scope = get_scope(request.user)
    if not scope.has_any(*selectors.CASE_MANAGERS):
        raise PermissionDenied(_("只有县委组织部或乡（镇）党委可以立案。"))
    cadres = cadre_list(user=request.user).filter(status=Cadre.Status.ACTIVE).order_by("village__code", "name")
    cadres = cadres.filter(scope.q_holding(selectors.CASE_MANAGERS, village="village"))
    form = forms.CaseOpenForm(request.POST or None, cadres=cadres,
                              initial={"opened_on": today(), "cadre": request.GET.get("cadre")})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            scope.require(selectors.CASE_MANAGERS, village=d["cadre"].village)
            case, _created = cadre_services.discipline_case_open(by=request.user, **d)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已立案。"))
            return redirect("supervision:case_detail", pk=case.pk)
    return render(request, "supervision/form.html", {"form": form, "title": _("纪律案件立案"),
                                                     "back": reverse("supervision:case_list")})


@login_required
def case_detail(request, pk):
    case = get_object_or_404(discipline_case_list(user=request.user), pk=pk)
    scope = get_scope(request.user)
    can_decide = scope.can(selectors.CASE_MANAGERS, village=case.cadre.village) and \
        case.status == DisciplineCase.Status.OPEN
    form = forms.CaseDecideForm(request.POST or None, initial={"decided_on": today()})
    if request.method == "POST":
        scope.require(selectors.CASE_MANAGERS, village=case.cadre.village)
        if form.is_valid():
            try:
                cadre_services.discipline_case_decide(case=case, by=request.user, **form.cleaned_data)
            except ValidationError as exc:
                apply_errors(form, exc)
            except Conflict as exc:
                messages.error(request, exc.message)
                return redirect("supervision:case_detail", pk=case.pk)
            else:
                messages.success(request, _("已办结。"))
                return redirect("supervision:case_detail", pk=case.pk)
    ctx = {"case": case, "form": form, "can_decide": can_decide}
    if scope.can({Role.COUNTY_ORG}, village=case.cadre.village):
        ctx["history"] = history_rows(case)
    return render(request, "supervision/case_detail.html", ctx)


# -- notices (R-56) ---------------------------------------------------------------------------------------

@login_required
def notice_index(request):
    qs = selectors.notice_list(user=request.user).order_by("-issued_on", "-pk")
    flt = selectors.NoticeFilter(request.GET or None, queryset=qs, user=request.user)
    items = _filter_form(request, flt)
    if request.GET.get("overdue"):
        items = items.filter(status=Notice.Status.OPEN, due_on__lt=today())
    return render(request, "supervision/notice_list.html", {
        "filter": flt, "page_obj": _page(request, items), "today": today(),
        "can_create": get_scope(request.user).has_any(Role.COUNTY_ORG),
    })


@login_required
def notice_create(request):
    """R-56. Accepts initial values from GET: township, village (ids), title, body, due_on (the payroll
    app links here to draft a notice about unpaid stipends)."""
    scope = get_scope(request.user)
    counties = [c for c in county_list(user=request.user) if scope.can({Role.COUNTY_ORG}, county=c)]
    if not counties:
        raise PermissionDenied(_("只有县委组织部可以发出通报。"))
    county_ids = [c.pk for c in counties]
    townships = township_list(user=request.user).filter(county_id__in=county_ids).order_by("code")
    villages = village_list(user=request.user).filter(township__county_id__in=county_ids).order_by("code")
    initial = {k: request.GET.get(k) for k in ("township", "village", "title", "body", "due_on") if request.GET.get(k)}
    if initial.get("village") and not initial.get("township"):
        v = villages.filter(pk=_int(initial["village"])).first()
        if v:
            initial["township"] = v.township_id
    initial.setdefault("due_on", today() + dt.timedelta(days=15))
    form = forms.NoticeForm(request.POST or None, townships=townships, villages=villages, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        unit = d.get("village") or d.get("township")
        county = unit.township.county if d.get("village") else unit.county
        try:
            scope.require({Role.COUNTY_ORG}, county=county)
            notice = services.notice_issue(county=county, township=d.get("township"), village=d.get("village"),
                                           title=d["title"], body=d["body"], due_on=d["due_on"], by=request.user)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("通报已发出，被通报单位已收到通知。"))
            return redirect("supervision:notice_detail", pk=notice.pk)
    return render(request, "supervision/form.html", {"form": form, "title": _("发出通报"),
                                                     "back": reverse("supervision:notice_list")})


@login_required
def notice_detail(request, pk):
    notice = get_object_or_404(selectors.notice_list(user=request.user), pk=pk)
    scope = get_scope(request.user)
    roles, unit = selectors.notice_recipient_roles(notice)
    can_answer = scope.can(roles, **unit) and notice.status != Notice.Status.CLOSED
    can_close = scope.can({Role.COUNTY_ORG}, county=notice.county) and notice.status == Notice.Status.ANSWERED
    answer_form = forms.NoticeAnswerForm(request.POST if request.POST.get("action") == "answer" else None,
                                         initial={"answer": notice.answer})
    close_form = forms.NoticeCloseForm(request.POST if request.POST.get("action") == "close" else None)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "answer":
                scope.require(roles, **unit, message=_("只有被通报的单位可以反馈整改情况。"))
                if answer_form.is_valid():
                    services.notice_answer(notice=notice, answer=answer_form.cleaned_data["answer"], by=request.user)
                    messages.success(request, _("已反馈整改情况，等待县委组织部销号。"))
                    return redirect("supervision:notice_detail", pk=notice.pk)
            elif action == "close":
                scope.require({Role.COUNTY_ORG}, county=notice.county, message=_("只有县委组织部可以销号。"))
                if close_form.is_valid():
                    services.notice_close(notice=notice, note=close_form.cleaned_data["note"], by=request.user)
                    messages.success(request, _("已销号。"))
                    return redirect("supervision:notice_detail", pk=notice.pk)
        except ValidationError as exc:
            apply_errors(answer_form if action == "answer" else close_form, exc)
        except Conflict as exc:
            messages.error(request, exc.message)
            return redirect("supervision:notice_detail", pk=notice.pk)
    ctx = {"notice": notice, "can_answer": can_answer, "can_close": can_close, "answer_form": answer_form,
           "close_form": close_form, "overdue": notice.status == Notice.Status.OPEN and policies.notice_overdue(
               due_on=notice.due_on, as_of=today())}
    if scope.can({Role.COUNTY_ORG}, county=notice.county):
        ctx["history"] = history_rows(notice)
    return render(request, "supervision/notice_detail.html", ctx)


# -- unpaid stipends (R-44, from the payroll app) -------------------------------------------------------------

@login_required
def unpaid(request):
    qs = selectors.unpaid_lines(user=request.user, as_of=_as_of(request))
    township_id = _int(request.GET.get("township"))
    if qs is not None:
        qs = qs.select_related("cadre", "cadre__village", "cadre__village__township", "run")
        if township_id:
            qs = qs.filter(cadre__village__township_id=township_id)
        qs = qs.order_by("cadre__village__code", "run__month")
    return render(request, "supervision/unpaid.html", {
        "available": qs is not None, "page_obj": _page(request, qs) if qs is not None else None,
        "townships": township_list(user=request.user), "township_id": township_id,
        "can_notice": get_scope(request.user).has_any(Role.COUNTY_ORG),
    })


# -- ledger and dossier -----------------------------------------------------------------------------

def ledger_params(request) -> dict:
    """The ledger's filters; a year outside 2000–2100 is a ValidationError the caller reports."""
    from django.core.exceptions import ValidationError

    status = request.GET.get("status") or None
    if status not in (None, *Cadre.Status.values):
        status = None
    year = _int(request.GET.get("year")) or today().year
    if not 2000 <= year <= 2100:
        raise ValidationError({"year": [_("年度须在2000至2100之间。")]})
    return {"year": year, "township_id": _int(request.GET.get("township")),
            "status": status, "q": (request.GET.get("q") or "").strip() or None}


def ledger_export(request, params: dict, fmt: str):
    """R-06: the ledger as a streamed Excel file or a PDF, with the same filters as the page."""
    from supervision import exports

    scope = get_scope(request.user)
    rows = selectors.ledger_rows(user=request.user, **params)
    pay_known = selectors.pay_available()
    full = scope.sees_personal_data  # asked per row with the row's county (a user may be county_org of one only)
    title = _("村级后备干部信息台账（%(y)s年度）") % {"y": params["year"]}
    name = f"信息台账-{params['year']}"
    if fmt == "xlsx":
        def pay(cadre_ids):  # per chunk of rows: the pay figures of every cadre never sit in memory at once
            return selectors.pay_summary(user=request.user, cadre_ids=cadre_ids, year=params["year"]) \
                if pay_known else {}

        return exports.ledger_xlsx_response(rows, year=params["year"], title=title, pay=pay, full_personal=full,
                                            pay_known=pay_known, filename=f"{name}.xlsx")
    pay = selectors.pay_summary(user=request.user, year=params["year"]) if pay_known else {}
    values = [exports.ledger_values(c, i, pay=pay, full_personal=full, pay_known=pay_known)
              for i, c in enumerate(rows, start=1)]
    content = render_pdf("pdf/supervision_ledger.html", {
        "title": title, "headers": exports.LEDGER_HEADERS, "rows": values, "generated": today()})
    return pdf_response(content, f"{name}.pdf")


@login_required
def ledger(request):
    scope = get_scope(request.user)
    if scope.cadre_ids and not (scope.county_roles or scope.township_roles or scope.village_roles):
        raise PermissionDenied(_("信息台账供县、乡（镇）、村工作人员查看。"))
    try:
        params = ledger_params(request)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect("supervision:ledger")
    fmt = request.GET.get("export")
    if fmt in ("xlsx", "pdf"):
        return ledger_export(request, params, fmt)
    rows = selectors.ledger_rows(user=request.user, **params)
    page = _page(request, rows, 50)
    pay_known = selectors.pay_available()
    pay = selectors.pay_summary(user=request.user, cadre_ids=[c.pk for c in page], year=params["year"]) \
        if pay_known else {}
    for c in page:
        c.pay = pay.get(c.pk, {})
    return render(request, "supervision/ledger.html", {
        "page_obj": page, "params": params, "townships": township_list(user=request.user),
        "statuses": Cadre.Status.choices, "pay_known": pay_known, "query": request.GET.urlencode(),
    })


def _dossier_context(request, cadre):
    user = request.user
    year = today().year
    pairing = selectors.pairing_list(user=user).filter(cadre=cadre).first()
    pay_lines = selectors.pay_lines_for(user=user, cadre=cadre)
    pay = selectors.pay_summary(user=user, cadre_ids=[cadre.pk]).get(cadre.pk) if selectors.pay_available() else None
    attachments = list(selectors.attachment_list(user=user).filter(cadre=cadre).order_by("start_date"))
    by_year: dict[int, int] = {}
    for a in attachments:
        by_year[a.start_date.year] = by_year.get(a.start_date.year, 0) + a.days
    return {
        "cadre": cadre, "pairing": pairing, "year": year,
        "groups": cadre.area_groups.select_related("township").all(),
        "training": selectors.training_attendance_list(user=user).filter(cadre=cadre).order_by("-session__held_on"),
        "attachments": attachments, "attachment_years": sorted(by_year.items()),
        "talks": selectors.talk_list(user=user).filter(cadre=cadre).order_by("-held_on"),
        "commitments": selectors.commitment_list(user=user).filter(cadre=cadre).order_by("-year"),
        "assessments": selectors.assessment_list(user=user).filter(cadre=cadre).order_by("-year"),
        "cases": discipline_case_list(user=user).filter(cadre=cadre).order_by("-opened_on"),
        "pay_available": selectors.pay_available(), "pay": pay, "pay_lines": pay_lines,
        "setting": selectors.setting_for(cadre.village.township.county_id),
        "full_personal": get_scope(user).sees_personal_data(cadre.village.township.county_id),
    }


@login_required
def cadre_file(request, pk):
    """一人一档 on screen, with links to record what is missing."""
    cadre = get_object_or_404(cadre_list(user=request.user), pk=pk)
    scope = get_scope(request.user)
    ctx = _dossier_context(request, cadre)
    ctx["can_township"] = scope.can(selectors.TOWNSHIP_RECORDERS, village=cadre.village)
    ctx["can_village"] = scope.can(selectors.VILLAGE_RECORDERS, village=cadre.village)
    return render(request, "supervision/cadre_file.html", ctx)


@login_required
def dossier_pdf(request, pk):
    cadre = get_object_or_404(cadre_list(user=request.user), pk=pk)
    ctx = _dossier_context(request, cadre)
    from core.personal import shown

    ctx["id_number"] = shown(cadre.id_number, "id_number", full=ctx["full_personal"])
    ctx["phone"] = shown(cadre.phone, "phone", full=ctx["full_personal"])
    ctx["generated"] = today()
    content = render_pdf("pdf/supervision_dossier.html", ctx)
    return pdf_response(content, f"一人一档-{cadre.name}.pdf")


@login_required
def settings_edit(request):
    scope = get_scope(request.user)
    counties = [c for c in county_list(user=request.user) if scope.can({Role.COUNTY_ORG}, county=c)]
    if not counties:
        raise PermissionDenied(_("只有县委组织部可以修改设置。"))
    county = counties[0]
    setting = selectors.setting_for(county)
    form = forms.SettingForm(request.POST or None, instance=setting)
    if request.method == "POST" and form.is_valid():
        try:
            services.setting_update(county=county, by=request.user, **{
                k: form.cleaned_data[k] for k in form.Meta.fields})
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已保存设置。"))
            return redirect("supervision:dashboard")
    return render(request, "supervision/form.html", {"form": form, "title": _("培养监督设置（%(c)s）") % {"c": county},
                                                     "back": reverse("supervision:dashboard")})

