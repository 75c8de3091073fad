from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cadres import imports as cadre_imports
from cadres import permissions, services
from cadres.forms import CadreForm, DisqualifyForm, LeaveForm, LinkUserForm, ReinstateForm
from cadres.models import Cadre
from cadres.permissions import manageable_villages_q
from cadres.selectors import (
    CadreFilter,
    cadre_account_candidates,
    cadre_list,
)
from cadres.web import flash_reinstated
from core.audit import log_personal_data
from core.filters import TownshipPick
from core.imports import ImportKind, import_views
from core.listexport import filtered_list_view, list_page
from core.registry import cadre_tabs
from core.scope import get_scope
from core.selectors import vacancy_list, village_list
from core.web import apply_errors, int_param, submit

cadre_index = filtered_list_view(lambda user: cadre_list(user=user).order_by("village__code", "name", "pk"),
                                 "cadres/cadre_list.html", CadreFilter, 25, may_create=permissions.can_register_cadres)


@login_required
def cadre_detail(request, pk):
    """The cadre's page (issue 17): server-rendered tabs, ``?tab=<key>``; each tab is provided by the app that
    owns its data (``core.registry.cadre_tab``), offered only to whom it may show, and only the shown tab's
    context is read. An unknown or hidden tab shows 基本信息 with a message."""
    cadre = get_object_or_404(cadre_list(user=request.user), pk=pk)
    scope = get_scope(request.user)
    tabs = [t for t in cadre_tabs() if t.shown_to(scope, cadre)]
    wanted = request.GET.get("tab") or tabs[0].key
    active = next((t for t in tabs if t.key == wanted), None)
    if active is None:
        messages.info(request, _("没有这个栏目，已显示基本信息。"))
        active = tabs[0]
    ctx = {"cadre": cadre, "tabs": tabs, "active": active}
    ctx.update(active.context(request, cadre, scope))
    if active.key in ("profile", "history"):  # both show the full ID number and phone to county users
        _log_full_view(request, scope, cadre, _("干部信息页"))
    return render(request, "cadres/cadre_detail.html", ctx)


def _log_full_view(request, scope, cadre, what) -> None:
    """Issue 14 item 5: a page that shows this cadre's full ID number and phone is in the personal-data log."""
    if scope.sees_personal_data(cadre.village.township.county_id):
        log_personal_data(request, kind="pd_cadre_view", what=f"{what}：{cadre.name}", people=1,
                          fields=("id_number", "phone"), subjects=[(cadre.pk, cadre.name)],
                          scope_label=f"{cadre.village.township.name}{cadre.village.name}")


#: kept for payroll.views, which still imports it from here (its helper moves it to cadres.permissions)


@login_required
def cadre_create(request):
    scope = get_scope(request.user)
    permissions.deny_unless(permissions.can_register_cadres(scope), permissions.CREATE_DENIED)
    villages = village_list(user=request.user).filter(manageable_villages_q(scope))
    initial = {"village": request.GET.get("village")} if request.GET.get("village") else None
    form = CadreForm(request.POST or None, villages=villages, initial=initial)
    done = submit(request, form, lambda d: services.cadre_create(by=request.user, **d),
                  done=lambda cadre: _("已登记后备干部“%(n)s”。") % {"n": cadre.name},
                  to=lambda cadre: reverse("cadres:detail", args=[cadre.pk]))
    return done or render(request, "cadres/cadre_form.html", {"form": form, "title": _("登记后备干部")})


@login_required
def cadre_edit(request, pk):
    cadre = get_object_or_404(cadre_list(user=request.user), pk=pk)
    scope = get_scope(request.user)
    permissions.deny_unless(permissions.can_manage_cadre(scope, cadre))
    villages = village_list(user=request.user).filter(manageable_villages_q(scope))
    form = CadreForm(request.POST or None, instance=cadre, villages=villages,
                     full_personal=scope.sees_personal_data(cadre.village.township.county_id))
    done = submit(request, form, lambda d: services.cadre_update(cadre=Cadre.objects.get(pk=cadre.pk), by=request.user, **d),
                  done=_("已保存。"), to=reverse("cadres:detail", args=[cadre.pk]))
    if done:
        return done
    if request.method != "POST":
        _log_full_view(request, scope, cadre, _("编辑页"))
    return render(request, "cadres/cadre_form.html", {"form": form, "cadre": cadre, "title": _("编辑后备干部")})


@login_required
def cadre_link_user(request, pk):
    """The cadre's own login: link an account or unlink it (services.cadre_link_user)."""
    cadre = get_object_or_404(cadre_list(user=request.user), pk=pk)
    permissions.deny_unless(permissions.can_manage_cadre(get_scope(request.user), cadre), permissions.LINK_DENIED)
    form = LinkUserForm(request.POST or None, initial={"user": cadre.user_id},
                        candidates=cadre_account_candidates(cadre=cadre, by=request.user))
    if request.method == "POST" and form.is_valid():
        try:
            cadre = services.cadre_link_user(cadre=cadre, user=form.cleaned_data["user"], by=request.user)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            if cadre.user_id:
                messages.success(request, _("已关联登录账号“%(u)s”。") % {"u": cadre.user.username})
            else:
                messages.success(request, _("已解除登录账号关联。"))
            return redirect("cadres:detail", pk=cadre.pk)
    return render(request, "cadres/cadre_link_user.html", {"form": form, "cadre": cadre},
                  status=400 if form.errors else 200)


def _leave_view(*, form_class, action, title):
    """The page that ends a cadre's service one way (``action``, a service): its form, then back to the cadre."""

    @login_required
    def view(request, pk):
        cadre = get_object_or_404(cadre_list(user=request.user), pk=pk)
        permissions.deny_unless(permissions.can_manage_cadre(get_scope(request.user), cadre))
        form = form_class(request.POST or None)
        back = reverse("cadres:detail", args=[cadre.pk])
        done = submit(request, form, lambda d: action(cadre=cadre, by=request.user, **d),
                      done=_("已办理：%(t)s。") % {"t": title}, to=back, conflict_to=back)
        return done or render(request, "cadres/cadre_action.html", {"form": form, "cadre": cadre, "title": title})

    return view


cadre_disqualify = _leave_view(form_class=DisqualifyForm, action=services.cadre_disqualify,
                               title=gettext_lazy("取消资格"))
cadre_resign = _leave_view(form_class=LeaveForm, action=services.cadre_resign, title=gettext_lazy("主动辞职"))
cadre_promote = _leave_view(form_class=LeaveForm, action=services.cadre_promote, title=gettext_lazy("进入村“两委”"))


@login_required
def cadre_reinstate(request, pk):
    """Issue 13: 恢复资格 — county_org undoes a wrong disqualification (services.cadre_reinstate)."""
    cadre = get_object_or_404(cadre_list(user=request.user), pk=pk)
    permissions.deny_unless(permissions.can_reinstate_cadre(get_scope(request.user), cadre),
                            permissions.REINSTATE_DENIED)
    form = ReinstateForm(request.POST or None)
    back = reverse("cadres:detail", args=[cadre.pk])
    done = submit(request, form, lambda d: services.cadre_reinstate(cadre=cadre, by=request.user, **d),
                  done=_("已恢复“%(n)s”的后备干部资格，禁选限制已解除，报酬恢复发放。") % {"n": cadre.name},
                  to=back, conflict_to=back, then=lambda result: flash_reinstated(request, result))
    return done or render(request, "cadres/cadre_reinstate.html", {"form": form, "cadre": cadre},
                  status=400 if form.errors else 200)


@login_required
def vacancies(request):
    qs = vacancy_list(user=request.user, township_id=int_param(request, "township"))
    page = list_page(request, qs, 50)
    return render(request, "cadres/vacancies.html", {
        "page_obj": page, "townships": TownshipPick(user=request.user, data=request.GET),
        "can_create": permissions.can_register_cadres(get_scope(request.user)),
    })


# -- import from Excel (issue 14 item 3) ------------------------------------------------------

def _import_kind(request):
    permissions.deny_unless(permissions.can_register_cadres(get_scope(request.user)), permissions.CREATE_DENIED)
    return ImportKind(
        key="cadres", title=_("从Excel导入在岗后备干部"), columns=cadre_imports.COLUMNS, optional=cadre_imports.OPTIONAL,
        run=cadre_imports.cadres_import, template_url=reverse("cadres:import_template"),
        back_url=reverse("cadres:list"),
        steps=[_("下载模板，每行填一名已在岗的后备干部（模板第二页有填写说明）。")])


cadre_import, cadre_import_template = import_views(_import_kind, cadre_imports.template,
                                                  gettext_lazy("在岗后备干部导入模板.xlsx"))
