"""County_org pages: the org tree with quotas, and accounts with their roles."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import Prefetch, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core import account_imports, selectors, services
from core import accounts as accounts_service
from core.audit import history_rows
from core.forms import PasswordResetForm, QuotaForm, RoleGrantForm, UserCreateForm
from core.imports import ImportKind, import_views
from core.lists import AccountFilter, AccountTable
from core.models import County, RoleAssignment
from core.permissions import (
    TOWNSHIP_GRANTS,
    can_administer_accounts,
    can_manage_account,
    can_view_org_tree,
    enforce,
    is_county_org,
)
from core.registry import active_cadres_count
from core.roles import ROLE_TIER, Role, Tier
from core.scope import get_scope
from core.tables import table_page
from core.web import apply_errors, perform, safe_next, submit


@login_required
def org_tree(request):
    scope = get_scope(request.user)
    enforce(can_view_org_tree(scope), _("您的角色无权查看区划。"))
    villages = selectors.village_list(user=request.user).annotate(
        active=active_cadres_count())
    q = request.GET.get("q", "").strip()
    if q:
        villages = villages.filter(Q(name__icontains=q) | Q(township__name__icontains=q) | Q(code__startswith=q))
    townships = selectors.township_list(user=request.user).prefetch_related(
        Prefetch("villages", queryset=villages.order_by("code"), to_attr="shown"))
    return render(request, "core/org_tree.html", {"townships": townships, "can_edit": is_county_org(scope)})


@login_required
@require_POST
def village_quota(request, pk):
    village = get_object_or_404(selectors.village_list(user=request.user), pk=pk)
    form = QuotaForm(request.POST)
    if form.is_valid():
        services.village_update(village=village, quota=form.cleaned_data["quota"], by=request.user)
        messages.success(request, _("%(v)s的名额已改为 %(q)s。") % {"v": village, "q": form.cleaned_data["quota"]})
    else:
        messages.error(request, _("名额须为 0 到 20 之间的整数。"))
    return redirect(f"{safe_next(request, reverse('org_tree')).split('#')[0]}#v{village.pk}")


def _require_admin(user):
    enforce(can_administer_accounts(get_scope(user)),
            _("账号由县委组织部（本县）和乡（镇）党委（本乡（镇）各村书记、包村领导）管理。"))


def _with_roles(qs):
    return qs.prefetch_related(Prefetch("role_assignments", queryset=RoleAssignment.objects.filter(
        is_active=True).select_related("county", "township", "village"), to_attr="active_roles"))


@login_required
def accounts(request):
    """Issue 14 item 4: the accounts a county_org (the county) or township party committee (its villages'
    secretaries and liaisons) manages, with roles, last sign-in and whether the account is locked."""
    _require_admin(request.user)
    qs = _with_roles(selectors.account_list(user=request.user)).order_by("username")
    filterset = AccountFilter(request.GET or None, queryset=qs)
    table = AccountTable(filterset.qs if filterset.is_bound and filterset.is_valid() else qs)
    export = table_page(request, table, key="accounts", filename=_("账号与角色"))
    if export is not None:
        return export
    return render(request, "core/accounts.html", {"table": table, "filter": filterset})


def _grant_units(user):
    """The townships and villages where ``user`` may give roles: a county_org its county's, a township party
    committee only its own villages."""
    scope = get_scope(user)
    townships = selectors.township_list(user=user)
    villages = selectors.village_list(user=user)
    if not (scope.is_superuser or scope.counties_holding(Role.COUNTY_ORG)):
        townships = townships.none()
        villages = villages.filter(township_id__in=scope.townships_holding(Role.TOWNSHIP_PARTY))
    roles = None if (scope.is_superuser or scope.counties_holding(Role.COUNTY_ORG)) else TOWNSHIP_GRANTS
    return townships, villages, roles


def _unit_kwargs(user, role, township, village):
    counties = get_scope(user).counties_holding(Role.COUNTY_ORG)
    county = County.objects.get(pk=counties[0]) if counties else None
    return {"county": county if ROLE_TIER.get(role) == Tier.COUNTY else None,
            "township": township if ROLE_TIER.get(role) == Tier.TOWNSHIP else None,
            "village": village if ROLE_TIER.get(role) == Tier.VILLAGE else None}


@login_required
def account_create(request):
    _require_admin(request.user)
    townships, villages, roles = _grant_units(request.user)
    form = UserCreateForm(request.POST or None, townships=townships, villages=villages, roles=roles)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            user = accounts_service.account_create(
                username=d["username"], password=d["password"], full_name=d["full_name"], phone=d["phone"],
                role=d["role"], by=request.user, **_unit_kwargs(request.user, d["role"], d["township"], d["village"]))
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已创建账号“%(u)s”。首次登录时须修改初始密码。") % {"u": user.username})
            return redirect("account", pk=user.pk)
    return render(request, "core/account_form.html", {"form": form})


def _account(request, pk):
    _require_admin(request.user)
    return get_object_or_404(_with_roles(selectors.account_list(user=request.user)), pk=pk)


def _detail(request, target, *, role_form=None, password_form=None, new_password="", status=200):
    scope = get_scope(request.user)
    assignments = accounts_service.active_assignments(target)
    townships, villages, roles = _grant_units(request.user)
    return render(request, "core/account_detail.html", {
        "target": target, "assignments": assignments,
        "can_manage": can_manage_account(scope, target, assignments),
        "lockout": accounts_service.lockout_state(target),
        "role_form": role_form or RoleGrantForm(townships=townships, villages=villages, roles=roles),
        "password_form": password_form or PasswordResetForm(),
        "new_password": new_password,
        "history": history_rows(target, full_personal=scope.sees_personal_data()),
    }, status=status)


@login_required
def account_detail(request, pk):
    return _detail(request, _account(request, pk))


@login_required
@require_POST
def account_password(request, pk):
    target = _account(request, pk)
    form = PasswordResetForm(request.POST)
    if form.is_valid():
        try:
            password = accounts_service.user_reset_password(user=target, by=request.user,
                                                            password=form.cleaned_data["password"])
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            # shown once on this page (not kept in a message or the URL); the user must change it at sign-in
            target.refresh_from_db()
            return _detail(request, target, new_password=password)
    return _detail(request, target, password_form=form, status=400)


@login_required
@require_POST
def account_unlock(request, pk):
    target = _account(request, pk)
    cleared = accounts_service.user_unlock(user=target, by=request.user)
    if cleared:
        messages.success(request, _("已解除“%(u)s”的登录锁定，可以立即登录。") % {"u": target.username})
    else:
        messages.info(request, _("“%(u)s”没有被锁定。") % {"u": target.username})
    return redirect("account", pk=target.pk)


@login_required
@require_POST
def account_active(request, pk):
    target = _account(request, pk)
    active = request.POST.get("active") == "1"
    perform(request, lambda: accounts_service.user_set_active(user=target, active=active, by=request.user),
            done=(_("已启用账号“%(u)s”。") if active else
                  _("已停用账号“%(u)s”：不能再登录，已登录的浏览器和接口令牌均已失效。")) % {"u": target.username})
    return redirect("account", pk=target.pk)


@login_required
@require_POST
def account_role(request, pk):
    """Give the account another role (a liaison a second village)."""
    target = _account(request, pk)
    townships, villages, roles = _grant_units(request.user)
    form = RoleGrantForm(request.POST, townships=townships, villages=villages, roles=roles)
    done = submit(request, form, lambda d: services.role_assign(
        user=target, role=d["role"], by=request.user,
        **_unit_kwargs(request.user, d["role"], d["township"], d["village"])),
        done=lambda ra: _("已分配：%(a)s。") % {"a": ra}, to=reverse("account", args=[target.pk]),
        conflict_on=NON_FIELD_ERRORS)
    return done or _detail(request, target, role_form=form, status=400)


@login_required
@require_POST
def role_revoke(request, pk):
    _require_admin(request.user)
    assignment = get_object_or_404(RoleAssignment.objects.filter(
        user__in=selectors.account_list(user=request.user)).select_related("user", "county", "township", "village"),
        pk=pk)
    perform(request, lambda: services.role_revoke(assignment=assignment, by=request.user),
            done=lambda _result: _("已撤销：%(a)s。") % {"a": assignment})
    return redirect(safe_next(request, reverse("accounts")))


# -- accounts from Excel (issue 14 item 3) ----------------------------------------------------

def _account_import_kind(request) -> ImportKind:
    _require_admin(request.user)
    return ImportKind(
        key="accounts", title=_("从Excel导入账号"), columns=account_imports.COLUMNS, run=account_imports.accounts_import,
        template_url=reverse("account_import_template"), back_url=reverse("accounts"),
        steps=[_("下载模板，每行填一个账号和它的一个角色（模板第二页有填写说明）。")])


account_import, account_import_template = import_views(_account_import_kind, account_imports.template,
                                                      gettext_lazy("账号导入模板.xlsx"))
