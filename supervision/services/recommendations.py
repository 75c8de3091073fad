"""R-61: each priority recommendation of the year-end assessment (R-55: 发展党员, 村“两委”空缺, “八大员”)
followed to its outcome — accepted (when, how) or not (why)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core import dates
from core.services import model_save
from supervision import permissions as perms
from supervision.models import Assessment, Recommendation, RecommendationOutcome


def recommended(assessment: Assessment, kind: str) -> bool:
    """The assessment made this recommendation and still stands (not withdrawn, not 不称职)."""
    return (kind in Recommendation.values and getattr(assessment, f"recommend_{kind}") and not assessment.withdrawn
            and assessment.result != Assessment.Result.INCOMPETENT)


@transaction.atomic
def recommendation_outcome_set(*, assessment: Assessment, kind: str, outcome: str, decided_on: dt.date, by,
                               note: str = "") -> RecommendationOutcome:
    """Record (or correct, with history) what became of one recommendation."""
    assessment = Assessment.objects.select_related("cadre", "cadre__village").get(pk=assessment.pk)
    perms.enforce(by, perms.can_record_recommendation, assessment.cadre,
                  message=_("推荐结果由本乡（镇）党委或县委组织部登记。"))
    if not recommended(assessment, kind):
        raise ValidationError({"kind": _("%(n)s的%(y)s年度评估没有这项推荐（或评估已撤销）。") % {
            "n": assessment.cadre.name, "y": assessment.year}})
    if outcome not in RecommendationOutcome.Outcome.values:
        raise ValidationError({"outcome": _("请选择结果：已采纳或未采纳。")})
    dates.check(dates.event_errors(decided_on, field="decided_on"))
    if decided_on < assessment.assessed_on:
        raise ValidationError({"decided_on": _("日期不能早于评估日期%(d)s。") % {"d": assessment.assessed_on}})
    note = (note or "").strip()
    if outcome == RecommendationOutcome.Outcome.NOT_ACCEPTED and not note:
        raise ValidationError({"note": _("未采纳的请写明原因。")})
    row = RecommendationOutcome.objects.filter(assessment=assessment, kind=kind).first() or \
        RecommendationOutcome(assessment=assessment, kind=kind)
    row.outcome, row.decided_on, row.note, row.recorded_by = outcome, decided_on, note, by
    return model_save(row, by=by, unique_error={"kind": [_("这项推荐的结果已登记。")]})
