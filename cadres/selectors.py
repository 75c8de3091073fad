"""Scoped reads of cadres and discipline cases, and the cadre list's filter (page and API)."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cadres.models import Cadre, DisciplineCase, Education, Post
from core.filters import ScopedFilterSet
from core.models import Township, User
from core.scope import get_scope
from core.selectors import county_accounts_q, role_holders_q


def cadre_list(*, user):
    """Cadres in scope, filtered on the cadre's own county and township columns (decision 021)."""
    return Cadre.objects.filter(get_scope(user).rows_q(village="village", cadre="self")).select_related(
        "village", "village__township", "village__township__county"
    )


def cadre_account_candidates(*, cadre: Cadre, by):
    """Accounts that may become ``cadre``'s own login (role ``cadre``, self only): active, of the cadre's
    county (``core.selectors.county_accounts_q``; a set-up superuser may pick any), holding no other role,
    and not the login of another cadre. The one rule behind ``services.cadre_link_user`` and its form."""
    qs = User.objects.filter(is_active=True).exclude(role_holders_q()).exclude(
        Q(cadre__isnull=False) & ~Q(cadre=cadre))
    if not get_scope(by).is_superuser:
        qs = qs.filter(county_accounts_q([cadre.village.township.county_id]))
    return qs.order_by("username")


def discipline_case_list(*, user):
    scope = get_scope(user)
    return DisciplineCase.objects.filter(scope.via_cadre_q()).select_related(
        "cadre", "cadre__village", "cadre__village__township", "cadre__village__township__county"
    )


def personal_number_q(user, value: str, county: str) -> Q:
    """R-03: ID numbers and phones are searched only where the user sees them in full (county_org of that
    county), so a masked number cannot be probed digit by digit. ``county``: the path to the row's county id."""
    scope = get_scope(user) if user is not None else None
    if scope is None or not scope.sees_personal_data():
        return Q(pk__in=[])
    return (Q(id_number__icontains=value) | Q(phone__icontains=value)) & scope.personal_data_q(county)


class PersonSearch:
    """The ``q`` of a filter set of people: the name, the village's name or (to whoever may see it) the ID or
    phone number; ``county_field`` leads from a row to its county."""

    county_field = "county_id"

    def search(self, queryset, name, value):
        value = (value or "").strip()
        if not value:
            return queryset
        return queryset.filter(Q(name__icontains=value) | Q(village__name__icontains=value)
                               | personal_number_q(self.user, value, self.county_field))


class CadreFilter(PersonSearch, ScopedFilterSet):
    village_path = "village"
    search_fields = ("name", "village__name")

    # a real path (not the base's method) so the API schema can type it
    township = django_filters.ModelChoiceFilter(label=_("乡（镇）"), field_name="village__township",
                                                queryset=Township.objects.none())
    status = django_filters.ChoiceFilter(label=_("状态"), choices=Cadre.Status.choices)
    education = django_filters.ChoiceFilter(label=_("学历"), choices=Education.choices)
    post = django_filters.ChoiceFilter(label=_("岗位"), choices=Post.choices)
    is_serving_village_cadre = django_filters.BooleanFilter(label=_("在职村干部"))

    class Meta:
        model = Cadre
        fields = ["q", "township", "village", "status", "education", "post", "is_serving_village_cadre"]
