"""Scoped reads of selection rounds and applications, and who may do which step (R-10, R-11)."""

from __future__ import annotations

import django_filters
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from cadres.models import Education
from core.models import County, Township, Village
from core.roles import Role
from core.scope import get_scope
from selection.models import Application, Round

#: R-10: the county organisation department runs rounds, records co-review and decides
ROUND_MANAGERS = (Role.COUNTY_ORG,)
#: 个人申请 is entered by the county or by the township party committee of the village
APPLICATION_ENTRY = (Role.COUNTY_ORG, Role.TOWNSHIP_PARTY)
#: R-11 乡（镇）党委初审: the township party committee of the village's township only
REVIEWERS = (Role.TOWNSHIP_PARTY,)
#: 笔试、面试 scores: the township party committee, or the county that organises the exam
SCORERS = (Role.COUNTY_ORG, Role.TOWNSHIP_PARTY)
CO_REVIEWERS = (Role.COUNTY_ORG,)
DECIDERS = (Role.COUNTY_ORG,)


def round_list(*, user):
    """Rounds of every county the user touches at any tier (others in scope read)."""
    scope = get_scope(user)
    qs = Round.objects.select_related("county")
    if scope.is_superuser:
        return qs
    return qs.filter(county_id__in=sorted(scope.visible_county_ids()))


def round_list_with_counts(*, user):
    return round_list(user=user).annotate(
        n_total=Count("applications"),
        n_waiting_review=Count("applications", filter=Q(applications__status=Application.Status.SUBMITTED)),
        n_waiting_decision=Count("applications", filter=Q(applications__status=Application.Status.CO_REVIEWED)),
        n_appointed=Count("applications", filter=Q(applications__status=Application.Status.APPOINTED)),
    )


def application_list(*, user):
    scope = get_scope(user)
    return Application.objects.filter(scope.q(village="village")).select_related(
        "round", "round__county", "village", "village__township", "cadre")


def managed_counties(*, user):
    """Counties where the user may run rounds (county_org)."""
    scope = get_scope(user)
    if scope.is_superuser:
        return County.objects.all()
    return County.objects.filter(pk__in=[c for c, r in scope.county_roles.items() if set(r) & set(ROUND_MANAGERS)])


def villages_for(*, user, roles, county_id=None):
    """Villages where ``user`` holds one of ``roles`` (county roles cover the county, township roles
    the township) — e.g. where they may enter applications or scores."""
    scope = get_scope(user)
    qs = Village.objects.select_related("township")
    if county_id is not None:
        qs = qs.filter(township__county_id=county_id)
    if scope.is_superuser:
        return qs
    counties = [c for c, r in scope.county_roles.items() if set(r) & set(roles)]
    townships = [t for t, r in scope.township_roles.items() if set(r) & set(roles)]
    villages = [v for v, r in scope.village_roles.items() if set(r) & set(roles)]
    return qs.filter(Q(township__county_id__in=counties) | Q(township_id__in=townships) | Q(pk__in=villages))


def round_vacancies(*, user, rnd: Round):
    """R-01 → R-10: villages of the round's county still without their reserve cadre (in the user's scope)."""
    from core.selectors import vacancy_list

    # a subquery, not a second join: a join would multiply vacancy_list's count of active cadres
    applicants = (Application.objects.filter(round=rnd, village=OuterRef("pk")).order_by()
                  .values("village").annotate(n=Count("pk")).values("n"))
    return vacancy_list(user=user).filter(township__county_id=rnd.county_id).annotate(
        n_applicants=Coalesce(Subquery(applicants), 0))


class RoundFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("搜索"), method="search")
    year = django_filters.NumberFilter(label=_("年度"), min_value=2000, max_value=2100)
    kind = django_filters.ChoiceFilter(label=_("类别"), choices=Round.Kind.choices)
    status = django_filters.ChoiceFilter(label=_("状态"), choices=Round.Status.choices)

    class Meta:
        model = Round
        fields = ["q", "year", "kind", "status"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("kind", "status"):
            self.filters[name].extra["empty_label"] = _("全部")

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(title__icontains=value) if value else queryset


class ApplicationFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("搜索"), method="search")
    round = django_filters.ModelChoiceFilter(label=_("选拔批次"), queryset=Round.objects.none())
    township = django_filters.ModelChoiceFilter(label=_("乡（镇）"), field_name="village__township",
                                                queryset=Township.objects.none())
    village = django_filters.ModelChoiceFilter(label=_("村"), queryset=Village.objects.none())
    status = django_filters.ChoiceFilter(label=_("状态"), choices=Application.Status.choices)
    education = django_filters.ChoiceFilter(label=_("学历"), choices=Education.choices)

    class Meta:
        model = Application
        fields = ["q", "round", "township", "village", "status", "education"]

    def __init__(self, *args, user=None, rnd=None, **kwargs):
        super().__init__(*args, **kwargs)
        from core.selectors import township_list, village_list

        if user is None and self.request is not None:
            user = self.request.user
        self.user = user
        for name in ("round", "township", "village", "status", "education"):
            self.filters[name].extra["empty_label"] = _("全部")
        if user is not None:
            self.filters["round"].queryset = round_list(user=user)
            townships = township_list(user=user)
            villages = village_list(user=user)
            if rnd is not None:
                townships = townships.filter(county_id=rnd.county_id)
                villages = villages.filter(township__county_id=rnd.county_id)
                del self.filters["round"]
            self.filters["township"].queryset = townships
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
                self.user).personal_data_q("round__county_id")
        return queryset.filter(cond)


def waiting_for_review(*, user):
    """Applications waiting for the preliminary review of a township the user is party committee of."""
    return application_list(user=user).filter(
        status=Application.Status.SUBMITTED, round__status=Round.Status.ANNOUNCED,
        village__in=villages_for(user=user, roles=REVIEWERS))


def rounds_waiting_for_county(*, user):
    """Running rounds of the user's counties with applicants waiting for the county: scores to enter
    (the county organises the exam), co-review to record, or the decision."""
    def n(status):
        return Count("applications", filter=Q(applications__status=status))

    return (round_list(user=user).filter(county__in=managed_counties(user=user), status=Round.Status.ANNOUNCED)
            .annotate(n_reviewed=n(Application.Status.REVIEWED), n_scored=n(Application.Status.SCORED),
                      n_co_reviewed=n(Application.Status.CO_REVIEWED))
            .filter(Q(n_reviewed__gt=0) | Q(n_scored__gt=0) | Q(n_co_reviewed__gt=0)).order_by("-announced_on"))
