"""Scoped reads of selection rounds and applications, and the list filters of their pages and API."""

from __future__ import annotations

import django_filters
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from cadres.models import Education
from cadres.selectors import PersonSearch
from core.filters import ScopedFilterSet
from core.models import County, Township, Village
from core.scope import get_scope
from core.selectors import vacancy_list
from selection.models import Application, BanWaiver, Round
from selection.permissions import REVIEWERS, ROUND_MANAGERS


def round_list(*, user):
    """Rounds of every county the user touches at any tier (others in scope read)."""
    return Round.objects.select_related("county").filter(get_scope(user).visible_county_q())


def round_list_with_counts(*, user):
    return round_list(user=user).annotate(
        n_total=Count("applications"),
        n_waiting_review=Count("applications", filter=Q(applications__status=Application.Status.SUBMITTED)),
        n_waiting_decision=Count("applications", filter=Q(applications__status=Application.Status.CO_REVIEWED)),
        n_appointed=Count("applications", filter=Q(applications__status=Application.Status.APPOINTED)),
    )


def application_counts(applications) -> dict:
    """How many of ``applications`` there are (``total``) and how many in each status."""
    return applications.aggregate(total=Count("pk"),
                                  **{s: Count("pk", filter=Q(status=s)) for s in Application.Status.values})


def application_list(*, user):
    scope = get_scope(user)
    return Application.objects.filter(scope.q(village="village")).select_related(
        "round", "round__county", "village", "village__township", "cadre")


def waiver_list(*, user, year: int | None = None):
    """R-17: the ban waivers the user may see: of the person's former village, or of the village they applied
    to in the round, within the user's scope (a county official sees the county's); of one year's rounds
    when ``year`` is given."""
    scope = get_scope(user)
    seen = BanWaiver.objects.filter(
        scope.via_cadre_q("banned_cadre", own=False) | scope.q(village="applications__village")).values("pk")
    qs = BanWaiver.objects.filter(pk__in=seen).select_related(
        "round", "granted_by", "banned_cadre", "banned_cadre__village", "banned_cadre__village__township")
    if year is not None:
        qs = qs.filter(round__year=year)
    return qs.order_by("-granted_at", "-pk")


def managed_counties(*, user):
    """Counties where the user may run rounds (county_org)."""
    scope = get_scope(user)
    if scope.is_superuser:
        return County.objects.all()
    return County.objects.filter(pk__in=scope.counties_holding(*ROUND_MANAGERS))


def villages_for(*, user, roles, county_id=None):
    """Villages where ``user`` holds one of ``roles`` (county roles cover the county, township roles
    the township) — e.g. where they may enter applications or scores."""
    scope = get_scope(user)
    qs = Village.objects.select_related("township")
    if county_id is not None:
        qs = qs.filter(township__county_id=county_id)
    return qs.filter(scope.q_holding(roles, village=""))


def round_vacancies(*, user, rnd: Round):
    """R-01 → R-10: villages of the round's county still without their reserve cadre (in the user's scope)."""
    # a subquery, not a second join: a join would multiply vacancy_list's count of active cadres
    applicants = (Application.objects.filter(round=rnd, village=OuterRef("pk")).order_by()
                  .values("village").annotate(n=Count("pk")).values("n"))
    return vacancy_list(user=user).filter(township__county_id=rnd.county_id).annotate(
        n_applicants=Coalesce(Subquery(applicants), 0))


class RoundFilter(ScopedFilterSet):
    """Rounds belong to a county, not a village: no township or village choice."""

    village_path = None
    search_fields = ("title",)
    search_hint = _("标题")

    township = None
    village = None
    year = django_filters.NumberFilter(label=_("年度"), min_value=2000, max_value=2100)
    kind = django_filters.ChoiceFilter(label=_("类别"), choices=Round.Kind.choices)
    status = django_filters.ChoiceFilter(label=_("状态"), choices=Round.Status.choices)

    class Meta:
        model = Round
        fields = ["q", "year", "kind", "status"]


class ApplicationFilter(PersonSearch, ScopedFilterSet):
    """Applications of every round (the list page and the API) or of one (``rnd``: the round page)."""

    village_path = "village"
    county_field = "round__county_id"
    search_fields = ("name", "village__name")

    # a real path (not the base's method) so the API schema can type it
    township = django_filters.ModelChoiceFilter(label=_("乡（镇）"), field_name="village__township",
                                                queryset=Township.objects.none())
    round = django_filters.ModelChoiceFilter(label=_("选拔批次"), queryset=Round.objects.none())
    status = django_filters.ChoiceFilter(label=_("状态"), choices=Application.Status.choices)
    education = django_filters.ChoiceFilter(label=_("学历"), choices=Education.choices)

    class Meta:
        model = Application
        fields = ["q", "round", "township", "village", "status", "education"]

    def __init__(self, data=None, queryset=None, *, rnd=None, **kwargs):
        super().__init__(data, queryset, **kwargs)
        if self.user is None or not self.user.is_authenticated:
            return
        if rnd is None:
            self.filters["round"].queryset = round_list(user=self.user)
            return
        del self.filters["round"]
        self.filters["township"].queryset = self.filters["township"].queryset.filter(county_id=rnd.county_id)
        self.filters["village"].queryset = self.filters["village"].queryset.filter(
            township__county_id=rnd.county_id)


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
