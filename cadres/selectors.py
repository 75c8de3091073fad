"""Scoped reads of cadres and discipline cases."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cadres.models import Cadre, DisciplineCase, Education, Post
from core.models import Township, Village
from core.roles import Role
from core.scope import get_scope

#: who may create, edit, disqualify and record resignation of a cadre (at the cadre's village)
CADRE_MANAGERS = (Role.COUNTY_ORG, Role.TOWNSHIP_PARTY)


def village_scope_q(*, user, village: str, cadre: str | None) -> Q:
    """The tier scope of ``core.scope.Scope.q`` (same rows), written so that a county-wide or province-wide
    scope is cheap: the villages in scope are the subquery ``core.selectors.village_list`` (the same three
    conditions on county, township and village roles) instead of joining every row up to the county.
    At 500,000 cadres this halves the provincial lists' COUNT(*) (issue 8, bench/README.md). A user with
    only township or village roles (a few dozen villages) keeps ``Scope.q``'s joins: PostgreSQL plans
    those from the township's index, where the subquery made it hash the whole leave table (1.5 s)."""
    from core.selectors import village_list

    scope = get_scope(user)
    if not scope.county_roles or scope.is_superuser:
        return scope.q(village=village, cadre=cadre)
    return Q(**{f"{village}__in": village_list(user=user).order_by().values("pk")}) | scope.q(village=None,
                                                                                              cadre=cadre)


def cadre_list(*, user):
    return Cadre.objects.filter(village_scope_q(user=user, village="village", cadre="self")).select_related(
        "village", "village__township", "village__township__county"
    )


def cadre_account_candidates(*, cadre: Cadre, by):
    """Accounts that may become ``cadre``'s own login (role ``cadre``, self only): active, of the cadre's
    county (``core.selectors.county_accounts_q``; a set-up superuser may pick any), holding no other role,
    and not the login of another cadre. The one rule behind ``services.cadre_link_user`` and its form."""
    from core.models import User
    from core.selectors import county_accounts_q, role_holders_q

    qs = User.objects.filter(is_active=True).exclude(role_holders_q()).exclude(
        Q(cadre__isnull=False) & ~Q(cadre=cadre))
    if not get_scope(by).is_superuser:
        qs = qs.filter(county_accounts_q([cadre.village.township.county_id]))
    return qs.order_by("username")


def discipline_case_list(*, user):
    scope = get_scope(user)
    return DisciplineCase.objects.filter(scope.q(village="cadre__village", cadre="cadre")).select_related(
        "cadre", "cadre__village", "cadre__village__township", "cadre__village__township__county"
    )


def village_choices(*, user, data):
    """The villages a list filter offers. Township and village users get theirs (a few dozen); a county
    user (a province holds ~15,000 villages) first chooses a township, so the page never renders or
    queries thousands of options (issue 8); a village already chosen stays valid."""
    from core.selectors import village_list

    villages = village_list(user=user)
    scope = get_scope(user)
    if not (scope.county_roles or scope.is_superuser):
        return villages
    data = data or {}
    village, township = str(data.get("village") or ""), str(data.get("township") or "")
    if village:
        return villages.filter(pk=int(village)) if village.isdigit() else villages.none()
    if township.isdigit():
        return villages.filter(township_id=int(township))
    return villages.none()


class YesNoAllWidget(django_filters.widgets.BooleanWidget):
    """A yes/no filter as a select of 全部/是/否 (``true``/``false`` in the query, as the API takes them)."""

    def __init__(self, attrs=None):
        super().__init__(attrs={"class": "form-select form-select-sm", **(attrs or {})})
        self.choices = (("", _("全部")), ("true", _("是")), ("false", _("否")))


class CadreFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("搜索"), method="search")
    township = django_filters.ModelChoiceFilter(label=_("乡（镇）"), field_name="village__township",
                                                queryset=Township.objects.none())
    village = django_filters.ModelChoiceFilter(label=_("村"), queryset=Village.objects.none())
    status = django_filters.ChoiceFilter(label=_("状态"), choices=Cadre.Status.choices)
    education = django_filters.ChoiceFilter(label=_("学历"), choices=Education.choices)
    post = django_filters.ChoiceFilter(label=_("岗位"), choices=Post.choices)
    is_serving_village_cadre = django_filters.BooleanFilter(label=_("在职村干部"), widget=YesNoAllWidget)

    class Meta:
        model = Cadre
        fields = ["q", "township", "village", "status", "education", "post", "is_serving_village_cadre"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        from core.selectors import township_list, village_list

        if user is None and self.request is not None:
            user = self.request.user
        self.user = user
        for name in ("township", "village", "status", "education", "post"):
            self.filters[name].extra["empty_label"] = _("全部")
        if user is not None:
            self.filters["township"].queryset = township_list(user=user)
            villages = village_list(user=user)
            township = (self.data or {}).get("township")
            scope = get_scope(user)
            if township and str(township).isdigit():
                villages = villages.filter(township_id=int(township))
            elif scope.county_roles or scope.is_superuser:
                # a county has hundreds of villages (a province thousands): choose the township first
                villages = villages.none() if not (self.data or {}).get("village") else villages.filter(
                    pk=(self.data or {}).get("village") if str((self.data or {}).get("village")).isdigit() else None)
            self.filters["village"].queryset = villages

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        cond = Q(name__icontains=value) | Q(village__name__icontains=value)
        if self.user is not None and get_scope(self.user).sees_personal_data():
            # ID numbers and phones are searched only where the user sees them in full (county_org of
            # that county), so a masked number cannot be probed digit by digit
            cond |= (Q(id_number__icontains=value) | Q(phone__icontains=value)) & get_scope(
                self.user).personal_data_q("village__township__county_id")
        return queryset.filter(cond)
