"""The supervision app's settings and its lists, each narrowed to what the user may see (R-50…R-59)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, OuterRef, Q, Subquery

from cadres.models import Cadre
from cadres.selectors import cadre_list
from core.models import County, RoleAssignment, User
from core.roles import Role
from core.scope import get_scope
from core.selectors import township_list
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
    Recommendation,
    RecommendationOutcome,
    SupervisionSetting,
    Talk,
    TrainingAttendance,
    TrainingSession,
)


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
    for kind, label in Recommendation.choices:
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
        entry["cells"] = [entry["kinds"].get(k) for k in Recommendation.values]
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
