"""What the attendance services share: enforcing a permission, the leave row lock, who decides a leave."""

from __future__ import annotations

from django.db.models import Q
from django.urls import reverse

from attendance.models import LeaveRequest
from attendance.services.deputies import running_deputies
from cadres.models import Cadre
from core.models import User
from core.permissions import enforce_for as enforce  # noqa: F401  (the attendance services' helper)
from core.roles import Role
from core.selectors import users_with_role

S = LeaveRequest.Status


def county_id(cadre: Cadre) -> int:
    return cadre.village.township.county_id


def lock_leave(leave) -> LeaveRequest:
    return LeaveRequest.objects.select_for_update().select_related("cadre__village__township").get(pk=leave.pk)


def leave_url(leave) -> str:
    return reverse("attendance:leave_detail", args=[leave.pk])


def approvers(leave):
    """Who must decide: the fixed approver, or the tier the request was escalated to (issue 12 item 5), and
    a deputy one of them named for today."""
    if leave.escalated_to == Role.TOWNSHIP_PARTY:
        return users_with_role(Role.TOWNSHIP_PARTY, township=leave.cadre.village.township)
    role = leave.escalated_to or leave.approver_role
    deputies = running_deputies(role=role, village_id=leave.cadre.village_id).values("deputy_id")
    holders = users_with_role(role, village=leave.cadre.village).values("pk")
    return User.objects.filter(Q(pk__in=holders) | Q(pk__in=deputies), is_active=True)
