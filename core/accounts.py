"""Account administration in the browser (issue 14 item 4): the county organisation department for the
county, a township party committee for the secretaries and liaisons of its villages.

Create an account with its first role, give another role (a liaison may hold several villages), reset a
password (the user must choose a new one at the next sign-in), unlock after failed sign-ins, deactivate and
reactivate. Every write records who did it (simple-history on the user and its role assignments); a reset
password or a deactivated account ends the user's sessions and API tokens.
"""

from __future__ import annotations

import datetime as dt
import secrets
import string

from axes.models import AccessAttempt
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import tokens
from core.errors import Conflict
from core.models import RoleAssignment, User
from core.permissions import can_grant_role, can_manage_account, enforce, is_system
from core.roles import Role
from core.scope import get_scope
from core.services import model_save, password_save, role_assign, unit_for, user_create
from core.sessions import end_all_sessions

MANAGE_DENIED = _("您无权管理此账号：县委组织部管理本县账号，乡（镇）党委管理本乡（镇）各村书记和包村领导的账号。")


def active_assignments(user: User) -> list[RoleAssignment]:
    return list(RoleAssignment.objects.filter(user=user, is_active=True).select_related(
        "county", "township", "township__county", "village", "village__township", "village__township__county"))


def _enforce_manage(by, target: User) -> None:
    if not is_system(by):
        enforce(can_manage_account(get_scope(by), target, active_assignments(target)), MANAGE_DENIED)


def _lock_user(user: User) -> User:
    return User.objects.select_for_update().get(pk=user.pk)


@transaction.atomic
def account_create(*, username: str, password: str, full_name: str, phone: str = "", role: str,
                   county=None, township=None, village=None, issued: bool = False, by) -> User:
    """A new account with its first role, in one step: who may give that role on that unit creates it
    (a township party committee: a secretary or liaison of one of its villages). ``issued``: ``password``
    was generated (``temporary_password``), see ``core.services.user_create``."""
    unit_for(role, county, township, village)  # a missing unit is a field error before any refusal
    if not is_system(by):
        enforce(can_grant_role(get_scope(by), role, county=county, township=township, village=village),
                _("您无权在该单位分配角色“%(r)s”。") % {"r": Role(role).label} if role in Role.values
                else _("未知角色。"))
    user = user_create(username=username, password=password, full_name=full_name, phone=phone, issued=issued, by=None)
    user._history_user = by
    role_assign(user=user, role=role, county=county, township=township, village=village, by=by)
    return user


def temporary_password() -> str:
    """12 characters with letters and digits, none that read alike (0/O, 1/l/I)."""
    letters = "".join(c for c in string.ascii_letters if c not in "OoIl")
    digits = "23456789"
    while True:
        value = "".join(secrets.choice(letters + digits) for _ in range(12))
        if any(c in digits for c in value) and any(c in letters for c in value):
            return value


@transaction.atomic
def user_reset_password(*, user: User, by, password: str = "") -> str:
    """Set a temporary password (``password`` or a generated one), which the user must change at the next
    sign-in; the user's sessions and API tokens end and a lockout is lifted. Returns the password, to be
    handed over once."""
    _enforce_manage(by, user)
    user = _lock_user(user)
    password = (password or "").strip() or temporary_password()
    password_save(user, password, by=by, field="password", must_change=True)
    end_all_sessions(user)
    AccessAttempt.objects.filter(username=user.username).delete()
    return password


def lockout_state(user: User) -> dict:
    """Failed sign-ins of ``user`` within the lockout window: how many, from how many addresses, the last
    one, and whether a (username, address) pair is locked now."""
    since = timezone.now() - dt.timedelta(hours=settings.AXES_COOLOFF_TIME)
    rows = list(AccessAttempt.objects.filter(username=user.username, attempt_time__gte=since)
                .values_list("failures_since_start", "attempt_time"))
    return {"failures": sum(f for f, _t in rows), "addresses": len(rows),
            "last": max((t for _f, t in rows), default=None),
            "locked": any(f >= settings.AXES_FAILURE_LIMIT for f, _t in rows)}


def locked_usernames_q():
    """The usernames locked now (a subquery: some address reached the failure limit in the window)."""
    since = timezone.now() - dt.timedelta(hours=settings.AXES_COOLOFF_TIME)
    return AccessAttempt.objects.filter(attempt_time__gte=since, failures_since_start__gte=settings.AXES_FAILURE_LIMIT
                                        ).values("username")


def locked_usernames(usernames) -> set[str]:
    return set(locked_usernames_q().filter(username__in=list(usernames)).values_list("username", flat=True))


@transaction.atomic
def user_unlock(*, user: User, by) -> int:
    """Forget the failed sign-ins of ``user`` (every address): the lock and the growing delay end now.
    Returns how many records were cleared (0: nothing was locked)."""
    _enforce_manage(by, user)
    deleted, _detail = AccessAttempt.objects.filter(username=user.username).delete()
    return deleted


@transaction.atomic
def user_set_active(*, user: User, active: bool, by) -> User:
    """Deactivate (sign-in, sessions and API tokens end; roles stay recorded) or reactivate an account. The
    last active county_org of a county is kept active (Conflict): somebody must administer it."""
    _enforce_manage(by, user)
    user = _lock_user(user)
    if user.is_active == active:
        return user
    if not active:
        for a in RoleAssignment.objects.filter(user=user, is_active=True, role=Role.COUNTY_ORG).select_related("county"):
            others = RoleAssignment.objects.filter(role=Role.COUNTY_ORG, county_id=a.county_id, is_active=True,
                                                   user__is_active=True).exclude(user=user)
            if not others.exists():
                raise Conflict(_("“%(u)s”是%(c)s最后一个县委组织部账号，停用后将无人管理本县。"
                                 "请先为另一个账号分配本县的县委组织部角色。") % {"u": user, "c": a.county})
    user.is_active = active
    model_save(user, by=by)
    if not active:
        tokens.revoke_all(user)
        end_all_sessions(user)
    return user
