"""Issue 12 item 5: an approver names a deputy for a date range (away for training, in hospital): the deputy
decides the village's leave in the approver's place, and each decision records whom it was made for."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from attendance import permissions
from attendance.models import ApproverDeputy
from core import dates
from core.models import RoleAssignment
from core.permissions import enforce
from core.roles import Role
from core.scope import build_scope, get_scope
from core.services import model_save, notify

#: the longest stand-in one naming covers (a longer absence is a new naming, or a new approver)
MAX_DAYS = 92


def principal_holds(user, *, role: str, village) -> bool:
    return RoleAssignment.objects.filter(user=user, role=role, village=village, is_active=True,
                                         user__is_active=True).exists()


@transaction.atomic
def deputy_name(*, principal, deputy, role: str, village, start_date: dt.date, end_date: dt.date, by,
                note: str = "") -> ApproverDeputy:
    """Record that ``deputy`` decides leave at ``village`` as ``role`` in ``principal``'s place from
    ``start_date`` to ``end_date``; the deputy is told."""
    enforce(permissions.can_name_deputy(get_scope(by), role=role, village=village),
            _("只有本村的审批人本人或乡（镇）党委可以指定代理审批人。"))
    dates.check(dates.period_errors(start_date, end_date))
    errors = {}
    if role not in (Role.VILLAGE_SECRETARY, Role.TOWNSHIP_LIAISON):
        errors["role"] = _("只能为村党组织书记或包村领导指定代理。")
    elif not principal_holds(principal, role=role, village=village):
        errors["principal"] = _("%(u)s不是%(v)s的%(r)s。") % {"u": principal, "v": village.name, "r": Role(role).label}
    if deputy is None or not deputy.is_active:
        errors["deputy"] = _("请选择在用的账号作为代理人。")
    elif deputy.pk == principal.pk:
        errors["deputy"] = _("代理人不能是审批人本人。")
    elif not permissions.can_be_deputy(build_scope(deputy), village=village):
        errors["deputy"] = _("代理人须是本村的村党组织书记、包村领导或本乡（镇）党委成员。")
    if start_date and end_date and (end_date - start_date).days + 1 > MAX_DAYS:
        errors["end_date"] = _("一次代理最长%(n)s天。") % {"n": MAX_DAYS}
    if errors:
        raise ValidationError(errors)
    row = ApproverDeputy(principal=principal, deputy=deputy, role=role, village=village, start_date=start_date,
                         end_date=end_date, note=(note or "").strip(), created_by=by)
    model_save(row, by=by)
    notify(users=[deputy], kind="leave_deputy",
           title=_("您被指定为%(v)s%(r)s的代理审批人（%(a)s至%(b)s）") % {
               "v": village.name, "r": Role(role).label, "a": start_date, "b": end_date},
           body=note, url="/attendance/leave/?pending=1", key=f"leave-deputy:{row.pk}")
    return row


@transaction.atomic
def deputy_cancel(*, deputyship: ApproverDeputy, by) -> ApproverDeputy:
    enforce(permissions.can_name_deputy(get_scope(by), role=deputyship.role, village=deputyship.village)
            or by.pk == deputyship.principal_id, _("只有审批人本人或乡（镇）党委可以取消代理。"))
    deputyship.cancelled = True
    return model_save(deputyship, by=by)


def running_deputies(**filters):
    """The namings in force today (not cancelled, today within their dates)."""
    today = dates.today()
    return ApproverDeputy.objects.filter(cancelled=False, start_date__lte=today, end_date__gte=today, **filters)


def deputyships(user_id: int) -> list[tuple[str, int]]:
    """The ``deputyships`` hook of core.registry: (role, village id) the user stands in for today."""
    return list(running_deputies(deputy_id=user_id).values_list("role", "village_id"))


def principal_for(leave, deputy, role: str):
    """The approver a deputy decided ``leave`` for (the naming covering today)."""
    row = running_deputies(deputy=deputy, role=role, village_id=leave.cadre.village_id).select_related("principal").first()
    return row.principal if row else None
