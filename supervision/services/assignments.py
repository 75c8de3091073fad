"""R-57: work assignments (工作任务) — the township or the village gives a cadre a task with a goal and a
deadline, the cadre reports completion, the assigning tier evaluates; corrections say why (kept in the
history, as talk corrections do). Each write checks first that ``by`` may do it (``supervision.permissions``)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from cadres.models import Cadre
from core import dates
from core.dates import today
from core.errors import Conflict
from core.permissions import is_system
from core.roles import Tier
from core.scope import get_scope
from core.services import model_save, notifications_settle
from supervision import permissions as perms
from supervision.models import WorkAssignment
from supervision.services.records import _reason, _save_correction

ASSIGN_DENIED = _("工作任务由本乡（镇）党委、包村领导或本村党组织书记交办。")
MANAGE_DENIED = _("只有交办该任务的乡（镇）或村可以评价和修改。")
COMPLETE_DENIED = _("只有任务承办人本人或交办单位可以报告完成情况。")

#: what a correction may change (kind, cadre and tier stay)
CORRECTABLE = ("title", "goal", "assigned_on", "due_on", "completed_on", "completion_note", "evaluation",
               "evaluation_note")


def _not_future(field: str, day: dt.date | None) -> None:
    now = today()
    if day and day > now:
        raise ValidationError({field: _("日期不能晚于今天（%(d)s）。") % {"d": now}})


def _check(*, cadre: Cadre, kind: str, title: str, goal: str, assigned_on, due_on) -> None:
    """R-57: a known kind, a title and a goal, an assigned date not in the future nor before the
    appointment, a deadline not before the assigned date (and plausible)."""
    if kind not in WorkAssignment.Kind.values:
        raise ValidationError({"kind": _("请选择任务类别：中心工作、急难险重任务或村务。")})
    if not (title or "").strip():
        raise ValidationError({"title": _("请填写任务名称。")})
    if not (goal or "").strip():
        raise ValidationError({"goal": _("请写明目标要求（做什么、做到什么程度）。")})
    if assigned_on is None:
        raise ValidationError({"assigned_on": _("请填写交办日期。")})
    if due_on is None:
        raise ValidationError({"due_on": _("请填写完成期限。")})
    dates.check(dates.event_errors(assigned_on, field="assigned_on"), dates.deadline_errors(due_on, field="due_on"))
    _not_future("assigned_on", assigned_on)
    if assigned_on < cadre.appointed_on:
        raise ValidationError({"assigned_on": _("交办日期不能早于聘任日期 %(d)s。") % {"d": cadre.appointed_on}})
    if due_on < assigned_on:
        raise ValidationError({"due_on": _("完成期限不能早于交办日期（%(d)s）。") % {"d": assigned_on}})


def _check_completion(assigned_on: dt.date, completed_on, note: str) -> None:
    if completed_on is None:
        raise ValidationError({"completed_on": _("请填写完成日期。")})
    dates.check(dates.event_errors(completed_on, field="completed_on"))
    _not_future("completed_on", completed_on)
    if completed_on < assigned_on:
        raise ValidationError({"completed_on": _("完成日期不能早于交办日期（%(d)s）。") % {"d": assigned_on}})
    if not (note or "").strip():
        raise ValidationError({"completion_note": _("请写明完成情况（做了什么、取得什么效果）。")})


@transaction.atomic
def assignment_create(*, cadre: Cadre, kind: str, title: str, goal: str, assigned_on: dt.date, due_on: dt.date,
                      by, tier: str | None = None) -> WorkAssignment:
    """R-57: give an active cadre a task; the tier is the assigner's (the township before the village)."""
    perms.enforce(by, perms.can_assign, cadre, message=ASSIGN_DENIED)
    cadre = Cadre.objects.select_related("village__township").get(pk=cadre.pk)
    if cadre.status != Cadre.Status.ACTIVE:
        raise ValidationError({"cadre": _("%(n)s已不在岗（%(s)s），不能再交办任务。") % {
            "n": cadre.name, "s": cadre.get_status_display()}})
    _check(cadre=cadre, kind=kind, title=title, goal=goal, assigned_on=assigned_on, due_on=due_on)
    if not is_system(by):
        tier = perms.assigning_tier(get_scope(by), cadre)
    tier = tier or Tier.TOWNSHIP
    row = WorkAssignment(cadre=cadre, kind=kind, tier=tier, title=title.strip(), goal=goal.strip(),
                         assigned_on=assigned_on, due_on=due_on, assigned_by=by)
    return model_save(row, by=by)


def _locked(assignment: WorkAssignment) -> WorkAssignment:
    return WorkAssignment.objects.select_for_update(of=("self",)).select_related(
        "cadre__village__township").get(pk=assignment.pk)


@transaction.atomic
def assignment_complete(*, assignment: WorkAssignment, completed_on: dt.date, completion_note: str,
                        by) -> WorkAssignment:
    """R-57: the cadre (or the assigning tier for them) reports the task done: when and what was done.
    Reported once; a later change is a correction with a reason."""
    perms.enforce(by, perms.can_complete_assignment, assignment, message=COMPLETE_DENIED)
    row = _locked(assignment)
    if row.completed_on:
        raise Conflict(_("该任务已于%(d)s报告完成；如需修改，请交办单位更正并说明原因。") % {"d": row.completed_on})
    _check_completion(row.assigned_on, completed_on, completion_note)
    row.completed_on, row.completion_note, row.completed_by = completed_on, completion_note.strip(), by
    model_save(row, by=by)
    notifications_settle(key=f"sup:assignment-overdue:{row.pk}")  # the overdue notice asked for this
    return row


@transaction.atomic
def assignment_evaluate(*, assignment: WorkAssignment, evaluation: str, evaluation_note: str = "",
                        by) -> WorkAssignment:
    """R-57: the assigning tier evaluates a completed task (优秀/良好/一般/较差 and a comment; 较差 says why).
    Evaluated once; a later change is a correction with a reason."""
    perms.enforce(by, perms.can_manage_assignment, assignment, message=MANAGE_DENIED)
    row = _locked(assignment)
    if not row.completed_on:
        raise Conflict(_("任务尚未报告完成，不能评价。"))
    if row.evaluation:
        raise Conflict(_("该任务已评价为“%(e)s”；如需修改，请更正并说明原因。") % {"e": row.get_evaluation_display()})
    if evaluation not in WorkAssignment.Evaluation.values:
        raise ValidationError({"evaluation": _("请选择评价等次：优秀、良好、一般或较差。")})
    note = (evaluation_note or "").strip()
    if evaluation == WorkAssignment.Evaluation.POOR and not note:
        raise ValidationError({"evaluation_note": _("评为较差须写明评价意见。")})
    row.evaluation, row.evaluation_note, row.evaluated_on, row.evaluated_by = evaluation, note, today(), by
    return model_save(row, by=by)


@transaction.atomic
def assignment_correct(*, assignment: WorkAssignment, by, reason: str, **changes) -> WorkAssignment:
    """R-57: the assigning tier corrects a task (its title, goal, dates, completion or evaluation) under the
    rules of writing it; ``reason`` is required and kept in the history."""
    perms.enforce(by, perms.can_manage_assignment, assignment, message=MANAGE_DENIED)
    unknown = set(changes) - set(CORRECTABLE)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    data = {k: (v.strip() if isinstance(v, str) else v) for k, v in changes.items()}
    row = _locked(assignment)
    reason = _reason(reason)
    merged = {f: data.get(f, getattr(row, f)) for f in CORRECTABLE}
    _check(cadre=row.cadre, kind=row.kind, title=merged["title"], goal=merged["goal"],
           assigned_on=merged["assigned_on"], due_on=merged["due_on"])
    if merged["completed_on"] or merged["completion_note"]:
        _check_completion(merged["assigned_on"], merged["completed_on"], merged["completion_note"])
    if merged["evaluation"]:
        if not merged["completed_on"]:
            raise ValidationError({"evaluation": _("任务尚未报告完成，不能评价。")})
        if merged["evaluation"] not in WorkAssignment.Evaluation.values:
            raise ValidationError({"evaluation": _("请选择评价等次：优秀、良好、一般或较差。")})
        if merged["evaluation"] == WorkAssignment.Evaluation.POOR and not merged["evaluation_note"]:
            raise ValidationError({"evaluation_note": _("评为较差须写明评价意见。")})
    if data.get("completed_on") and not row.completed_on:
        data["completed_by"] = by
    if data.get("evaluation") and data["evaluation"] != row.evaluation:
        data["evaluated_on"], data["evaluated_by"] = today(), by
    return _save_correction(row, by=by, reason=reason, data=data, fields=(*CORRECTABLE, "completed_by",
                                                                            "evaluated_on", "evaluated_by"))
