"""R-28 duty rota: every scoped read (schedules, rotas, who is on duty, missed duties) and the list filters.

Kept beside ``attendance.selectors`` (not in it) so the rota stays one topic; the scope rule is the same:
rows whose village (or township) lies in the user's scope."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import django_filters
from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _

from attendance import policies
from attendance.models import DutyMiss, DutyRota, DutySchedule, DutyShift
from cadres.models import Cadre
from core import calendar
from core.dates import month_bounds, parse_month
from core.filters import ScopedFilterSet
from core.models import Township, Village
from core.roles import Role
from core.scope import get_scope
from core.selectors import township_list, village_list


def schedule_list(*, user):
    """R-28: the schedules of the townships in the user's scope (a village user sees its township's)."""
    return (DutySchedule.objects.filter(township__in=township_list(user=user).values("pk"))
            .select_related("township", "created_by").order_by("township__code", "-valid_from"))


def schedule_townships(*, user):
    """Townships whose schedule the user may set (R-28: party committee, or a liaison of one of its villages)."""
    scope = get_scope(user)
    if scope.is_superuser:
        return Township.objects.all().order_by("code")
    liaison = scope.villages_holding(Role.TOWNSHIP_LIAISON)
    ids = set(scope.townships_holding(Role.TOWNSHIP_PARTY))
    if liaison:
        ids |= set(Village.objects.filter(pk__in=liaison).values_list("township_id", flat=True))
    return Township.objects.filter(pk__in=ids).order_by("code")


def schedules_by_township(township_ids, end: dt.date) -> dict[int, list[DutySchedule]]:
    """Every schedule that may govern a day up to ``end``, newest first, per township (one query)."""
    out: dict[int, list[DutySchedule]] = defaultdict(list)
    for s in DutySchedule.objects.filter(township_id__in=set(township_ids), valid_from__lte=end).order_by("-valid_from"):
        out[s.township_id].append(s)
    return out


def schedule_on(schedules: list[DutySchedule], day: dt.date) -> DutySchedule | None:
    """The schedule in force on ``day`` (the newest one not starting after it)."""
    return next((s for s in schedules if s.valid_from <= day), None)


def duty_days(township, year: int, month: int) -> list[tuple[dt.date, DutySchedule]]:
    """R-28: the days of the month the township's schedule wants duty on (with the schedule in force), by the
    R-20 working-day calendar of the county."""
    first, last = month_bounds(year, month)
    schedules = schedules_by_township([township.pk], last)[township.pk]
    if not schedules:
        return []
    workdays = set(calendar.working_days(first, last, county=township.county_id))
    out, day = [], first
    while day <= last:
        sched = schedule_on(schedules, day)
        if sched is not None and policies.is_duty_day(day, days=sched.days, holidays=sched.holidays,
                                                      workday=day in workdays):
            out.append((day, sched))
        day += dt.timedelta(days=1)
    return out


def rota_list(*, user):
    scope = get_scope(user)
    return DutyRota.objects.filter(scope.q(village="village")).select_related("village__township")


def rota_village_list(*, user):
    """The villages whose rotas the user sees (the township view's rows)."""
    return village_list(user=user).order_by("township__code", "code")


def village_cadres(village):
    """R-28: who a rota may name by record: the active reserve cadres of the village."""
    return Cadre.objects.filter(village=village, status=Cadre.Status.ACTIVE).order_by("name", "pk")


def month_shifts(village_ids, year: int, month: int) -> dict[tuple[int, dt.date], list[DutyShift]]:
    """Who is on duty: {(village id, day): [shifts]} for the villages' rotas of the month (one query)."""
    first, _last = month_bounds(year, month)
    out: dict[tuple[int, dt.date], list[DutyShift]] = defaultdict(list)
    for s in (DutyShift.objects.filter(rota__village_id__in=list(village_ids), rota__month=first)
              .select_related("cadre", "rota").order_by("date", "slot")):
        out[(s.rota.village_id, s.date)].append(s)
    return out


def month_misses(village_ids, year: int, month: int) -> dict[tuple[int, dt.date], list[DutyMiss]]:
    first, last = month_bounds(year, month)
    out: dict[tuple[int, dt.date], list[DutyMiss]] = defaultdict(list)
    for m in (DutyMiss.objects.filter(village_id__in=list(village_ids), date__gte=first, date__lte=last, undone=False)
              .select_related("cadre")):
        out[(m.village_id, m.date)].append(m)
    return out


def rota_with_shifts(*, user):
    return rota_list(user=user).prefetch_related(
        Prefetch("shifts", queryset=DutyShift.objects.select_related("cadre").order_by("date", "slot")))


def duty_miss_list(*, user):
    scope = get_scope(user)
    return (DutyMiss.objects.filter(scope.q(village="village"))
            .select_related("village__township", "cadre", "recorded_by").order_by("-date", "-pk"))


class RotaVillageFilter(ScopedFilterSet):
    """R-28: the township view's villages (search by village name)."""

    village_path = ""
    search_fields = ("name", "township__name")
    search_hint = _("村名、乡镇名")

    class Meta:
        model = Village
        fields = ["q", "township", "village"]


class DutyRotaFilter(ScopedFilterSet):
    village_path = "village"
    search_fields = ("village__name", "shifts__cadre__name", "shifts__name")
    month = django_filters.CharFilter(label=_("月份"), method="filter_month", help_text=_("YYYY-MM"))

    class Meta:
        model = DutyRota
        fields = ["q", "township", "village", "month"]

    def filter_month(self, queryset, name, value):
        try:
            year, month = parse_month((value or "").strip())
        except ValueError:
            return queryset.none()
        return queryset.filter(month=dt.date(year, month, 1))

    def search(self, queryset, name, value):
        return super().search(queryset, name, value).distinct()


class DutyMissFilter(ScopedFilterSet):
    village_path = "village"
    search_fields = ("cadre__name", "name", "village__name", "note")
    search_hint = _("姓名、村名、说明")
    counts_as_absence = django_filters.BooleanFilter(label=_("计为缺勤"))
    undone = django_filters.BooleanFilter(label=_("已撤销"))

    class Meta:
        model = DutyMiss
        fields = ["q", "township", "village", "counts_as_absence", "undone"]
