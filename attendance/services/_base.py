"""What the attendance services share: enforcing a permission, the leave row lock, who decides a leave."""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from django.urls import reverse

from attendance.models import LeaveRequest
from cadres.models import Cadre
from core.roles import Role
from core.scope import get_scope
from core.selectors import users_with_role

S = LeaveRequest.Status


def enforce(by, allowed: Callable[..., bool], *objects, message: str) -> None:
    """PermissionDenied (403) unless ``allowed(scope, *objects)`` (an ``attendance.permissions`` question)
    says yes. ``by`` None is the system (jobs, the demo), which may do everything."""
    if by is not None and not allowed(get_scope(by), *objects):
        raise PermissionDenied(message)


def county_id(cadre: Cadre) -> int:
    return cadre.village.township.county_id


def lock_leave(leave) -> LeaveRequest:
    return LeaveRequest.objects.select_for_update().select_related("cadre__village__township").get(pk=leave.pk)


def leave_url(leave) -> str:
    return reverse("attendance:leave_detail", args=[leave.pk])


def approvers(leave):
    """Who must decide: the fixed approver, or the tier the request was escalated to (issue 12 item 5)."""
    if leave.escalated_to == Role.TOWNSHIP_PARTY:
        return users_with_role(Role.TOWNSHIP_PARTY, township=leave.cadre.village.township)
    return users_with_role(leave.escalated_to or leave.approver_role, village=leave.cadre.village)
