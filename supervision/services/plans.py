"""R-58: the township's 跟班培养计划 — each cadre's planned attachment periods of a year (when, which office).
Each write checks first that ``by`` may record for the cadre (``supervision.permissions``)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from cadres.models import Cadre
from core import dates
from core.services import model_save
from supervision import permissions as perms
from supervision import policies
from supervision.models import AttachmentPlan


@transaction.atomic
def plan_add(*, cadre: Cadre, start_date: dt.date, end_date: dt.date, department: str, by,
             note: str = "") -> AttachmentPlan:
    """R-58: one planned period within one calendar year, not overlapping another planned period."""
    perms.enforce(by, perms.can_record_for, cadre, message=_("跟班培养计划由本乡（镇）党委制定。"))
    dates.check(dates.period_errors(start_date, end_date))
    if cadre.status != Cadre.Status.ACTIVE:
        raise ValidationError({"cadre": _("%(n)s已不在岗，不能再制定跟班计划。") % {"n": cadre.name}})
    if start_date.year != end_date.year:
        raise ValidationError({"end_date": _("跟班计划按自然年制定，跨年度的请分两段（第一段到12月31日）。")})
    if not (department or "").strip():
        raise ValidationError({"department": _("请填写跟班的科室或岗位。")})
    overlap = AttachmentPlan.objects.filter(cadre=cadre, start_date__lte=end_date, end_date__gte=start_date).first()
    if overlap:
        raise ValidationError({"start_date": _("与已有的计划（%(s)s至%(e)s）时间重叠。") % {
            "s": overlap.start_date, "e": overlap.end_date}})
    plan = AttachmentPlan(cadre=cadre, start_date=start_date, end_date=end_date,
                          days=policies.attachment_days(start_date, end_date), department=department.strip(),
                          note=(note or "").strip(), recorded_by=by)
    return model_save(plan, by=by)


@transaction.atomic
def plan_delete(*, plan: AttachmentPlan, by) -> None:
    """A planned period dropped (the plan changed); its history stays."""
    perms.enforce(by, perms.can_record_for, plan.cadre, message=_("跟班培养计划由本乡（镇）党委制定。"))
    plan._history_user = by
    plan.delete()
