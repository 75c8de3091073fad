"""R-55: a cadre's year on the assessor's page, with everything the assessment weighs."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, Sum

from attendance import selectors as attendance_selectors
from cadres.models import Cadre
from core.dates import today
from supervision.models import Attachment, AttachmentPlan, Commitment, Talk, WorkAssignment
from supervision.selectors.lists import setting_for


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
