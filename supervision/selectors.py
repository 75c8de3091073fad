"""Scoped reads of the supervision app, the flags of R-50…R-56 and the county ledger (R-06).

Every function takes ``user`` and filters with the caller's tier scope (core/scope.py).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Case, CharField, Count, Exists, IntegerField, OuterRef, Q, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from attendance import selectors as attendance_selectors
from cadres.models import Cadre, DisciplineCase
from cadres.selectors import cadre_list
from core.dates import today
from core.models import County, RoleAssignment, Township, User
from core.money import MoneySum
from core.roles import Role
from core.scope import get_scope
from core.selectors import township_list
from payroll import selectors as payroll_selectors
from supervision import permissions as perms
from supervision import policies
from supervision.models import (
    AreaGroup,
    Assessment,
    Attachment,
    AttachmentPlan,
    Commitment,
    CountyVisit,
    GroupActivity,
    Notice,
    Pairing,
    RecommendationOutcome,
    SupervisionSetting,
    Talk,
    TrainingAttendance,
    TrainingSession,
    WorkAssignment,
)

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
    return Pairing.objects.filter(scope.via_cadre_q()).select_related(
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


def contact_leaders(township):
    """R-50: who may be the contact leader of a cadre of ``township``: its party committee and the liaisons
    of its villages (any scope: the service checks a choice with it, the form lists it)."""
    holds = (Q(role=Role.TOWNSHIP_PARTY, township=township)
             | Q(role=Role.TOWNSHIP_LIAISON, village__township=township))
    ids = RoleAssignment.objects.filter(is_active=True).filter(holds).values("user_id")
    return User.objects.filter(pk__in=ids)


def area_group_list(*, user):
    scope = get_scope(user)
    ids = AreaGroup.objects.filter(scope.townships_q("township")).values("pk")
    return (AreaGroup.objects.filter(pk__in=ids).select_related("township")
            .annotate(member_count=Count("members", distinct=True),
                      activity_count=Count("activities", distinct=True)))


def group_activity_list(*, user):
    return GroupActivity.objects.filter(group__in=area_group_list(user=user).values("pk")).select_related("group")


def training_session_list(*, user):
    scope = get_scope(user)
    q = scope.townships_q("township")
    if scope.cadre_ids:
        q |= Q(attendance__cadre_id__in=sorted(scope.cadre_ids))
    ids = TrainingSession.objects.filter(q).values("pk")
    return (TrainingSession.objects.filter(pk__in=ids).select_related("township")
            .annotate(present_count=Count("attendance", filter=Q(attendance__present=True))))


def _cadre_rows(model, user, *related):
    """Rows of a cadre: seen where the cadre's village is in scope, and by the cadre."""
    return model.objects.filter(get_scope(user).via_cadre_q()).select_related(
        "cadre", "cadre__village", *related)


def training_attendance_list(*, user):
    return _cadre_rows(TrainingAttendance, user, "session")


def attachment_list(*, user):
    return _cadre_rows(Attachment, user, "cadre__village__township", "township")


def talk_list(*, user):
    """R-53: individual and heart-to-heart talks follow the cadre; collective talks follow the township."""
    scope = get_scope(user)
    # decision 021: the talk's own county/township/village columns follow the cadre's village
    q = (Q(cadre__isnull=False) & scope.rows_q(village="village")) | (
        Q(kind=Talk.Kind.COLLECTIVE) & scope.townships_q("township", county="county"))
    talks = Talk.objects.filter(q)
    if scope.village_roles:  # a village's collective talks come through township → villages: one row per village
        talks = Talk.objects.filter(pk__in=talks.values("pk"))
    # county and township users filter on the talk's own columns, so the (county|township, -held_on) index
    # serves the list (issue 19: an id IN (subquery) made a province's talk list scan every talk)
    return talks.select_related("cadre", "cadre__village", "township", "village")


def commitment_list(*, user):
    return _cadre_rows(Commitment, user, "cadre__village__township")


def assessment_list(*, user):
    return _cadre_rows(Assessment, user, "cadre__village__township")


def attachment_plan_list(*, user):
    """R-58: planned 跟班学习 periods, seen where the cadre's village is in scope, and by the cadre."""
    return _cadre_rows(AttachmentPlan, user)


def recommendation_rows(*, user, kind: str):
    """R-61: the standing recommendations of one kind (assessments not withdrawn, not 不称职), each with its
    outcome (None while pending)."""
    outcome = RecommendationOutcome.objects.filter(assessment=OuterRef("pk"), kind=kind)
    return (assessment_list(user=user)
            .filter(**{f"recommend_{kind}": True}, withdrawn=False)
            .exclude(result=Assessment.Result.INCOMPETENT)
            .annotate(outcome=Subquery(outcome.values("outcome")[:1]),
                      outcome_on=Subquery(outcome.values("decided_on")[:1]),
                      outcome_note=Subquery(outcome.values("note")[:1])))


def recommendation_summary(*, user, year: int | None = None) -> list[dict]:
    """R-61, the county report: per township and kind, how many were recommended, accepted, not accepted."""
    rows: dict[str, dict] = {}
    for kind, label in RecommendationOutcome.Kind.choices:
        qs = recommendation_rows(user=user, kind=kind)
        if year:
            qs = qs.filter(year=year)
        for r in qs.values("cadre__village__township__code", "cadre__village__township__name").annotate(
                n=Count("pk"), accepted=Count("pk", filter=Q(outcome="accepted")),
                refused=Count("pk", filter=Q(outcome="not_accepted"))).order_by("cadre__village__township__code"):
            entry = rows.setdefault(r["cadre__village__township__code"], {
                "township": r["cadre__village__township__name"], "kinds": {}})
            entry["kinds"][kind] = {"label": label, "n": r["n"], "accepted": r["accepted"], "refused": r["refused"],
                                    "pending": r["n"] - r["accepted"] - r["refused"]}
    out = [rows[code] for code in sorted(rows)]
    for entry in out:  # the cells in kind order, for a table (a missing kind: nothing recommended)
        entry["cells"] = [entry["kinds"].get(k) for k in RecommendationOutcome.Kind.values]
    return out


def notice_list(*, user):
    """R-56: county roles see the county's notices; a township its own and its villages'; a village its own."""
    return Notice.objects.filter(get_scope(user).units_q()).select_related(
        "county", "township", "village", "village__township")


def visit_list(*, user):
    """R-59: county roles see the county's visits, a township party committee the visits to its township."""
    return CountyVisit.objects.filter(get_scope(user).township_q("township")).select_related(
        "county", "township", "village", "recorded_by")


def last_visits(*, user, year: int) -> dict:
    """R-59 on the dashboard and the ledger: the latest visit, this year's count, and the townships in scope
    the county has not visited this year."""
    visits = visit_list(user=user)
    this_year = visits.filter(visited_on__year=year)
    visited = this_year.values("township_id")
    return {"last": visits.order_by("-visited_on", "-pk").first(), "count": this_year.count(),
            "not_visited": list(township_list(user=user).exclude(pk__in=visited).order_by("code")[:50])}


def notices_overdue(*, user, as_of: dt.date):
    """R-56: still waiting for an answer after the deadline (``due_on`` < ``as_of``)."""
    return notice_list(user=user).filter(status=Notice.Status.OPEN, due_on__lt=as_of)


# -- flags --------------------------------------------------------------------------------------

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


# -- pay (provided by the payroll app) ---------------------------------------------------------------

def pay_summary(*, user, cadre_ids=None, year: int | None = None) -> dict[int, dict]:
    """Per cadre: stipend lines and total paid out in ``year`` (all years when None), and unpaid lines.

    The one place that reads the payroll app's figures.
    """
    qs = payroll_selectors.pay_line_list(user=user)
    if cadre_ids is not None:
        qs = qs.filter(cadre_id__in=list(cadre_ids))
    if year is not None:
        qs = qs.filter(run__month__year=year)
    out: dict[int, dict] = {}
    for row in qs.order_by().values("cadre_id").annotate(n=Count("pk"), total=MoneySum("total")):
        out[row["cadre_id"]] = {"lines": row["n"], "total": row["total"] or Decimal("0.00"), "unpaid": 0}
    uq = payroll_selectors.unpaid_line_list(user=user)
    if cadre_ids is not None:
        uq = uq.filter(cadre_id__in=list(cadre_ids))
    for row in uq.order_by().values("cadre_id").annotate(n=Count("pk")):
        out.setdefault(row["cadre_id"], {"lines": 0, "total": Decimal("0.00"), "unpaid": 0})["unpaid"] = row["n"]
    return out


def pay_lines_for(*, user, cadre):
    """Pay lines of one cadre (for the dossier), newest month first."""
    lines = payroll_selectors.pay_line_list(user=user).filter(cadre=cadre).select_related("run")
    return list(lines.order_by("-run__month")[:36])


def unpaid_lines(*, user, as_of: dt.date | None = None):
    """R-44 lines unpaid after the set days, scoped."""
    return payroll_selectors.unpaid_line_list(user=user, as_of=as_of)


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
    latest = Assessment.objects.filter(cadre_id=OuterRef("pk"), withdrawn=False).order_by("-year")
    qs = with_attachment_days(qs, year).annotate(
        talks_year=_count_sq(talks),
        last_talk_on=Subquery(last_talk.values("held_on")[:1]),
        training_year=_count_sq(training),
        open_cases=_count_sq(cases),
        assessment_year=Subquery(latest.values("year")[:1]),
        assessment_result=Subquery(latest.values("result")[:1]),
    )
    return qs.order_by("village__township__code", "village__code", "name", "pk")


# -- work assignments (R-57) ----------------------------------------------------------------------

def assignment_list(*, user, as_of: dt.date | None = None):
    """R-57: tasks of the cadres in scope (a cadre sees their own), each with ``status`` on ``as_of`` (today)."""
    as_of = as_of or today()
    status = Case(*[When(assignment_status_q(s, as_of=as_of), then=Value(s)) for s in WorkAssignment.Status.values],
                  output_field=CharField())
    return _cadre_rows(WorkAssignment, user, "cadre__village__township", "assigned_by", "completed_by",
                       "evaluated_by").annotate(status=status)


def assignment_status_q(status: str, *, as_of: dt.date) -> Q:
    """R-57: the rows of one status on ``as_of`` (as ``WorkAssignment.status_on``), for filters and counts."""
    S = WorkAssignment.Status
    return {
        S.EVALUATED: ~Q(evaluation=""),
        S.DONE: Q(evaluation="", completed_on__isnull=False),
        S.OVERDUE: Q(completed_on__isnull=True, due_on__lt=as_of),
        S.OPEN: Q(completed_on__isnull=True, due_on__gte=as_of),
    }.get(status, Q())


def assignments_for_cadre(cadre, *, user):
    """R-57: one cadre's tasks the user may see, newest first (the cadre page's fragment)."""
    return assignment_list(user=user).filter(cadre_id=cadre.pk).order_by("-assigned_on", "-pk")


def assignments_manageable(*, user):
    """R-57: the tasks the user's tier assigned (who evaluates and corrects them)."""
    scope = get_scope(user)
    q = Q(pk__in=[])
    for tier, roles in perms.ASSIGNERS.items():
        q |= Q(tier=tier) & scope.q_holding(roles, village="cadre__village", township="cadre__township",
                                             county="cadre__county")
    return assignment_list(user=user).filter(q)


def assignments_overdue(*, user, as_of: dt.date):
    """R-57, the home panel: tasks of the user's tier not completed after their deadline."""
    return (assignments_manageable(user=user).filter(assignment_status_q(WorkAssignment.Status.OVERDUE, as_of=as_of))
            .filter(cadre__status=Cadre.Status.ACTIVE).order_by("due_on", "pk"))


def assessment_year_context(cadre, year: int, *, as_of: dt.date | None = None) -> dict:
    """R-55 with R-52, R-53, R-54, R-57, R-58 and the attendance (R-21, R-24): the cadre's year on the
    assessor's page — tasks with their evaluations, the commitment, 跟班学习 days against the plan and the
    county's minimum, the talks, leave and absence days. ``cadre`` comes from a scoped selector (the caller
    may see it). A constant number of queries, whatever the number of records."""
    as_of = as_of or today()
    cadre = Cadre.objects.select_related("village__township").get(pk=cadre.pk)
    township = cadre.village.township
    tasks = list(WorkAssignment.objects.filter(cadre_id=cadre.pk)
                 .filter(Q(assigned_on__year=year) | Q(due_on__year=year))
                 .select_related("assigned_by").order_by("assigned_on", "pk"))
    for t in tasks:
        t.status = t.status_on(as_of)
    by_status = {s: sum(1 for t in tasks if t.status == s) for s in WorkAssignment.Status.values}
    by_grade = [(label, sum(1 for t in tasks if t.evaluation == value))
                for value, label in WorkAssignment.Evaluation.choices]
    attached = Attachment.objects.filter(cadre_id=cadre.pk, start_date__year=year).aggregate(s=Sum("days"))["s"] or 0
    planned = AttachmentPlan.objects.filter(cadre_id=cadre.pk, start_date__year=year).aggregate(s=Sum("days"))["s"] or 0
    min_days = setting_for(township.county_id).attachment_min_days
    talks = list(Talk.objects.filter(held_on__year=year).filter(
        Q(cadre_id=cadre.pk) | Q(kind=Talk.Kind.COLLECTIVE, township_id=township.pk)).order_by("held_on", "pk"))
    return {
        "cadre": cadre, "year": year,
        "tasks": tasks, "task_counts": by_status, "task_grades": by_grade,
        "tasks_late": sum(1 for t in tasks if t.completed_late),
        "commitment": Commitment.objects.filter(cadre_id=cadre.pk, year=year).first(),
        "attachment": {"days": attached, "planned": planned, "min_days": min_days,
                       "short": attached < min_days, "behind_plan": attached < planned},
        "talks": talks,
        "talk_counts": {k: sum(1 for t in talks if t.kind == k) for k in Talk.Kind.values},
        "attendance": attendance_selectors.cadre_year_attendance(cadre, year=year, as_of=as_of),
    }
