"""County_org pages: the org tree with quotas, and accounts with their roles."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import selectors, services
from core.errors import Conflict
from core.forms import QuotaForm, UserCreateForm
from core.lists import AccountFilter, AccountTable
from core.models import County, RoleAssignment
from core.permissions import can_view_org_tree, enforce, is_county_org
from core.registry import active_cadres_count
from core.roles import Role
from core.scope import get_scope
from core.tables import table_page
from core.web import apply_errors, require_county_org, safe_next


def _require_org(user):
    require_county_org(user, _("只有县委组织部可以维护区划和账号。"))


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


@login_required
def accounts(request):
    _require_org(request.user)
    qs = selectors.user_list(user=request.user).prefetch_related(
        Prefetch("role_assignments", queryset=RoleAssignment.objects.filter(is_active=True).select_related(
            "county", "township", "village"), to_attr="active_roles")).order_by("username")
    filterset = AccountFilter(request.GET or None, queryset=qs)
    table = AccountTable(filterset.qs if filterset.is_bound and filterset.is_valid() else qs, request=request)
    export = table_page(request, table, key="accounts", filename=_("账号与角色"))
    if export is not None:
        return export
    return render(request, "core/accounts.html", {"table": table, "filter": filterset})


@login_required
def account_create(request):
    _require_org(request.user)
    townships = selectors.township_list(user=request.user)
    villages = selectors.village_list(user=request.user)
    form = UserCreateForm(request.POST or None, townships=townships, villages=villages)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        counties = get_scope(request.user).counties_holding(Role.COUNTY_ORG)
        county = County.objects.get(pk=counties[0]) if counties else None
        try:
            with transaction.atomic():
                user = services.user_create(username=d["username"], password=d["password"], full_name=d["full_name"],
                                            phone=d["phone"], by=request.user)
                services.role_assign(user=user, role=d["role"], by=request.user,
                                     county=county if d["role"] in (
                                         Role.COUNTY_ORG, Role.COUNTY_FINANCE, Role.COUNTY_HRSS) else None,
                                     township=d["township"] if d["role"] == Role.TOWNSHIP_PARTY else None,
                                     village=d["village"] if d["role"] in (
                                         Role.TOWNSHIP_LIAISON, Role.VILLAGE_SECRETARY) else None)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已创建账号“%(u)s”。首次登录时须修改初始密码。") % {"u": user.username})
            return redirect("accounts")
    return render(request, "core/account_form.html", {"form": form})


@login_required
@require_POST
def role_revoke(request, pk):
    _require_org(request.user)
    assignment = get_object_or_404(selectors.role_assignment_list(user=request.user), pk=pk)
    try:
        services.role_revoke(assignment=assignment, by=request.user)
    except Conflict as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已撤销：%(a)s。") % {"a": assignment})
    return redirect("accounts")
