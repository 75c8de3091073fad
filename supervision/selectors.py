"""Scoped reads of the supervision app, the flags of R-50…R-56 and the county ledger (R-06).

Every function takes ``user`` and filters with the caller's tier scope (core/scope.py).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

import django_filters
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from cadres.models import Cadre, DisciplineCase
from cadres.selectors import cadre_list, discipline_case_list
from core.money import MoneySum
from core.models import County, Township, Village
from core.roles import Role
from core.scope import get_scope
from core.selectors import township_list, vacancy_list, village_list
from supervision import policies
from supervision.models import (
    AreaGroup,
    Assessment,
    Attachment,
    Commitment,
    GroupActivity,
    Notice,
    Pairing,
    SupervisionSetting,
    Talk,
    TrainingAttendance,
    TrainingSession,
)

#: who records talks, training, attachment, assessments, commitments and pairing (at the cadre's township)
TOWNSHIP_RECORDERS = (Role.TOWNSHIP_PARTY,)
#: who records 谈心谈话 (at the cadre's village)
VILLAGE_RECORDERS = (Role.VILLAGE_SECRETARY,)
#: who issues and closes notices, and opens discipline cases county-wide
COUNTY_RECORDERS = (Role.COUNTY_ORG,)
#: who opens and decides discipline cases (at the cadre's village): as in cadres.api
CASE_MANAGERS = (Role.COUNTY_ORG, Role.TOWNSHIP_PARTY)


# -- settings ---------------------------------------------------------------------------------

def setting_for(county: County | int | None) -> SupervisionSetting:
    """The county's settings, or the defaults (unsaved) when the county kept them."""
    county_id = getattr(county, "pk", county)
    if county_id is None:
        return SupervisionSetting()
    return SupervisionSetting.objects.filter(county_id=county_id).first() or SupervisionSetting(county_id=county_id)


def setting_for_user(user) -> SupervisionSetting:
    ids = sorted(get_scope(user).visible_county_ids())
    if not ids and get_scope(user).is_superuser:
        first = County.objects.order_by("code").first()
        ids = [first.pk] if first else []
    return setting_for(ids[0] if ids else None)


# -- plain scoped lists -------------------------------------------------------------------------

def pairing_list(*, user):
    scope = get_scope(user)
    return Pairing.objects.filter(scope.q(village="cadre__village", cadre="cadre")).select_related(
        "cadre", "cadre__village", "cadre__village__township", "contact_leader", "paired_user")


def pairing_overview(*, user):
    """R-50: active cadres in scope with their pairing (``pairing_id`` None when missing)."""
    return (cadre_list(user=user).filter(status=Cadre.Status.ACTIVE)
            .select_related("pairing", "pairing__contact_leader", "pairing__paired_user")
            .order_by("village__code", "name", "pk"))


def missing_pair_q() -> Q:
    """R-50: no contact township leader, or no paired village cadre."""
    return (Q(pairing__isnull=True) | Q(pairing__contact_leader__isnull=True)
            | (Q(pairing__paired_user__isnull=True) & Q(pairing__paired_name="")))


def pairing_missing(*, user):
    return pairing_overview(user=user).filter(missing_pair_q())


def _township_rows_q(scope, township="township"):
    """Township-level rows for county and township roles, and for village roles of that township."""
    q = scope.township_q(township)
    if scope.village_roles:
        q |= Q(**{f"{township}__villages__in": sorted(scope.village_roles)})
    return q


def area_group_list(*, user):
    scope = get_scope(user)
    ids = AreaGroup.objects.filter(_township_rows_q(scope)).values("pk")
    return (AreaGroup.objects.filter(pk__in=ids).select_related("township")
            .annotate(member_count=Count("members", distinct=True),
                      activity_count=Count("activities", distinct=True)))


def group_activity_list(*, user):
    return GroupActivity.objects.filter(group__in=area_group_list(user=user).values("pk")).select_related("group")


def training_session_list(*, user):
    scope = get_scope(user)
    q = _township_rows_q(scope)
    if scope.cadre_ids:
        q |= Q(attendance__cadre_id__in=sorted(scope.cadre_ids))
    ids = TrainingSession.objects.filter(q).values("pk")
    return (TrainingSession.objects.filter(pk__in=ids).select_related("township")
            .annotate(present_count=Count("attendance", filter=Q(attendance__present=True))))


def training_attendance_list(*, user):
    scope = get_scope(user)
    return TrainingAttendance.objects.filter(scope.q(village="cadre__village", cadre="cadre")).select_related(
        "session", "cadre", "cadre__village")


def attachment_list(*, user):
    scope = get_scope(user)
    return Attachment.objects.filter(scope.q(village="cadre__village", cadre="cadre")).select_related(
        "cadre", "cadre__village", "cadre__village__township", "township")


def talk_list(*, user):
    """R-53: individual and heart-to-heart talks follow the cadre; collective talks follow the township."""
    scope = get_scope(user)
    q = (Q(cadre__isnull=False) & scope.q(village="cadre__village", cadre="cadre")) | (
        Q(kind=Talk.Kind.COLLECTIVE) & _township_rows_q(scope))
    ids = Talk.objects.filter(q).values("pk")
    return Talk.objects.filter(pk__in=ids).select_related("cadre", "cadre__village", "township", "village")


def commitment_list(*, user):
    scope = get_scope(user)
    return Commitment.objects.filter(scope.q(village="cadre__village", cadre="cadre")).select_related(
        "cadre", "cadre__village", "cadre__village__township")


def assessment_list(*, user):
    scope = get_scope(user)
    return Assessment.objects.filter(scope.q(village="cadre__village", cadre="cadre")).select_related(
        "cadre", "cadre__village", "cadre__village__township")


def notice_list(*, user):
    """R-56: county roles see the county's notices; a township its own and its villages'; a village its own."""
    scope = get_scope(user)
    if scope.is_superuser:
        q = Q()
    else:
        q = Q(county_id__in=sorted(scope.county_roles))
        if scope.township_roles:
            q |= Q(township_id__in=sorted(scope.township_roles))
        if scope.village_roles:
            q |= Q(village_id__in=sorted(scope.village_roles))
    return Notice.objects.filter(q).select_related("county", "township", "village", "village__township")


def notice_recipient_roles(notice: Notice):
    """R-56: who answers — the village secretary for a village, the township party committee for a township."""
    if notice.village_id:
        return VILLAGE_RECORDERS, {"village": notice.village}
    return TOWNSHIP_RECORDERS, {"township": notice.township}


def notices_overdue(*, user, as_of: dt.date):
    """R-56: still waiting for an answer after the deadline (``due_on`` < ``as_of``)."""
    return notice_list(user=user).filter(status=Notice.Status.OPEN, due_on__lt=as_of)


# -- flags --------------------------------------------------------------------------------------

def cadres_missing_individual_talk(*, user, period: policies.Period):
    """R-53: active cadres appointed by the end of ``period`` without an individual talk in it."""
    talked = Talk.objects.filter(kind=Talk.Kind.INDIVIDUAL, held_on__gte=period.start, held_on__lte=period.end,
                                 cadre_id=OuterRef("pk"))
    from django.db.models import Exists

    return (cadre_list(user=user).filter(status=Cadre.Status.ACTIVE, appointed_on__lte=period.end)
            .filter(~Exists(talked)).order_by("village__code", "name", "pk"))


def townships_missing_collective_talk(*, user, year: int):
    """R-53: townships in scope with active cadres and no collective talk in ``year``."""
    from django.db.models import Exists

    scope = get_scope(user)
    if not (scope.is_superuser or scope.county_roles or scope.township_roles):
        return Township.objects.none()
    talked = Talk.objects.filter(kind=Talk.Kind.COLLECTIVE, held_on__year=year, township_id=OuterRef("pk"))
    has_cadres = Cadre.objects.filter(village__township_id=OuterRef("pk"), status=Cadre.Status.ACTIVE,
                                      appointed_on__lte=dt.date(year, 12, 31))
    qs = Township.objects.filter(scope.county_q("county") | Q(pk__in=sorted(scope.township_roles))) \
        if not scope.is_superuser else Township.objects.all()
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


def attachment_flag(*, user, as_of: dt.date):
    """R-52: (year, stage, queryset) flagged on ``as_of``."""
    setting = setting_for_user(user)
    year, stage = policies.attachment_check(as_of, check_month=setting.attachment_check_month)
    return year, stage, attachment_shortfall(user=user, year=year, min_days=setting.attachment_min_days,
                                             check_month=setting.attachment_check_month)


# -- pay (provided by the payroll app) ---------------------------------------------------------------

def _payroll_selector(name: str):
    """The payroll app's selector ``name`` (R-41…R-44), or None while the payroll app lacks it."""
    try:
        from payroll import selectors as payroll_selectors
    except ImportError:
        return None
    return getattr(payroll_selectors, name, None)


def pay_available() -> bool:
    return _payroll_selector("pay_line_list") is not None


def pay_summary(*, user, cadre_ids=None, year: int | None = None) -> dict[int, dict]:
    """Per cadre: stipend lines and total paid out in ``year`` (all years when None), and unpaid lines.

    The one place that reads the payroll app. Empty until ``payroll.selectors.pay_line_list`` exists.
    """
    lines = _payroll_selector("pay_line_list")
    if lines is None:
        return {}
    qs = lines(user=user)
    if cadre_ids is not None:
        qs = qs.filter(cadre_id__in=list(cadre_ids))
    if year is not None:
        qs = qs.filter(run__month__year=year)
    out: dict[int, dict] = {}
    for row in qs.order_by().values("cadre_id").annotate(n=Count("pk"), total=MoneySum("total")):
        out[row["cadre_id"]] = {"lines": row["n"], "total": row["total"] or Decimal("0.00"), "unpaid": 0}
    unpaid = _payroll_selector("unpaid_line_list")
    if unpaid is not None:
        uq = unpaid(user=user)
        if cadre_ids is not None:
            uq = uq.filter(cadre_id__in=list(cadre_ids))
        for row in uq.order_by().values("cadre_id").annotate(n=Count("pk")):
            out.setdefault(row["cadre_id"], {"lines": 0, "total": Decimal("0.00"), "unpaid": 0})["unpaid"] = row["n"]
    return out


def pay_lines_for(*, user, cadre):
    """Pay lines of one cadre (for the dossier), newest month first; [] while payroll lacks them."""
    lines = _payroll_selector("pay_line_list")
    if lines is None:
        return []
    return list(lines(user=user).filter(cadre=cadre).select_related("run").order_by("-run__month")[:36])


def unpaid_lines(*, user, as_of: dt.date | None = None):
    """R-44 lines unpaid after the set days, scoped; None while the payroll app lacks the selector."""
    unpaid = _payroll_selector("unpaid_line_list")
    if unpaid is None:
        return None
    return unpaid(user=user, as_of=as_of)


# -- dashboard ---------------------------------------------------------------------------------------

@dataclass
class Metric:
    key: str
    label: str
    total: int
    url: str
    by_township: dict = field(default_factory=dict)
    note: str = ""
    level: str = "primary"


def _count_by(qs, path: str) -> dict:
    return {row["t"]: row["n"] for row in qs.order_by().values(t=path_f(path)).annotate(n=Count("pk", distinct=True))}


def path_f(path):
    from django.db.models import F

    return F(path)


def dashboard(*, user, as_of: dt.date, township_id=None) -> dict:
    """The county/township dashboard (issue 6 §10): each metric with its total, per-township counts
    and the URL of the list behind it. Query count does not grow with rows."""
    from django.urls import reverse

    def url(name, **params):
        from urllib.parse import urlencode

        if township_id:
            params["township"] = township_id
        query = urlencode({k: v for k, v in params.items() if v not in (None, "")})
        return reverse(name) + (f"?{query}" if query else "")

    def narrow(qs, path):
        return qs.filter(**{path: township_id}) if township_id else qs

    townships = list(township_list(user=user).order_by("code"))
    if township_id:
        townships = [t for t in townships if str(t.pk) == str(township_id)]
    metrics = []

    vac = narrow(vacancy_list(user=user), "township_id")
    vac_by = {}
    for tid in vac.values_list("township_id", flat=True):
        vac_by[tid] = vac_by.get(tid, 0) + 1
    metrics.append(Metric("vacancies", str(_("空缺村")), sum(vac_by.values()),
                          reverse("cadres:vacancies") + (f"?township={township_id}" if township_id else ""),
                          vac_by, level="warning"))

    overdue_individual = [f for f in talk_flags(user=user, as_of=as_of)
                          if f.stage == policies.OVERDUE and f.kind == "individual"][0]
    ind = narrow(overdue_individual.rows, "village__township_id")
    ind_by = _count_by(ind, "village__township_id")
    collective = narrow(townships_missing_collective_talk(user=user, year=as_of.year - 1), "pk")
    col_ids = list(collective.values_list("pk", flat=True))
    talk_by = dict(ind_by)
    for tid in col_ids:
        talk_by[tid] = talk_by.get(tid, 0) + 1
    metrics.append(Metric("talks_overdue", str(_("逾期未谈话")), sum(talk_by.values()),
                          url("supervision:talk_due", stage=policies.OVERDUE), talk_by,
                          note=str(_("%(p)s个别谈话 %(a)s 人；%(y)s年集体谈话 %(b)s 个乡镇")) % {
                              "p": period_label(overdue_individual.period), "a": sum(ind_by.values()),
                              "y": as_of.year - 1, "b": len(col_ids)}, level="danger"))

    year, stage, short = attachment_flag(user=user, as_of=as_of)
    short = narrow(short, "village__township_id")
    short_by = _count_by(short, "village__township_id")
    metrics.append(Metric("attachment_shortfall", str(_("跟班学习不足")), sum(short_by.values()),
                          url("supervision:attachment_shortfall", year=year), short_by,
                          note=str(_("%(y)s年，不足 %(d)s 天")) % {"y": year,
                                                              "d": setting_for_user(user).attachment_min_days},
                          level="warning"))

    cases = narrow(discipline_case_list(user=user).filter(status=DisciplineCase.Status.OPEN),
                   "cadre__village__township_id")
    case_by = _count_by(cases, "cadre__village__township_id")
    metrics.append(Metric("open_cases", str(_("待处理纪律案件")), sum(case_by.values()),
                          url("supervision:case_list", status=DisciplineCase.Status.OPEN), case_by, level="danger"))

    unpaid = unpaid_lines(user=user, as_of=as_of)
    if unpaid is not None:
        unpaid = narrow(unpaid, "cadre__village__township_id")
        unpaid_by = _count_by(unpaid, "cadre__village__township_id")
        metrics.append(Metric("unpaid", str(_("逾期未发放报酬")), sum(unpaid_by.values()),
                              url("supervision:unpaid"), unpaid_by, level="danger"))
    else:
        metrics.append(Metric("unpaid", str(_("逾期未发放报酬")), 0, url("supervision:unpaid"), {},
                              note=str(_("报酬模块尚未提供未发放数据")), level="secondary"))

    notices = notice_list(user=user).exclude(status=Notice.Status.CLOSED)
    if township_id:
        notices = notices.filter(Q(township_id=township_id) | Q(village__township_id=township_id))
    notice_by = {}
    overdue_notices = 0
    for tid, vtid, due, status in notices.values_list("township_id", "village__township_id", "due_on", "status"):
        key = tid or vtid
        notice_by[key] = notice_by.get(key, 0) + 1
        if status == Notice.Status.OPEN and policies.notice_overdue(due_on=due, as_of=as_of):
            overdue_notices += 1
    metrics.append(Metric("open_notices", str(_("未销号通报")), sum(notice_by.values()),
                          url("supervision:notice_list", open="1"), notice_by,
                          note=str(_("其中逾期未反馈 %(n)s 件")) % {"n": overdue_notices}, level="info"))

    return {"metrics": metrics, "townships": townships, "as_of": as_of}


# -- ledger and dossier ---------------------------------------------------------------------------------

def _count_sq(qs):
    return Coalesce(Subquery(qs.order_by().values("cadre_id").annotate(n=Count("pk")).values("n"),
                             output_field=IntegerField()), Value(0))


def ledger_rows(*, user, year: int, township_id=None, status=None, q=None):
    """R-06: every cadre in scope with status, post, pairing, talks, training, attachment, assessment and
    discipline, in a constant number of queries (pay state: ``pay_summary``)."""
    qs = cadre_list(user=user).select_related("pairing", "pairing__contact_leader", "pairing__paired_user")
    if township_id:
        qs = qs.filter(village__township_id=township_id)
    if status:
        qs = qs.filter(status=status)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(village__name__icontains=q))
    talks = Talk.objects.filter(cadre_id=OuterRef("pk"), kind=Talk.Kind.INDIVIDUAL, held_on__year=year)
    last_talk = Talk.objects.filter(cadre_id=OuterRef("pk"), kind=Talk.Kind.INDIVIDUAL).order_by("-held_on")
    training = TrainingAttendance.objects.filter(cadre_id=OuterRef("pk"), present=True, session__held_on__year=year)
    cases = DisciplineCase.objects.filter(cadre_id=OuterRef("pk"), status=DisciplineCase.Status.OPEN)
    latest = Assessment.objects.filter(cadre_id=OuterRef("pk")).order_by("-year")
    qs = with_attachment_days(qs, year).annotate(
        talks_year=_count_sq(talks),
        last_talk_on=Subquery(last_talk.values("held_on")[:1]),
        training_year=_count_sq(training),
        open_cases=_count_sq(cases),
        assessment_year=Subquery(latest.values("year")[:1]),
        assessment_result=Subquery(latest.values("result")[:1]),
    )
    return qs.order_by("village__township__code", "village__code", "name", "pk")


LEDGER_STATUS_CHOICES = Cadre.Status.choices


class TalkFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("搜索"), method="search")
    kind = django_filters.ChoiceFilter(label=_("谈话类别"), empty_label=_("全部"), choices=Talk.Kind.choices)
    township = django_filters.ModelChoiceFilter(label=_("乡（镇）"), empty_label=_("全部"), queryset=Township.objects.none())
    held_from = django_filters.DateFilter(label=_("起始日期"), field_name="held_on", lookup_expr="gte")
    held_to = django_filters.DateFilter(label=_("截止日期"), field_name="held_on", lookup_expr="lte")
    cadre = django_filters.NumberFilter(label=_("后备干部"), field_name="cadre_id")

    class Meta:
        model = Talk
        fields = ["q", "kind", "township", "held_from", "held_to", "cadre"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if user is not None:
            self.filters["township"].queryset = township_list(user=user)

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(cadre__name__icontains=value) | Q(interviewer__icontains=value)
                               | Q(record__icontains=value)) if value else queryset


class NoticeFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("搜索"), method="search")
    status = django_filters.ChoiceFilter(label=_("状态"), empty_label=_("全部"), choices=Notice.Status.choices)
    township = django_filters.ModelChoiceFilter(label=_("乡（镇）"), empty_label=_("全部"), queryset=Township.objects.none(),
                                                method="by_township")
    open = django_filters.BooleanFilter(label=_("仅未销号"), method="only_open")

    class Meta:
        model = Notice
        fields = ["q", "status", "township", "open"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if user is not None:
            self.filters["township"].queryset = township_list(user=user)

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(title__icontains=value) | Q(body__icontains=value)) if value else queryset

    def by_township(self, queryset, name, value):
        return queryset.filter(Q(township=value) | Q(village__township=value)) if value else queryset

    def only_open(self, queryset, name, value):
        return queryset.exclude(status=Notice.Status.CLOSED) if value else queryset


class CadreRecordFilter(django_filters.FilterSet):
    """Filter for lists of rows that belong to a cadre (attachments, assessments, commitments)."""

    q = django_filters.CharFilter(label=_("搜索"), method="search")
    township = django_filters.ModelChoiceFilter(label=_("乡（镇）"), empty_label=_("全部"), field_name="cadre__village__township",
                                                queryset=Township.objects.none())
    village = django_filters.ModelChoiceFilter(label=_("村"), empty_label=_("全部"), field_name="cadre__village",
                                               queryset=Village.objects.none())
    year = django_filters.NumberFilter(label=_("年度"), min_value=2000, max_value=2100, method="by_year")

    def __init__(self, *args, user=None, year_field="year", **kwargs):
        super().__init__(*args, **kwargs)
        self.year_field = year_field
        if user is not None:
            self.filters["township"].queryset = township_list(user=user)
            self.filters["village"].queryset = village_list(user=user)

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(cadre__name__icontains=value) | Q(cadre__village__name__icontains=value)) \
            if value else queryset

    def by_year(self, queryset, name, value):
        return queryset.filter(**{self.year_field: value}) if value else queryset
