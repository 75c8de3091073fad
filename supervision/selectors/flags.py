"""What the supervision pages flag: missing talks (R-53), 思想波动 follow-ups (R-60), 跟班学习 short of its days (R-52, R-58)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Exists, IntegerField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from cadres.models import Cadre
from cadres.selectors import cadre_list
from core.models import Township
from core.scope import get_scope
from supervision import policies
from supervision.models import Attachment, AttachmentPlan, Talk
from supervision.selectors.lists import setting_for, setting_for_user, talk_list


def cadres_missing_individual_talk(*, user, period: policies.Period):
    """R-53: active cadres appointed by the end of ``period`` without an individual talk in it."""
    talked = Talk.objects.filter(kind=Talk.Kind.INDIVIDUAL, held_on__gte=period.start, held_on__lte=period.end,
                                 cadre_id=OuterRef("pk"))
    return (cadre_list(user=user).filter(status=Cadre.Status.ACTIVE, appointed_on__lte=period.end)
            .filter(~Exists(talked)).order_by("village__code", "name", "pk"))


def townships_missing_collective_talk(*, user, year: int):
    """R-53: townships in scope with active cadres and no collective talk in ``year``."""
    scope = get_scope(user)
    if not (scope.is_superuser or scope.at_county or scope.at_township):
        return Township.objects.none()
    talked = Talk.objects.filter(kind=Talk.Kind.COLLECTIVE, held_on__year=year, township_id=OuterRef("pk"))
    has_cadres = Cadre.objects.filter(village__township_id=OuterRef("pk"), status=Cadre.Status.ACTIVE,
                                      appointed_on__lte=dt.date(year, 12, 31))
    qs = Township.objects.filter(scope.county_q("county") | Q(pk__in=scope.townships_holding()))
    return qs.filter(Exists(has_cadres)).filter(~Exists(talked)).select_related("county").order_by("code")


@dataclass
class TalkFlag:
    kind: str  # "individual" / "collective"
    period: policies.Period
    stage: str  # policies.DUE / policies.OVERDUE
    rows: object  # queryset of Cadre or Township

    @property
    def label(self) -> str:
        if self.kind == "individual":
            name = _("%(p)s个别谈话考察") % {"p": period_label(self.period)}
        else:
            name = _("%(p)s年度集体谈话") % {"p": self.period.label}
        return str(name) + str(_("（已逾期）") if self.stage == policies.OVERDUE else _("（即将到期）"))


def period_label(period: policies.Period) -> str:
    if period.label.endswith("H1"):
        return str(_("%(y)s年上半年") % {"y": period.label[:4]})
    if period.label.endswith("H2"):
        return str(_("%(y)s年下半年") % {"y": period.label[:4]})
    return str(_("%(y)s年") % {"y": period.label})


def talk_flags(*, user, as_of: dt.date, warning_days: int | None = None) -> list[TalkFlag]:
    """R-53: missing talks before (reminder) and after (overdue) each period ends, as of ``as_of``."""
    if warning_days is None:
        warning_days = setting_for_user(user).talk_warning_days
    flags = []
    for period, stage in policies.talk_checks(as_of, warning_days=warning_days):
        flags.append(TalkFlag("individual", period, stage, cadres_missing_individual_talk(user=user, period=period)))
    for period, stage in policies.talk_checks(as_of, warning_days=warning_days, yearly=True):
        flags.append(TalkFlag("collective", period, stage,
                              townships_missing_collective_talk(user=user, year=int(period.label))))
    return flags


def mood_follow_ups(*, user, as_of: dt.date) -> list:
    """R-60: 谈心谈话 that found 思想波动 with no later 谈心谈话 of the same cadre yet. Each talk gets ``due_on``
    (held on + the county's period) and ``overdue`` (``as_of`` past it); the flag clears once another
    谈心谈话 is held (a new one that again notes 思想波动 starts its own period)."""
    later = Talk.objects.filter(cadre_id=OuterRef("cadre_id"), kind=Talk.Kind.HEART_TO_HEART,
                                held_on__gt=OuterRef("held_on"))
    talks = list(talk_list(user=user).filter(kind=Talk.Kind.HEART_TO_HEART, mood_swing=True,
                                             cadre__status=Cadre.Status.ACTIVE)
                 .annotate(followed=Exists(later)).filter(followed=False)
                 .select_related("township", "cadre__village__township").order_by("held_on", "pk")[:2000])
    days = {}
    for t in talks:
        county_id = t.township.county_id
        if county_id not in days:
            days[county_id] = setting_for(county_id).mood_follow_up_days
        t.due_on = t.held_on + dt.timedelta(days=days[county_id])
        t.overdue = as_of > t.due_on
    return talks


def with_attachment_days(qs, year: int):
    """Annotate ``year_days``: 跟班学习 days in ``year`` (periods lie within one calendar year)."""
    days = (Attachment.objects.filter(cadre_id=OuterRef("pk"), start_date__year=year).order_by()
            .values("cadre_id").annotate(s=Sum("days")).values("s"))
    return qs.annotate(year_days=Coalesce(Subquery(days, output_field=IntegerField()), Value(0)))


def attachment_shortfall(*, user, year: int, min_days: int | None = None, check_month: int | None = None):
    """R-52: cadres in service for the whole check window of ``year`` with fewer than ``min_days`` days."""
    setting = setting_for_user(user)
    min_days = setting.attachment_min_days if min_days is None else min_days
    check_month = setting.attachment_check_month if check_month is None else check_month
    year_end = dt.date(year, 12, 31)
    qs = cadre_list(user=user).filter(appointed_on__lte=dt.date(year, check_month, 1)).filter(
        Q(status=Cadre.Status.ACTIVE) | Q(left_on__gt=year_end))
    return with_attachment_days(qs, year).filter(year_days__lt=min_days).order_by("village__code", "name", "pk")


def attachment_plan_overview(*, user, year: int, as_of: dt.date):
    """R-58: active cadres in scope with the year's planned days, the planned days already due on ``as_of``
    (periods that have ended), the days served, and ``behind`` (served < due) / ``short_plan`` (planned <
    the county's minimum), set on each row by :func:`plan_flags`."""
    plans = AttachmentPlan.objects.filter(cadre_id=OuterRef("pk"), start_date__year=year).order_by().values("cadre_id")
    planned = plans.annotate(s=Sum("days")).values("s")
    due = plans.filter(end_date__lt=as_of).annotate(s=Sum("days")).values("s")
    qs = cadre_list(user=user).filter(status=Cadre.Status.ACTIVE).annotate(
        planned_days=Coalesce(Subquery(planned, output_field=IntegerField()), Value(0)),
        due_days=Coalesce(Subquery(due, output_field=IntegerField()), Value(0)))
    return with_attachment_days(qs, year)


def plan_flags(rows, *, min_days: int) -> None:
    for c in rows:
        c.behind = c.year_days < c.due_days
        c.short_plan = c.planned_days < min_days


def attachment_flag(*, user, as_of: dt.date):
    """R-52: (year, stage, queryset) flagged on ``as_of``."""
    setting = setting_for_user(user)
    year, stage = policies.attachment_check(as_of, check_month=setting.attachment_check_month)
    return year, stage, attachment_shortfall(user=user, year=year, min_days=setting.attachment_min_days,
                                             check_month=setting.attachment_check_month)
